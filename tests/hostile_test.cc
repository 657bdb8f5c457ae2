// Hostile and broken input (issue 6). Every line is counted whatever the bytes; NUL bytes,
// invalid UTF-8 and huge lines keep the outputs valid and the memory bounded; broken .gz files,
// files that change while read, FIFOs, /dev/null, a closed stdin and a reader that goes away end
// cleanly; log text never reaches a terminal raw; rule files cannot make a run hang.
// Most tests run the real binary (cli_support.h); the property tests run in process.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli_support.h"
#include "test_support.h"
#include "why500/line_reader.h"
#include "why500/pipeline.h"
#include "why500/source.h"

namespace {

using namespace why500_cli_test;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Helpers

// A small deterministic generator (xorshift64): the same streams on every platform.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
  char Byte() { return static_cast<char>(Next() >> 56); }
};

// Lines as why500 counts them: one per "\n", plus a last one without it.
uint64_t ExpectedLines(const std::string& bytes) {
  return Count(bytes, '\n') + (!bytes.empty() && bytes.back() != '\n' ? 1 : 0);
}

std::string Gunzip(const std::string& path) {
  gzFile gz = gzopen(path.c_str(), "rb");
  REQUIRE(gz != nullptr);
  std::string out;
  char buf[65536];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  REQUIRE(n == 0);
  gzclose(gz);
  return out;
}

std::string ToCrlf(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 32);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out.push_back('\r');
    out.push_back(s[i]);
  }
  return out;
}

// The first problem of `s` as UTF-8 (strict: no overlongs, surrogates or code points past
// U+10FFFF), or "" when it is valid. Independent of why500's own validator.
std::string Utf8Problem(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n;
    uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2, cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3, cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4, cp = b & 0x07u;
    } else {
      return "bad lead byte at " + std::to_string(i);
    }
    if (i + n > s.size()) return "cut sequence at " + std::to_string(i);
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return "bad continuation at " + std::to_string(i + k);
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min) return "overlong sequence at " + std::to_string(i);
    if (cp >= 0xD800 && cp <= 0xDFFF) return "surrogate at " + std::to_string(i);
    if (cp > 0x10FFFF) return "code point past U+10FFFF at " + std::to_string(i);
    i += n;
  }
  return "";
}

// Code points that reorder or hide text on screen: the bidi embeddings, overrides, isolates
// and marks (Trojan Source, CVE-2021-42574).
bool IsBidiControl(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// The first thing in `s` that could steer a terminal, or "" when there is none: a raw control
// byte other than "\n", DEL, a C1 control, a bidi control, or invalid UTF-8.
std::string TerminalHazard(const std::string& s) {
  const std::string utf8 = Utf8Problem(s);
  if (!utf8.empty()) return "invalid UTF-8: " + utf8;
  auto hazard = [&s](const char* what, uint32_t value, size_t at) {
    char code[16];
    std::snprintf(code, sizeof code, " %04x at ", static_cast<unsigned>(value));
    return what + std::string(code) + std::to_string(at) + " in ..." + s.substr(at < 40 ? 0 : at - 40, 80);
  };
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b < 0x20 && b != '\n') || b == 0x7F) return hazard("control byte", b, i);
    if (b < 0x80) {
      ++i;
      continue;
    }
    const size_t n = (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    uint32_t cp = n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    if (cp >= 0x80 && cp <= 0x9F) return hazard("C1 control", cp, i);
    if (IsBidiControl(cp)) return hazard("bidi control", cp, i);
    i += n;
  }
  return "";
}

// Parses a JSON document that must be valid UTF-8 by both validators.
json ParseStrict(const std::string& text) {
  INFO(text.substr(0, 2000));
  REQUIRE(Utf8Problem(text).empty());
  return ParseJson(text);  // nlohmann's parser rejects ill-formed UTF-8 inside strings as well
}

// What every input of a report must satisfy, whatever it held: each line read is counted once,
// as parsed (a header, a continuation, a blank or marker line) or unparsed (binary, or of no
// format in a structured input); the assembler counts each branch on its own.
void CheckInputInvariants(const json& in) {
  INFO(in.dump());
  const uint64_t lines = in["lines"];
  CHECK(in["parsed_lines"].get<uint64_t>() + in["unparsed_lines"].get<uint64_t>() == lines);
  CHECK(in["unparsed_lines"].get<uint64_t>() <= lines);
  CHECK(in["binary_lines"].get<uint64_t>() <= in["unparsed_lines"].get<uint64_t>());
  CHECK(in["truncated_lines"].get<uint64_t>() <= lines);
  CHECK(in["events"].get<uint64_t>() + in["binary_lines"].get<uint64_t>() <= lines);
  CHECK(in["responses"].get<uint64_t>() + in["binary_lines"].get<uint64_t>() <= lines);
  CHECK(in["cut_entries"].get<uint64_t>() <= in["events"].get<uint64_t>());
}

// The log inputs under testdata/ (not the args and expected files of the golden cases).
std::vector<std::filesystem::path> TestdataInputs() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(WHY500_SOURCE_DIR "/testdata")) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name == "args" || name.rfind("expected", 0) == 0 || name[0] == '.' ||
        e.path().extension() == ".out") {
      continue;
    }
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string TextOf(const std::filesystem::path& p) {
  return p.extension() == ".gz" ? Gunzip(p.string()) : ReadFile(p.string());
}

// Opens the FIFO at `path` for writing once a reader has it open (giving up after 10 s), writes
// `chunks` with short pauses and closes it. No Catch2 assertions: they are not thread-safe.
std::thread FifoWriter(const std::string& path, std::vector<std::string> chunks) {
  return std::thread([path, chunks = std::move(chunks)] {
    int fd = -1;
    for (int i = 0; i < 1000 && fd < 0; ++i) {
      fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (fd < 0) return;
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    for (const std::string& c : chunks) {
      for (size_t done = 0; done < c.size();) {
        const ssize_t k = ::write(fd, c.data() + done, c.size() - done);
        if (k <= 0) break;
        done += static_cast<size_t>(k);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::close(fd);
  });
}

// ---------------------------------------------------------------------------------------------
// Logs

const std::string kSocketMissing =
    "2026/11/21 10:03:11 [crit] 1046#1046: *2094 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such "
    "file or directory) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "
    "\"GET /checkout HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: "
    "\"shop.example.com\"\n";

const std::string kRefused =
    "2026/11/21 10:03:12 [error] 1046#1046: *2101 connect() failed (111: Connection refused) while connecting to "
    "upstream, client: 198.51.100.23, server: shop.example.com, request: \"POST /cart/add HTTP/2.0\", upstream: "
    "\"http://127.0.0.1:8080/cart/add\", host: \"shop.example.com\"\n";

const std::string kAccess502 =
    "203.0.113.7 - - [21/Nov/2026:10:03:11 +0000] \"GET /checkout HTTP/2.0\" 502 157 \"-\" \"Mozilla/5.0\"\n";
const std::string kAccess200 =
    "203.0.113.9 - - [21/Nov/2026:10:03:11 +0000] \"GET /static/app.css HTTP/2.0\" 200 5120 \"-\" \"Mozilla/5.0\"\n";

std::string Repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

// Log-shaped lines for the property tests: each format's first lines and its continuations.
const std::vector<std::string> kShapes = {
    kSocketMissing,
    kRefused,
    kAccess502,
    kAccess200,
    "[21-Nov-2026 10:01:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n",
    "[21-Nov-2026 10:01:30] WARNING: [pool www] child 3312 said into stderr: \"PHP Fatal error:  Uncaught\"\n",
    "[Sat Nov 21 10:11:03.825034 2026] [proxy_fcgi:error] [pid 22871:tid 1] [client 203.0.113.150:42937] AH01071: "
    "Got error 'Primary script unknown'\n",
    "Nov 21 10:03:11 web1 php-fpm[811]: [WARNING] [pool www] child 12 exited on signal 9 (SIGKILL)\n",
    "{\"time\":\"2026-11-21T10:03:11Z\",\"level\":\"error\",\"msg\":\"connect ECONNREFUSED 10.0.0.5:5432\","
    "\"status\":500}\n",
    "time=2026-11-21T10:03:11Z level=error msg=\"upstream timed out\" status=504\n",
    "Traceback (most recent call last):\n",
    "  File \"/app/views.py\", line 10, in handler\n",
    "psycopg2.OperationalError: could not connect to server: Connection refused\n",
    "\tat com.example.Foo.bar(Foo.java:42)\n",
    "-- Boot 4a1b --\n",
    "\n",
    "2026-11-21 10:03:11,123 ERROR [main] c.e.App - Request failed with root cause\n",
};

// Bytes that have broken line readers and parsers before.
const std::vector<std::string> kOddBytes = {
    std::string(1, '\0'), "\xff", "\n", "\r", "\r\n", "\n\r", "\x1b[31m", "\xc0\xaf", "\xe0\x80\xaf",
    "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "\x80", "\xe2\x80\xae", "\"", "\\", "{", "[", "\t", " "};

// A random stream of up to `max_size` bytes, in one of several shapes.
std::string RandomStream(Rng& rng, size_t max_size) {
  const size_t size = rng.Below(4) == 0 ? rng.Below(64) : rng.Below(max_size + 1);
  std::string s;
  s.reserve(size);
  switch (rng.Below(5)) {
    case 0:  // any bytes
      while (s.size() < size) s.push_back(rng.Byte());
      break;
    case 1:  // text with odd bytes sprinkled
      while (s.size() < size) {
        if (rng.Below(4) == 0) {
          s += kOddBytes[rng.Below(kOddBytes.size())];
        } else {
          s.push_back(static_cast<char>('a' + rng.Below(26)));
        }
      }
      break;
    case 2:  // long runs without a newline, then line ends of any kind
      while (s.size() < size) {
        const char fill = rng.Below(2) ? 'A' : static_cast<char>(rng.Below(2) ? '\0' : '\xff');
        s.append(rng.Below(size + 1), fill);
        s += kOddBytes[rng.Below(6)];
      }
      break;
    case 3:  // line ends only
      while (s.size() < size) s += kOddBytes[1 + rng.Below(5)];
      break;
    default:  // log lines of every format, some bytes replaced (shorter: they are classified)
      while (s.size() < size / 4) {
        std::string line = kShapes[rng.Below(kShapes.size())];
        for (size_t k = rng.Below(4); k > 0; --k) line[rng.Below(line.size())] = rng.Byte();
        if (rng.Below(8) == 0) line.pop_back();  // glued to the next one
        s += line;
      }
      break;
  }
  s.resize(std::min(s.size(), max_size));
  return s;
}

// A source that hands out its bytes in reads of random, often tiny, sizes.
class ChunkedSource : public why500::Source {
 public:
  ChunkedSource(std::string bytes, uint64_t seed, size_t max_chunk)
      : bytes_(std::move(bytes)), rng_{seed}, max_chunk_(max_chunk) {}
  why500::Expected<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::min({n, bytes_.size() - pos_, 1 + rng_.Below(max_chunk_)});
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t raw_bytes() const override { return pos_; }
  bool compressed() const override { return false; }

 private:
  std::string bytes_;
  Rng rng_;
  size_t max_chunk_;
  size_t pos_ = 0;
};

// What a line reader must make of `bytes`: lines split at "\n", one "\r" before it dropped,
// each cut to `max_line` bytes.
struct Framed {
  std::vector<std::string> lines;
  uint64_t truncated = 0;
};
Framed ReferenceFraming(const std::string& bytes, size_t max_line) {
  Framed f;
  size_t start = 0;
  while (start < bytes.size()) {
    size_t nl = bytes.find('\n', start);
    const size_t end = nl == std::string::npos ? bytes.size() : nl;
    std::string line = bytes.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() > max_line) {
      line.resize(max_line);
      ++f.truncated;
    }
    f.lines.push_back(std::move(line));
    start = nl == std::string::npos ? bytes.size() : nl + 1;
  }
  return f;
}

}  // namespace

// =============================================================================================
// 1. Every line counted

TEST_CASE("hostile: every line of every testdata input is counted", "[hostile]") {
  // One run for all of them (a process compiles the rule set first): each input's counts are
  // its own, whatever else is read beside it.
  const auto files = TestdataInputs();
  REQUIRE(files.size() > 30);
  std::vector<std::string> args = {"--format", "json"};
  for (const auto& path : files) args.push_back(path.string());
  const RunResult r = Run(args);
  CHECK(r.exit_code == 0);
  const json j = ParseStrict(r.out);
  REQUIRE(j["inputs"].size() == files.size());
  uint64_t total = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    INFO(files[i].string());
    const std::string text = TextOf(files[i]);
    const json& in = j["inputs"][i];
    CHECK(in["name"] == files[i].string());
    CHECK(in["error"].is_null());
    CHECK(in["lines"] == ExpectedLines(text));
    CHECK(in["bytes"] == text.size());
    CheckInputInvariants(in);
    total += ExpectedLines(text);
  }
  CHECK(j["totals"]["lines"] == total);
}

TEST_CASE("hostile: CRLF line endings give the same lines and the same report as LF", "[hostile]") {
  // Every testdata input, under the same names once with LF and once with CRLF line ends.
  TempDir dir;
  const auto files = TestdataInputs();
  const std::string root = WHY500_SOURCE_DIR "/testdata/";
  std::vector<std::string> paths;
  std::vector<std::string> crlf;
  for (const auto& path : files) {
    const std::string rel = path.string().substr(root.size());
    std::filesystem::create_directories(std::filesystem::path(dir.Path(rel)).parent_path());
    paths.push_back(dir.Path(rel));
    crlf.push_back(ToCrlf(TextOf(path)));
  }
  auto write_all = [&](bool as_crlf) {
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string text = as_crlf ? crlf[i] : TextOf(files[i]);
      const std::string rel = paths[i].substr(dir.path().size() + 1);
      files[i].extension() == ".gz" ? dir.WriteGz(rel, text) : dir.Write(rel, text);
    }
  };
  std::vector<std::string> args = {"--format", "json"};
  args.insert(args.end(), paths.begin(), paths.end());
  write_all(false);
  const RunResult a = Run(args);
  write_all(true);
  const RunResult b = Run(args);
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  json ja = ParseStrict(a.out), jb = ParseStrict(b.out);
  REQUIRE(jb["inputs"].size() == files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    INFO(paths[i]);
    CHECK(jb["inputs"][i]["lines"] == ExpectedLines(crlf[i]));
    CHECK(jb["inputs"][i]["bytes"] == crlf[i].size());
    CheckInputInvariants(jb["inputs"][i]);
  }
  for (json* j : {&ja, &jb}) {
    j->erase("generated_at");
    j->erase("elapsed_seconds");
    for (json& in : (*j)["inputs"]) in.erase("bytes");
  }
  CHECK(ja["inputs"] == jb["inputs"]);
  CHECK(ja["causes"] == jb["causes"]);
  CHECK(ja.dump() == jb.dump());
}

TEST_CASE("hostile: random byte streams have every line counted (in process)", "[hostile]") {
  const why500::RuleSet& rules = *why500::DefaultRuleSet();
  Rng rng{0x5eed1234abcdULL};
  for (int i = 0; i < 300; ++i) {
    const std::string bytes = RandomStream(rng, 64 * 1024);
    why500::PipelineOptions options;
    const size_t caps[] = {why500::LineReader::kDefaultMaxLine, 1, 100, 4096};
    options.max_line = caps[rng.Below(4)];
    why500::Aggregate agg;
    auto source = why500::MemorySource(bytes);
    why500::AnalyseSource(rules, source.get(), 0, options, &agg);
    INFO("stream " << i << ", " << bytes.size() << " bytes, max_line " << options.max_line);
    REQUIRE(agg.inputs.size() == 1);
    const why500::InputStats& s = agg.inputs[0];
    CHECK(s.lines == ExpectedLines(bytes));
    CHECK(s.bytes == bytes.size());
    CHECK(s.error.empty());
    CHECK(s.missing_final_newline == (!bytes.empty() && bytes.back() != '\n'));
    CHECK(s.truncated_lines == ReferenceFraming(bytes, options.max_line).truncated);
    CHECK(s.binary_lines <= s.unparsed_lines);
    CHECK(s.unparsed_lines <= s.lines);
    // Each event and each quiet response starts at a line of its own, and a binary line is neither.
    CHECK(s.responses_5xx <= s.responses);
    CHECK(s.events + (s.responses - s.responses_5xx) + s.binary_lines <= s.lines);
  }
}

TEST_CASE("hostile: lines are framed alike whatever the read and block sizes", "[hostile]") {
  Rng rng{0xf00dfaceULL};
  const size_t blocks[] = {1, 2, 3, 5, 8, 64, 4096};
  const size_t caps[] = {1, 2, 3, 7, 16, 100, 65536};
  const size_t chunks[] = {1, 3, 17, 1 << 20};
  for (int i = 0; i < 400; ++i) {
    const std::string bytes = RandomStream(rng, 4096);
    const size_t block = blocks[rng.Below(7)], max_line = caps[rng.Below(7)], chunk = chunks[rng.Below(4)];
    INFO("stream " << i << ", " << bytes.size() << " bytes, block " << block << ", max_line " << max_line
                   << ", reads of up to " << chunk);
    ChunkedSource source(bytes, rng.Next() | 1, chunk);
    why500::LineReader reader(&source, max_line, block);
    std::vector<std::string> lines;
    std::string_view line;
    while (reader.Next(&line)) lines.emplace_back(line);
    const Framed want = ReferenceFraming(bytes, max_line);
    CHECK(lines == want.lines);
    CHECK(reader.stats().lines == ExpectedLines(bytes));
    CHECK(reader.stats().bytes == bytes.size());
    CHECK(reader.stats().truncated_lines == want.truncated);
    CHECK(reader.stats().missing_final_newline == (!bytes.empty() && bytes.back() != '\n'));
    CHECK(reader.error().ok());
  }
}

// =============================================================================================
// 2. Bad bytes

TEST_CASE("hostile: NUL bytes, invalid UTF-8, overlongs and surrogates keep every output valid", "[hostile]") {
  TempDir dir;
  const std::vector<std::string> bad = {std::string("nul\0nul", 7), "ff\xff", "overlong\xc0\xaf",
                                        "overlong3\xe0\x80\xaf", "surrogate\xed\xa0\x80", "past\xf4\x90\x80\x80",
                                        "lone\x80", "cut\xe2\x82"};
  std::string error_log, access_log, app_log;
  for (const std::string& b : bad) {
    // In every field the nginx parser takes apart, and in the message the rules read.
    error_log += "2026/11/21 10:03:12 [error] 1046#1046: *2101 connect() failed (111: Connection refused) " + b +
                 " while connecting to upstream, client: 198.51.100.23" + b + ", server: shop" + b +
                 ", request: \"POST /cart/" + b + " HTTP/2.0\", upstream: \"http://127.0.0.1:8080/" + b +
                 "\", host: \"shop" + b + ".example.com\"\n";
    access_log += "203.0.113.7 - - [21/Nov/2026:10:03:12 +0000] \"POST /cart/" + b + " HTTP/2.0\" 502 157 \"-\" \"" +
                  b + "\"\n";
    app_log += "{\"time\":\"2026-11-21T10:03:12Z\",\"level\":\"error\",\"msg\":\"db down " + b +
               "\",\"status\":500,\"path\":\"/x" + b + "\"}\n";
    app_log += "{\"time\":\"2026-11-21T10:03:12Z\",\"level\":\"error\",\"msg\":\"escaped \\ud800 \\u0000 \\udfff\"}\n";
  }
  error_log += std::string(300, '\0') + "\n" + std::string(300, '\xff') + "\n";  // binary lines
  error_log += "no newline at the end \xc3";
  const std::vector<std::string> inputs = {dir.Write("error.log", error_log), dir.Write("access.log", access_log),
                                           dir.Write("app.log", app_log), dir.Write("name\xff\xc0\xaf.log", kRefused)};

  std::vector<std::string> args = {"--format", "json"};
  args.insert(args.end(), inputs.begin(), inputs.end());
  const RunResult r = Run(args);
  REQUIRE(r.exit_code == 0);
  CHECK(r.signal == 0);
  const json j = ParseStrict(r.out);
  REQUIRE(j["inputs"].size() == 4);
  CHECK(j["inputs"][0]["lines"] == ExpectedLines(error_log));
  CHECK(j["inputs"][0]["binary_lines"] >= 2);
  CHECK(j["inputs"][1]["lines"] == ExpectedLines(access_log));
  CHECK(j["inputs"][2]["lines"] == ExpectedLines(app_log));
  for (const json& in : j["inputs"]) CheckInputInvariants(in);
  // Each bad sequence made one 5xx, but for NUL: a line with a NUL byte is binary, not a log line.
  CHECK(j["totals"]["http_5xx"].get<uint64_t>() == bad.size() - 1);
  REQUIRE(!j["causes"].empty());
  CHECK(j["causes"][0]["cause"] == "upstream.connect");

  {  // the event stream, one JSON object a line
    std::vector<std::string> ev = {"--events", "-"};
    ev.insert(ev.end(), inputs.begin(), inputs.end());
    const RunResult e = Run(ev);
    REQUIRE(e.exit_code == 0);
    CHECK(Utf8Problem(e.out).empty());
    std::istringstream lines(e.out);
    std::string line;
    size_t n = 0;
    while (std::getline(lines, line)) {
      ParseStrict(line);
      ++n;
    }
    CHECK(n >= 2 * (bad.size() - 1));
  }
  // Text, Markdown and --explain: valid UTF-8, no raw control bytes.
  for (const std::vector<std::string>& mode :
       {std::vector<std::string>{"--color", "never"}, {"--color", "always"}, {"--format", "markdown"},
        {"--color", "never", "--explain"}}) {
    std::vector<std::string> a = mode;
    a.insert(a.end(), inputs.begin(), inputs.end());
    if (mode.back() == "--explain") a.resize(mode.size() + 1);  // --explain reads one input
    INFO(mode.back());
    const RunResult t = Run(a);
    REQUIRE(t.exit_code == 0);
    CHECK(t.err.empty());
    std::string out = t.out;
    if (mode.back() == "always") {  // why500's own colours are the only escapes
      for (size_t at; (at = out.find("\x1b[")) != std::string::npos;) {
        const size_t m = out.find('m', at);
        REQUIRE(m != std::string::npos);
        REQUIRE(m - at <= 8);
        out.erase(at, m - at + 1);
      }
    }
    CHECK(TerminalHazard(out).empty());
    CHECK(TerminalHazard(t.err).empty());
  }
}

TEST_CASE("hostile: a 10 MB line of random bytes is cut, counted and never shown raw", "[hostile]") {
  TempDir dir;
  Rng rng{77};
  std::string log = "2026/11/21 10:03:11 [error] 1046#1046: *1 ";
  while (log.size() < 10 * 1024 * 1024) {
    const char c = rng.Byte();
    log.push_back(c == '\n' ? '\r' : c);
  }
  log += "\n" + kSocketMissing;
  const std::string path = dir.Write("long.log", log);
  const RunResult r = Run({"--format", "json", path});
  REQUIRE(r.exit_code == 0);
  const json j = ParseStrict(r.out);
  CHECK(j["inputs"][0]["lines"] == 2);
  CHECK(j["inputs"][0]["truncated_lines"] == 1);
  CHECK(j["inputs"][0]["bytes"] == log.size());
  REQUIRE(!j["causes"].empty());
  CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
  for (const char* format : {"text", "markdown"}) {
    const RunResult t = Run({"--format", format, "--color", "never", path});
    CHECK(t.exit_code == 0);
    CHECK(TerminalHazard(t.out).empty());
    CHECK(t.out.size() < 100000);
  }
}

TEST_CASE("hostile: a 100 MB file of one line without a newline is read in bounded memory", "[hostile]") {
  TempDir dir;
  const std::string path = dir.Path("one-line.log");
  {
    std::ofstream f(path, std::ios::binary);
    f << "2026/11/21 10:03:11 [error] 1046#1046: *1 ";
    std::string block(1 << 20, 'A');
    for (size_t i = 0; i < block.size(); i += 4096) block.replace(i, 6, std::string("\x1b[2J\0\xff", 6));
    for (int i = 0; i < 100; ++i) f.write(block.data(), static_cast<std::streamsize>(block.size()));
    REQUIRE(f.good());
  }
  const uint64_t size = std::filesystem::file_size(path);
  // Under AddressSanitizer freed memory waits in a quarantine (256 MB by default) that the
  // rule compilation at start fills; it is ASan's, not why500's, so it is kept small here.
  RunOptions small_quarantine;
  small_quarantine.set_env = {"ASAN_OPTIONS=quarantine_size_mb=16:detect_leaks=1"};
  const RunResult r = Run({"--format", "json", path}, small_quarantine);
  INFO("peak RSS " << r.max_rss_kb << " kB, " << r.seconds << " s");
  REQUIRE(r.exit_code == 0);
  CHECK(r.max_rss_kb < 200 * 1024);
  const json j = ParseStrict(r.out);
  const json& in = j["inputs"][0];
  CHECK(in["lines"] == 1);
  CHECK(in["truncated_lines"] == 1);
  CHECK(in["bytes"] == size);
  CHECK(in["error"].is_null());
  CHECK(r.out.size() < 200000);
  const RunResult t = Run({"--color", "never", path}, small_quarantine);
  CHECK(t.exit_code == 0);
  CHECK(t.max_rss_kb < 200 * 1024);
  CHECK(TerminalHazard(t.out).empty());
}

// =============================================================================================
// 3. Broken files and odd inputs

TEST_CASE("hostile: a corrupt .gz keeps the text inflated before the damage and exits 3", "[hostile]") {
  TempDir dir;
  std::string log;
  for (int i = 0; i < 3000; ++i) {
    log += "2026/11/21 10:03:" + std::to_string(10 + i % 50) + " [error] 1046#1046: *" + std::to_string(i * 7919) +
           " upstream timed out (110: Connection timed out) while reading response header from upstream, client: "
           "10.1." + std::to_string(i % 250) + ".9, server: api, request: \"GET /v1/items/" + std::to_string(i) +
           " HTTP/1.1\", upstream: \"http://10.0.0.12:8080/v1/items\", host: \"api\"\n";
  }
  const std::string whole = ReadFile(dir.WriteGz("whole.gz", log));
  REQUIRE(whole.size() > 10000);
  const std::string other = dir.Write("other.log", kRefused);

  enum Lines { kAll, kNone, kSome };  // of the 3000 lines, before the damage is seen
  struct Case {
    std::string name, bytes;
    Lines lines;
  };
  std::string bad_crc = whole, bad_size = whole, bad_method = whole, bad_middle = whole;
  bad_crc[bad_crc.size() - 8] ^= 0x5a;   // CRC32 of the trailer
  bad_size[bad_size.size() - 2] ^= 0x5a;  // ISIZE of the trailer
  bad_method[2] = 7;                      // not deflate
  for (size_t i = whole.size() / 2; i < whole.size() / 2 + 64; ++i) bad_middle[i] ^= 0x55;
  const std::vector<Case> cases = {
      {"crc.log.1.gz", bad_crc, kAll},
      {"size.log.1.gz", bad_size, kAll},
      {"method.log.1.gz", bad_method, kNone},
      {"middle.log.1.gz", bad_middle, kSome},  // what inflates from the damaged part is garbage
      {"second-member.log.1.gz", whole + bad_method, kAll},  // a good member, then a broken one
      {"garbage-after.log.1.gz", whole + "not gzip at all\n", kAll},
      {"magic-only.log.1.gz", "\x1f\x8b", kNone},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const std::string path = dir.Write(c.name, c.bytes);
    const RunResult r = Run({"--format", "json", path, other});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains(c.name) && Catch::Contains("gzip"));
    const json j = ParseStrict(r.out);
    const json& in = j["inputs"][0];
    CHECK_THAT(in["error"].get<std::string>(), Catch::Contains(c.name) && Catch::Contains("gzip"));
    CheckInputInvariants(in);
    if (c.lines == kAll) {
      CHECK(in["lines"] == 3000);
      CHECK(in["bytes"] == log.size());
    } else if (c.lines == kNone) {
      CHECK(in["lines"] == 0);
    } else {
      CHECK(in["lines"].get<uint64_t>() > 0);
    }
    CHECK(j["inputs"][1]["error"].is_null());
    CHECK(j["inputs"][1]["lines"] == 1);
  }
}

TEST_CASE("hostile: a file that grows while it is read", "[hostile]") {
  TempDir dir;
  const std::string first = Repeat(kSocketMissing + kRefused, 20000);  // ~11 MB
  const std::string path = dir.Write("growing.log", first);
  std::atomic<bool> stop{false};
  std::atomic<int> appended{0};
  std::thread writer([&] {
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return;
    for (int i = 0; i < 20000 && !stop; ++i) {
      if (::write(fd, kRefused.data(), kRefused.size()) != static_cast<ssize_t>(kRefused.size())) break;
      ++appended;
      if (i % 200 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ::close(fd);
  });
  const RunResult r = Run({"--format", "json", path});
  stop = true;
  writer.join();
  INFO("appended " << appended << " lines");
  REQUIRE(r.exit_code == 0);
  CHECK(r.signal == 0);
  const json j = ParseStrict(r.out);
  const uint64_t lines = j["inputs"][0]["lines"];
  CHECK(lines >= ExpectedLines(first));
  CHECK(lines <= ExpectedLines(first) + static_cast<uint64_t>(appended.load()));
  CheckInputInvariants(j["inputs"][0]);
}

TEST_CASE("hostile: a file truncated while it is read", "[hostile]") {
  TempDir dir;
  const std::string full = Repeat(kSocketMissing + kRefused, 30000);  // ~17 MB
  const std::string path = dir.Write("shrinking.log", full);
  std::thread cutter([&] {  // a sixth less every 60 ms: some cut lands while why500 reads
    for (int sixths = 5; sixths >= 0; --sixths) {
      std::this_thread::sleep_for(std::chrono::milliseconds(60));
      if (::truncate(path.c_str(), static_cast<off_t>(full.size() / 6 * static_cast<size_t>(sixths))) != 0) return;
    }
  });
  const RunResult r = Run({"--format", "json", path});
  cutter.join();
  CHECK(r.signal == 0);
  REQUIRE((r.exit_code == 0 || r.exit_code == 3));
  if (r.exit_code == 3) CHECK_THAT(r.err, Catch::Contains("shrinking.log"));
  const json j = ParseStrict(r.out);
  CHECK(j["inputs"][0]["lines"].get<uint64_t>() <= ExpectedLines(full));
  CheckInputInvariants(j["inputs"][0]);
}

TEST_CASE("hostile: a FIFO is read to its end, and a FIFO in a folder is not waited for", "[hostile]") {
  TempDir dir;
  const std::string fifo = dir.Path("live.log");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  {  // lines written in pieces, some cut mid-line, then the writer closes
    const std::string text = Repeat(kSocketMissing, 50) + kRefused;
    std::vector<std::string> chunks;
    for (size_t at = 0; at < text.size(); at += 997) chunks.push_back(text.substr(at, 997));
    std::thread writer = FifoWriter(fifo, chunks);
    const RunResult r = Run({"--format", "json", fifo});
    writer.join();
    REQUIRE(r.exit_code == 0);
    const json j = ParseStrict(r.out);
    CHECK(j["inputs"][0]["lines"] == 51);
    CHECK(j["inputs"][0]["bytes"] == text.size());
    REQUIRE(!j["causes"].empty());
    CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
    CHECK(j["causes"][0]["events"] == 50);
  }
  {  // a writer that closes at once: an empty input
    std::thread writer = FifoWriter(fifo, {});
    const RunResult r = Run({"--format", "json", fifo});
    writer.join();
    CHECK(r.exit_code == 0);
    CHECK(ParseStrict(r.out)["inputs"][0]["lines"] == 0);
  }
  {  // a folder holding a FIFO: only its regular log files are read, nothing blocks
    const std::string folder = dir.Mkdir("logs");
    REQUIRE(::mkfifo(dir.Path("logs/error.log").c_str(), 0600) == 0);
    dir.Write("logs/access.log", kAccess502 + kAccess200);
    const RunResult r = Run({"--format", "json", folder});
    CHECK(r.exit_code == 0);
    const json j = ParseStrict(r.out);
    REQUIRE(j["inputs"].size() == 1);
    CHECK_THAT(j["inputs"][0]["name"].get<std::string>(), Catch::EndsWith("access.log"));
    CHECK(j["inputs"][0]["lines"] == 2);
  }
}

TEST_CASE("hostile: odd names and file types in a folder neither crash nor hang", "[hostile]") {
  TempDir dir;
  const std::string folder = dir.Mkdir("logs");
  dir.Mkdir("logs/sub.log");  // a folder named like a log
  REQUIRE(::symlink("nowhere", dir.Path("logs/dangling.log").c_str()) == 0);
  REQUIRE(::symlink("loop.log", dir.Path("logs/loop.log").c_str()) == 0);
  // A rotation number past any integer type.
  const std::string huge = dir.Write("logs/error.log.99999999999999999999999999", kSocketMissing);
  dir.Write("logs/error.log.3.gz", "");  // empty, yet named .gz
  dir.Write("logs/error.log", kRefused);
  const RunResult r = Run({"--format", "json", folder});
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 0);
  const json j = ParseStrict(r.out);
  std::vector<std::string> names;
  for (const json& in : j["inputs"]) names.push_back(in["name"].get<std::string>());
  INFO(json(names).dump());
  REQUIRE(names.size() == 3);
  CHECK_THAT(names[0], Catch::EndsWith("error.log.99999999999999999999999999"));  // the oldest
  CHECK_THAT(names[1], Catch::EndsWith("error.log.3.gz"));
  CHECK_THAT(names[2], Catch::EndsWith("/error.log"));

  {  // the same file named directly, beside another (the rotation sets are compared then)
    const RunResult d = Run({"--format", "json", huge, dir.Path("logs/error.log")});
    CHECK(d.signal == 0);
    CHECK(d.exit_code == 0);
    CHECK(ParseStrict(d.out)["inputs"].size() == 2);
  }
}

TEST_CASE("hostile: /dev/null, stdin from /dev/null and a closed stdin", "[hostile]") {
  {
    const RunResult r = Run({"--format", "json", "/dev/null"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    const json j = ParseStrict(r.out);
    CHECK(j["inputs"][0]["lines"] == 0);
    CHECK(j["inputs"][0]["error"].is_null());
  }
  RunOptions devnull;
  devnull.stdin_file = "/dev/null";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--format", "json", "-"},
                                              std::vector<std::string>{"--format", "json"}}) {
    INFO(args.size());
    const RunResult r = Run(args, devnull);
    CHECK(r.exit_code == 0);
    const json j = ParseStrict(r.out);
    CHECK(j["inputs"][0]["name"] == "<stdin>");
    CHECK(j["inputs"][0]["lines"] == 0);
  }
  RunOptions closed;
  closed.stdin_closed = true;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--format", "json", "-"},
                                              std::vector<std::string>{"--format", "json"}}) {
    INFO(args.size());
    const RunResult r = Run(args, closed);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::StartsWith("why500: <stdin>: read failed"));
    CHECK(ParseStrict(r.out)["inputs"][0]["error"].is_string());
  }
  {  // a file opened while stdin is closed is not taken for stdin
    TempDir dir;
    const RunResult r = Run({"--format", "json", "--threads", "2", dir.Write("error.log", kRefused), "-"}, closed);
    CHECK(r.exit_code == 3);
    const json j = ParseStrict(r.out);
    CHECK(j["inputs"][0]["lines"] == 1);
    CHECK(j["inputs"][1]["lines"] == 0);
    CHECK(j["inputs"][1]["error"].is_string());
  }
}

TEST_CASE("hostile: with stdout closed the report never lands in the --events file", "[hostile]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kSocketMissing + kRefused);
  const std::string events = dir.Path("events.ndjson");
  for (const bool close_stderr : {false, true}) {
    INFO("stderr closed: " << close_stderr);
    RunOptions o;
    o.stdout_closed = true;
    o.stderr_closed = close_stderr;
    const RunResult r = Run({"--events", events, log}, o);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 0);
    const std::string written = ReadFile(events);
    CHECK(Count(written, '\n') == 2);
    std::istringstream lines(written);
    std::string line;
    while (std::getline(lines, line)) CHECK(ParseStrict(line).is_object());
  }
}

TEST_CASE("hostile: a reader that goes away mid-stream gets a quiet exit", "[hostile]") {
  // `why500 --events - big.log | head -c 4096`: the read end closes while why500 still writes.
  // (cli_test.cc covers a reader gone before anything was written.)
  TempDir dir;
  const std::string log = dir.Write("big.log", Repeat(kSocketMissing + kRefused + kAccess502, 3000));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--events", "-", log}, {"--explain", log, "--color", "never"}}) {
    for (const bool sigpipe_default : {true, false}) {
      INFO(args[0] << (sigpipe_default ? " SIGPIPE default" : " SIGPIPE ignored"));
      RunOptions o;
      o.close_stdout_after = 4096;
      o.sigpipe_default = sigpipe_default;
      const RunResult r = Run(args, o);
      CHECK(r.err.empty());
      if (sigpipe_default) {
        CHECK((r.exit_code == 0 || r.signal == SIGPIPE));
      } else {
        CHECK(r.signal == 0);
        CHECK(r.exit_code == 0);
      }
    }
  }
}

// =============================================================================================
// 4. Terminal safety

TEST_CASE("hostile: escape sequences, C1 controls and bidi overrides are escaped in text and Markdown",
          "[hostile]") {
  // Terminal controls from a log: colour, cursor moves, clear screen, an OSC 8 hyperlink and an
  // OSC 52 clipboard write ended by BEL, backspaces, a carriage return, C1 CSI as a raw byte and
  // as UTF-8, DEL and a right-to-left override. No spaces or commas: each stays in one field.
  const std::string evil =
      "\x1b[31mRED\x1b[0m\x1b[2J\x1b[H\x1b[1A\x1b[2K\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b]52;c;ZXZpbA==\x07"
      "back\x08\x08" "cr\rOVER\x9b" "31m\xc2\x9b" "2J\x7f\xe2\x80\xae" "fdp.exe";
  std::string socket = evil;  // the rule captures the socket path as \S+: no "\r" in it
  socket.erase(std::remove(socket.begin(), socket.end(), '\r'), socket.end());
  TempDir dir;
  const std::string error_log = dir.Write(
      "error.log",
      "2026/11/21 10:02:58 [notice] 1021#1021: signal process started " + evil + "\n" +
          "2026/11/21 10:03:11 [crit] 1046#1046: *2094 connect() to unix:/run/php/" + socket +
          ".sock failed (2: No such file or directory) while connecting to upstream, client: 203.0.113.7, server: "
          "shop, request: \"GET /" + evil + " HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/" + evil +
          ".sock:\", host: \"shop.example.com\"\n" +
          "2026/11/21 10:03:12 [error] 1046#1046: *2101 " + evil + " connect() failed (111: Connection refused) "
          "while connecting to upstream, client: 198.51.100.23, server: shop, request: \"POST /cart HTTP/2.0\", "
          "upstream: \"http://127.0.0.1:8080/" + evil + "\", host: \"" + evil + "\"\n");
  const std::string access_log =
      dir.Write("access.log", "203.0.113.7 - - [21/Nov/2026:10:03:11 +0000] \"GET /" + evil +
                                  " HTTP/2.0\" 502 157 \"-\" \"" + evil + "\"\n");
  std::string in_name = evil;  // a file name holds no "/"
  std::replace(in_name.begin(), in_name.end(), '/', '_');
  const std::string odd_name = dir.Write("name" + in_name + ".log", kRefused);
  const std::string missing = dir.Path("gone" + in_name + ".log");

  {  // the log is read as intended: the hostile bytes do not make its lines binary
    const json j = ParseStrict(Run({"--format", "json", error_log, access_log}).out);
    CHECK(j["inputs"][0]["binary_lines"] == 0);
    CHECK(j["inputs"][1]["binary_lines"] == 0);
    CHECK(j["totals"]["http_5xx"] == 1);
    CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
  }
  const std::vector<std::vector<std::string>> modes = {
      {"--color", "never"}, {"--format", "markdown"}, {"--color", "never", "--explain", error_log}};
  for (const auto& mode : modes) {
    std::vector<std::string> args = mode;
    if (mode.size() == 2) args.insert(args.end(), {error_log, access_log, odd_name, missing});
    INFO(args[1]);
    const RunResult r = Run(args);
    CHECK(r.exit_code == (mode.size() == 2 ? 3 : 0));
    CHECK(TerminalHazard(r.out).empty());
    CHECK(TerminalHazard(r.err).empty());
    CHECK_THAT(r.out, Catch::Contains("upstream.connect"));
    // What the log held is still visible, as escapes.
    std::string out = r.out;
    if (mode[1] == "markdown") {  // prose escapes Markdown's characters with a backslash
      for (size_t at; (at = out.find("\\\\")) != std::string::npos;) out.erase(at, 1);
    }
    CHECK_THAT(out, Catch::Contains("\\x1b]8;;http://x\\x07"));
    CHECK_THAT(out, Catch::Contains("\\x1b]52;c;ZXZpbA==\\x07"));
    CHECK_THAT(out, Catch::Contains("back\\x08\\x08cr\\rOVER\\x9b31m\\u009b2J\\x7f\\u202efdp.exe"));
  }
  {  // with --color always, why500's own SGR codes are the only escapes
    const RunResult c = Run({"--color", "always", error_log, access_log});
    std::string out = c.out;
    for (size_t at; (at = out.find("\x1b[")) != std::string::npos;) {
      const size_t m = out.find('m', at);
      REQUIRE(m != std::string::npos);
      REQUIRE(m - at <= 8);
      out.erase(at, m - at + 1);
    }
    CHECK(TerminalHazard(out).empty());
  }
}

// =============================================================================================
// 5. Rule files cannot hang a run

namespace {

std::string RuleFile(const std::string& id, const std::string& pattern) {
  json rule = {{"id", id},         {"cause", "upstream.connect"}, {"subcause", "site"}, {"priority", 50},
               {"confidence", "high"}, {"pattern", pattern},      {"hint", "site rule"}};
  return json{{"rules", json::array({rule})}}.dump();
}

}  // namespace

TEST_CASE("hostile: a rule pattern too big for RE2 is refused, naming the rule", "[hostile]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kSocketMissing);
  Rng rng{99};
  std::string giant;  // 200,000 alternatives with no common prefix: past RE2's memory budget
  for (int i = 0; i < 200000; ++i) {
    if (i) giant += '|';
    for (int k = 0; k < 12; ++k) giant.push_back(static_cast<char>('a' + rng.Below(26)));
  }
  struct Case {
    std::string pattern, message;
  };
  const std::vector<Case> cases = {
      {"(a{1000}){1000}", "invalid repetition size"},
      {"((a{100}){100}){100}", "invalid repetition size"},
      {"a{1001}", "invalid repetition size"},
      {"\\pL{1000}", "pattern too large"},
      {"(?:\\pL{100}){10}", "pattern too large"},
      {giant, "pattern too large"},
  };
  for (const Case& c : cases) {
    INFO(c.pattern.substr(0, 40));
    const std::string rules = dir.Write("huge.json", RuleFile("site.huge.pattern", c.pattern));
    const RunResult r = Run({log, "--rules", rules});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("why500: " + rules + ": rule 'site.huge.pattern': invalid pattern: ") &&
                          Catch::Contains(c.message));
    CHECK(r.seconds < 10);
  }
}

TEST_CASE("hostile: a huge alternation RE2 can factor is accepted and the run stays quick", "[hostile]") {
  TempDir dir;
  std::string words;  // "marker0|marker1|...": one trie, small once compiled
  for (int i = 0; i < 100000; ++i) words += (i ? "|marker" : "marker") + std::to_string(i);
  const std::string rules = dir.Write("words.json", RuleFile("site.many.words", "(?:" + words + ") failed"));
  const std::string log = dir.Write(
      "error.log", Repeat(kRefused, 2000) + "2026/11/21 10:04:00 [error] 1046#1046: *9 marker99999 failed\n");
  const RunResult r = Run({"--format", "json", log, "--rules", rules});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.seconds < 20);
  bool found = false;
  const json j = ParseStrict(r.out);
  for (const json& c : j["causes"]) found |= c["rule"] == "site.many.words" && c["events"] == 1;
  CHECK(found);
}

TEST_CASE("hostile: 10,000 user rules load and the run finishes in reasonable time", "[hostile]") {
  TempDir dir;
  json list = json::array();
  for (int i = 0; i < 10000; ++i) {
    const std::string n = std::to_string(100000 + i).substr(1);
    list.push_back({{"id", "site.bulk.r" + n},
                    {"cause", "upstream.connect"},
                    {"subcause", "bulk"},
                    {"priority", 60},
                    {"confidence", "medium"},
                    {"pattern", "bulkmarker" + n + " (?P<what>[a-z]+) failed \\((\\d+)\\)"},
                    {"hint", "bulk rule " + n + ": {what}"}});
  }
  const std::string rules = dir.Write("bulk.json", json{{"rules", list}}.dump());
  std::string text = Repeat(kSocketMissing + kRefused + kAccess502 + kAccess200, 500);
  text += "2026/11/21 10:04:00 [error] 1046#1046: *9 bulkmarker04321 backend failed (7)\n";
  const std::string log = dir.Write("error.log", text);

  const RunResult r = Run({"--format", "json", log, "--rules", rules});
  INFO(r.err << " in " << r.seconds << " s, peak RSS " << r.max_rss_kb << " kB");
  REQUIRE(r.exit_code == 0);
  CHECK(r.seconds < 20);
  bool found = false;
  const json j = ParseStrict(r.out);
  for (const json& c : j["causes"]) {
    if (c["rule"] != "site.bulk.r04321") continue;
    found = true;
    CHECK(c["events"] == 1);
    CHECK(c["hint"] == "bulk rule 04321: backend");
  }
  CHECK(found);

  const RunResult listed = Run({"--list-rules", "--rules", rules});
  REQUIRE(listed.exit_code == 0);
  const RunResult defaults = Run({"--list-rules"});
  CHECK(Count(listed.out, '\n') == Count(defaults.out, '\n') + 10000);
}

// A pattern whose DFA explodes (2^20 states) was accepted, and RE2::Set's DFA, which never
// falls back to the NFA, then rebuilt its state cache on nearly every line: ~4 ms a line and
// over 1 GB of memory (376 s for 14 MB). Such a rule is now refused at load, by name.
TEST_CASE("hostile: a DFA-exploding user pattern is refused with exit 2 naming the rule", "[hostile]") {
  TempDir dir;
  const std::string rules = dir.Write("dfa.json", RuleFile("site.dfa.bomb", "(?:a|b)*a(?:a|b){20}"));
  Rng rng{5};
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "2026/11/21 10:03:11 [error] 1#1: *" + std::to_string(i) + " ";
    for (int k = 0; k < 100; ++k) text.push_back(rng.Below(2) ? 'a' : 'b');
    text += "\n";
  }
  const std::string log = dir.Write("ab.log", text);
  const RunResult r = Run({"--format", "json", log, "--rules", rules});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("site.dfa.bomb") != std::string::npos);
  CHECK(r.err.find("dfa.json") != std::string::npos);
  CHECK(r.seconds < 5);
  // A sound rule with counted repetitions in the same file shape loads and runs.
  const std::string sound = dir.Write("ok.json", RuleFile("site.sqlstate", "SQLSTATE\\[\\w{5}\\]|[0-9a-f]{32}"));
  CHECK(Run({"--format", "json", log, "--rules", sound}).exit_code == 0);
}

// One line with a damaged year (2026 → 9999) stretched the window to 8000 years: 416,012
// one-week buckets, and per-cause series of that length (5 MB of lines with one random byte
// each took 118 s and 24 GB). Buckets now widen in whole weeks until at most 120 remain.
TEST_CASE("hostile: one far-future timestamp does not stretch the timeline", "[hostile]") {
  TempDir dir;
  const std::string log = dir.Write(
      "error.log", Repeat(kSocketMissing + kRefused, 50) +
                       "9999/11/21 10:03:12 [error] 1046#1046: *1 connect() failed (111: Connection refused) while "
                       "connecting to upstream, client: 10.0.0.1, server: a, request: \"GET / HTTP/1.1\", upstream: "
                       "\"http://127.0.0.1:8080/\", host: \"a\"\n");
  const RunResult r = Run({"--format", "json", log});
  REQUIRE(r.exit_code == 0);
  const json j = ParseStrict(r.out);
  CHECK(j["timeline"]["http_5xx"].size() <= 120);
  CHECK(r.out.size() < 100000);
}

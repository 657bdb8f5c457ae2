// End-to-end tests of the why500 binary: exit codes, inputs (stdin, .gz, binary, empty,
// overlong lines, invalid UTF-8), rule files, --list-rules/--check-rules/--explain/--events,
// colour and terminal safety, determinism across thread counts, and a closed stdout pipe.
// Every test runs the real executable (WHY500_BIN) with posix_spawn and pipes (cli_support.h).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.h"

namespace {

using namespace why500_cli_test;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Logs

// php-fpm went away at 10:03: nginx cannot find its socket.
const std::string kNginxError =
    "2026/11/21 10:02:58 [notice] 1021#1021: signal process started\n"
    "2026/11/21 10:03:11 [crit] 1046#1046: *2094 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such "
    "file or directory) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "
    "\"GET /checkout HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: "
    "\"shop.example.com\"\n"
    "2026/11/21 10:03:12 [crit] 1046#1046: *2101 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such "
    "file or directory) while connecting to upstream, client: 198.51.100.23, server: shop.example.com, request: "
    "\"POST /cart/add HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: "
    "\"shop.example.com\"\n"
    "2026/11/21 10:03:40 [error] 1046#1046: *2188 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  "
    "Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in "
    "/var/www/shop/src/Report.php on line 88\" while reading response header from upstream, client: "
    "192.0.2.50, server: shop.example.com, request: \"GET /admin/report HTTP/2.0\", upstream: "
    "\"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop.example.com\"\n";

const std::string kAccess =
    "203.0.113.7 - - [21/Nov/2026:10:03:11 +0000] \"GET /checkout HTTP/2.0\" 502 157 \"-\" \"Mozilla/5.0\"\n"
    "203.0.113.9 - - [21/Nov/2026:10:03:11 +0000] \"GET /static/app.css HTTP/2.0\" 200 5120 \"-\" "
    "\"Mozilla/5.0\"\n"
    "198.51.100.23 - - [21/Nov/2026:10:03:12 +0000] \"POST /cart/add HTTP/2.0\" 502 157 \"-\" \"Mozilla/5.0\"\n"
    "192.0.2.50 - - [21/Nov/2026:10:03:40 +0000] \"GET /admin/report HTTP/2.0\" 500 0 \"-\" \"Mozilla/5.0\"\n"
    "192.0.2.77 - - [21/Nov/2026:10:04:02 +0000] \"GET /search?q=x HTTP/2.0\" 504 167 \"-\" \"curl/8.5.0\"\n";

const std::string kPhpFpm =
    "[21-Nov-2026 10:01:00] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n"
    "[21-Nov-2026 10:01:30] WARNING: [pool www] child 3312, script '/var/www/shop/index.php' (request: \"GET "
    "/index.php\") execution timed out (30.012 sec), terminating\n"
    "[21-Nov-2026 10:01:30] WARNING: [pool www] child 3312 exited on signal 15 (SIGTERM) after 94.2 seconds "
    "from start\n"
    "[21-Nov-2026 10:01:31] NOTICE: [pool www] child 3390 started\n";

const std::string kSocketMissingLine =
    "2026/11/21 10:03:11 [crit] 1046#1046: *2094 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such "
    "file or directory) while connecting to upstream, client: 203.0.113.7, server: shop.example.com, request: "
    "\"GET /checkout HTTP/2.0\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: "
    "\"shop.example.com\"\n";

// Only a low-confidence hint.
const std::string kLowOnly =
    "2026/11/21 10:05:00 [warn] 1046#1046: *3001 upstream server temporarily disabled while connecting to "
    "upstream, client: 10.0.0.1, server: api, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.9:8080/\", "
    "host: \"api\"\n";

const std::string kBenign =
    "2026/11/21 10:00:00 [notice] 1021#1021: using the \"epoll\" event method\n"
    "2026/11/21 10:00:00 [notice] 1021#1021: nginx/1.24.0\n"
    "2026/11/21 10:00:01 [info] 1046#1046: *12 client closed connection while waiting for request, client: "
    "10.0.0.1, server: 0.0.0.0:443\n";

// A valid user rule that takes over the built-in socket-missing rule's id.
std::string OverrideRule(const std::string& cause, const std::string& pattern) {
  json rule = {{"id", "nginx.upstream.connect.socket-missing"},
               {"cause", cause},
               {"subcause", "local-override"},
               {"priority", 99},
               {"confidence", "high"},
               {"formats", {"nginx_error"}},
               {"pattern", pattern},
               {"hint", "Site rule: restart php-fpm via the runbook ({socket})"},
               {"examples", {kSocketMissingLine.substr(0, kSocketMissingLine.size() - 1)}},
               {"counter_examples",
                {"2026/11/21 10:03:11 [crit] 1046#1046: *2094 connect() to unix:/run/php/php8.2-fpm.sock failed "
                 "(13: Permission denied) while connecting to upstream, client: 203.0.113.7"}}};
  return json{{"area", "site"}, {"rules", json::array({rule})}}.dump(2);
}

}  // namespace

// =============================================================================================
// Exit codes

TEST_CASE("cli: exit 0 and the socket-missing cause ranked first", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const RunResult r = Run({"--format", "json", err});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  const json j = ParseJson(r.out);
  REQUIRE(j["causes"].size() >= 2);
  CHECK(j["causes"][0]["cause"] == "upstream.connect");
  CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
  CHECK(j["causes"][0]["events"] == 2);
  CHECK(j["causes"][0]["first"] == "2026-11-21T10:03:11Z");
  CHECK(j["causes"][0]["last"] == "2026-11-21T10:03:12Z");
  CHECK(j["causes"][1]["cause"] == "resource.memory");
  CHECK(j["inputs"][0]["lines"] == 4);
  CHECK(j["inputs"][0]["format"] == "nginx_error");
}

TEST_CASE("cli: --fail-on exits 1 when met and 0 when not", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string low = dir.Write("low.log", kLowOnly);
  const std::string benign = dir.Write("benign.log", kBenign);
  const std::string access = dir.Write("access.log", kAccess);

  struct Case {
    std::string fail_on, input;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {"any", err, 1},
      {"high", err, 1},
      {"medium", err, 1},
      {"resource.memory", err, 1},  // a cause id in the report, not the first one
      {"crash", err, 0},            // a cause id that is not in the report
      {"low", low, 1},
      {"medium", low, 0},  // the only cause is low confidence
      {"any", benign, 0},
      {"unknown", access, 1},  // 5xx without evidence are the cause `unknown`
  };
  for (const Case& c : cases) {
    INFO("--fail-on " << c.fail_on << " " << c.input);
    const RunResult r = Run({"--fail-on", c.fail_on, "--format", "json", c.input});
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.empty());
    // The report is written whether or not the threshold is met.
    CHECK(ParseJson(r.out).contains("causes"));
  }
}

TEST_CASE("cli: usage errors exit 2 with a message on stderr and nothing on stdout", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--no-such-option", err}, "--no-such-option"},
      {{"--fail-on", "bogus", err}, "--fail-on takes any, low, medium, high or a cause id, not 'bogus'"},
      {{"--input-format", "bogus", err}, "unknown --input-format 'bogus'"},
      {{"--format", "xml", err}, "xml"},
      {{"--color", "sometimes", err}, "sometimes"},
      {{"--threads", "-1", err}, "--threads"},
      {{"--examples", "many", err}, "--examples"},
      {{"--since", "yesterday", err}, "--since: 'yesterday' is not a time"},
      {{"--since", "2026-11-21T11:00:00Z", "--until", "2026-11-21T10:00:00Z", err}, "is after --until"},
  };
  for (const Case& c : cases) {
    INFO(c.args[0] << " " << c.args[1]);
    const RunResult r = Run(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("why500: ") && Catch::Contains(c.message));
  }
}

TEST_CASE("cli: --format markdown and --since/--until on the real binary", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string access = dir.Write("access.log", kAccess);
  const RunResult md = Run({"--format", "markdown", err, access});
  REQUIRE(md.exit_code == 0);
  CHECK_THAT(md.out, Catch::StartsWith("## why500: most likely `upstream.connect`"));
  CHECK_THAT(md.out, Catch::Contains("- **How bad:** 4 5xx of"));
  CHECK_THAT(md.out, Catch::Contains("| 1 | `upstream.connect`"));
  CHECK_THAT(md.out, Catch::Contains("### Blind spots"));
  // Only the minute 10:03 of 10:02:58-10:04:02: the reload and the 10:04 response are left out.
  const RunResult bounded = Run({"--format", "json", "--since", "2026-11-21 10:03", "--until",
                                 "2026-11-21T10:03:59Z", "--tz", "UTC", err, access});
  REQUIRE(bounded.exit_code == 0);
  const json j = ParseJson(bounded.out);
  CHECK(j["changes"].empty());
  CHECK(j["window"]["first"] == "2026-11-21T10:03:11Z");
  uint64_t outside = 0;
  for (const json& in : j["inputs"]) outside += in["outside_window"].get<uint64_t>();
  CHECK(outside >= 2);
}

TEST_CASE("cli: --redact masks clients in the report and in the event stream", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string access = dir.Write("access.log", kAccess);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--redact", "--format", "json", err, access},
                                              {"--redact", "--format", "markdown", err, access},
                                              {"--redact", err, access},
                                              {"--redact", "--events", "-", err, access}}) {
    INFO(args[1]);
    const RunResult r = Run(args);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("203.0.113.7") == std::string::npos);
    CHECK(r.out.find("198.51.100.23") == std::string::npos);
    CHECK(r.out.find("<ip>") != std::string::npos);
    CHECK(r.out.find("upstream.connect") != std::string::npos);
  }
}

TEST_CASE("cli: --help and --version exit 0 on stdout", "[cli]") {
  const RunResult help = Run({"--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("--fail-on") && Catch::Contains("Exit status"));
  CHECK(help.err.empty());
  const RunResult version = Run({"--version"});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("why500 0."));
}

TEST_CASE("cli: a missing input or an empty folder exits 3 while the other inputs are reported", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string missing = dir.Path("not-there.log");
  const std::string folder = dir.Mkdir("logs.d");  // holds no log files
  const RunResult r = Run({"--format", "json", "--fail-on", "any", err, missing, folder});
  CHECK(r.exit_code == 3);  // an unreadable input wins over --fail-on
  const json j = ParseJson(r.out);
  REQUIRE(j["inputs"].size() == 3);
  CHECK(j["inputs"][0]["error"].is_null());
  CHECK(j["inputs"][0]["lines"] == 4);
  CHECK_THAT(j["inputs"][1]["error"].get<std::string>(),
             Catch::Contains("not-there.log") && Catch::Contains("No such file or directory"));
  CHECK(j["inputs"][1]["name"] == missing);
  CHECK_THAT(j["inputs"][2]["error"].get<std::string>(),
             Catch::Contains("logs.d") && Catch::Contains("folder holds no"));
  // The readable input is still analysed.
  REQUIRE(!j["causes"].empty());
  CHECK(j["causes"][0]["cause"] == "upstream.connect");
  // Each problem is also on stderr.
  CHECK_THAT(r.err, Catch::Contains("not-there.log") && Catch::Contains("logs.d"));

  {  // the text report shows the error beside the input
    const RunResult t = Run({"--color", "never", err, missing});
    CHECK(t.exit_code == 3);
    CHECK_THAT(t.out, Catch::Contains("error: " + missing + ": cannot open: No such file or directory"));
    CHECK_THAT(t.out, Catch::Contains("upstream.connect"));
  }
}

TEST_CASE("cli: a folder is read as its rotated logs, oldest first", "[cli]") {
  TempDir dir;
  const std::string folder = dir.Mkdir("nginx");
  dir.WriteGz("nginx/error.log.2.gz", kBenign);
  dir.Write("nginx/error.log.1", kNginxError);
  dir.Write("nginx/error.log", kSocketMissingLine);
  dir.Write("nginx/README.txt", "not a log\n");
  const RunResult r = Run({"--format", "json", folder});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  REQUIRE(j["inputs"].size() == 3);
  CHECK_THAT(j["inputs"][0]["name"].get<std::string>(), Catch::EndsWith("error.log.2.gz"));
  CHECK_THAT(j["inputs"][1]["name"].get<std::string>(), Catch::EndsWith("error.log.1"));
  CHECK_THAT(j["inputs"][2]["name"].get<std::string>(), Catch::EndsWith("error.log"));
  CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
  CHECK(j["causes"][0]["events"] == 3);
}

TEST_CASE("cli: an unreadable input exits 3 and names the reason", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  if (::geteuid() != 0) {
    const std::string locked = dir.Write("locked.log", kNginxError);
    REQUIRE(::chmod(locked.c_str(), 0) == 0);
    const RunResult r = Run({"--format", "json", err, locked});
    CHECK(r.exit_code == 3);
    const json j = ParseJson(r.out);
    CHECK_THAT(j["inputs"][1]["error"].get<std::string>(), Catch::Contains("Permission denied"));
    CHECK(j["causes"][0]["cause"] == "upstream.connect");
  }
  // A file that opens but whose read fails (root can read a mode-000 file, not this one).
  if (::access("/proc/self/mem", F_OK) == 0) {
    const RunResult r = Run({"--format", "json", err, "/proc/self/mem"});
    CHECK(r.exit_code == 3);
    const json j = ParseJson(r.out);
    REQUIRE(j["inputs"].size() == 2);
    CHECK_THAT(j["inputs"][1]["error"].get<std::string>(), Catch::Contains("read failed"));
    CHECK(j["causes"][0]["cause"] == "upstream.connect");
  }
}

// =============================================================================================
// Inputs

TEST_CASE("cli: - reads stdin", "[cli]") {
  RunOptions o;
  o.stdin_data = kNginxError;
  const RunResult r = Run({"--format", "json", "-"}, o);
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  CHECK(j["inputs"][0]["name"] == "<stdin>");
  CHECK(j["inputs"][0]["lines"] == 4);
  CHECK(j["inputs"][0]["bytes"] == kNginxError.size());
  CHECK(j["causes"][0]["cause"] == "upstream.connect");
  CHECK(j["causes"][0]["examples"][0]["input"] == "<stdin>");
  CHECK(j["causes"][0]["examples"][0]["line"] == 2);

  {  // no input at all on a pipe reads stdin too
    const RunResult n = Run({"--format", "json"}, o);
    CHECK(n.exit_code == 0);
    CHECK(ParseJson(n.out)["causes"][0]["cause"] == "upstream.connect");
  }
}

TEST_CASE("cli: a .gz input gives the same report as the plain file", "[cli]") {
  TempDir dir;
  std::string log = kBenign + kNginxError + kBenign;
  const std::string plain = dir.Write("error.log", log);
  const std::string gz = dir.WriteGz("error.log.1.gz", log);
  const RunResult a = Run({"--format", "json", plain});
  const RunResult b = Run({"--format", "json", gz});
  REQUIRE(a.exit_code == 0);
  REQUIRE(b.exit_code == 0);
  json ja = ParseJson(a.out), jb = ParseJson(b.out);
  CHECK(jb["inputs"][0]["error"].is_null());
  CHECK(jb["inputs"][0]["lines"] == ja["inputs"][0]["lines"]);
  CHECK(jb["inputs"][0]["bytes"] == log.size());  // bytes of text, not of the .gz
  CHECK(jb["inputs"][0]["format"] == "nginx_error");
  for (json* j : {&ja, &jb}) {
    for (json& c : (*j)["causes"]) {
      for (json& e : c["examples"]) e.erase("input");
    }
  }
  CHECK(ja["causes"] == jb["causes"]);
  CHECK(ja["timeline"] == jb["timeline"]);
  CHECK(jb["causes"][0]["examples"][0]["line"] == 5);
}

TEST_CASE("cli: a truncated .gz reports what was readable and exits 3", "[cli]") {
  TempDir dir;
  // Varied lines so that the compressed file is large enough to cut in the middle.
  std::string log;
  uint32_t seed = 12345;
  const int kLines = 2000;
  for (int i = 0; i < kLines; ++i) {
    seed = seed * 1103515245u + 12345u;
    log += "2026/11/21 10:" + std::to_string(10 + i / 60) + ":" + (i % 60 < 10 ? "0" : "") +
           std::to_string(i % 60) + " [error] 1046#1046: *" + std::to_string(seed % 1000000) +
           " upstream timed out (110: Connection timed out) while reading response header from upstream, client: "
           "10.1." + std::to_string(seed % 250) + "." + std::to_string((seed >> 8) % 250) +
           ", server: api, request: \"GET /v1/items/" + std::to_string(seed) +
           " HTTP/1.1\", upstream: \"http://10.0.0.12:8080/v1/items\", host: \"api\"\n";
  }
  const std::string whole = dir.WriteGz("full.gz", log);
  const std::string bytes = ReadFile(whole);
  REQUIRE(bytes.size() > 4000);
  const std::string cut = dir.Write("error.log.2.gz", bytes.substr(0, bytes.size() / 2));
  const std::string other = dir.Write("other.log", kNginxError);

  const RunResult r = Run({"--format", "json", cut, other});
  CHECK(r.exit_code == 3);
  CHECK_THAT(r.err, Catch::Contains("error.log.2.gz") && Catch::Contains("truncated gzip"));
  const json j = ParseJson(r.out);
  const json& in = j["inputs"][0];
  CHECK_THAT(in["error"].get<std::string>(), Catch::Contains("error.log.2.gz") && Catch::Contains("truncated"));
  const uint64_t lines = in["lines"];
  CHECK(lines > 100);
  CHECK(lines < kLines);
  bool found = false;
  for (const json& c : j["causes"]) {
    if (c["rule"] == "nginx.upstream.timeout.read-header") {
      found = true;
      CHECK(c["events"] >= lines - 1);  // all whole lines (the last may be cut mid-line)
      CHECK(c["events"] <= lines);
    }
  }
  CHECK(found);
  CHECK(j["inputs"][1]["error"].is_null());
  CHECK(j["inputs"][1]["lines"] == 4);
}

TEST_CASE("cli: a binary file is counted without crashing and the JSON stays valid", "[cli]") {
  TempDir dir;
  std::string bytes;
  uint32_t seed = 42;
  for (int i = 0; i < 300000; ++i) {
    seed = seed * 1664525u + 1013904223u;
    bytes.push_back(static_cast<char>(seed >> 24));
  }
  for (size_t i = 0; i < bytes.size(); i += 97) bytes[i] = '\0';
  bytes.back() = 'x';  // no final newline
  const std::string bin = dir.Write("core.bin", bytes);
  const RunResult r = Run({"--format", "json", bin});
  CHECK(r.exit_code == 0);
  CHECK(r.signal == 0);
  const json j = ParseJson(r.out);
  const json& in = j["inputs"][0];
  CHECK(in["lines"] == Count(bytes, '\n') + 1);
  CHECK(in["bytes"] == bytes.size());
  CHECK(in["binary_lines"] > 0);
  CHECK(in["unparsed_lines"] >= in["binary_lines"]);
  CHECK(j["totals"]["lines"] == in["lines"]);

  {  // the text report of it has no raw control bytes
    const RunResult t = Run({"--color", "never", bin});
    CHECK(t.exit_code == 0);
    CHECK(t.out.find('\x1b') == std::string::npos);
    CHECK(t.out.find('\0') == std::string::npos);
  }
}

TEST_CASE("cli: an empty file exits 0 with no causes", "[cli]") {
  TempDir dir;
  const std::string empty = dir.Write("empty.log", "");
  const RunResult r = Run({"--format", "json", empty});
  CHECK(r.exit_code == 0);
  const json j = ParseJson(r.out);
  CHECK(j["causes"] == json::array());
  CHECK(j["inputs"][0]["lines"] == 0);
  CHECK(j["inputs"][0]["error"].is_null());
  CHECK(j["window"]["first"].is_null());
  CHECK(j["window"]["last"].is_null());
  CHECK(j["totals"]["http_5xx"] == 0);

  const RunResult t = Run({"--color", "never", empty});
  CHECK(t.exit_code == 0);
  CHECK_THAT(t.out, Catch::Contains("Nothing to analyse"));
  CHECK(Run({"--fail-on", "any", empty}).exit_code == 0);
}

TEST_CASE("cli: --events refuses to write over a log it is to read", "[cli]") {
  TempDir dir;
  const std::string content =
      "2026/11/21 10:03:11 [error] 1046#1046: *7 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 10.0.0.1, server: shop, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8080/\"\n";
  const std::string log = dir.Write("error.log", content);
  const std::string other = dir.Write("other.log", content);
  // The same file by another name: what counts is the file, not the spelling.
  const RunResult r = Run({"--events", dir.Path("./error.log"), other, log});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("is an input"));
  CHECK(ReadFile(log) == content);
  // Another file is written as asked.
  const RunResult ok = Run({"--events", dir.Path("events.ndjson"), log});
  CHECK(ok.exit_code == 0);
  CHECK_FALSE(ReadFile(dir.Path("events.ndjson")).empty());
}

TEST_CASE("cli: invalid UTF-8 in a classified line is replaced in the JSON", "[cli]") {
  TempDir dir;
  const std::string line =
      "2026/11/21 10:03:11 [error] 1046#1046: *7 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 10.0.0.1, server: caf\xe9, request: \"GET /r\xc3sum\xff HTTP/1.1\", upstream: "
      "\"http://127.0.0.1:8080/r\", host: \"shop\x80.example\"\n";
  const std::string log = dir.Write("latin1.log", line);
  const std::string events = dir.Path("events.ndjson");
  const RunResult r = Run({"--format", "json", "--events", events, log});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  REQUIRE(j["causes"].size() == 1);
  const json& c = j["causes"][0];
  CHECK(c["cause"] == "upstream.connect");
  const std::string text = c["examples"][0]["text"];
  CHECK_THAT(text, Catch::Contains("server: caf\xEF\xBF\xBD,"));
  CHECK_THAT(text, Catch::Contains("shop\xEF\xBF\xBD.example"));
  CHECK(c["fields"]["host"][0]["value"] == "shop\xEF\xBF\xBD.example");
  // The event stream is repaired as well.
  const std::string ev = ReadFile(events);
  REQUIRE(!ev.empty());
  const json e = ParseJson(ev.substr(0, ev.find('\n')));
  CHECK(e["cause"] == "upstream.connect");
}

TEST_CASE("cli: a 10 MB line is cut and counted and the next line is still classified", "[cli]") {
  TempDir dir;
  std::string log = "2026/11/21 10:00:00 [error] 1046#1046: *1 ";
  log.append(10 * 1024 * 1024, 'A');
  log += "\n" + kSocketMissingLine;
  const std::string path = dir.Write("long.log", log);
  const RunResult r = Run({"--format", "json", path});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  const json& in = j["inputs"][0];
  CHECK(in["lines"] == 2);
  CHECK(in["truncated_lines"] == 1);
  CHECK(in["bytes"] == log.size());
  CHECK(j["totals"]["truncated_lines"] == 1);
  REQUIRE(j["causes"].size() == 1);
  CHECK(j["causes"][0]["rule"] == "nginx.upstream.connect.socket-missing");
  CHECK(j["causes"][0]["examples"][0]["line"] == 2);
  CHECK(r.out.size() < 200000);  // the overlong line is not copied into the report
}

// =============================================================================================
// Rule files

TEST_CASE("cli: a rule file that is not valid JSON exits 2 and says where", "[cli][rules]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  const std::string rules = dir.Write("broken.json", "{\n  \"rules\": [\n    {\"id\": \"x.y.z\",}\n  ]\n}\n");
  const RunResult r = Run({log, "--rules", rules});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::StartsWith("why500: " + rules + ":3:") && Catch::Contains("not valid JSON"));

  {  // a rule path that does not exist
    const RunResult m = Run({log, "--rules", dir.Path("nope.json")});
    CHECK(m.exit_code == 2);
    CHECK(m.err == "why500: " + dir.Path("nope.json") + ": no such rule file or folder\n");
  }
}

TEST_CASE("cli: a rule with an unknown cause exits 2 with did you mean", "[cli][rules]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  const std::string rules = dir.Write("typo.json", OverrideRule("upstream.conect", "connect\\(\\) to unix:"));
  const RunResult r = Run({log, "--rules", rules});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "why500: " + rules +
                     ": rule 'nginx.upstream.connect.socket-missing': unknown cause 'upstream.conect' (did you mean "
                     "'upstream.connect'?)\n");
}

TEST_CASE("cli: a rule whose regex RE2 rejects exits 2 naming file rule and error", "[cli][rules]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  const std::string rules = dir.Write("badre.json", OverrideRule("upstream.connect", "connect\\((unix"));
  const RunResult r = Run({log, "--rules", rules});
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::StartsWith("why500: " + rules + ": rule 'nginx.upstream.connect.socket-missing': ") &&
                        Catch::Contains("invalid pattern") && Catch::Contains("missing )"));

  {  // look-around, which RE2 does not have
    const std::string la = dir.Write("lookahead.json", OverrideRule("upstream.connect", "connect(?!ion)"));
    const RunResult l = Run({log, "--rules", la});
    CHECK(l.exit_code == 2);
    CHECK_THAT(l.err, Catch::Contains(la) && Catch::Contains("nginx.upstream.connect.socket-missing") &&
                          Catch::Contains("invalid perl operator: (?!"));
  }
}

TEST_CASE("cli: a user rule with a built-in rule's id replaces it", "[cli][rules]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  const std::string rules = dir.Write("site.json", OverrideRule("crash", "connect\\(\\) to (?P<socket>unix:\\S+?) failed"));
  const RunResult r = Run({"--format", "json", log, "--rules", rules});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  REQUIRE(!j["causes"].empty());
  const json& c = j["causes"][0];
  CHECK(c["rule"] == "nginx.upstream.connect.socket-missing");
  CHECK(c["cause"] == "crash");
  CHECK(c["subcause"] == "local-override");
  CHECK(c["events"] == 2);
  CHECK(c["hint"] == "Site rule: restart php-fpm via the runbook (unix:/run/php/php8.2-fpm.sock)");

  const RunResult defaults = Run({"--list-rules"});
  const RunResult listed = Run({"--list-rules", "--rules", rules});
  REQUIRE(listed.exit_code == 0);
  // Same number of rules: replaced, not added; the listing shows the user file as the source.
  CHECK(Count(listed.out, '\n') == Count(defaults.out, '\n'));
  std::istringstream lines(listed.out);
  std::string line;
  int seen = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("nginx.upstream.connect.socket-missing ", 0) == 0) {
      ++seen;
      CHECK_THAT(line, Catch::Contains("crash") && Catch::EndsWith(rules));
    }
  }
  CHECK(seen == 1);
}

TEST_CASE("cli: --rules FILE followed by a log file reads the log as a log", "[cli][rules]") {
  // `--rules` takes one path per use, so the log after it is an input.
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  const std::string rules = dir.Write("site.json", OverrideRule("crash", "connect\\(\\) to unix:\\S+ failed"));
  const RunResult r = Run({"--format", "json", "--rules", rules, log});
  CHECK(r.err.empty());
  REQUIRE(r.exit_code == 0);
  CHECK(ParseJson(r.out)["causes"][0]["cause"] == "crash");
}

TEST_CASE("cli: --list-rules lists every rule id with its cause", "[cli][rules]") {
  const RunResult r = Run({"--list-rules"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  for (const char* id : {"nginx.upstream.connect.socket-missing", "nginx.upstream.timeout.read-header",
                         "php.resource.memory.limit-exhausted", "php-fpm.resource.capacity.max-children"}) {
    CHECK_THAT(r.out, Catch::Contains(std::string("\n") + id + " "));
  }
  // The last line counts the rules listed above it.
  const size_t lines = Count(r.out, '\n');
  const size_t last = r.out.rfind('\n', r.out.size() - 2);
  CHECK(r.out.substr(last + 1) == std::to_string(lines - 1) + " rules\n");
  CHECK(lines > 50);
}

TEST_CASE("cli: --check-rules passes on the default rules", "[cli][rules]") {
  const RunResult r = Run({"--check-rules"});
  INFO(r.out.substr(0, 4000));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::EndsWith(" 0 problems\n"));

  {  // and fails with exit 2 on a rule whose example it does not match
    TempDir dir;
    json rule = json::parse(OverrideRule("upstream.connect", "connect\\(\\) to unix:\\S+ failed \\(13:"));
    const std::string path = dir.Write("wrong.json", rule.dump());
    const RunResult bad = Run({"--check-rules", "--no-default-rules", "--rules", path});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.out, Catch::Contains(path + ": rule 'nginx.upstream.connect.socket-missing': ") &&
                            Catch::Contains("example matched no rule") &&
                            Catch::Contains("counter-example matches the pattern"));
  }
}

// =============================================================================================
// --explain and --events

TEST_CASE("cli: --explain shows the winner and the other rules that matched", "[cli]") {
  TempDir dir;
  const std::string log = dir.Write(
      "error.log",
      "2026/11/21 10:03:11 [error] 1046#1046: *7 connect() to 10.0.0.5:9000 failed (13: Permission denied) while "
      "connecting to upstream, client: 10.0.0.1, server: a, request: \"GET / HTTP/1.1\", upstream: "
      "\"fastcgi://10.0.0.5:9000\", host: \"a\"\n"
      "2026/11/21 10:03:12 [notice] 1021#1021: signal process started\n");
  const RunResult r = Run({"--explain", log, "--color", "never"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK_THAT(r.out, Catch::StartsWith(log + ":1  nginx_error  2026-11-21T10:03:11Z\n"));
  CHECK_THAT(r.out, Catch::Contains("  winner: nginx.permission.upstream-connect  → permission"));
  CHECK_THAT(r.out, Catch::Contains("  also matched: nginx.upstream.connect.other  → upstream.connect"));
  CHECK_THAT(r.out, Catch::Contains("  also matched: nginx.permission.denied  → permission"));
  CHECK_THAT(r.out, Catch::Contains("    target = 10.0.0.5:9000\n"));
  CHECK_THAT(r.out, Catch::Contains(log + ":2  nginx_error") && Catch::Contains("winner: none (no rule matched)"));
  CHECK(r.out.find("\"schema\"") == std::string::npos);  // explain replaces the report
}

TEST_CASE("cli: --events writes one JSON object per classified event or 5xx", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string access = dir.Write("access.log", kAccess);
  const std::string events = dir.Path("events.ndjson");
  const RunResult r = Run({"--format", "json", "--events", events, err, access});
  REQUIRE(r.exit_code == 0);
  CHECK(ParseJson(r.out)["totals"]["http_5xx"] == 4);  // the report is still written

  const std::string text = ReadFile(events);
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  std::vector<json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(ParseJson(line));
  // 3 classified error-log events (the reload is not evidence) and 4 5xx responses.
  REQUIRE(lines.size() == 7);
  for (const json& e : lines) {
    REQUIRE(e.is_object());
    for (const char* key : {"input", "line", "time", "format", "cause", "subcause", "rule", "status", "path",
                            "message"}) {
      INFO(key << " in " << e.dump());
      CHECK(e.contains(key));
    }
  }
  CHECK(lines[0]["input"] == err);
  CHECK(lines[0]["line"] == 2);
  CHECK(lines[0]["time"] == "2026-11-21T10:03:11Z");
  CHECK(lines[0]["format"] == "nginx_error");
  CHECK(lines[0]["cause"] == "upstream.connect");
  CHECK(lines[0]["rule"] == "nginx.upstream.connect.socket-missing");
  CHECK(lines[0]["status"].is_null());
  CHECK(lines[0]["path"] == "/checkout");
  CHECK_THAT(lines[0]["message"].get<std::string>(), Catch::StartsWith("connect() to unix:/run/php/php8.2-fpm.sock"));
  CHECK(lines[2]["cause"] == "resource.memory");
  CHECK(lines[3]["input"] == access);
  CHECK(lines[3]["status"] == 502);
  CHECK(lines[3]["format"] == "access_combined");
  CHECK(lines[6]["status"] == 504);
  CHECK(lines[6]["path"] == "/search");
  // Input order.
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i]["input"] == lines[i - 1]["input"]) CHECK(lines[i]["line"] > lines[i - 1]["line"]);
  }

  {  // --events - writes the stream to stdout instead of the report
    const RunResult s = Run({"--events", "-", err});
    REQUIRE(s.exit_code == 0);
    CHECK(Count(s.out, '\n') == 3);
    CHECK(ParseJson(s.out.substr(0, s.out.find('\n')))["line"] == 2);
  }
}

// =============================================================================================
// Parsing through the CLI: time zones, interleaved streams, Apache escapes, changes

TEST_CASE("cli: local error-log times follow TZ and access-log offsets are honoured", "[cli]") {
  if (::access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0) return;  // no tzdata here
  TempDir dir;
  // 11:03:11 in Berlin (UTC+1 in November) is 10:03:11 UTC in both files.
  std::string line = kSocketMissingLine;
  line.replace(line.find("10:03:11"), 8, "11:03:11");
  const std::string err = dir.Write("error.log", line);
  const std::string access = dir.Write(
      "access.log", "203.0.113.7 - - [21/Nov/2026:11:03:11 +0100] \"GET /checkout HTTP/2.0\" 502 157 \"-\" \"Mozilla/5.0\"\n");
  RunOptions berlin;
  berlin.set_env = {"TZ=Europe/Berlin"};
  const RunResult r = Run({"--format", "json", err, access}, berlin);
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  CHECK(j["window"]["first"] == "2026-11-21T10:03:11Z");
  CHECK(j["window"]["last"] == "2026-11-21T10:03:11Z");
  REQUIRE(j["causes"].size() == 1);
  CHECK(j["causes"][0]["cause"] == "upstream.connect");
  CHECK(j["causes"][0]["first"] == "2026-11-21T10:03:11Z");
  CHECK(j["causes"][0]["http_5xx"] == 1);  // tied across the two time notations
}

TEST_CASE("cli: access and php-fpm lines interleaved with nginx error lines are not glued to them", "[cli]") {
  // `docker compose logs` / `kubectl logs` of the nginx image mix error (stderr) and access (stdout) lines.
  TempDir dir;
  const std::string log = dir.Write(
      "compose.log",
      "web-1  | 2026/11/21 10:00:40 [error] 29#29: *7 connect() failed (111: Connection refused) while connecting "
      "to upstream, client: 172.19.0.1, server: localhost, request: \"GET /api/health HTTP/1.1\", upstream: "
      "\"fastcgi://172.19.0.3:9000\", host: \"localhost:8080\"\n"
      "web-1  | 172.19.0.1 - - [21/Nov/2026:10:00:40 +0000] \"GET /api/health HTTP/1.1\" 502 157 \"-\" \"curl/8.5.0\"\n"
      "php-1  | [21-Nov-2026 10:00:45] NOTICE: Terminating ...\n"
      "php-1  | [21-Nov-2026 10:00:45] NOTICE: exiting, bye-bye!\n"
      "web-1  | 2026/11/21 10:00:50 [error] 29#29: *9 connect() failed (111: Connection refused) while connecting "
      "to upstream, client: 172.19.0.9, server: localhost, request: \"GET / HTTP/1.1\", upstream: "
      "\"fastcgi://172.19.0.3:9000\", host: \"localhost:8080\"\n"
      "web-1  | 172.19.0.9 - - [21/Nov/2026:10:00:50 +0000] \"GET / HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\"\n");
  const RunResult r = Run({"--format", "json", log});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  CHECK(j["totals"]["http_5xx"] == 2);
  REQUIRE(!j["causes"].empty());
  const json& c = j["causes"][0];
  CHECK(c["cause"] == "upstream.connect");
  CHECK(c["http_5xx"] == 2);
  CHECK(c["fields"]["host"] == json::array({{{"value", "localhost:8080"}, {"count", 2}}}));
  bool php_stop = false;
  for (const json& ch : j["changes"]) php_stop |= ch["kind"] == "stop" && ch["line"] == 3;
  CHECK(php_stop);
}

TEST_CASE("cli: Apache's escaped backslashes in AH01071 messages are unescaped", "[cli]") {
  // Apache 2.4 writes a backslash of the message as \\ (ap_escape_errorlog_item), a newline as \n.
  TempDir dir;
  const std::string log = dir.Write(
      "error.log",
      "[Sat Nov 21 10:11:03.825034 2026] [proxy_fcgi:error] [pid 22871:tid 140093412448000] [client "
      "203.0.113.150:42937] AH01071: Got error 'PHP message: PHP Fatal error:  Uncaught Error: Class "
      "\"App\\\\Reports\\\\MonthlyPdf\" not found in /var/www/invoicer/app/Http/Controllers/ReportController.php:44"
      "\\nStack trace:\\n#0 {main}\\n  thrown in /var/www/invoicer/app/Http/Controllers/ReportController.php on "
      "line 44', referer: https://invoicer.example.com/reports\n");
  const RunResult r = Run({"--format", "json", log});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  REQUIRE(j["causes"].size() == 1);
  CHECK(j["causes"][0]["cause"] == "app.code_missing");
  CHECK_THAT(j["causes"][0]["template"].get<std::string>(), Catch::Contains("Class \"App\\Reports\\MonthlyPdf\" not found"));
  CHECK_THAT(j["causes"][0]["hint"].get<std::string>(), !Catch::Contains("\\\\"));
}

TEST_CASE("cli: one nginx reload is reported as one reload and not as a stop", "[cli]") {
  TempDir dir;
  std::string log;
  for (const char* l : {"[notice] 4211#4211: signal process started",
                        "[notice] 1021#1021: signal 1 (SIGHUP) received from 4211, reconfiguring",
                        "[notice] 1021#1021: reconfiguring", "[notice] 1021#1021: using the \"epoll\" event method",
                        "[notice] 1021#1021: start worker processes", "[notice] 1021#1021: start worker process 4216",
                        "[notice] 1046#1046: gracefully shutting down", "[notice] 1046#1046: exiting",
                        "[notice] 1046#1046: exit", "[notice] 1021#1021: signal 17 (SIGCHLD) received from 1046",
                        "[notice] 1021#1021: worker process 1046 exited with code 0"}) {
    log += std::string("2026/11/21 10:02:04 ") + l + "\n";
  }
  const RunResult r = Run({"--format", "json", dir.Write("error.log", log)});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  INFO(j["changes"].dump(1));
  for (const json& ch : j["changes"]) CHECK(ch["kind"] == "reload");
  CHECK(j["changes"].size() == 1);
}

TEST_CASE("cli: a restart whose stop and start lines are seconds apart does not end as a stop", "[cli]") {
  // `apachectl restart`: Apache logs the stop and, two seconds later, that it runs again.
  TempDir dir;
  const std::string log = dir.Write(
      "error.log",
      "[Sat Nov 21 09:00:01 2026] [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations\n"
      "[Sat Nov 21 09:05:00 2026] [error] [client 198.51.100.7] PHP Fatal error:  Allowed memory size of 67108864 "
      "bytes exhausted (tried to allocate 2348617 bytes) in /var/www/blog/wp-includes/media.php on line 2913\n"
      "[Sat Nov 21 09:07:45 2026] [notice] caught SIGTERM, shutting down\n"
      "[Sat Nov 21 09:07:47 2026] [notice] Apache/2.2.22 (Ubuntu) configured -- resuming normal operations\n");
  const RunResult r = Run({"--format", "json", log});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  INFO(j["changes"].dump(1));
  REQUIRE(!j["changes"].empty());
  CHECK(j["changes"].back()["kind"] != "stop");  // Apache runs again at 09:07:47
  CHECK(j["changes"].back()["time"] >= "2026-11-21T09:07:45Z");
}

TEST_CASE("cli: a line longer than nginx can write is not reported as cut by nginx", "[cli]") {
  // nginx writes at most 2048 bytes per entry; a longer line was not cut by nginx.
  TempDir dir;
  std::string line = "2026/11/21 10:00:00 [error] 1046#1046: *1 upstream sent too big header while reading response "
                     "header from upstream ";
  line.append(5000, 'x');
  const RunResult r = Run({"--format", "json", dir.Write("error.log", line + "\n")});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  CHECK(j["inputs"][0]["cut_entries"] == 0);
  CHECK(j["causes"][0]["cut_events"] == 0);
}

// =============================================================================================
// Colour and terminal safety

TEST_CASE("cli: colour follows --color and NO_COLOR", "[cli]") {
  TempDir dir;
  const std::string log = dir.Write("error.log", kNginxError);
  CHECK(Run({"--color", "always", log}).out.find("\x1b[") != std::string::npos);
  CHECK(Run({"--color", "auto", log}).out.find('\x1b') == std::string::npos);  // a pipe
  RunOptions no_color;
  no_color.set_env = {"NO_COLOR=1"};
  const RunResult piped = Run({"--color", "auto", log}, no_color);
  CHECK(piped.exit_code == 0);
  CHECK_THAT(piped.out, Catch::Contains("upstream.connect"));
  CHECK(piped.out.find('\x1b') == std::string::npos);
  CHECK(Run({"--color", "never", log}).out.find('\x1b') == std::string::npos);

  {  // on a terminal
    RunOptions tty;
    tty.stdout_on_pty = true;
    tty.set_env = {"TERM=xterm-256color"};
    CHECK(Run({"--color", "auto", log}, tty).out.find("\x1b[") != std::string::npos);
    tty.set_env.push_back("NO_COLOR=1");
    const RunResult quiet = Run({"--color", "auto", log}, tty);
    CHECK_THAT(quiet.out, Catch::Contains("upstream.connect"));
    CHECK(quiet.out.find('\x1b') == std::string::npos);
    RunOptions dumb;
    dumb.stdout_on_pty = true;
    dumb.set_env = {"TERM=dumb"};
    CHECK(Run({"--color", "auto", log}, dumb).out.find('\x1b') == std::string::npos);
    CHECK(Run({"--color", "never", log}, tty).out.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("cli: control bytes from the log are escaped in text output", "[cli]") {
  TempDir dir;
  const std::string hostile =
      "2026/11/21 10:03:11 [error] 1046#1046: *7 connect() failed (111: Connection refused) while connecting to "
      "upstream \x1b[31mRED\x1b[0m \x1b]8;;http://evil.example/\x1b\\click here\x1b]8;;\x1b\\ erase\x08\x08\x08 "
      "cr\rOVERWRITTEN bell\x07 csi\xc2\x9b" "2J, client: 10.0.0.1\x1b[2J, server: a, request: \"GET /\x1b[31mp "
      "HTTP/1.1\", upstream: \"http://127.0.0.1:8080/\", host: \"h\x1b]0;title\x07\"\n";
  const std::string log = dir.Write("hostile.log", hostile);

  auto check_safe = [](const std::string& out) {
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.find('\x08') == std::string::npos);
    CHECK(out.find('\r') == std::string::npos);
    CHECK(out.find('\x07') == std::string::npos);
    CHECK(out.find("\xc2\x9b") == std::string::npos);
  };
  const RunResult r = Run({"--color", "never", log});
  REQUIRE(r.exit_code == 0);
  check_safe(r.out);
  CHECK_THAT(r.out, Catch::Contains("upstream.connect"));
  // The bytes are shown as escapes, so the reader still sees what the log held.
  CHECK_THAT(r.out, Catch::Contains("\\x1b[31mRED\\x1b[0m"));
  CHECK_THAT(r.out, Catch::Contains("\\x1b]8;;http://evil.example/\\x1b\\click here"));
  CHECK_THAT(r.out, Catch::Contains("erase\\x08\\x08\\x08"));
  CHECK_THAT(r.out, Catch::Contains("cr\\rOVERWRITTEN"));
  CHECK_THAT(r.out, Catch::Contains("client: 10.0.0.1\\x1b[2J"));

  {  // --explain escapes too
    const RunResult e = Run({"--color", "never", "--explain", log});
    REQUIRE(e.exit_code == 0);
    check_safe(e.out);
    CHECK_THAT(e.out, Catch::Contains("winner: nginx.upstream.connect.refused"));
  }
  {  // with --color always the only escape sequences are why500's own SGR codes
    const RunResult c = Run({"--color", "always", log});
    std::string stripped;
    for (size_t i = 0; i < c.out.size(); ++i) {
      if (c.out[i] == '\x1b' && i + 1 < c.out.size() && c.out[i + 1] == '[') {
        size_t k = i + 2;
        while (k < c.out.size() && (std::isdigit(static_cast<unsigned char>(c.out[k])) || c.out[k] == ';')) ++k;
        if (k < c.out.size() && c.out[k] == 'm') {
          i = k;
          continue;
        }
      }
      stripped.push_back(c.out[i]);
    }
    CHECK(c.out.find('\x1b') != std::string::npos);
    check_safe(stripped);
  }
  {  // a hostile input name is escaped as well
    const std::string odd = dir.Write("name\x1b[31mred.log", kNginxError);
    const RunResult n = Run({"--color", "never", odd, dir.Path("gone\x1b]0;x\x07.log")});
    CHECK(n.exit_code == 3);
    check_safe(n.out);
    check_safe(n.err);
  }
}

// =============================================================================================
// The JSON contract

TEST_CASE("cli: every required field of the JSON schema is present", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string access = dir.Write("access.log", kAccess);
  const RunResult r = Run({"--format", "json", err, access});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);

  CHECK(j["schema"] == "why500.report/1");
  CHECK(j["tool"]["name"] == "why500");
  CHECK(j["tool"]["version"].is_string());
  REQUIRE(j["generated_at"].is_string());
  CHECK_THAT(j["generated_at"].get<std::string>(), Catch::Matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"));
  CHECK(j["elapsed_seconds"].is_number());

  REQUIRE(j["inputs"].size() == 2);
  for (const json& in : j["inputs"]) {
    for (const char* key : {"name", "format", "lines", "bytes", "unparsed_lines", "error"}) {
      INFO(key);
      CHECK(in.contains(key));
    }
    CHECK(in["lines"].is_number_unsigned());
    CHECK(in["bytes"].is_number_unsigned());
  }
  CHECK(j["inputs"][1]["format"] == "access_combined");

  CHECK(j["window"]["first"] == "2026-11-21T10:02:58Z");
  CHECK(j["window"]["last"] == "2026-11-21T10:04:02Z");

  const json& t = j["totals"];
  for (const char* key : {"lines", "events", "http_5xx", "evidence_events", "classified_5xx", "unclassified_5xx"}) {
    INFO(key);
    CHECK(t.contains(key));
    CHECK(t[key].is_number_unsigned());
  }
  CHECK(t["lines"] == 9);
  CHECK(t["http_5xx"] == 4);
  CHECK(t["evidence_events"] == 3);
  CHECK(t["classified_5xx"] == 3);
  CHECK(t["unclassified_5xx"] == 1);

  REQUIRE(j["causes"].size() == 3);
  int rank = 0;
  for (const json& c : j["causes"]) {
    for (const char* key : {"rank", "cause", "subcause", "rule", "confidence", "score", "events", "http_5xx",
                            "status", "first", "last", "template", "fields", "examples", "hint"}) {
      INFO(key << " in " << c.dump());
      CHECK(c.contains(key));
    }
    CHECK(c["rank"] == ++rank);
    CHECK(c["status"].is_object());
    CHECK(c["fields"].is_object());
    CHECK(c["examples"].is_array());
    CHECK(c["examples"].size() <= 3);
    for (const json& e : c["examples"]) {
      CHECK(e["input"].is_string());
      CHECK(e["line"].is_number_unsigned());
      CHECK(e["text"].is_string());
    }
  }
  const json& top = j["causes"][0];
  CHECK(top["cause"] == "upstream.connect");
  CHECK(top["http_5xx"] == 2);
  CHECK(top["status"] == json{{"502", 2}});
  CHECK(top["fields"]["upstream"][0] == json{{"value", "fastcgi://unix:/run/php/php8.2-fpm.sock:"}, {"count", 2}});
  CHECK(top["examples"][0] == json{{"input", err}, {"line", 2}, {"text", kSocketMissingLine.substr(0, kSocketMissingLine.size() - 1)}});
  // A 5xx with no evidence is the cause `unknown`, without a rule.
  const json& unknown = j["causes"][2];
  CHECK(unknown["cause"] == "unknown");
  CHECK(unknown["rule"].is_null());
  CHECK(unknown["status"] == json{{"504", 1}});
  CHECK(unknown["examples"][0]["line"] == 5);

  const json& tl = j["timeline"];
  CHECK(tl["bucket_seconds"] == 60);
  // The whole window, from the reload at 10:02:58: the quiet minute is the baseline.
  CHECK(tl["start"] == "2026-11-21T10:02:00Z");
  CHECK(tl["http_5xx"] == json::array({0, 3, 1}));
  CHECK(tl["evidence"] == json::array({0, 3, 0}));

  // Onset: the 5xx left their baseline at 10:03; the reload came just before.
  REQUIRE(j["onset"].is_object());
  CHECK(j["onset"]["basis"] == "http_5xx");
  CHECK(j["onset"]["bucket_start"] == "2026-11-21T10:03:00Z");
  CHECK(j["onset"]["time"].is_string());
  CHECK(j["last_change"]["kind"] == "reload");
  CHECK(j["last_change"]["before"] == "onset");
  CHECK(j["last_change"]["seconds_before"].is_number());
  for (const json& c : j["causes"]) {
    for (const char* key : {"tier", "timing", "explains", "explained_by", "ties", "inferred"}) {
      INFO(key << " in " << c.dump());
      CHECK(c.contains(key));
    }
  }
  CHECK(top["timing"] == "at");
  CHECK(top["ties"] == json{{"request", 2}});
  REQUIRE(j["blind_spots"].is_array());
  CHECK(j["blind_spots"][0]["kind"] == "no_evidence");
  CHECK(j["blind_spots"][0]["count"] == 1);

  REQUIRE(j["changes"].size() == 1);
  const json& ch = j["changes"][0];
  CHECK(ch["time"] == "2026-11-21T10:02:58Z");
  CHECK(ch["kind"] == "reload");
  CHECK(ch["input"] == err);
  CHECK(ch["line"] == 1);
  CHECK_THAT(ch["text"].get<std::string>(), Catch::EndsWith("signal process started"));
}

TEST_CASE("cli: --threads 1 and --threads 2 give byte-identical reports", "[cli]") {
  TempDir dir;
  const std::string err = dir.Write("error.log", kNginxError);
  const std::string access = dir.Write("access.log", kAccess);
  const std::string fpm = dir.Write("php8.2-fpm.log", kPhpFpm);
  const std::string gz = dir.WriteGz("error.log.1.gz", kBenign + kNginxError);
  const std::string low = dir.Write("low.log", kLowOnly);
  const std::string empty = dir.Write("empty.log", "");
  const std::vector<std::vector<std::string>> input_sets = {
      {access, err, fpm},
      {gz, err, low, access, fpm, empty},
      {fpm, fpm, err, err},
  };
  for (const auto& inputs : input_sets) {
    std::vector<std::string> one = {"--format", "json", "--threads", "1"};
    std::vector<std::string> two = {"--format", "json", "--threads", "2"};
    one.insert(one.end(), inputs.begin(), inputs.end());
    two.insert(two.end(), inputs.begin(), inputs.end());
    const RunResult a = Run(one), b = Run(two);
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    INFO("inputs: " << inputs.size());
    CHECK(Stable(a.out) == Stable(b.out));
    // Also the raw bytes apart from those two lines.
    auto strip = [](const std::string& s) {
      std::string out;
      std::istringstream in(s);
      std::string line;
      while (std::getline(in, line)) {
        if (line.find("\"generated_at\"") == std::string::npos && line.find("\"elapsed_seconds\"") == std::string::npos)
          out += line + "\n";
      }
      return out;
    };
    CHECK(strip(a.out) == strip(b.out));
    if (inputs.size() < 5) continue;
    // And the text report (its first line holds the elapsed time).
    std::vector<std::string> t1 = {"--color", "never", "--threads", "1"}, t2 = {"--color", "never", "--threads", "2"};
    t1.insert(t1.end(), inputs.begin(), inputs.end());
    t2.insert(t2.end(), inputs.begin(), inputs.end());
    auto drop_elapsed = [](std::string s) { return s.substr(s.find('\n')); };
    CHECK(drop_elapsed(Run(t1).out) == drop_elapsed(Run(t2).out));
  }
}

// =============================================================================================
// Pipes

TEST_CASE("cli: a reader that closes the pipe early gets no error messages", "[cli]") {
  TempDir dir;
  std::string big;
  for (int i = 0; i < 2000; ++i) big += kNginxError;
  const std::string log = dir.Write("big.log", big);
  struct Case {
    std::vector<std::string> args;
    bool sigpipe_default;  // as `why500 big.log | head -c 100` starts it; false: ignored, as some CI runners do
  };
  const std::vector<Case> cases = {
      {{log}, true},
      {{log}, false},
      {{"--format", "json", log}, false},
      {{"--explain", log}, true},
      {{"--explain", log}, false},
      {{"--events", "-", log}, false},
  };
  for (const Case& c : cases) {
    INFO(c.args[0] << (c.sigpipe_default ? " SIGPIPE default" : " SIGPIPE ignored"));
    RunOptions o;
    o.close_stdout_at_once = true;
    o.sigpipe_default = c.sigpipe_default;
    const RunResult r = Run(c.args, o);
    CHECK(r.err.empty());
    if (c.sigpipe_default) {
      CHECK((r.exit_code == 0 || r.signal == SIGPIPE));
    } else {
      CHECK(r.signal == 0);  // EPIPE is a quiet exit
      CHECK(r.exit_code == 0);
    }
  }
}

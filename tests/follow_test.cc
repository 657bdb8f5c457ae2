// Follow mode (--follow): the followed sources in-process (growth, logrotate's rename and
// truncation, stdin, Ctrl-C), line framing across pauses, and the real binary followed while
// a test writes its logs, rotates them and presses Ctrl-C. Every wait is bounded.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli_support.h"
#include "why500/follow_source.h"
#include "why500/follow_view.h"
#include "why500/line_reader.h"
#include "why500/live.h"
#include "why500/pipeline.h"
#include "why500/rules.h"
#include "why500/time_parse.h"

using namespace why500;
using namespace why500_cli_test;
using namespace std::chrono_literals;

namespace {

std::string TimeoutLine(int second, int client) {
  return "2026/11/21 10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
         " [error] 31#31: *812 upstream timed out (110: Connection timed out) while reading response header from "
         "upstream, client: 203.0.113." + std::to_string(client) +
         ", server: shop.example, request: \"POST /api/checkout HTTP/1.1\", upstream: "
         "\"http://10.0.4.12:8080/api/checkout\", host: \"shop.example\"\n";
}

std::string RefusedLine(int minute) {
  return "2026/11/21 10:" + std::string(minute < 10 ? "0" : "") + std::to_string(minute) +
         ":30 [error] 31#31: *900 connect() failed (111: Connection refused) while connecting to upstream, client: "
         "198.51.100.4, server: shop.example, request: \"GET /cart HTTP/1.1\", upstream: "
         "\"http://127.0.0.1:8080/cart\", host: \"shop.example\"\n";
}

std::string AccessLine(int second, int status) {
  return "203.0.113.8 - - [21/Nov/2026:10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
         " +0000] \"POST /api/checkout HTTP/1.1\" " + std::to_string(status) + " 167 \"-\" \"Mozilla/5.0\"\n";
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << text;
  REQUIRE(f.good());
}

FollowOptions Quick(const std::atomic<bool>* stop) {
  FollowOptions o;
  o.stop = stop;
  o.poll = 5ms;
  o.idle = 40ms;
  return o;
}

// Reads from a followed source until `want` bytes came or a pause; bounded by `limit`.
std::string ReadAvailable(Source* s) {
  std::string got;
  char buf[4096];
  for (;;) {
    auto n = s->Read(buf, sizeof buf);
    REQUIRE(n);
    if (*n == 0) return got;
    got.append(buf, *n);
  }
}

// The real binary running in the background, stdout and stderr drained by a thread, stdin a
// pipe the test may write to and close.
class Following {
 public:
  explicit Following(const std::vector<std::string>& args, bool stdout_on_pty = false) {
    RunOptions o;
    o.stdout_on_pty = stdout_on_pty;
    const Child child = Spawn(args, o);
    pid_ = child.pid;
    stdin_ = child.in;
    drain_out_ = std::thread([this, fd = child.out] { Drain(fd, &out_); });
    drain_err_ = std::thread([this, fd = child.err] { Drain(fd, &err_); });
  }
  ~Following() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    CloseStdin();
    if (drain_out_.joinable()) drain_out_.join();
    if (drain_err_.joinable()) drain_err_.join();
  }

  void WriteStdin(const std::string& s) { REQUIRE(::write(stdin_, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  void CloseStdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  std::string out() {
    std::lock_guard<std::mutex> lock(mu_);
    return out_;
  }
  std::string err() {
    std::lock_guard<std::mutex> lock(mu_);
    return err_;
  }

  // Waits until stdout holds `needle` `times` times; false after `limit`.
  bool WaitFor(const std::string& needle, size_t times = 1, std::chrono::milliseconds limit = 10s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      const std::string o = out();
      size_t n = 0;
      for (size_t p = o.find(needle); p != std::string::npos; p = o.find(needle, p + 1)) ++n;
      if (n >= times) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // Sends `signal` (none: 0) and waits for the exit, at most `limit`; the exit code, or -1.
  int Finish(int signal = SIGINT, std::chrono::milliseconds limit = 10s) {
    if (signal) ::kill(pid_, signal);
    const auto end = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > end) return -1;  // the destructor kills it
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
    drain_out_.join();
    drain_err_.join();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  void Drain(int fd, std::string* into) {
    char buf[65536];
    for (;;) {
      const ssize_t k = ::read(fd, buf, sizeof buf);
      if (k > 0) {
        std::lock_guard<std::mutex> lock(mu_);
        into->append(buf, static_cast<size_t>(k));
      } else if (k == 0 || errno != EINTR) {
        break;  // EOF, or EIO on a pty whose slave side closed
      }
    }
    ::close(fd);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  std::mutex mu_;
  std::string out_, err_;
  std::thread drain_out_, drain_err_;
};

// Every JSON report in a stream of them, in order.
std::vector<json> Reports(const std::string& stream) {
  std::vector<json> reports;
  std::istringstream in(stream);
  while ((in >> std::ws).peek() != EOF) {
    json j;
    REQUIRE_NOTHROW(in >> j);
    reports.push_back(j);
  }
  return reports;
}

uint64_t CauseEvents(const json& report, const std::string& cause) {
  uint64_t n = 0;
  for (const json& c : report["causes"]) {
    if (c["cause"] == cause) n += c["events"].get<uint64_t>();
  }
  return n;
}

}  // namespace

TEST_CASE("follow source: a growing file is read as it grows, with pauses in between", "[follow]") {
  TempDir dir;
  const std::string path = dir.Write("app.log", "one\n");
  std::atomic<bool> stop{false};
  auto source = OpenFollowSource(path, Quick(&stop));
  REQUIRE(source);
  CHECK(ReadAvailable(source->get()) == "one\n");
  CHECK((*source)->MoreMayCome());  // a pause, not the end
  Append(path, "two\n");
  CHECK(ReadAvailable(source->get()) == "two\n");
  stop = true;
  char buf[16];
  auto end = (*source)->Read(buf, sizeof buf);
  REQUIRE(end);
  CHECK(*end == 0);
  CHECK_FALSE((*source)->MoreMayCome());
}

TEST_CASE("follow source: a file renamed away and created again is read to its end, then the new one", "[follow]") {
  TempDir dir;
  const std::string path = dir.Write("app.log", "before\n");
  std::atomic<bool> stop{false};
  auto source = OpenFollowSource(path, Quick(&stop));
  REQUIRE(source);
  CHECK(ReadAvailable(source->get()) == "before\n");
  REQUIRE(::rename(path.c_str(), dir.Path("app.log.1").c_str()) == 0);
  Append(dir.Path("app.log.1"), "late write to the old file\n");  // the writer has not reopened yet
  CHECK(ReadAvailable(source->get()) == "late write to the old file\n");
  dir.Write("app.log", "after\n");
  CHECK(ReadAvailable(source->get()) == "after\n");
  CHECK((*source)->restarts() == 1);
  Append(path, "more\n");
  CHECK(ReadAvailable(source->get()) == "more\n");
}

TEST_CASE("follow source: a file truncated in place is read again from its start", "[follow]") {
  TempDir dir;
  const std::string path = dir.Write("app.log", "a long first line before copytruncate\n");
  std::atomic<bool> stop{false};
  auto source = OpenFollowSource(path, Quick(&stop));
  REQUIRE(source);
  ReadAvailable(source->get());
  REQUIRE(::truncate(path.c_str(), 0) == 0);
  Append(path, "new\n");
  CHECK(ReadAvailable(source->get()) == "new\n");
  CHECK((*source)->restarts() == 1);
}

TEST_CASE("follow source: a missing file is an error, a .gz file is read to its end", "[follow]") {
  TempDir dir;
  std::atomic<bool> stop{false};
  auto missing = OpenFollowSource(dir.Path("nope.log"), Quick(&stop));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message.find("nope.log: cannot open") != std::string::npos);
  auto gz = OpenFollowSource(dir.WriteGz("old.log.2.gz", "rotated\n"), Quick(&stop));
  REQUIRE(gz);
  CHECK(ReadAvailable(gz->get()) == "rotated\n");
  CHECK_FALSE((*gz)->MoreMayCome());
}

TEST_CASE("line reader: a followed line still being written waits for its newline", "[follow]") {
  TempDir dir;
  const std::string path = dir.Write("app.log", "whole\nhal");
  std::atomic<bool> stop{false};
  auto source = OpenFollowSource(path, Quick(&stop));
  REQUIRE(source);
  LineReader reader(source->get(), 64);
  std::string_view line;
  REQUIRE(reader.Next(&line));
  CHECK(line == "whole");
  CHECK_FALSE(reader.Next(&line));
  CHECK(reader.paused());  // "hal" is not a line yet
  Append(path, "f\n");
  REQUIRE(reader.Next(&line));
  CHECK(line == "half");
  // An overlong line paused in its unkept rest is still skipped when it goes on.
  Append(path, std::string(100, 'x'));
  REQUIRE(reader.Next(&line));
  CHECK(line.size() == 64);
  CHECK_FALSE(reader.Next(&line));
  CHECK(reader.paused());
  Append(path, std::string(50, 'y') + "\nnext\n");
  REQUIRE(reader.Next(&line));
  CHECK(line == "next");
  stop = true;
  CHECK_FALSE(reader.Next(&line));
  CHECK_FALSE(reader.paused());
  CHECK(reader.stats().lines == 4);
  CHECK(reader.stats().truncated_lines == 1);
}

TEST_CASE("follow: appended lines reach the report, a new ranking prints a new one, Ctrl-C gives the final one",
          "[follow]") {
  TempDir dir;
  const std::string error_log = dir.Write("error.log", TimeoutLine(5, 8));
  const std::string access_log = dir.Write("access.log", "");
  Following run({"-f", "--interval", "0.1", "--format", "json", error_log, access_log});
  REQUIRE(run.WaitFor("\"upstream.timeout\""));  // the first report, as soon as there is a cause
  Append(access_log, AccessLine(5, 504) + AccessLine(6, 200));
  Append(error_log, TimeoutLine(9, 9));
  // A cause that outranks the first: many connection failures.
  std::string refused;
  for (int i = 0; i < 5; ++i) refused += RefusedLine(1);
  Append(error_log, refused);
  REQUIRE(run.WaitFor("\"upstream.connect\""));
  const auto interrupted = std::chrono::steady_clock::now();
  CHECK(run.Finish(SIGINT) == 0);
  CHECK(std::chrono::steady_clock::now() - interrupted < 3s);
  const std::vector<json> reports = Reports(run.out());
  REQUIRE(reports.size() >= 3);  // first cause, new ranking, final
  CHECK(reports.front()["causes"][0]["cause"] == "upstream.timeout");
  const json& last = reports.back();
  CHECK(last["inputs"][0]["lines"] == 7);
  CHECK(last["inputs"][1]["lines"] == 2);
  CHECK(CauseEvents(last, "upstream.timeout") == 2);
  CHECK(CauseEvents(last, "upstream.connect") == 5);
  CHECK(last["totals"]["http_5xx"] == 1);
  CHECK(run.err().empty());
}

TEST_CASE("follow: logrotate's rename and create, and its copytruncate, lose no line", "[follow]") {
  TempDir dir;
  const std::string error_log = dir.Write("error.log", TimeoutLine(1, 1));
  Following run({"--follow", "--interval", "0.1", "--format", "json", error_log});
  REQUIRE(run.WaitFor("\"upstream.timeout\""));
  // rename and create: the server still writes to the renamed file until it reopens its log
  REQUIRE(::rename(error_log.c_str(), dir.Path("error.log.1").c_str()) == 0);
  Append(dir.Path("error.log.1"), TimeoutLine(2, 2));
  std::this_thread::sleep_for(200ms);
  dir.Write("error.log", RefusedLine(1) + RefusedLine(1) + RefusedLine(1));
  REQUIRE(run.WaitFor("\"upstream.connect\""));
  // copytruncate: cut to nothing in place, then written again
  REQUIRE(::truncate(error_log.c_str(), 0) == 0);
  std::this_thread::sleep_for(300ms);
  Append(error_log, RefusedLine(2) + RefusedLine(2));
  std::this_thread::sleep_for(700ms);
  CHECK(run.Finish(SIGINT) == 0);
  const json last = Reports(run.out()).back();
  CHECK(last["inputs"][0]["lines"] == 7);
  CHECK(CauseEvents(last, "upstream.timeout") == 2);
  CHECK(CauseEvents(last, "upstream.connect") == 5);
}

TEST_CASE("follow: stdin is read until the writer closes it, then the final report and exit 0", "[follow]") {
  Following run({"-f", "--interval", "0.1", "--format", "json", "-"});
  run.WriteStdin(TimeoutLine(5, 8));
  REQUIRE(run.WaitFor("\"upstream.timeout\""));  // shown after a pause, though more lines could join it
  // A line that would have continued the entry, after the pause: the entry was complete.
  run.WriteStdin("    continued after a pause\n" + RefusedLine(1) + RefusedLine(1));
  run.CloseStdin();
  CHECK(run.Finish(0) == 0);  // no signal: the end of stdin ends the run
  const json last = Reports(run.out()).back();
  CHECK(last["inputs"][0]["name"] == "<stdin>");
  CHECK(last["inputs"][0]["lines"] == 4);
  CHECK(last["inputs"][0]["unparsed_lines"] == 1);
  CHECK(CauseEvents(last, "upstream.connect") == 2);
}

TEST_CASE("follow: on a terminal the report is redrawn in place at each interval with news", "[follow]") {
  TempDir dir;
  const std::string error_log = dir.Write("error.log", TimeoutLine(5, 8));
  Following run({"-f", "--interval", "0.1", "--color", "never", error_log}, /*stdout_on_pty=*/true);
  REQUIRE(run.WaitFor("upstream.timeout"));
  const auto appended = std::chrono::steady_clock::now();
  Append(error_log, RefusedLine(1));
  // drawn again within the idle pause (0.5 s) and an interval, well under 3 s
  REQUIRE(run.WaitFor("upstream.connect", 1, 3s));
  CHECK(std::chrono::steady_clock::now() - appended < 3s);
  CHECK(run.Finish(SIGTERM) == 0);
  const std::string out = run.out();
  CHECK(out.find("\x1b[H") != std::string::npos);           // drawn from the top of the screen
  CHECK(out.find("why500 --follow: ") != std::string::npos);  // the status line above the report
  CHECK(out.find("Ctrl-C ends") != std::string::npos);
  CHECK(out.rfind("2 lines") != std::string::npos);  // the final report counts both
}

TEST_CASE("follow: --events follows one input only, merge does not follow", "[follow]") {
  TempDir dir;
  const std::string a = dir.Write("a.log", TimeoutLine(1, 1));
  const std::string b = dir.Write("b.log", TimeoutLine(2, 2));
  const RunResult events = Run({"-f", "--events", "-", a, b});
  CHECK(events.exit_code == 2);
  CHECK(events.err.find("reads one input") != std::string::npos);
  const RunResult merge = Run({"merge", "-f", a});
  CHECK(merge.exit_code == 2);
}

TEST_CASE("follow: the final report carries its aggregate for merge, settled refs and all", "[follow]") {
  TempDir dir;
  // Minutes of responses and evidence: most are settled (folded) while it follows.
  std::string error_log, access_log;
  for (int minute = 0; minute < 20; ++minute) {
    const std::string mm = (minute < 10 ? "0" : "") + std::to_string(minute);
    error_log += "2026/11/21 10:" + mm + ":05 [error] 31#31: *9 upstream timed out (110: Connection timed out) while "
                 "reading response header from upstream, client: 203.0.113.8, server: shop.example, request: \"POST "
                 "/api/checkout HTTP/1.1\", upstream: \"http://10.0.4.12:8080/api/checkout\", host: \"shop.example\"\n";
    access_log += "203.0.113.8 - - [21/Nov/2026:10:" + mm + ":05 +0000] \"POST /api/checkout HTTP/1.1\" 504 167 \"-\" "
                  "\"Mozilla/5.0\"\n";
    access_log += "203.0.113.9 - - [21/Nov/2026:10:" + mm + ":30 +0000] \"GET / HTTP/1.1\" 502 167 \"-\" \"Mozilla/5.0\"\n";
  }
  const std::string e = dir.Write("error.log", error_log), a = dir.Write("access.log", access_log);
  const RunResult once = Run({"--format", "json", "--with-aggregate", e, a});
  REQUIRE(once.exit_code == 0);
  Following run({"-f", "--interval", "0.1", "--format", "json", "--with-aggregate", e, a});
  REQUIRE(run.WaitFor("\"upstream.timeout\""));
  std::this_thread::sleep_for(800ms);  // both inputs quiet: their refs settle at the next snapshot
  CHECK(run.Finish(SIGINT) == 0);
  const json followed = Reports(run.out()).back();
  REQUIRE(followed.contains("aggregate"));
  CHECK(followed["aggregate"].contains("settled"));  // folded while following
  CHECK(followed["aggregate"]["responses"].size() < 40);
  // The same causes, counts and timeline as one plain run, and merge reads it as it reads that.
  json plain = ParseJson(once.out);
  for (const char* key : {"causes", "totals", "timeline"}) CHECK(followed[key] == plain[key]);
  const std::string saved = dir.Write("followed.json", run.out().substr(run.out().rfind("\n{\n") + 1));
  const RunResult merged = Run({"merge", "--format", "json", saved});
  REQUIRE(merged.exit_code == 0);
  const json m = ParseJson(merged.out);
  for (const char* key : {"causes", "totals", "timeline"}) CHECK(m[key] == plain[key]);
}

TEST_CASE("follow: an input that cannot be opened is said at once and the others are followed", "[follow]") {
  TempDir dir;
  const std::string a = dir.Write("a.log", TimeoutLine(1, 1));
  Following run({"-f", "--interval", "0.1", "--format", "json", dir.Path("missing.log"), a});
  REQUIRE(run.WaitFor("\"upstream.timeout\""));
  CHECK(run.err().find("missing.log: cannot open") != std::string::npos);
  CHECK(run.Finish(SIGINT) == 3);
}

namespace {

// An aggregate of one input holding one untied 5xx response at `t`.
Aggregate OneResponse(uint32_t input, TimeUs t) {
  Aggregate agg;
  ResponseRef r;
  r.time = t;
  r.input = input;
  r.line = 1;
  r.status = 502;
  agg.responses.push_back(r);
  agg.access_lines = 1;
  return agg;
}

InputStats Seen(TimeUs last, uint64_t lines) {
  InputStats s;
  s.first_time = s.last_time = last;
  s.timed_lines = s.lines = lines;
  return s;
}

}  // namespace

TEST_CASE("live run: an input still on its way holds settling back, a quiet one does not", "[follow]") {
  const TimeUs t0 = CivilToUtc(CivilTime{2026, 11, 21, 10, 0, 0}, 0);
  const TimeUs minute = 60 * kUsPerSecond;
  LiveRun live(3);
  live.Begin({"access.log", "error.log"});
  Aggregate access = OneResponse(0, t0);
  live.Publish(0, &access, Seen(t0 + 10 * minute, 100), /*quiet=*/true);
  CHECK(access.responses.empty());  // handed over
  // error.log has not said anything yet: its evidence may explain the response.
  CHECK(live.Snapshot().settled.responses == 0);
  // Reading, with times behind the response: still held.
  Aggregate nothing;
  live.Publish(1, &nothing, Seen(t0 - minute, 50), /*quiet=*/false);
  CHECK(live.Snapshot().settled.responses == 0);
  // Past it by more than every window: settled.
  live.Publish(1, &nothing, Seen(t0 + minute, 80), /*quiet=*/false);
  const Aggregate settled = live.Snapshot();
  CHECK(settled.settled.responses == 1);
  CHECK(settled.responses.empty());
  CHECK(settled.inputs.size() == 2);
  CHECK(settled.inputs[1].lines == 80);
  // A quiet input without times (an untimed log read to its end) holds nothing back.
  LiveRun untimed(3);
  untimed.Begin({"access.log", "app.log"});
  Aggregate a = OneResponse(0, t0);
  untimed.Publish(0, &a, Seen(t0 + minute, 10), /*quiet=*/false);
  untimed.Publish(1, &nothing, Seen(kNoTime, 10), /*quiet=*/true);
  CHECK(untimed.Snapshot().settled.responses == 1);
  const uint64_t generation = untimed.generation();
  untimed.Publish(1, &nothing, Seen(kNoTime, 10), /*quiet=*/true);
  CHECK(untimed.generation() == generation);  // nothing new: no redraw
}

namespace {

// A followed input as a script: each step hands out its bytes, an empty step is a pause, and
// after the last step comes the end.
class ScriptedSource : public Source {
 public:
  explicit ScriptedSource(std::vector<std::string> steps) : steps_(std::move(steps)) {}
  Expected<size_t> Read(char* buf, size_t n) override {
    if (next_ == steps_.size()) return size_t{0};
    const std::string& step = steps_[next_++];
    REQUIRE(step.size() <= n);
    std::memcpy(buf, step.data(), step.size());
    return step.size();
  }
  uint64_t raw_bytes() const override { return 0; }
  bool compressed() const override { return false; }
  bool MoreMayCome() const override { return next_ < steps_.size(); }

 private:
  std::vector<std::string> steps_;
  size_t next_ = 0;
};

}  // namespace

TEST_CASE("follow: an entry is complete at a pause, even the first one, which ends the sniffed head", "[follow]") {
  auto rules = LoadRules({}, true);
  REQUIRE(rules);
  auto compiled = RuleSet::Compile(std::move(*rules));
  REQUIRE(compiled);
  for (const bool pause_after_head : {true, false}) {
    INFO("pause after the first line: " << pause_after_head);
    std::vector<std::string> steps = {TimeoutLine(5, 8)};
    if (pause_after_head) steps.push_back("");
    steps.push_back("    continued\n");
    ScriptedSource source(steps);
    LiveRun live(3);
    PipelineOptions o;
    o.inputs = {"error.log"};
    o.live = &live;
    Aggregate agg;
    AnalyseSource(**compiled, &source, 0, o, &agg);
    REQUIRE(agg.inputs.size() == 1);
    CHECK(agg.inputs[0].lines == 2);
    // After a pause the indented line is a line of its own (unparsed); without one it continues the entry.
    CHECK(agg.inputs[0].unparsed_lines == (pause_after_head ? 1u : 0u));
    CHECK(live.Snapshot().inputs[0].lines == 2);
  }
}

TEST_CASE("follow view: elsewhere a report is written when the ranking changes, on a terminal in place, cut to the window",
          "[follow]") {
  std::string text;
  for (int i = 1; i <= 40; ++i) text += "line " + std::to_string(i) + "\n";
  {
    std::FILE* out = std::tmpfile();
    REQUIRE(out);
    FollowView view(out, /*terminal=*/false);
    CHECK(view.Update("nothing yet\n", "", "status"));  // no cause: nothing to say
    CHECK(view.Update("first\n", "a", "status"));
    CHECK(view.Update("same ranking, new counts\n", "a", "status"));
    CHECK(view.Update("second\n", "b\x1e" "a", "status"));
    CHECK(view.Final("final\n"));
    std::rewind(out);
    char buf[256] = {};
    const size_t n = std::fread(buf, 1, sizeof buf - 1, out);
    std::fclose(out);
    CHECK(std::string(buf, n) == "first\n\nsecond\n\nfinal\n");
  }
  {
    std::FILE* out = std::tmpfile();
    REQUIRE(out);
    FollowView view(out, /*terminal=*/true);
    CHECK(view.Update(text, "a", "why500 --follow: status"));
    CHECK(view.Update(text, "a", "why500 --follow: status"));  // drawn again: counts change under one ranking
    std::rewind(out);
    std::string drawn(8192, '\0');
    drawn.resize(std::fread(drawn.data(), 1, drawn.size(), out));
    std::fclose(out);
    CHECK(drawn.rfind("\x1b[?7l\x1b[Hwhy500 --follow: status\x1b[K\n", 0) == 0);  // from the top, no wrapping
    CHECK(drawn.find("line 23\x1b[K\x1b[J") != std::string::npos);  // 24 rows: the status line and 23 of the report
    CHECK(drawn.find("line 24") == std::string::npos);
    CHECK(Count(drawn, '\n') == 2 * 23);
  }
}

TEST_CASE("follow view: the ranking key follows the causes in rank order, up to --top", "[follow]") {
  Group a, b;
  a.cause = "upstream.timeout";
  a.rule_id = "nginx.upstream.timeout";
  a.template_text = "upstream timed out";
  b.cause = "database.connect";
  b.rule_id = "php.pdo.connect";
  b.template_text = "SQLSTATE[HY000] [2002]";
  Report r;
  r.causes.resize(2);
  r.causes[0].group = &a;
  r.causes[1].group = &b;
  const std::string ab = RankingKey(r, 10);
  std::swap(r.causes[0].group, r.causes[1].group);
  CHECK(RankingKey(r, 10) != ab);
  CHECK(RankingKey(r, 1) != RankingKey(r, 10));
  const std::string ba = RankingKey(r, 10);
  b.events = 99;  // counts are not the ranking
  b.http_5xx = 12;
  CHECK(RankingKey(r, 10) == ba);
}

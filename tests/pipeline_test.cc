#include "why500/pipeline.h"

#include <catch2/catch.hpp>

#include "test_support.h"
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "why500/progress.h"
#include "why500/report.h"

using namespace why500;

namespace {

const RuleSet& Rules() { return *DefaultRuleSet(); }

const char* kErrorLog =
    "2026/11/21 10:03:11 [crit] 811#811: *201 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or "
    "directory) while connecting to upstream, client: 203.0.113.7, server: shop, request: \"GET /checkout "
    "HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop\"\n"
    "2026/11/21 10:03:12 [crit] 811#811: *202 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or "
    "directory) while connecting to upstream, client: 203.0.113.8, server: shop, request: \"GET /cart HTTP/1.1\", "
    "upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"shop\"\n";

const char* kAccessLog =
    "203.0.113.7 - - [21/Nov/2026:10:03:11 +0000] \"GET /checkout HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\"\n"
    "203.0.113.8 - - [21/Nov/2026:10:03:12 +0000] \"GET /cart HTTP/1.1\" 502 157 \"-\" \"Mozilla/5.0\"\n"
    "198.51.100.1 - - [21/Nov/2026:10:03:30 +0000] \"GET /other HTTP/1.1\" 500 10 \"-\" \"Mozilla/5.0\"\n"
    "198.51.100.1 - - [21/Nov/2026:10:03:31 +0000] \"GET / HTTP/1.1\" 200 10 \"-\" \"Mozilla/5.0\"\n";

std::string JsonWithoutClock(const PipelineResult& result) {
  Report r = BuildReport(result.agg, 0);
  r.generated_at = 0;
  return RenderJson(r);
}

}  // namespace

TEST_CASE("access 5xx are tied to the error-log event of the same request, the rest are unknown", "[pipeline]") {
  TempFile error_log(kErrorLog), access_log(kAccessLog);
  PipelineOptions o;
  o.inputs = {access_log.path, error_log.path};
  const PipelineResult result = RunPipeline(Rules(), o);
  REQUIRE_FALSE(result.input_error);
  const Report r = BuildReport(result.agg, 0);
  CHECK(r.totals.lines == 6);
  CHECK(r.totals.http_5xx == 3);
  CHECK(r.totals.classified_5xx == 2);
  CHECK(r.totals.unclassified_5xx == 1);
  REQUIRE(r.causes.size() == 2);
  CHECK(r.causes[0].group->cause == "upstream.connect");
  CHECK(r.causes[0].group->http_5xx == 2);
  CHECK(r.causes[0].group->status.at(502) == 2);
  CHECK(r.causes[0].group->events == 2);
  CHECK(r.causes[1].group->cause == "unknown");
  CHECK(r.causes[1].group->http_5xx == 1);
  CHECK(FormatRfc3339(result.agg.first) == "2026-11-21T10:03:11Z");
  CHECK(FormatRfc3339(result.agg.last) == "2026-11-21T10:03:31Z");
}

TEST_CASE("the report does not depend on the thread count", "[pipeline]") {
  TempFile a(kErrorLog), b(kAccessLog), c(std::string(kErrorLog) + kErrorLog);
  PipelineOptions o;
  o.inputs = {a.path, b.path, c.path};
  o.threads = 1;
  const std::string one = JsonWithoutClock(RunPipeline(Rules(), o));
  o.threads = 3;
  const std::string three = JsonWithoutClock(RunPipeline(Rules(), o));
  CHECK(one == three);
}

// Every log of testdata/ in one file, several times over: many batches of every shape (access
// lines, multi-line traces, journald, changes) for the threads that classify one input.
std::string AllTestdataLogs() {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(WHY500_SOURCE_DIR "/testdata")) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name == "expected" || name == "args" || entry.path().extension() == ".gz") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (!all.empty() && all.back() != '\n') all.push_back('\n');
  }
  return all;
}

TEST_CASE("one input classified by several threads gives the one-thread report", "[pipeline]") {
  const std::string once = AllTestdataLogs();
  std::string many;
  while (std::count(many.begin(), many.end(), '\n') < 40000) many += once;
  TempFile f(many);
  PipelineOptions o;
  o.inputs = {f.path};
  o.threads = 1;
  const std::string one = JsonWithoutClock(RunPipeline(Rules(), o));
  for (int threads : {2, 4}) {
    o.threads = threads;
    INFO("threads " << threads);
    CHECK(JsonWithoutClock(RunPipeline(Rules(), o)) == one);
  }
  // Also inside a window, where events outside --since/--until are counted, not classified.
  o.since = CivilToUtc(CivilTime{2026, 11, 21, 10, 0, 0}, 0);
  o.threads = 1;
  const std::string window_one = JsonWithoutClock(RunPipeline(Rules(), o));
  o.threads = 2;
  CHECK(JsonWithoutClock(RunPipeline(Rules(), o)) == window_one);
}

// An access log is parsed ahead by the spare threads (access_prescan.h); lines of every other
// shape between its responses (traces, binary bytes, blank lines, other formats) still reach the
// assembler in order, so the report is the one-thread one.
TEST_CASE("an access log parsed by several threads gives the one-thread report", "[pipeline]") {
  const std::string others = AllTestdataLogs();
  std::string log;
  size_t n = 0, lines = 0;
  for (size_t pos = 0; lines < 60000; ++n) {
    ++lines;
    const int status = n % 97 == 0 ? 502 : n % 89 == 0 ? 504 : n % 13 == 0 ? 404 : 200;
    log += "203.0.113." + std::to_string(n % 250) + " - - [21/Nov/2026:10:" + std::to_string(10 + (n / 2000) % 50) +
           ":" + std::to_string(10 + n % 50) + " +0000] \"GET /p" + std::to_string(n % 7) + " HTTP/1.1\" " +
           std::to_string(status) + " 157 \"-\" \"Mozilla/5.0\"\n";
    if (n % 5 == 0 && n > 200) {  // after the sniffed head, one line of another log every few responses
      const size_t nl = others.find('\n', pos);
      log += others.substr(pos, nl - pos + 1);
      pos = nl + 1 >= others.size() ? 0 : nl + 1;
      ++lines;
    }
    if (n == 30000) log += std::string("\x00\x01" "binary\xff\n", 10);
    if (n % 1001 == 0) {
      log += "198.51.100.7 - - [21/Nov/2026:10:10:10 +0000] \"GET /crlf HTTP/1.1\" 503 1 \"-\" \"x\"\r\n";
    }
    if (n % 7919 == 0) log += std::string(5000, 'L') + "\n";  // past the cap below, cut
  }
  log += "198.51.100.9 - - [21/Nov/2026:11:00:00 +0000] \"GET /last HTTP/1.1\" 500 1 \"-\" \"no newline\"";
  TempFile f(log);
  PipelineOptions o;
  o.inputs = {f.path};
  o.max_line = 4096;  // a worker frames most lines: it cuts them as the reading thread would
  o.threads = 1;
  const PipelineResult single = RunPipeline(Rules(), o);
  REQUIRE(single.agg.inputs[0].format == "access_combined");
  REQUIRE(single.agg.inputs[0].responses_5xx > 500);
  REQUIRE(single.agg.events > single.agg.inputs[0].responses_5xx);  // the other lines made events too
  const std::string one = JsonWithoutClock(single);
  for (int threads : {2, 3}) {
    o.threads = threads;
    INFO("threads " << threads);
    const PipelineResult parallel = RunPipeline(Rules(), o);
    CHECK(JsonWithoutClock(parallel) == one);
    CHECK(parallel.agg.inputs[0].lines == single.agg.inputs[0].lines);
    CHECK(parallel.agg.inputs[0].parsed_lines == single.agg.inputs[0].parsed_lines);
    CHECK(parallel.agg.inputs[0].binary_lines == single.agg.inputs[0].binary_lines);
    CHECK(parallel.agg.inputs[0].truncated_lines == single.agg.inputs[0].truncated_lines);
    CHECK(parallel.agg.inputs[0].missing_final_newline);
  }
  CHECK(single.agg.inputs[0].truncated_lines >= 7);
}

TEST_CASE("every line is counted: parsed plus unparsed", "[pipeline]") {
  TempFile f(std::string(kErrorLog) + "garbage\n\x01\x02\x03\x04\x05\x06\x07\x08\n" + kAccessLog + "last line no newline");
  PipelineOptions o;
  o.inputs = {f.path};
  const PipelineResult result = RunPipeline(Rules(), o);
  REQUIRE(result.agg.inputs.size() == 1);
  const InputStats& in = result.agg.inputs[0];
  CHECK(in.lines == 9);
  CHECK(in.missing_final_newline);
  CHECK(in.parsed_lines + in.unparsed_lines == in.lines);
  CHECK(in.binary_lines == 1);
  CHECK(in.format == "access_combined");  // 4 of the first lines are access lines, 2 nginx
  CHECK(in.unparsed_lines == 2);           // binary and the last line (garbage continues nginx's entry)
  CHECK(result.agg.evidence_events == 2);  // the nginx lines are still read as nginx
}

TEST_CASE("a missing input is reported and the others still analysed", "[pipeline]") {
  TempFile a(kErrorLog);
  PipelineOptions o;
  o.inputs = {"/nonexistent/why500.log", a.path};
  const PipelineResult result = RunPipeline(Rules(), o);
  CHECK(result.input_error);
  REQUIRE(result.agg.inputs.size() == 2);
  CHECK(result.agg.inputs[0].error.find("No such file or directory") != std::string::npos);
  CHECK(result.agg.inputs[1].error.empty());
  CHECK(result.agg.evidence_events == 2);
}

TEST_CASE("a benign rule that wins makes the event no evidence", "[pipeline]") {
  auto parsed = ParseRuleFile(R"({"rules": [
    {"id": "t.catch-all", "cause": "app.exception", "subcause": "error", "priority": 10, "confidence": "low",
     "pattern": "production\\.ERROR", "hint": "h", "examples": ["x"], "counter_examples": ["y"]},
    {"id": "t.not-found", "cause": "none", "subcause": "http-404", "priority": 30, "confidence": "high",
     "pattern": "NotFoundHttpException", "hint": "h", "examples": ["x"], "counter_examples": ["y"]}]})",
                              "t.json");
  REQUIRE(parsed.ok());
  auto rules = RuleSet::Compile(std::move(*parsed));
  REQUIRE(rules.ok());
  auto source = MemorySource(
      "[2026-11-21 10:00:00] production.ERROR: No query results {\"exception\":\"[object] "
      "(Symfony\\\\Component\\\\HttpKernel\\\\Exception\\\\NotFoundHttpException(code: 0))\"}\n"
      "[2026-11-21 10:00:01] production.ERROR: Undefined index: total\n");
  PipelineOptions o;
  Aggregate agg;
  AnalyseSource(**rules, source.get(), 0, o, &agg);
  CHECK(agg.evidence_events == 1);
  REQUIRE(agg.groups.size() == 1);
  CHECK(agg.groups[0].rule_id == "t.catch-all");
  CHECK(agg.groups[0].first_line == 2);
}

namespace {

Report ReportOf(const std::string& log) {
  TempFile f(log);
  PipelineOptions o;
  o.inputs = {f.path};
  static PipelineResult result;
  result = RunPipeline(Rules(), o);
  return BuildReport(result.agg, 0);
}

}  // namespace

TEST_CASE("an app's exception explains the 5xx line it writes right after", "[pipeline]") {
  const Report untimed = ReportOf(
      "Traceback (most recent call last):\n"
      "  File \"/app/main.py\", line 12, in checkout\n"
      "    total = order['total']\n"
      "KeyError: 'total'\n"
      "INFO:     172.18.0.1:51234 - \"POST /checkout HTTP/1.1\" 500 Internal Server Error\n");
  REQUIRE(untimed.causes.size() == 1);
  CHECK(untimed.causes[0].group->cause == "app.exception");
  CHECK(untimed.causes[0].group->http_5xx == 1);
  const Report timed = ReportOf(
      "[2026-11-21 10:00:00 +0000] [8] [ERROR] Exception in worker process\n"
      "Traceback (most recent call last):\n"
      "  File \"/app/x.py\", line 3, in f\n"
      "ZeroDivisionError: division by zero\n"
      "10.0.0.9 - - [21/Nov/2026:10:00:01 +0000] \"GET /report HTTP/1.1\" 500 0 \"-\" \"curl/8\"\n");
  REQUIRE_FALSE(timed.causes.empty());
  CHECK(timed.causes[0].group->cause == "app.exception");
  CHECK(timed.totals.unclassified_5xx == 0);
}

TEST_CASE("a backend's 5xx counts once: the proxy's line holds it", "[pipeline]") {
  const std::string proxy = "172.19.0.1 - - [21/Nov/2026:10:01:03 +0000] \"GET / HTTP/1.1\" 500 5 \"-\" \"curl/8\"\n";
  const std::string backend = "172.19.0.4 -  21/Nov/2026:10:01:03 +0000 \"GET /index.php\" 500\n";
  const Report both = ReportOf(backend + proxy);
  CHECK(both.totals.http_5xx == 1);
  const Report alone = ReportOf(backend);
  CHECK(alone.totals.http_5xx == 1);
  REQUIRE(alone.causes.size() == 1);
  CHECK(alone.causes[0].group->cause == "unknown");
}

TEST_CASE("progress: the line's text, and the total known only for plain files", "[pipeline]") {
  CHECK(ProgressText(512'000'000, 1'024'000'000, 2.0) == "why500: 512 MB read (50%), 256 MB/s");
  CHECK(ProgressText(1'500'000'000, 0, 3.0) == "why500: 1.5 GB read, 500 MB/s");
  TempFile a(kErrorLog), b(kAccessLog);
  CHECK(KnownInputBytes({a.path, b.path}) == std::string(kErrorLog).size() + std::string(kAccessLog).size());
  CHECK(KnownInputBytes({a.path, "-"}) == 0);
  CHECK(KnownInputBytes({a.path, "logs/error.log.2.gz"}) == 0);
  // Every byte read is counted for the progress line, whichever input it came from.
  std::atomic<uint64_t> bytes{0};
  PipelineOptions o;
  o.inputs = {a.path, b.path};
  o.bytes_read = &bytes;
  RunPipeline(Rules(), o);
  CHECK(bytes.load() == KnownInputBytes({a.path, b.path}));
}

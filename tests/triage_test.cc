// Triage: onset, timing, correlation order, inference, root causes, blind spots, --since/--until
// and the Markdown report, each through the real pipeline on small logs.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "test_support.h"
#include "why500/aggregate.h"
#include "why500/changes.h"
#include "why500/pipeline.h"
#include "why500/report.h"
#include "why500/time_bound.h"
#include "why500/timeline.h"

using namespace why500;

namespace {

struct TempFiles {
  ~TempFiles() {
    for (const std::string& p : paths) std::remove(p.c_str());
  }
  std::string Add(const std::string& content) {
    char tmpl[] = "/tmp/why500-triage-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
    paths.emplace_back(tmpl);
    return tmpl;
  }
  std::vector<std::string> paths;
};

struct Triaged {
  PipelineResult result;
  Report report;
};

// Runs the pipeline on `logs` and builds the report; the result outlives the report's pointers.
std::unique_ptr<Triaged> Triage(const std::vector<std::string>& logs, PipelineOptions o = {}) {
  static TempFiles files;  // removed at exit; each call adds its own
  for (const std::string& content : logs) o.inputs.push_back(files.Add(content));
  auto t = std::make_unique<Triaged>(Triaged{RunPipeline(*DefaultRuleSet(), o), Report{}});
  t->report = BuildReport(t->result.agg, 0);
  return t;
}

const RankedCause* Find(const Report& r, std::string_view cause) {
  for (const RankedCause& c : r.causes) {
    if (c.group->cause == cause) return &c;
  }
  return nullptr;
}

std::string NginxTime(int minute, int second) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026/11/21 10:%02d:%02d", minute, second);
  return buf;
}
std::string AccessTime(int minute, int second) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "[21/Nov/2026:10:%02d:%02d +0000]", minute, second);
  return buf;
}

std::string ConnectRefused(int minute, int second, const std::string& client, const std::string& path) {
  return NginxTime(minute, second) + " [error] 812#812: *" + std::to_string(minute * 100 + second) +
         " connect() failed (111: Connection refused) while connecting to upstream, client: " + client +
         ", server: shop.example.com, request: \"GET " + path + " HTTP/1.1\", upstream: \"http://127.0.0.1:8080" +
         path + "\", host: \"shop.example.com\"\n";
}

std::string Access(int minute, int second, const std::string& client, const std::string& path, int status) {
  return client + " - - " + AccessTime(minute, second) + " \"GET " + path + " HTTP/1.1\" " + std::to_string(status) +
         " 157 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\"\n";
}

}  // namespace

// =============================================================================================
// Onset and timing

TEST_CASE("onset: the first bucket that clearly leaves the baseline", "[triage][onset]") {
  SECTION("quiet, then a spike") {
    const Onset o = DetectOnset({0, 0, 1, 0, 0, 14, 30, 28, 9});
    REQUIRE(o.found);
    CHECK(o.bucket == 5);
    CHECK(o.peak == 30);
    CHECK(o.peak_bucket == 6);
    CHECK_FALSE(o.at_log_start);
  }
  SECTION("a lone small burst long before a big spike is not the onset") {
    const Onset o = DetectOnset({0, 4, 0, 0, 0, 0, 0, 0, 60, 80, 75});
    REQUIRE(o.found);
    CHECK(o.bucket == 8);
  }
  SECTION("a steady background of errors is the baseline, not the onset") {
    const Onset o = DetectOnset({5, 4, 6, 5, 5, 4, 6, 40, 45, 38});
    REQUIRE(o.found);
    CHECK(o.bucket == 7);
    CHECK(o.baseline == Approx(5));
  }
  SECTION("logs that begin inside the incident say so") {
    const Onset o = DetectOnset({20, 25, 22, 3, 0});
    REQUIRE(o.found);
    CHECK(o.bucket == 0);
    CHECK(o.at_log_start);
  }
  SECTION("failures at the same rate throughout have no onset") {
    const Onset o = DetectOnset({12, 9, 11, 10, 13, 8, 12, 10});
    CHECK_FALSE(o.found);
    CHECK(o.steady);
    CHECK(o.baseline == Approx(11));
  }
  SECTION("too few failures for any onset") {
    CHECK_FALSE(DetectOnset({0, 1, 2, 1, 0}).found);
    CHECK_FALSE(DetectOnset({}).found);
  }
}

TEST_CASE("timing: where a cause began relative to the onset", "[triage][onset]") {
  const Onset onset = DetectOnset({0, 0, 0, 0, 0, 0, 20, 30, 25, 20});
  REQUIRE(onset.bucket == 6);
  CHECK(CauseTiming({0, 0, 0, 0, 0, 0, 18, 25, 20, 19}, onset) == Timing::kAt);
  CHECK(CauseTiming({0, 0, 0, 0, 0, 1, 5, 5, 5, 5}, onset) == Timing::kAt);  // one bucket early is "at"
  CHECK(CauseTiming({3, 2, 3, 3, 2, 3, 3, 2, 3, 3}, onset) == Timing::kBefore);  // chronic, flat
  CHECK(CauseTiming({1, 0, 1, 1, 0, 1, 9, 12, 10, 8}, onset) == Timing::kGrew);
  CHECK(CauseTiming({0, 0, 0, 0, 0, 0, 0, 0, 4, 4}, onset) == Timing::kAfter);
  CHECK(CauseTiming({0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, onset) == Timing::kUnknown);
  CHECK(CauseTiming({1, 2, 3}, Onset{}) == Timing::kUnknown);
}

TEST_CASE("a low-volume cause that starts at onset outranks a chronic high-volume warning", "[triage][rank]") {
  // Fifty minutes of php-fpm "seems busy" warnings, ten a minute, before and through the spike;
  // then three minutes of refused connections at the proxy, three a minute, each a 502.
  std::string fpm, error, access;
  for (int m = 0; m < 53; ++m) {
    for (int k = 0; k < 10; ++k) {
      char t[32];
      std::snprintf(t, sizeof t, "[21-Nov-2026 10:%02d:%02d]", m, k * 6);
      fpm += std::string(t) + " WARNING: [pool www] seems busy (you may need to increase pm.start_servers, or "
             "pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 5 total children\n";
    }
    access += Access(m, 30, "192.0.2.1", "/", 200);
  }
  for (int m = 50; m < 53; ++m) {
    for (int k = 0; k < 3; ++k) {
      const std::string client = "203.0.113." + std::to_string(m + k);
      error += ConnectRefused(m, k * 7, client, "/checkout");
      access += Access(m, k * 7, client, "/checkout", 502);
    }
  }
  const auto t = Triage({access, error, fpm});
  const Report& r = t->report;
  REQUIRE(r.onset.found);
  REQUIRE(r.causes.size() >= 2);
  CHECK(r.causes[0].group->cause == "upstream.connect");
  CHECK(r.causes[0].timing == Timing::kAt);
  const RankedCause* busy = Find(r, "resource.capacity");
  REQUIRE(busy);
  CHECK(busy->timing == Timing::kBefore);
  CHECK(busy->group->events > 50 * r.causes[0].group->events);
  // Chronic and flat, it is not the root of the refused connections either.
  CHECK(r.causes[0].explained_by == 0);
}

// =============================================================================================
// Correlation order

TEST_CASE("correlation: a request id ties first, whatever the clock says", "[triage][correlate]") {
  PipelineOptions o;
  auto format = AccessFormat::Compile(
      "$remote_addr - - [$time_local] \"$request\" $status $body_bytes_sent $request_id $upstream_status "
      "$upstream_response_time");
  REQUIRE(format.ok());
  o.access_format = std::make_shared<const AccessFormat>(std::move(*format));
  // The app logs the database error for request r-42 at 10:05, with a clock 2 minutes off; a
  // socket error of another client is at the same second as the access line.
  const std::string app =
      "{\"time\":\"2026-11-21T10:05:00Z\",\"level\":\"error\",\"request_id\":\"r-42\","
      "\"msg\":\"SQLSTATE[HY000] [2002] Connection refused\"}\n";
  const std::string error = ConnectRefused(3, 0, "198.51.100.77", "/other");
  const std::string access =
      "203.0.113.5 - - [21/Nov/2026:10:03:00 +0000] \"GET /checkout HTTP/1.1\" 500 10 r-42 500 0.020\n";
  const auto t = Triage({access, error, app}, o);
  const Report& r = t->report;
  const RankedCause* db = Find(r, "database.connect");
  REQUIRE(db);
  CHECK(db->group->http_5xx == 1);
  CHECK(db->group->ties[static_cast<int>(Tie::kRequestId)] == 1);
  const RankedCause* connect = Find(r, "upstream.connect");
  REQUIRE(connect);
  CHECK(connect->group->http_5xx == 0);
}

// RequestIdOf first asks whether the text holds "_id" or "-id" at all, with a search that must
// not stop short of the text's end: a marker at every offset of texts of many lengths is found,
// and a near miss is not.
TEST_CASE("correlation: a request id written in the text is found wherever it stands", "[triage][correlate]") {
  for (const std::string marker : {"request_id=", "X-Request-ID: ", "\"request_id\":\"", "req_id="}) {
    for (size_t before = 0; before < 40; ++before) {
      for (size_t after = 0; after < 20; ++after) {
        Event e;
        e.text = std::string(before, 'a') + marker + "r-42" + (after > 0 ? " " + std::string(after - 1, 'b') : "");
        INFO(e.text);
        CHECK(RequestIdOf(e) == "r-42");
      }
    }
  }
  Event e;
  for (const std::string text : {"request_ie=r-42", "request.id=r-42", "X-Request-Ix: r-42", "_i", "-", ""}) {
    e.text = std::string(17, '-') + text;
    CHECK(RequestIdOf(e).empty());
  }
  e.text = "no id here";
  e.request_id = "own";
  CHECK(RequestIdOf(e) == "own");  // the event's own field first
}

TEST_CASE("correlation: same request before same client before same log before the clock", "[triage][correlate]") {
  const std::string error = ConnectRefused(3, 0, "203.0.113.1", "/a") +          // request of the first 502
                            NginxTime(3, 10) + " [error] 812#812: *9 upstream timed out (110: Connection timed out) "
                            "while reading response header from upstream, client: 203.0.113.2, server: s, request: "
                            "\"GET /elsewhere HTTP/1.1\", upstream: \"http://127.0.0.1:8080/elsewhere\", host: \"s\"\n" +
                            ConnectRefused(3, 30, "198.51.100.9", "/z");  // only the clock ties it to the third
  const std::string access = Access(3, 1, "203.0.113.1", "/a", 502) +  // same request, 1 s later
                             Access(3, 10, "203.0.113.2", "/b", 504) +  // same client, other path
                             Access(3, 31, "192.0.2.200", "/c", 502) +  // nobody's: the clock alone
                             Access(3, 31, "192.0.2.201", "/d", 500);   // a 500 is no connection failure
  const auto t = Triage({access, error});
  const Report& r = t->report;
  const RankedCause* connect = Find(r, "upstream.connect");
  const RankedCause* timeout = Find(r, "upstream.timeout");
  REQUIRE(connect);
  REQUIRE(timeout);
  CHECK(connect->group->ties[static_cast<int>(Tie::kRequest)] + connect->group->ties[static_cast<int>(Tie::kTimeWindow)] == 2);
  CHECK(timeout->group->ties[static_cast<int>(Tie::kClient)] == 1);
  uint64_t by_time = 0;
  for (const Group& g : t->result.agg.groups) by_time += g.ties[static_cast<int>(Tie::kTimeWindow)];
  CHECK(by_time == 1);
  CHECK(r.totals.unclassified_5xx == 1);  // the 500: nothing near it can give a 500
  CHECK(Find(r, "unknown"));
}

TEST_CASE("an access log alone: 504 at a round timeout and 502 without an upstream status are inferred",
          "[triage][correlate]") {
  PipelineOptions o;
  auto format = AccessFormat::Compile(
      "$remote_addr - - [$time_local] \"$request\" $status $body_bytes_sent $upstream_status $upstream_response_time");
  REQUIRE(format.ok());
  o.access_format = std::make_shared<const AccessFormat>(std::move(*format));
  const std::string access =
      "203.0.113.5 - - [21/Nov/2026:10:03:00 +0000] \"GET /report HTTP/1.1\" 504 160 504 60.002\n"
      "203.0.113.6 - - [21/Nov/2026:10:03:01 +0000] \"GET /report HTTP/1.1\" 504 160 504 60.001\n"
      "203.0.113.7 - - [21/Nov/2026:10:03:02 +0000] \"GET /cart HTTP/1.1\" 502 157 - -\n"
      "203.0.113.8 - - [21/Nov/2026:10:03:03 +0000] \"GET /slow HTTP/1.1\" 504 160 504 47.310\n"
      "203.0.113.9 - - [21/Nov/2026:10:03:04 +0000] \"GET /app HTTP/1.1\" 500 10 500 0.120\n"
      "203.0.113.9 - - [21/Nov/2026:10:03:05 +0000] \"GET / HTTP/1.1\" 200 10 200 0.010\n";
  const auto t = Triage({access}, o);
  const Report& r = t->report;
  const RankedCause* timeout = Find(r, "upstream.timeout");
  REQUIRE(timeout);
  CHECK(timeout->group->inferred);
  CHECK(timeout->group->http_5xx == 2);
  CHECK(timeout->group->confidence == Confidence::kLow);
  CHECK(timeout->group->ties[static_cast<int>(Tie::kInferred)] == 2);
  CHECK_THAT(timeout->group->template_text, Catch::Contains("60 s"));
  const RankedCause* connect = Find(r, "upstream.connect");
  REQUIRE(connect);
  CHECK(connect->group->inferred);
  CHECK(connect->group->http_5xx == 1);
  // A 47 s wait is no round timeout, and a 500 the backend sent is the backend's: unknown.
  CHECK(r.totals.unclassified_5xx == 2);
  const RankedCause* unknown = Find(r, "unknown");
  REQUIRE(unknown);
  CHECK(unknown->group->http_5xx == 2);
}

// =============================================================================================
// Root cause above symptom

TEST_CASE("a database outage is the root of the proxy timeouts of the same minutes", "[triage][root]") {
  std::string app, error, access;
  for (int m = 10; m < 16; ++m) {
    for (int s = 0; s < 60; s += 6) {
      char t[32];
      std::snprintf(t, sizeof t, "2026-11-21T10:%02d:%02dZ", m, s);
      app += std::string("{\"time\":\"") + t + "\",\"level\":\"error\",\"msg\":\"could not connect to server: "
             "Connection refused\\n\\tIs the server running on host \\\"10.0.0.5\\\" and accepting TCP/IP "
             "connections on port 5432?\"}\n";
    }
    for (int s = 3; s < 60; s += 20) {
      const std::string client = "203.0.113." + std::to_string(m * 3 + s / 20);
      error += NginxTime(m, s) + " [error] 812#812: *1 upstream timed out (110: Connection timed out) while reading "
               "response header from upstream, client: " + client + ", server: s, request: \"GET /orders "
               "HTTP/1.1\", upstream: \"http://127.0.0.1:8000/orders\", host: \"s\"\n";
      access += Access(m, s, client, "/orders", 504);
    }
  }
  for (int m = 0; m < 10; ++m) access += Access(m, 1, "192.0.2.1", "/", 200);
  const auto t = Triage({access, error, app});
  const Report& r = t->report;
  REQUIRE(r.causes.size() >= 2);
  CHECK(r.causes[0].group->cause == "database.connect");
  CHECK(r.causes[1].group->cause == "upstream.timeout");
  CHECK(r.causes[1].explained_by == 1);
  CHECK(r.causes[0].explains == std::vector<int>{2});
  CHECK(r.causes[0].score >= r.causes[1].score);
}

TEST_CASE("a PHP memory limit of one request is no root of a missing socket", "[triage][root]") {
  const std::string error =
      NginxTime(3, 11) + " [error] 1046#1046: *2526 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Allowed "
      "memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /var/www/x.php on line 4\" while "
      "reading response header from upstream, client: 192.0.2.50, server: s, request: \"GET /r HTTP/1.1\", upstream: "
      "\"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"s\"\n" +
      NginxTime(3, 12) + " [crit] 1046#1046: *2094 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file "
      "or directory) while connecting to upstream, client: 203.0.113.7, server: s, request: \"GET /c HTTP/1.1\", "
      "upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"s\"\n";
  const auto t = Triage({error});
  for (const RankedCause& c : t->report.causes) {
    CHECK(c.explained_by == 0);
    CHECK(c.explains.empty());
  }
}

// =============================================================================================
// Blind spots

TEST_CASE("blind spots: journald suppression, silences and rotation gaps are said out loud", "[triage][blind]") {
  const std::string journal =
      "Nov 21 10:00:01 web1 nginx[811]: 2026/11/21 10:00:01 [error] 811#811: *1 connect() failed (111: Connection "
      "refused) while connecting to upstream, client: 192.0.2.1, server: s, request: \"GET / HTTP/1.1\", upstream: "
      "\"http://127.0.0.1:8080/\", host: \"s\"\n"
      "Nov 21 10:00:02 web1 systemd-journald[245]: Suppressed 1532 messages from nginx.service\n"
      "Nov 21 10:00:03 web1 php-fpm[900]: [12.3K blob data]\n";
  std::string access;
  for (int s = 0; s < 300; s += 10) access += Access(s / 60, s % 60, "192.0.2.1", "/", 200);
  for (int s = 0; s < 300; s += 10) access += Access(40 + s / 60, s % 60, "192.0.2.1", "/", 502);
  SetAssumedYear(2026);
  const auto t = Triage({journal, access});
  SetAssumedYear(0);
  std::map<std::string, uint64_t> kinds;
  for (const BlindSpot& b : t->report.blind_spots) kinds[b.kind] = b.count;
  CHECK(kinds["journal_suppressed"] == 1532);
  CHECK(kinds["journal_blobs"] == 1);
  CHECK(kinds["gap"] == (40 * 60) - (4 * 60 + 50));  // 10:04:50 to 10:40:00
  CHECK(kinds.count("no_evidence") == 1);
}

TEST_CASE("blind spots: a rotation set with minutes missing between two files", "[triage][blind]") {
  char tmpl[] = "/tmp/why500-rotation-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  auto write = [](const std::string& path, const std::string& content) {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  };
  write(dir + "/site.log.1", Access(0, 0, "192.0.2.1", "/", 200) + Access(5, 0, "192.0.2.1", "/", 200));
  write(dir + "/site.log", Access(50, 0, "192.0.2.1", "/", 200) + Access(51, 0, "192.0.2.1", "/", 502));
  PipelineOptions o;
  o.inputs = {dir};
  const PipelineResult result = RunPipeline(*DefaultRuleSet(), o);
  const Report r = BuildReport(result.agg, 0);
  std::remove((dir + "/site.log.1").c_str());
  std::remove((dir + "/site.log").c_str());
  ::rmdir(dir.c_str());
  bool found = false;
  for (const BlindSpot& b : r.blind_spots) {
    if (b.kind != "rotation_gap") continue;
    found = true;
    CHECK(b.count == 45 * 60);
    CHECK(b.input == dir + "/site.log");
  }
  CHECK(found);
}

TEST_CASE("blind spots: no access log means no 5xx counts", "[triage][blind]") {
  const auto t = Triage({ConnectRefused(3, 0, "192.0.2.1", "/")});
  REQUIRE_FALSE(t->report.blind_spots.empty());
  CHECK(t->report.blind_spots.back().kind == "no_access_log");
}

// =============================================================================================
// --since / --until

TEST_CASE("time bounds: spans back from now and the logs' own shapes", "[triage][since]") {
  setenv("TZ", "UTC", 1);
  tzset();
  const TimeUs now = CivilToUtc({2026, 11, 21, 12, 0, 0, 0}, 0);
  auto at = [](int h, int m, int s) { return CivilToUtc({2026, 11, 21, h, m, s, 0}, 0); };
  CHECK(*ParseTimeBound("15m", now) == at(11, 45, 0));
  CHECK(*ParseTimeBound("-2h", now) == at(10, 0, 0));
  CHECK(*ParseTimeBound("1d", now) == CivilToUtc({2026, 11, 20, 12, 0, 0, 0}, 0));
  CHECK(*ParseTimeBound("90s ago", now) == at(11, 58, 30));
  CHECK(*ParseTimeBound("now", now) == now);
  CHECK(*ParseTimeBound("2026-11-21T10:00:00Z", now) == at(10, 0, 0));
  CHECK(*ParseTimeBound("2026-11-21T11:00:00+01:00", now) == at(10, 0, 0));
  CHECK(*ParseTimeBound("2026-11-21 10:00", now) == at(10, 0, 0));
  CHECK(*ParseTimeBound("2026/11/21 10:00:30", now) == at(10, 0, 30));
  CHECK(*ParseTimeBound("2026-11-21", now) == at(0, 0, 0));
  for (const char* bad : {"", "yesterday", "15", "15x", "2026-13-01", "2026-11-21 25:00", "10:00"}) {
    INFO(bad);
    CHECK_FALSE(ParseTimeBound(bad, now).ok());
  }
}

TEST_CASE("since and until bounds leave out timed events outside the window and count them", "[triage][since]") {
  const std::string error = ConnectRefused(1, 0, "192.0.2.1", "/") + ConnectRefused(5, 0, "192.0.2.2", "/") +
                            ConnectRefused(9, 0, "192.0.2.3", "/");
  PipelineOptions o;
  o.since = CivilToUtc({2026, 11, 21, 10, 4, 0, 0}, 0);
  o.until = CivilToUtc({2026, 11, 21, 10, 6, 0, 0}, 0);
  const auto t = Triage({error}, o);
  CHECK(t->report.totals.evidence_events == 1);
  CHECK(t->result.agg.inputs[0].outside_window == 2);
  CHECK(t->result.agg.inputs[0].lines == 3);
}

// =============================================================================================
// Markdown

TEST_CASE("markdown: log text can neither steer a terminal nor restyle the page", "[triage][markdown]") {
  const std::string hostile =
      NginxTime(3, 0) + " [error] 812#812: *1 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 192.0.2.1, server: s, request: \"GET /x```\x1b[31m|pwn|\x1b]8;;http://evil\x07 HTTP/1.1\", "
      "upstream: \"http://127.0.0.1:8080/\", host: \"s\"\n";
  const auto t = Triage({hostile});
  TextOptions o;
  const std::string md = RenderMarkdown(t->report, o);
  CHECK(md.find('\x1b') == std::string::npos);
  CHECK(md.find('\x07') == std::string::npos);
  CHECK_THAT(md, Catch::Contains("\\x1b[31m"));
  CHECK_THAT(md, Catch::Contains("## why500: most likely `upstream.connect`"));
  CHECK_THAT(md, Catch::Contains("| 1 | `upstream.connect`"));
  // The example fence is longer than the backtick run inside it.
  CHECK_THAT(md, Catch::Contains("````text\n"));
}

// =============================================================================================
// Changes

// Failures from 10:12:00 on, for the changes before them: refused connections every 5 s.
std::string RefusedAtTwelve() {
  std::string error;
  for (int s = 0; s < 60; s += 5) error += ConnectRefused(12, s, "192.0.2." + std::to_string(s + 1), "/");
  return error;
}

TEST_CASE("changes: a worker recycle is no change, migrations with a restart are a deploy", "[triage][changes]") {
  const std::string app =
      "[2026-11-21 10:07:12 +0000] [813] [INFO] Autorestarting worker after current request.\n"
      "[2026-11-21 10:07:12 +0000] [813] [INFO] Worker exiting (pid: 813)\n"
      "[2026-11-21 10:07:13 +0000] [805] [INFO] Booting worker with pid: 1377\n"
      "2026-11-21 10:09:00,001 INFO Running migrations:\n"
      "2026-11-21 10:09:01,002 INFO   Applying shop.0042_order_index... OK\n"
      "[2026-11-21 10:09:03 +0000] [805] [INFO] Booting worker with pid: 1400\n"
      "[2026-11-21 10:12:13 +0000] [805] [INFO] Booting worker with pid: 1401\n";
  const auto t = Triage({app, RefusedAtTwelve()});
  const std::vector<Change>& changes = t->result.agg.changes;
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].kind == "recycle");
  CHECK(changes[1].kind == "deploy");
  CHECK(changes[2].kind == "start");
  REQUIRE(t->report.last_change);
  // The failures begin at 10:12:00: the worker booted at 10:12:13 came after, the deploy before.
  CHECK(t->report.last_change->kind == "deploy");
  CHECK(t->report.last_change->line == 4);
}

TEST_CASE("changes: each server's phrase is found anywhere in a message, the first listed winning", "[triage][changes]") {
  auto kind_of = [](const std::string& message) {
    Event e;
    e.format = Format::kGeneric;
    e.message = message;
    return std::string(DetectChange(e));
  };
  CHECK(kind_of("signal process started") == "reload");
  CHECK(kind_of("2026/11/21 10:00:00 [notice] 1#1: signal process started") == "reload");
  CHECK(kind_of("AH00489: Apache/2.4.57 (Debian) configured -- resuming normal operations") == "restart");
  CHECK(kind_of("NOTICE: fpm is running, pid 812 ... ready to handle connections") == "start");
  CHECK(kind_of("== 20261121101500 AddIndex: migrating =======") == "migration");
  CHECK(kind_of("Terminating ...") == "stop");
  CHECK(kind_of("Terminating ..") == "");
  CHECK(kind_of("signal process starte") == "");
  CHECK(kind_of("SIGNAL PROCESS STARTED") == "");  // the servers write them so; case counts
  CHECK(kind_of("") == "");
  CHECK(kind_of("abc") == "");
  // Two phrases: the one listed first (gunicorn's boot, a start) wins over the later migration.
  CHECK(kind_of("Running migrations: then Booting worker with pid: 12") == "start");
  CHECK(kind_of("x Booting worker with pid: 12 and Running migrations") == "start");
  // The scan samples positions: each phrase is found wherever it starts, at the very end of a
  // message too, and one cut short by a byte is not.
  for (const std::string phrase : {"Listening at: ", "Migrating: ", "reconfiguring", "Terminating ..."}) {
    for (size_t at = 0; at < 24; ++at) {
      INFO(phrase << " at " << at);
      const std::string before(at, 'x');
      CHECK_FALSE(kind_of(before + phrase + " and more").empty());
      CHECK_FALSE(kind_of(before + phrase).empty());
      CHECK(kind_of(before + phrase.substr(1)).empty());
      CHECK(kind_of(before + phrase.substr(0, phrase.size() - 1)).empty());
    }
  }
}

TEST_CASE("changes: logins' session scopes are no change, the service they restart is", "[triage][changes]") {
  const std::string journal =
      "2026-11-21T10:00:02+0000 web02 systemd[1]: Started session-5204.scope - Session 5204 of User deploy.\n"
      "2026-11-21T10:03:40+0000 web02 systemd[1]: session-5204.scope: Deactivated successfully.\n"
      "2026-11-21T10:04:00+0000 web02 systemd[1]: Stopping session-5205.scope - Session 5205 of User root...\n"
      "2026-11-21T10:10:02+0000 web02 systemd[1]: Stopped php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager.\n"
      "2026-11-21T10:10:03+0000 web02 systemd[1]: Started session-5206.scope - Session 5206 of User deploy.\n";
  const auto t = Triage({journal, RefusedAtTwelve()});
  const std::vector<Change>& changes = t->result.agg.changes;
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].kind == "stop");
  CHECK(changes[0].line == 4);
  // A service whose name starts with "session-" is a service.
  Event e;
  e.format = Format::kSyslog;
  e.join_key = "systemd";
  e.message = "Started session-cleanup.service - Clean up old sessions.";
  CHECK(DetectChange(e) == "start");
  e.message = "session-5204.scope: Deactivated successfully.";
  CHECK(DetectChange(e).empty());
}

// =============================================================================================
// Any number of inputs, in any order

TEST_CASE("the same incident read in any input order ranks the same causes", "[triage][correlate]") {
  const std::string dir = std::string(WHY500_SOURCE_DIR) + "/testdata/incident-db-root/";
  auto summary = [&](const std::vector<std::string>& names) {
    PipelineOptions o;
    for (const std::string& n : names) o.inputs.push_back(dir + n);
    const PipelineResult result = RunPipeline(*DefaultRuleSet(), o);
    const Report r = BuildReport(result.agg, 0);
    std::string s;
    for (const RankedCause& c : r.causes) {
      s += c.group->rule_id + " " + std::to_string(c.group->events) + " " + std::to_string(c.group->http_5xx) + " " +
           std::string(TimingName(c.timing)) + " root=" + std::to_string(c.explained_by) + "\n";
    }
    return s + FormatRfc3339(r.onset_time);
  };
  const std::string forward = summary({"error.log", "access.log", "app.log"});
  CHECK_THAT(forward, Catch::StartsWith("database.database.connect.refused"));
  CHECK(summary({"app.log", "access.log", "error.log"}) == forward);
  CHECK(summary({"access.log", "app.log", "error.log"}) == forward);
}

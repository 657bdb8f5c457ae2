// `why500 merge` and `--with-aggregate`: reports of the parts of some logs, merged, equal the
// report of all the parts read together; a merge of merges equals one merge of all; bad reports
// exit 2 naming the file and the problem; the aggregate's JSON round-trips exactly.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_support.h"
#include "test_support.h"
#include "why500/aggregate_json.h"
#include "why500/correlate.h"
#include "why500/pipeline.h"
#include "why500/report.h"
#include "why500/settle.h"

namespace {

using namespace why500_cli_test;
using nlohmann::json;

const std::string kTestdata = WHY500_SOURCE_DIR "/testdata/";

// Cases with several causes, ties of several kinds, changes, an `unknown` cause, tracebacks.
const std::vector<std::pair<std::string, std::vector<std::string>>> kCases = {
    {"incident-db-root", {"error.log", "access.log", "app.log"}},
    {"mixed-inputs", {"error.log", "access.log"}},
    {"incident-reload", {"error.log", "access.log"}},
    {"sample-incident", {"error.log", "access.log"}},
};

// Whether `line` starts an entry (a date, an address, a bracketed header) rather than going on
// with one (a traceback's "  File ...", "Traceback ...", an exception's own line).
bool StartsEntry(const std::string& line) {
  return !line.empty() && ((line[0] >= '0' && line[0] <= '9') || line[0] == '[');
}

// `text` cut into `parts` pieces at line boundaries that start an entry, so that no multi-line
// event is cut; each piece but the last ends with its newline.
std::vector<std::string> Split(const std::string& text, size_t parts) {
  std::vector<std::string> pieces;
  size_t from = 0;
  for (size_t k = 1; k < parts; ++k) {
    size_t at = text.find('\n', text.size() * k / parts);
    while (at != std::string::npos && !StartsEntry(text.substr(at + 1, 1))) at = text.find('\n', at + 1);
    REQUIRE(at != std::string::npos);
    pieces.push_back(text.substr(from, at + 1 - from));
    from = at + 1;
  }
  pieces.push_back(text.substr(from));
  for (const std::string& p : pieces) REQUIRE(!p.empty());
  return pieces;
}

// Each input of `name` cut into `parts`; returns the paths of each part's files, in input order.
std::vector<std::vector<std::string>> SplitCase(const TempDir& dir, const std::string& name,
                                                const std::vector<std::string>& files, size_t parts) {
  std::vector<std::vector<std::string>> out(parts);
  for (const std::string& file : files) {
    const std::vector<std::string> pieces = Split(ReadFile(kTestdata + name + "/" + file), parts);
    for (size_t k = 0; k < parts; ++k) {
      out[k].push_back(dir.Write("part" + std::to_string(k + 1) + "-" + file, pieces[k]));
    }
  }
  return out;
}

// Runs why500 with `args` (exit 0 expected) and writes its report to `path`.
std::string ReportTo(const TempDir& dir, const std::string& name, std::vector<std::string> args) {
  const RunResult r = Run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return dir.Write(name, r.out);
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::vector<std::string> kJson = {"--format", "json", "--with-aggregate"};

}  // namespace

TEST_CASE("merge: reports of two halves merged equal the report of both halves read together", "[merge]") {
  for (const auto& [name, files] : kCases) {
    INFO(name);
    TempDir dir;
    const auto halves = SplitCase(dir, name, files, 2);
    const std::string a = ReportTo(dir, "a.json", Concat(kJson, halves[0]));
    const std::string b = ReportTo(dir, "b.json", Concat(kJson, halves[1]));
    const RunResult merged = Run(Concat({"merge", a, b}, kJson));
    INFO(merged.err);
    REQUIRE(merged.exit_code == 0);
    CHECK(merged.err.empty());
    const RunResult whole = Run(Concat(kJson, Concat(halves[0], halves[1])));
    REQUIRE(whole.exit_code == 0);

    // Everything is equal, the aggregate too, apart from the clock fields Stable drops.
    const json m = ParseJson(merged.out), w = ParseJson(whole.out);
    CHECK(m["causes"] == w["causes"]);
    CHECK(m["totals"] == w["totals"]);
    CHECK(m["timeline"] == w["timeline"]);
    CHECK(m["changes"] == w["changes"]);
    CHECK(m["inputs"] == w["inputs"]);
    CHECK(Stable(merged.out) == Stable(whole.out));

    // Not a trivial case: several causes, 5xx, and each half has evidence of its own.
    CHECK(w["causes"].size() >= 2);
    CHECK(w["totals"]["http_5xx"].get<int>() > 0);
    for (const std::string& half : {a, b}) CHECK(ParseJson(ReadFile(half))["totals"]["evidence_events"] > 0);

    // The other formats take the same path: Markdown is equal too (text shows the run's seconds).
    const RunResult merged_md = Run({"merge", "--format", "markdown", a, b});
    const RunResult whole_md = Run(Concat({"--format", "markdown"}, Concat(halves[0], halves[1])));
    CHECK(merged_md.exit_code == 0);
    CHECK(merged_md.out == whole_md.out);
  }
}

TEST_CASE("merge: a merge of a merge equals the three-way merge and the whole", "[merge]") {
  const auto& [name, files] = kCases[0];
  TempDir dir;
  const auto thirds = SplitCase(dir, name, files, 3);
  const std::string a = ReportTo(dir, "a.json", Concat(kJson, thirds[0]));
  const std::string b = ReportTo(dir, "b.json", Concat(kJson, thirds[1]));
  const std::string c = ReportTo(dir, "c.json", Concat(kJson, thirds[2]));
  const std::string ab = ReportTo(dir, "ab.json", Concat({"merge", a, b}, kJson));
  const std::string bc = ReportTo(dir, "bc.json", Concat({"merge", b, c}, kJson));
  const RunResult three = Run(Concat({"merge", a, b, c}, kJson));
  REQUIRE(three.exit_code == 0);
  const RunResult ab_c = Run(Concat({"merge", ab, c}, kJson));
  const RunResult a_bc = Run(Concat({"merge", a, bc}, kJson));
  REQUIRE(ab_c.exit_code == 0);
  REQUIRE(a_bc.exit_code == 0);
  CHECK(Stable(ab_c.out) == Stable(three.out));
  CHECK(Stable(a_bc.out) == Stable(three.out));
  const RunResult whole = Run(Concat(kJson, Concat(thirds[0], Concat(thirds[1], thirds[2]))));
  CHECK(Stable(three.out) == Stable(whole.out));
  CHECK(ParseJson(three.out)["inputs"].size() == 9);
}

TEST_CASE("merge: a report read from stdin, --fail-on and --redact on a merge", "[merge]") {
  const auto& [name, files] = kCases[0];
  TempDir dir;
  const auto halves = SplitCase(dir, name, files, 2);
  const std::string a = ReportTo(dir, "a.json", Concat(kJson, halves[0]));
  const std::string b_text = ReadFile(ReportTo(dir, "b.json", Concat(kJson, halves[1])));
  RunOptions stdin_b;
  stdin_b.stdin_data = b_text;
  const RunResult from_stdin = Run({"merge", "--format", "json", a, "-"}, stdin_b);
  REQUIRE(from_stdin.exit_code == 0);
  const RunResult from_file = Run({"merge", "--format", "json", a, dir.Path("b.json")});
  CHECK(Stable(from_stdin.out) == Stable(from_file.out));
  CHECK_FALSE(ParseJson(from_file.out).contains("aggregate"));  // only with --with-aggregate
  CHECK(from_file.out.find("198.51.100.77") != std::string::npos);  // a client, shown unless redacted

  const RunResult failed = Run({"merge", "--fail-on", "database.connect", a, dir.Path("b.json")});
  CHECK(failed.exit_code == 1);
  CHECK_THAT(failed.out, Catch::Contains("database.connect"));

  // --redact masks the merged report and the aggregate it carries as a run with --redact would.
  const std::string ra = ReportTo(dir, "ra.json", Concat(Concat(kJson, {"--redact"}), halves[0]));
  const std::string rb = ReportTo(dir, "rb.json", Concat(Concat(kJson, {"--redact"}), halves[1]));
  const RunResult redacted = Run(Concat({"merge", "--redact", ra, rb}, kJson));
  const RunResult whole = Run(Concat(Concat(kJson, {"--redact"}), Concat(halves[0], halves[1])));
  REQUIRE(redacted.exit_code == 0);
  CHECK(Stable(redacted.out) == Stable(whole.out));
  CHECK(redacted.out.find("198.51.100.77") == std::string::npos);
}

TEST_CASE("merge: reports that name the same files get their inputs named after the report", "[merge]") {
  TempDir dir;
  const std::string log = kTestdata + "sample-incident/error.log";
  const std::string web1 = ReportTo(dir, "web1.json", Concat(kJson, {log}));
  const std::string web2 = ReportTo(dir, "web2.json", Concat(kJson, {log}));
  const RunResult r = Run({"merge", "--format", "json", web1, web2});
  REQUIRE(r.exit_code == 0);
  const json j = ParseJson(r.out);
  REQUIRE(j["inputs"].size() == 2);
  CHECK(j["inputs"][0]["name"] == "web1:" + log);
  CHECK(j["inputs"][1]["name"] == "web2:" + log);
  CHECK(j["causes"][0]["events"] == 2 * ParseJson(ReadFile(web1))["causes"][0]["events"].get<int>());
}

TEST_CASE("merge: invalid UTF-8 from the logs stays repaired, and a merge of one report equals it", "[merge]") {
  TempDir dir;
  const std::string line =
      "2026/11/21 10:03:11 [error] 1046#1046: *7 connect() failed (111: Connection refused) while connecting to "
      "upstream, client: 10.0.0.1, server: caf\xe9, request: \"GET /r\xc3sum\xff HTTP/1.1\", upstream: "
      "\"http://127.0.0.1:8080/r\", host: \"shop\x80.example\"\n";
  const std::string log = dir.Write("latin1.log", line + line);
  const std::string report = ReportTo(dir, "latin1.json", Concat(kJson, {log}));
  const RunResult r = Run(Concat({"merge", report}, kJson));
  REQUIRE(r.exit_code == 0);
  CHECK(Stable(r.out) == Stable(ReadFile(report)));
  const json j = ParseJson(r.out);  // valid UTF-8, or ParseJson fails
  CHECK(j["causes"][0]["fields"]["host"][0]["value"] == "shop\xEF\xBF\xBD.example");
  CHECK(j["causes"][0]["fields"]["host"][0]["count"] == 2);
}

TEST_CASE("merge: a report without aggregate, another version or invalid JSON exits 2 naming it", "[merge]") {
  TempDir dir;
  const std::string log = kTestdata + "sample-incident/error.log";
  const std::string good = ReportTo(dir, "good.json", Concat(kJson, {log}));
  const std::string plain = ReportTo(dir, "plain.json", {"--format", "json", log});
  json report = ParseJson(ReadFile(good));
  report["aggregate"]["version"] = 2;
  const std::string v2 = dir.Write("v2.json", report.dump());
  report["aggregate"]["version"] = 1;
  report["aggregate"]["groups"][0].erase("events");
  const std::string no_events = dir.Write("no-events.json", report.dump());
  report = ParseJson(ReadFile(good));
  report["aggregate"]["evidence"][0][4] = 99;
  const std::string bad_group = dir.Write("bad-group.json", report.dump());
  report = ParseJson(ReadFile(good));
  report["aggregate"]["inputs"][0]["lines"] = "many";
  const std::string mistyped = dir.Write("mistyped.json", report.dump());
  const std::string broken = dir.Write("broken.json", ReadFile(good).substr(0, 200));

  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"merge", good, plain}, plain + ": no aggregate; write reports with --format json --with-aggregate"},
      {{"merge", v2, good}, v2 + ": aggregate.version: 2 is not supported: this why500 reads version 1"},
      {{"merge", good, broken}, broken + ": [json.exception.parse_error."},
      {{"merge", no_events}, no_events + ": aggregate.groups[0].events: missing"},
      {{"merge", bad_group}, bad_group + ": aggregate.evidence[0][4] (group): 99 is out of range"},
      {{"merge", mistyped}, mistyped + ": aggregate.inputs[0].lines: expected a whole number"},
      {{"merge", dir.Path("missing.json")}, "missing.json"},
      {{"merge"}, "reports is required"},
      {{"merge", good, "--since", "1h"}, "--since does not apply to merge"},
      {{log, "merge", good}, "merge reads JSON reports, not logs"},
      {{"--with-aggregate", log}, "--with-aggregate adds to the JSON report: use it with --format json"},
      {{"merge", "--with-aggregate", "--format", "markdown", good}, "use it with --format json"},
  };
  for (const Case& c : cases) {
    INFO(c.message);
    const RunResult r = Run(c.args);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::StartsWith("why500: ") && Catch::Contains(c.message));
  }
}

TEST_CASE("merge: AggregateToJson then AggregateFromJson gives the same JSON again", "[merge]") {
  using namespace why500;
  const RuleSet& rules = *DefaultRuleSet();
  for (const char* name : {"incident-db-root", "access-inferred", "wrappers"}) {
    INFO(name);
    PipelineOptions o;
    for (const auto& entry : std::filesystem::directory_iterator(kTestdata + name)) {
      const std::string file = entry.path().filename().string();
      if (file != "args" && file.rfind("expected", 0) != 0) o.inputs.push_back(entry.path().string());
    }
    std::sort(o.inputs.begin(), o.inputs.end());
    o.keep_uncorrelated = true;
    const PipelineResult result = RunPipeline(rules, o);
    REQUIRE(result.uncorrelated);
    // Before Correlate, and after it (inferred groups, ties, statuses): both round-trip.
    for (const Aggregate* agg : {&*result.uncorrelated, &result.agg}) {
      const json first = AggregateToJson(*agg);
      auto back = AggregateFromJson(first, rules);
      INFO((back ? "" : back.error().message));
      REQUIRE(back);
      CHECK(AggregateToJson(*back) == first);
      REQUIRE(back->groups.size() == agg->groups.size());
      for (size_t i = 0; i < agg->groups.size(); ++i) CHECK(back->groups[i].rule == agg->groups[i].rule);
      // Through text, as merge reads it.
      auto reread = AggregateFromJson(json::parse(first.dump(-1, ' ', false, json::error_handler_t::replace)), rules);
      REQUIRE(reread);
      CHECK(AggregateToJson(*reread) == first);
    }
  }
}

TEST_CASE("merge: rules unknown to the reading rule set leave groups without a rule index", "[merge]") {
  using namespace why500;
  auto empty = RuleSet::Compile({});
  REQUIRE(empty);
  PipelineOptions o;
  o.inputs = {kTestdata + "sample-incident/error.log", kTestdata + "sample-incident/access.log"};
  o.keep_uncorrelated = true;
  const PipelineResult result = RunPipeline(*DefaultRuleSet(), o);
  auto back = AggregateFromJson(AggregateToJson(*result.uncorrelated), **empty);
  REQUIRE(back);
  REQUIRE_FALSE(back->groups.empty());
  for (const Group& g : back->groups) CHECK(g.rule == -1);
  Correlate(&*back);
  const Report report = BuildReport(*back, 0);
  REQUIRE_FALSE(report.causes.empty());
  CHECK(report.causes[0].group->cause == "upstream.connect");
}

// ---------------------------------------------------------------------------------------------
// Reports from other hosts are untrusted: fuzz_merge (docs/fuzzing.md, "Bugs found") found
// aggregates the reader accepted but no run writes, on which the report's arithmetic on times
// overflowed. Each is rejected now, naming the field.

namespace {

// The uncorrelated aggregate of sample-incident, as JSON; settled past its end when `settle`.
json SampleAggregate(bool settle) {
  using namespace why500;
  PipelineOptions o;
  o.inputs = {kTestdata + "sample-incident/error.log", kTestdata + "sample-incident/access.log"};
  o.keep_uncorrelated = true;
  PipelineResult result = RunPipeline(*DefaultRuleSet(), o);
  REQUIRE(result.uncorrelated);
  Aggregate agg = *result.uncorrelated;
  if (settle) {
    REQUIRE(agg.last != kNoTime);
    Settle(&agg, std::vector<InputHorizon>(agg.inputs.size(), InputHorizon{agg.last + 3600 * kUsPerSecond, 1u << 30}));
    REQUIRE_FALSE(agg.settled.empty());
  }
  return AggregateToJson(agg);
}

// The message AggregateFromJson gives `j` ("" when it reads it); a read aggregate is correlated
// and reported too.
std::string ReadError(const json& j) {
  using namespace why500;
  auto agg = AggregateFromJson(j, *DefaultRuleSet());
  if (!agg) return agg.error().message;
  Correlate(&*agg);
  const Report report = BuildReport(*agg, 0);
  CHECK_FALSE(RenderText(report, TextOptions{}).empty());
  CHECK(json::accept(RenderJson(report)));
  return "";
}

}  // namespace

TEST_CASE("merge: times no log can have are rejected, so no report overflows on them", "[merge]") {
  const json good = SampleAggregate(false);
  REQUIRE(ReadError(good).empty());
  REQUIRE_FALSE(good["changes"].empty());
  REQUIRE_FALSE(good["responses"].empty());
  const std::string range = "expected a whole number from 0 to 1000000000000000000";
  struct Case {
    const char* what;
    std::function<void(json&)> damage;
    std::string message;  // empty: read
  };
  const std::vector<Case> cases = {
      // Used to overflow in the text report's timeline end and header span.
      {"response at INT64_MAX", [](json& a) { a["responses"][0][0] = INT64_MAX; },
       "aggregate.responses[0][0] (time): " + range},
      {"first far before the epoch", [](json& a) { a["first"] = INT64_MIN + 1; }, "aggregate.first: " + range},
      {"before the epoch", [](json& a) { a["evidence"][0][0] = -1; }, "aggregate.evidence[0][0] (time): " + range},
      // Used to overflow in the JSON report's last_change.seconds_before.
      {"change at INT64_MIN + 1", [](json& a) { a["changes"][0][0] = INT64_MIN + 1; },
       "aggregate.changes[0][0] (time): " + range},
      // Used to overflow in the timeline (minute * 60).
      {"minute at INT64_MAX", [](json& a) { a["minutes"].push_back({INT64_MAX, 0, 0}); },
       "aggregate.minutes[" + std::to_string(good["minutes"].size()) + "][0] (minute): expected a whole number from 0 to 16666666666"},
      {"the latest time a log can have", [](json& a) { a["responses"][0][0] = 1000000000000000000; }, ""},
      {"the epoch", [](json& a) { a["changes"][0][0] = 0; }, ""},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    json a = good;
    c.damage(a);
    if (c.message.empty()) {
      CHECK(ReadError(a).empty());
    } else {
      CHECK(ReadError(a) == c.message);
    }
  }
}

TEST_CASE("merge: first and last times are both null or both times, in order, and gaps are times", "[merge]") {
  const json good = SampleAggregate(false);
  struct Case {
    const char* what;
    std::function<void(json&)> damage;
    std::string message;
  };
  const std::string half = "the first and last times must both be null or both be times";
  const std::vector<Case> cases = {
      // Used to overflow in the gap blind spot's mean interval (last_time - kNoTime).
      {"input first_time null", [](json& a) { a["inputs"][0]["first_time"] = nullptr; },
       "aggregate.inputs[0].first_time: " + half},
      {"input last before first", [](json& a) { a["inputs"][0]["last_time"] = 1; },
       "aggregate.inputs[0].first_time: the first time is after the last"},
      // Used to overflow in the gap blind spot (to - kNoTime).
      {"gap from null", [](json& a) { a["inputs"][0]["gaps"] = json::array({json::array({nullptr, 5})}); },
       "aggregate.inputs[0].gaps[0][0] (from): expected a time, not null"},
      {"gap reversed", [](json& a) { a["inputs"][0]["gaps"] = json::array({json::array({9, 5})}); },
       "aggregate.inputs[0].gaps[0]: the first time is after the last"},
      {"group last null", [](json& a) { a["groups"][0]["last"] = nullptr; }, "aggregate.groups[0].first: " + half},
      {"aggregate last null", [](json& a) { a["last"] = nullptr; }, "aggregate.first: " + half},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    json a = good;
    c.damage(a);
    CHECK(ReadError(a) == c.message);
  }
}

TEST_CASE("merge: per-minute counts hold their events' times, settled or not", "[merge][settle]") {
  // A minute counting failures none of which is in it made an onset with no first failure:
  // onset_time null, and the text report's "chronic: there ... before the onset" overflowed.
  json a = SampleAggregate(false);
  a["minutes"].push_back({a["minutes"].back()[0].get<int64_t>() + 10, 0, 7});
  CHECK_THAT(ReadError(a), Catch::StartsWith("aggregate.minutes: minute ") &&
                               Catch::EndsWith(" counts 7 evidence events, but 0 are in it"));
  a = SampleAggregate(false);
  a["evidence"][0][0] = a["evidence"][0][0].get<int64_t>() + 3600 * 1000000LL;  // to a minute that counts none
  CHECK_THAT(ReadError(a), Catch::StartsWith("aggregate.minutes: minute ") && Catch::Contains("evidence events"));

  const json settled = SampleAggregate(true);
  REQUIRE(settled.contains("settled"));
  REQUIRE(ReadError(settled).empty());
  const json& minutes = settled.at("settled").at("minutes");
  size_t with_5xx = minutes.size(), with_evidence = minutes.size();
  for (size_t i = 0; i < minutes.size(); ++i) {
    if (!minutes[i][1].is_null() && with_5xx == minutes.size()) with_5xx = i;
    if (!minutes[i][2].is_null() && with_evidence == minutes.size()) with_evidence = i;
  }
  REQUIRE(with_5xx < minutes.size());
  REQUIRE(with_evidence < minutes.size());
  const std::string at_5xx = "aggregate.settled.minutes[" + std::to_string(with_5xx) + "][1] (first_5xx): ";
  const std::string at_evidence = "aggregate.settled.minutes[" + std::to_string(with_evidence) + "][2] (first_evidence): ";
  a = settled;
  a["settled"]["minutes"][with_5xx][1] = nullptr;
  CHECK(ReadError(a) == at_5xx + "null, but the minute counts some");
  a = settled;
  a["settled"]["minutes"][with_5xx][1] = a["settled"]["minutes"][with_5xx][1].get<int64_t>() + 60 * 1000000LL;
  CHECK_THAT(ReadError(a), Catch::StartsWith(at_5xx) && Catch::Contains("is not in minute"));
  a = settled;
  a["settled"]["minutes"][with_evidence][2] = nullptr;
  CHECK(ReadError(a) == at_evidence + "null, but the minute counts some");
  a = settled;
  a["settled"]["minutes"].push_back({1, 60 * 1000000LL, nullptr, 0, json::array()});
  CHECK(ReadError(a) == "aggregate.settled.minutes[" + std::to_string(minutes.size()) +
                            "][1] (first_5xx): a time, but the minute counts none");
}

// Settle (follow mode): folding old responses and evidence into per-minute counts leaves the
// report as it was, at any horizon, settled once or again and again while partials merge in;
// it frees the refs, keeps memory flat over hours, settles untimed logs by line, and caps the
// request ids it keeps. The settled state merges and round-trips through the aggregate's JSON.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
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

using namespace why500;
using why500_cli_test::Stable;

const std::string kTestdata = WHY500_SOURCE_DIR "/testdata/";

// ---------------------------------------------------------------------------------------------
// Aggregates of the testdata cases

// The inputs and --access-format of a golden case's args (one argument a line, paths relative
// to its folder). Other options (--year, --tz, output options) change the data or only its
// rendering, not whether settling keeps the report: left out.
PipelineOptions OptionsOf(const std::string& name) {
  std::ifstream in(kTestdata + name + "/args");
  std::vector<std::string> args;
  for (std::string line; std::getline(in, line);) args.push_back(line);
  PipelineOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--access-format") {
      auto format = AccessFormat::Compile(args.at(i + 1));
      REQUIRE(format);
      o.access_format = std::make_shared<const AccessFormat>(std::move(*format));
    }
    if (args[i].rfind("--", 0) == 0) {
      ++i;  // every option in these args takes a value
    } else {
      o.inputs.push_back(kTestdata + name + "/" + args[i]);
    }
  }
  return o;
}

std::vector<std::string> GoldenCases() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kTestdata)) {
    if (entry.is_directory() && std::filesystem::exists(entry.path() / "args")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The aggregate of a case as the pipeline builds it, before Correlate.
Aggregate Uncorrelated(const std::string& name) {
  PipelineOptions o = OptionsOf(name);
  o.keep_uncorrelated = true;
  PipelineResult result = RunPipeline(*DefaultRuleSet(), o);
  REQUIRE(result.uncorrelated);
  return std::move(*result.uncorrelated);
}

struct Rendered {
  std::string json, text, markdown;
};

// The report of (a copy of) `agg` in every format, the clock fields left out.
Rendered ReportOf(Aggregate agg) {
  Correlate(&agg);
  const Report r = BuildReport(agg, 0);
  TextOptions text;
  return {Stable(RenderJson(r)), RenderText(r, text), RenderMarkdown(r, text)};
}

void CheckSameReport(const Aggregate& settled, const Rendered& expected) {
  const Rendered got = ReportOf(settled);
  CHECK(got.json == expected.json);
  CHECK(got.text == expected.text);
  CHECK(got.markdown == expected.markdown);
}

size_t Refs(const Aggregate& agg) { return agg.responses.size() + agg.evidence.size(); }

// Every input has read `fraction` of the aggregate's time span and of its own lines; an input
// with no time has none. Past 1, past the end of everything.
std::vector<InputHorizon> HorizonsAt(const Aggregate& agg, double fraction) {
  std::vector<InputHorizon> out;
  for (const InputStats& in : agg.inputs) {
    InputHorizon h;
    if (fraction > 1) {
      h.time = in.first_time == kNoTime ? kNoTime : agg.last + 3600 * kUsPerSecond;
      h.line = in.lines + 10000;
    } else {
      const double span = static_cast<double>(agg.last - agg.first);
      h.time = in.first_time == kNoTime ? kNoTime : agg.first + static_cast<TimeUs>(span * fraction);
      h.line = static_cast<uint64_t>(static_cast<double>(in.lines) * fraction);
    }
    out.push_back(h);
  }
  return out;
}

constexpr double kPastTheEnd = 2;

// ---------------------------------------------------------------------------------------------
// Partials: one aggregate cut by time (untimed refs by line) into the parts follow mode would
// merge in one after another.

// Whether a ref at `t` (or, untimed, at `line` of `input`) is in part `part` of `parts`: parts
// are equal stretches of the aggregate's time span, or of the input's lines.
bool InPart(TimeUs t, uint64_t line, uint32_t input, const Aggregate& agg, size_t part, size_t parts) {
  const double where =
      t != kNoTime ? static_cast<double>(t - agg.first) / std::max<double>(1, static_cast<double>(agg.last - agg.first))
                   : static_cast<double>(line) / std::max<double>(1, static_cast<double>(agg.inputs[input].lines));
  auto end_of = [&](size_t k) { return static_cast<double>(k + 1) / static_cast<double>(parts); };
  const bool after_previous = part == 0 || where > end_of(part - 1);
  return after_previous && (part + 1 == parts || where <= end_of(part));
}

// The groups of `agg` with nothing counted: merged, they only keep group indices the same.
std::vector<Group> Skeletons(const std::vector<Group>& groups) {
  std::vector<Group> out;
  for (const Group& g : groups) {
    Group s;
    s.rule = g.rule;
    s.rule_id = g.rule_id;
    s.cause = g.cause;
    s.subcause = g.subcause;
    s.template_text = g.template_text;
    s.hint = g.hint;
    s.confidence = g.confidence;
    s.priority = g.priority;
    s.first = g.first;
    s.last = g.last;
    s.first_input = g.first_input;
    s.first_line = g.first_line;
    out.push_back(std::move(s));
  }
  return out;
}

// Part `part` of `parts`: the first holds everything but the later parts' refs; a later one
// holds its refs, its responses' examples and skeleton groups.
Aggregate Partial(const Aggregate& agg, size_t part, size_t parts) {
  Aggregate p = agg;  // a copy keeps the index of groups by rule and template
  if (part > 0) {
    p.groups = Skeletons(agg.groups);
    p.inputs.clear();
    p.changes.clear();
    p.minutes.clear();
    p.events = p.evidence_events = p.access_lines = 0;
    p.first = p.last = kNoTime;
  }
  p.evidence.clear();
  p.responses.clear();
  p.response_examples.clear();
  for (const EvidenceRef& e : agg.evidence) {
    if (InPart(e.time, e.line, e.input, agg, part, parts)) p.evidence.push_back(e);
  }
  for (ResponseRef r : agg.responses) {
    if (!InPart(r.time, r.line, r.input, agg, part, parts)) continue;
    if (r.example >= 0) {
      const Example& e = agg.response_examples[static_cast<size_t>(r.example)];
      r.example = static_cast<int>(p.response_examples.size());
      p.response_examples.push_back(e);
    }
    p.responses.push_back(r);
  }
  return p;
}

// Where every input has got once part `part` is in.
std::vector<InputHorizon> HorizonsAfter(const Aggregate& agg, size_t part, size_t parts) {
  if (part + 1 == parts) return HorizonsAt(agg, kPastTheEnd);
  return HorizonsAt(agg, static_cast<double>(part + 1) / static_cast<double>(parts));
}

// ---------------------------------------------------------------------------------------------
// Synthetic aggregates

int RuleOf(std::string_view cause) {
  const RuleSet& rules = *DefaultRuleSet();
  for (size_t i = 0; i < rules.rules().size(); ++i) {
    if (rules.rules()[i].cause == cause) return static_cast<int>(i);
  }
  FAIL("no rule of cause " << cause);
  return -1;
}

// Adds events as the aggregate step would: evidence of a rule, 5xx access lines.
class Synth {
 public:
  explicit Synth(Aggregate* agg, size_t inputs) : agg_(agg) {
    for (size_t i = 0; i < inputs; ++i) agg->inputs.push_back(InputStats{"input" + std::to_string(i)});
  }

  void Evidence(int rule, uint32_t input, uint64_t line, TimeUs t, std::string client = "",
                std::string request_id = "", std::string path = "") {
    Event e = Base(input, line, t, std::move(client), std::move(request_id));
    e.method = path.empty() ? "" : "GET";
    e.path = std::move(path);
    e.text = "evidence of rule " + std::to_string(rule) + " at line " + std::to_string(line);
    agg_->AddEvidence(e, *DefaultRuleSet(), rule, "template of rule " + std::to_string(rule), nullptr);
    ++agg_->events;
    See(input, line, t);
  }

  void Response(uint32_t input, uint64_t line, TimeUs t, int status, std::string client = "",
                std::string request_id = "", bool backend = false, int upstream_status = -1,
                int64_t upstream_ms = -1) {
    Event e = Base(input, line, t, std::move(client), std::move(request_id));
    e.format = Format::kAccessCombined;
    e.status = status;
    e.backend_response = backend;
    e.upstream_status = upstream_status;
    e.upstream_ms = upstream_ms;
    e.method = "GET";
    e.path = "/shop";
    e.text = "response " + std::to_string(status) + " at line " + std::to_string(line);
    agg_->AddResponse5xx(e);
    ++agg_->events;
    ++agg_->access_lines;
    See(input, line, t);
  }

 private:
  static Event Base(uint32_t input, uint64_t line, TimeUs t, std::string client, std::string request_id) {
    Event e;
    e.input = input;
    e.line = line;
    e.time = t;
    e.client = std::move(client);
    e.request_id = std::move(request_id);
    return e;
  }

  void See(uint32_t input, uint64_t line, TimeUs t) {
    InputStats& in = agg_->inputs[input];
    in.lines = std::max(in.lines, line);
    agg_->SeeTime(t);
    if (t == kNoTime) return;
    if (in.first_time == kNoTime || t < in.first_time) in.first_time = t;
    if (in.last_time == kNoTime || t > in.last_time) in.last_time = t;
  }

  Aggregate* agg_;
};

constexpr TimeUs kT0 = 1794999960LL * kUsPerSecond;  // 2026-11-18, on a minute
TimeUs Seconds(double s) { return kT0 + static_cast<TimeUs>(s * static_cast<double>(kUsPerSecond)); }

// A small timed incident across a proxy log, a backend log and an error log: ties of every kind,
// backend duplicates, inferred causes, request ids, responses nothing explains.
// `first_cause`, when given, is an evidence event ahead of all else: its group comes first.
Aggregate SyntheticIncident(size_t seconds, double start = 0, std::string_view first_cause = "") {
  Aggregate agg;
  Synth s(&agg, 3);
  uint64_t line[3] = {0, 0, 0};
  if (!first_cause.empty()) s.Evidence(RuleOf(first_cause), 2, ++line[2], Seconds(start));
  const int timeout = RuleOf("upstream.timeout");
  const int database = RuleOf("database.connect");
  const int exception = RuleOf("app.exception");
  for (size_t i = 0; i < seconds; ++i) {
    const double at = start + static_cast<double>(i);
    const bool incident = i > seconds / 2;
    const std::string client = "10.0.0." + std::to_string(i % 50);
    if (i % 3 == 0) s.Evidence(exception, 2, ++line[2], Seconds(at + 0.3), "", "req-" + std::to_string(i));
    if (incident && i % 2 == 0) s.Evidence(database, 2, ++line[2], Seconds(at + 0.1));
    // The same request (client, method, path) ties first, the same client then.
    if (incident && i % 5 == 0) s.Evidence(timeout, 0, ++line[0], Seconds(at + 0.2), client, "", i % 10 ? "/cart" : "/shop");
    // Few 5xx before the incident, many during it: an onset.
    if (incident || i % 30 == 0) s.Response(0, ++line[0], Seconds(at + 0.5), incident ? 504 : 500, client);
    if (i % 9 == 0) s.Response(1, ++line[1], Seconds(at + 0.9), 500, "", "req-" + std::to_string(i));
    if (i % 11 == 0) s.Response(1, ++line[1], Seconds(at + 0.6), 502, "", "", true);  // a duplicate near a proxy 5xx
    if (i % 29 == 0) s.Response(0, ++line[0], Seconds(at + 3.7), 504, "", "", false, 504, 60002);  // inferred unless explained
    if (i % 31 == 0) s.Response(0, ++line[0], Seconds(at + 8.8), 502, "", "", false, 0);  // inferred
    if (i % 37 == 0) s.Response(0, ++line[0], Seconds(at + 4.4), 503);  // unknown, or by time window
  }
  return agg;
}

}  // namespace

TEST_CASE("settle: the report of every testdata case is unchanged at 25, 50, 75% and past the end", "[settle]") {
  size_t timed_cases = 0;
  for (const std::string& name : GoldenCases()) {
    INFO(name);
    const Aggregate agg = Uncorrelated(name);
    if (agg.first == kNoTime) continue;
    ++timed_cases;
    const Rendered expected = ReportOf(agg);
    Aggregate again = agg;  // settled at each horizon in turn
    for (double fraction : {0.25, 0.5, 0.75, kPastTheEnd}) {
      INFO("at " << fraction);
      Aggregate once = agg;
      const size_t folded = Settle(&once, HorizonsAt(agg, fraction));
      CHECK(folded == Refs(agg) - Refs(once));
      CheckSameReport(once, expected);
      Settle(&again, HorizonsAt(agg, fraction));
      CheckSameReport(again, expected);
      if (fraction == kPastTheEnd && Refs(agg) > 0) {
        // Past the end everything timed is settled; what is left is untimed and near the end.
        CHECK(folded > 0);
        CHECK(Refs(once) < Refs(agg));
        for (const ResponseRef& r : once.responses) CHECK(r.time == kNoTime);
        for (const EvidenceRef& e : once.evidence) CHECK(e.time == kNoTime);
        CHECK(Refs(again) == Refs(once));
      }
    }
    // Inputs at different points: the least of them rules.
    Aggregate uneven = agg;
    std::vector<InputHorizon> horizons = HorizonsAt(agg, 0.9);
    horizons[0] = HorizonsAt(agg, 0.4)[0];
    Settle(&uneven, horizons);
    CheckSameReport(uneven, expected);
  }
  CHECK(timed_cases >= 20);
}

TEST_CASE("settle: settling after each partial merged in gives the report of the same merges unsettled",
          "[settle]") {
  for (const char* name : {"incident-db-root", "incident-reload", "access-inferred", "access-custom", "mixed-inputs",
                           "sample-incident", "laravel-rails", "wrappers"}) {
    INFO(name);
    const Aggregate whole = Uncorrelated(name);
    constexpr size_t kParts = 6;
    Aggregate settled(whole.max_examples()), unsettled(whole.max_examples());
    size_t folded = 0;
    for (size_t part = 0; part < kParts; ++part) {
      INFO("part " << part);
      settled.Merge(Partial(whole, part, kParts));
      unsettled.Merge(Partial(whole, part, kParts));
      folded += Settle(&settled, HorizonsAfter(whole, part, kParts));
      CheckSameReport(settled, ReportOf(unsettled));
    }
    CHECK(folded > 0);
    CHECK(Refs(settled) < Refs(unsettled));
    CHECK(folded == Refs(unsettled) - Refs(settled));
  }
}

TEST_CASE("settle: a synthetic incident with duplicates, inferred causes and request ids, settled every minute",
          "[settle]") {
  const Aggregate whole = SyntheticIncident(1800);
  const Rendered expected = ReportOf(whole);
  // Not a trivial case: every kind of tie, inferred causes, duplicates and unknown 5xx.
  Aggregate correlated = whole;
  Correlate(&correlated);
  const Report report = BuildReport(correlated, 0);
  for (Tie tie : {Tie::kRequestId, Tie::kRequest, Tie::kClient, Tie::kSameLog, Tie::kTimeWindow, Tie::kInferred}) {
    uint64_t n = 0;
    for (const Group& g : correlated.groups) n += g.ties[static_cast<int>(tie)];
    INFO(TieName(tie));
    CHECK(n > 0);
  }
  CHECK(report.totals.unclassified_5xx > 0);
  CHECK(std::any_of(correlated.responses.begin(), correlated.responses.end(), [](const ResponseRef& r) { return r.duplicate; }));
  CHECK(report.onset.found);

  constexpr size_t kParts = 30;  // a minute each
  Aggregate settled(whole.max_examples()), unsettled(whole.max_examples());
  size_t max_refs = 0;
  for (size_t part = 0; part < kParts; ++part) {
    settled.Merge(Partial(whole, part, kParts));
    unsettled.Merge(Partial(whole, part, kParts));
    Settle(&settled, HorizonsAfter(whole, part, kParts));
    max_refs = std::max(max_refs, Refs(settled));
    if (part % 5 == 4 || part + 1 == kParts) {
      INFO("part " << part);
      CheckSameReport(settled, ReportOf(unsettled));
    }
  }
  CHECK(ReportOf(settled).json == expected.json);
  CHECK(max_refs < Refs(whole) / 10);
  CHECK(Refs(settled) == 0);

  // The settled state round-trips through the aggregate's JSON and merges as the refs would.
  const nlohmann::json written = AggregateToJson(settled);
  REQUIRE(written.contains("settled"));
  auto read = AggregateFromJson(written, *DefaultRuleSet());
  INFO((read ? "" : read.error().message));
  REQUIRE(read);
  CHECK(AggregateToJson(*read) == written);
  CHECK(ReportOf(*read).json == expected.json);
  auto reread = AggregateFromJson(nlohmann::json::parse(written.dump()), *DefaultRuleSet());
  REQUIRE(reread);
  CHECK(ReportOf(*reread).json == expected.json);
}

TEST_CASE("settle: aggregates settled apart merge like the refs they hold", "[settle]") {
  // Two runs, each settled past its end, merged (as `why500 merge` does, inputs shifted):
  // the same report as merging them unsettled.
  const Aggregate a = SyntheticIncident(600);
  // Hours later, so nothing ties across; its groups in another order, so merging renumbers them.
  const Aggregate b = SyntheticIncident(900, 3 * 3600, "resource.disk");
  REQUIRE(b.groups[0].cause != a.groups[0].cause);
  Aggregate unsettled = a;
  unsettled.Merge(Aggregate(b), static_cast<uint32_t>(a.inputs.size()));
  Aggregate settled_a = a, settled_b = b;
  Settle(&settled_a, HorizonsAt(a, 0.5));
  Settle(&settled_b, HorizonsAt(b, kPastTheEnd));
  REQUIRE(Refs(settled_a) > 0);
  REQUIRE(Refs(settled_b) == 0);
  Aggregate settled = settled_a;
  settled.Merge(std::move(settled_b), static_cast<uint32_t>(a.inputs.size()));
  CHECK(ReportOf(settled).json == ReportOf(unsettled).json);
}

TEST_CASE("settle: untimed logs settle by line, the nearest evidence a few lines away kept", "[settle]") {
  Aggregate agg;
  Synth s(&agg, 2);
  const int exception = RuleOf("app.exception");
  const int database = RuleOf("database.connect");
  for (uint64_t line = 1; line <= 6000; ++line) {
    if (line % 37 == 0) s.Evidence(line % 2 ? exception : database, 0, line, kNoTime);
    if (line % 13 == 0) s.Response(0, line, kNoTime, 500);  // the nearest evidence, above on a tie
    if (line % 91 == 0) s.Response(1, line, kNoTime, 502);  // input 1's evidence is sparse: mostly unknown
    if (line % 500 == 0) s.Evidence(exception, 1, line + 400, kNoTime);
  }
  // A request id ties at any distance, even once its evidence is folded.
  s.Evidence(database, 1, 3, kNoTime, "", "abc-123");
  s.Response(1, 5999, kNoTime, 500, "", "abc-123");
  const Rendered expected = ReportOf(agg);
  Aggregate correlated = agg;
  Correlate(&correlated);
  REQUIRE(correlated.responses.back().tie == Tie::kRequestId);
  uint64_t same_log = 0;
  for (const Group& g : correlated.groups) same_log += g.ties[static_cast<int>(Tie::kSameLog)];
  CHECK(same_log > 100);

  Aggregate again = agg;
  for (double fraction : {0.25, 0.5, 0.75, kPastTheEnd}) {
    INFO("at " << fraction);
    Aggregate once = agg;
    const size_t folded = Settle(&once, HorizonsAt(agg, fraction));
    CHECK(folded > 0);
    CheckSameReport(once, expected);
    Settle(&again, HorizonsAt(agg, fraction));
    CheckSameReport(again, expected);
    // Nothing left is settled by mistake: every response left is near its input's horizon.
    const std::vector<InputHorizon> horizons = HorizonsAt(agg, fraction);
    for (const ResponseRef& r : once.responses) CHECK(r.line + 2 * kLinesAround >= horizons[r.input].line);
  }
  CHECK(Refs(again) == 0);
  // An input with no horizon keeps its untimed refs.
  Aggregate partly = agg;
  Settle(&partly, {HorizonsAt(agg, kPastTheEnd)[0]});
  CHECK(std::all_of(partly.responses.begin(), partly.responses.end(), [](const ResponseRef& r) { return r.input == 1; }));
  CheckSameReport(partly, expected);
}

TEST_CASE("settle: an input with no time yet does not hold timed settling back", "[settle]") {
  Aggregate agg = SyntheticIncident(300);
  agg.inputs.push_back(InputStats{"not yet written"});
  const Rendered expected = ReportOf(agg);
  std::vector<InputHorizon> horizons = HorizonsAt(agg, kPastTheEnd);
  horizons.back() = InputHorizon{};
  Aggregate settled = agg;
  CHECK(Settle(&settled, horizons) > 0);
  CHECK(Refs(settled) == 0);
  CheckSameReport(settled, expected);
  // Without any time at all nothing timed settles.
  Aggregate untimed_horizons = agg;
  CHECK(Settle(&untimed_horizons, std::vector<InputHorizon>(agg.inputs.size())) == 0);
}

TEST_CASE("settle: the first evidence of a request id ties it, whether it or a later one was settled", "[settle]") {
  Aggregate agg;
  Synth s(&agg, 3);
  const int database = RuleOf("database.connect");
  const int exception = RuleOf("app.exception");
  // In evidence order the app's line comes first, though the database's is older: the first ties.
  s.Evidence(exception, 0, 1, Seconds(100), "", "req-1");
  s.Evidence(database, 1, 1, Seconds(50), "", "req-1");
  s.Evidence(database, 1, 2, Seconds(60), "", "req-2");
  s.Evidence(exception, 0, 2, Seconds(110), "", "req-2");
  s.Response(2, 1, Seconds(200), 500, "", "req-1");
  s.Response(2, 2, Seconds(200), 500, "", "req-2");
  const Rendered expected = ReportOf(agg);
  for (double horizon : {80.0, 105.0, 130.0, 400.0}) {  // settles neither, the older, both, everything
    INFO("horizon " << horizon);
    Aggregate settled = agg;
    Settle(&settled, std::vector<InputHorizon>(3, InputHorizon{Seconds(horizon), 10}));
    CheckSameReport(settled, expected);
    Correlate(&settled);
    const Report report = BuildReport(settled, 0);
    for (const RankedCause& c : report.causes) {
      CHECK(c.group->ties[static_cast<int>(Tie::kRequestId)] == (c.group->cause == "unknown" ? 0 : 1));
    }
  }
}

TEST_CASE("settle: the request ids kept are capped, the newest kept", "[settle]") {
  Aggregate agg;
  Synth s(&agg, 2);
  const int database = RuleOf("database.connect");
  const size_t ids = SettledState::kMaxRequestIds + 5000;
  for (size_t i = 0; i < ids; ++i) {
    s.Evidence(database, 0, i + 1, Seconds(static_cast<double>(i) / 100), "", "id-" + std::to_string(i));
  }
  const TimeUs end = agg.last;
  CHECK(Settle(&agg, {{end + 60 * kUsPerSecond, ids + 1}, {end + 60 * kUsPerSecond, 0}}) == ids);
  CHECK(agg.evidence.empty());
  CHECK(agg.settled.request_ids.size() == SettledState::kMaxRequestIds);
  CHECK(agg.settled.id_order.size() == SettledState::kMaxRequestIds);
  // A later response finds the evidence of a recent id, not of one pushed out.
  s.Response(1, 1, end + 3600 * kUsPerSecond, 500, "", "id-" + std::to_string(ids - 1));
  s.Response(1, 2, end + 3600 * kUsPerSecond, 500, "", "id-0");
  Correlate(&agg);
  CHECK(agg.responses[0].tie == Tie::kRequestId);
  CHECK(agg.responses[1].tie == Tie::kNone);
}

TEST_CASE("settle: a million responses over ten hours, settled every minute, keep memory flat", "[settle]") {
  Aggregate agg;
  Synth s(&agg, 3);
  const int timeout = RuleOf("upstream.timeout");
  const int database = RuleOf("database.connect");
  constexpr size_t kResponses = 1000000;
  constexpr size_t kMinutes = 600;
  constexpr size_t kPerMinute = kResponses / kMinutes + 1;
  size_t added = 0, folded = 0, max_refs = 0, proxy = 0;
  uint64_t lines[3] = {0, 0, 0};
  for (size_t minute = 0; minute < kMinutes; ++minute) {
    for (size_t k = 0; k < kPerMinute && added < kResponses; ++k, ++added) {
      const double at = static_cast<double>(minute * 60) + 60.0 * static_cast<double>(k) / kPerMinute;
      const std::string client = "10.1." + std::to_string(k % 200) + ".1";
      if (k % 10 == 0) s.Evidence(k % 20 ? timeout : database, 1, ++lines[1], Seconds(at), client);
      const bool backend = k % 7 == 0;  // a duplicate: the proxy's 5xx are all around it
      s.Response(0, ++lines[0], Seconds(at + 0.2), k % 3 ? 504 : 502, client, "r" + std::to_string(added), backend);
      proxy += backend ? 0 : 1;
    }
    const TimeUs horizon = Seconds(static_cast<double>(minute * 60 + 60));
    folded += Settle(&agg, {{horizon, lines[0]}, {horizon, lines[1]}, {kNoTime, 0}});
    max_refs = std::max(max_refs, Refs(agg));
  }
  CHECK(added == kResponses);
  // What stays: about a minute of refs, a count per minute and group, a few proxy times.
  CHECK(max_refs < 2 * (kPerMinute + kPerMinute / 10));
  CHECK(agg.settled.minutes.size() <= kMinutes + 1);
  CHECK(agg.settled.proxy_5xx.size() < 1000);
  CHECK(agg.settled.request_ids.empty());  // the evidence has no ids
  CHECK(agg.settled.responses + agg.responses.size() == kResponses);
  CHECK(folded == agg.settled.responses + agg.settled.evidence);
  size_t bytes = agg.responses.capacity() * sizeof(ResponseRef) + agg.evidence.capacity() * sizeof(EvidenceRef) +
                 agg.settled.proxy_5xx.capacity() * sizeof(TimeUs);
  for (const auto& [minute, m] : agg.settled.minutes) bytes += 64 + m.groups.size() * 64;
  CHECK(bytes < 2 * 1024 * 1024);
  // And the report still counts them all.
  Correlate(&agg);
  const Report report = BuildReport(agg, 0);
  CHECK(report.totals.http_5xx == proxy);
  uint64_t in_timeline = 0;
  for (uint64_t n : report.timeline.http_5xx) in_timeline += n;
  CHECK(in_timeline == proxy);
}

TEST_CASE("settle: a run of one input settling as it reads gives the report it gives without", "[settle]") {
  size_t cases = 0;
  for (const std::string& name : GoldenCases()) {
    PipelineOptions o = OptionsOf(name);
    if (o.inputs.size() != 1) continue;  // runs of several inputs do not settle as they read
    INFO(name);
    ++cases;
    o.keep_uncorrelated = true;
    o.settle_every = 0;
    PipelineResult plain = RunPipeline(*DefaultRuleSet(), o);
    REQUIRE(plain.uncorrelated);
    const Rendered expected = ReportOf(*plain.uncorrelated);
    // Every event, and every few: the points fall at other events of the case.
    for (uint64_t every : {1, 3, 16}) {
      for (int threads : {1, 2}) {
        INFO("every " << every << " events, " << threads << " threads");
        o.settle_every = every;
        o.threads = threads;
        PipelineResult settled = RunPipeline(*DefaultRuleSet(), o);
        REQUIRE(settled.uncorrelated);
        CheckSameReport(*settled.uncorrelated, expected);
      }
    }
  }
  CHECK(cases >= 10);
}

// Every case's log cut into parts (file_parts.h) of a few hundred bytes and more: the parts
// merged in order, settled against each other or not, give the report of the whole log read at
// once. Cases whose logs cannot be cut (journald, generic text, .gz, several inputs) are the
// whole log read once and must be unchanged too.
TEST_CASE("settle: a log cut into parts gives the report of the whole, settled or not, on any thread count",
          "[settle][parts]") {
  size_t cut = 0;
  for (const std::string& name : GoldenCases()) {
    PipelineOptions o = OptionsOf(name);
    INFO(name);
    o.keep_uncorrelated = true;
    o.settle_every = 0;
    o.part_bytes = uint64_t{1} << 40;
    PipelineResult whole = RunPipeline(*DefaultRuleSet(), o);
    REQUIRE(whole.uncorrelated);
    const Rendered expected = ReportOf(*whole.uncorrelated);
    for (uint64_t part_bytes : {300, 1000, 4000}) {
      for (uint64_t every : {0, 3}) {
        for (int threads : {1, 3}) {
          INFO("parts of " << part_bytes << " bytes, settled every " << every << " events, " << threads << " threads");
          o.part_bytes = part_bytes;
          o.settle_every = every;
          o.threads = threads;
          PipelineResult parts = RunPipeline(*DefaultRuleSet(), o);
          REQUIRE(parts.uncorrelated);
          CheckSameReport(*parts.uncorrelated, expected);
          CHECK(parts.agg.inputs.size() == whole.agg.inputs.size());
        }
      }
    }
    cut += o.inputs.size() == 1 && whole.agg.inputs[0].bytes > 300;
  }
  CHECK(cut >= 10);
}

// "HH:MM:SS" of second `s` of a day.
std::string ClockOf(int s) {
  char out[16];
  std::snprintf(out, sizeof out, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  return out;
}

TEST_CASE("settle: a big one-input run keeps about a window of refs, not one per 5xx", "[settle]") {
  // Two hours of an nginx error log and its access log in one file: every second an upstream
  // timeout and its 504, and two quiet responses. 7,200 responses and as much evidence.
  std::string log;
  for (int s = 0; s < 7200; ++s) {
    const std::string clock = ClockOf(s);
    log += "2026/11/21 " + clock + " [error] 12#12: *" + std::to_string(s) +
           " upstream timed out (110: Connection timed out) while reading response header from upstream, "
           "client: 10.0.0.1, server: shop, request: \"GET /cart HTTP/1.1\", upstream: "
           "\"http://127.0.0.1:8080/cart\", host: \"shop\"\n";
    for (int k = 0; k < 3; ++k) {
      log += "10.0.0." + std::to_string(k + 1) + " - - [21/Nov/2026:" + clock + " +0000] \"GET /cart HTTP/1.1\" " +
             (k == 0 ? "504" : "200") + " 160 \"-\" \"curl/8\"\n";
    }
  }
  std::string dir = (std::filesystem::temp_directory_path() / "why500-settle-XXXXXX").string();
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  const std::string path = dir + "/shop.log";
  std::ofstream(path, std::ios::binary) << log;
  PipelineOptions o;
  o.inputs = {path};
  o.keep_uncorrelated = true;
  o.settle_every = 1024;
  PipelineResult settled = RunPipeline(*DefaultRuleSet(), o);
  o.settle_every = 0;
  PipelineResult plain = RunPipeline(*DefaultRuleSet(), o);
  std::filesystem::remove_all(dir);
  REQUIRE(settled.uncorrelated);
  REQUIRE(plain.uncorrelated);
  const Aggregate& agg = *settled.uncorrelated;
  CHECK(agg.settled.responses + agg.responses.size() == 7200);
  CHECK(Refs(agg) < 3 * 1024);  // what came since the last settling, and a window behind it
  CHECK(Refs(*plain.uncorrelated) == 14400);
  CheckSameReport(agg, ReportOf(*plain.uncorrelated));
}

// One JSON report, read as `why500 merge` reads the reports of other hosts: AggregateOfReport
// with the default rules (compiled once). A report it rejects gets a non-empty message. One it
// accepts is an aggregate every step after must take without crash or UB:
// - it merges with a copy of itself (as a report of another run: inputs shifted), and the
//   merge holds both: twice the inputs, refs and changes, the same groups;
// - Settle folds it at horizons across its time span, and settled at once past its end it gives
//   the report it gives unsettled;
// - Correlate, BuildReport and every writer run on each of those; the JSON report is valid JSON
//   and valid UTF-8;
// - round trip: the report written with its aggregate (also a settled one, which carries
//   "settled") reads back with AggregateOfReport and gives the same report JSON again.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "why500/aggregate_json.h"
#include "why500/classify.h"
#include "why500/correlate.h"
#include "why500/report.h"
#include "why500/rules.h"
#include "why500/settle.h"
#include "why500/text.h"

using namespace why500;
using namespace why500::fuzz;

namespace {

// The report of `agg` (uncorrelated) as `why500 merge` writes it: correlated, ranked, written by
// every writer; returns the JSON report with `agg` as its aggregate. The clock's fields are fixed,
// so two reports of the same aggregate are the same bytes.
std::string ReportOf(const Aggregate& agg) {
  Aggregate correlated = agg;
  Correlate(&correlated);
  Report report = BuildReport(correlated, 0);
  report.generated_at = 0;
  report.elapsed_seconds = 0;

  const std::string plain_json = RenderJson(report);
  WHY500_FUZZ_CHECK(IsValidUtf8(plain_json));
  WHY500_FUZZ_CHECK(nlohmann::json::accept(plain_json));
  TextOptions options;
  options.color = false;
  Touch(RenderText(report, options));
  Touch(RenderMarkdown(report, options));
  options.color = true;
  Touch(RenderText(report, options));

  std::string json = RenderJson(report, &agg);
  WHY500_FUZZ_CHECK(IsValidUtf8(json));
  WHY500_FUZZ_CHECK(nlohmann::json::accept(json));
  return json;
}

// The report of `agg` read back from the report written with it: the same report again.
void CheckRoundTrip(const Aggregate& agg, const std::string& json) {
  auto again = AggregateOfReport(json, DefaultRules());
  if (!again) std::fprintf(stderr, "round trip: %s\n", again.error().message.c_str());
  WHY500_FUZZ_CHECK(static_cast<bool>(again));
  WHY500_FUZZ_CHECK(again->inputs.size() == agg.inputs.size());
  WHY500_FUZZ_CHECK(again->groups.size() == agg.groups.size());
  WHY500_FUZZ_CHECK(again->responses.size() == agg.responses.size());
  WHY500_FUZZ_CHECK(again->evidence.size() == agg.evidence.size());
  WHY500_FUZZ_CHECK(ReportOf(*again) == json);
}

// Horizons with every input at `time` and `line`.
std::vector<InputHorizon> Horizons(const Aggregate& agg, TimeUs time, uint64_t line) {
  return std::vector<InputHorizon>(agg.inputs.size(), InputHorizon{time, line});
}

uint64_t LastLine(const Aggregate& agg) {
  uint64_t last = 0;
  for (const ResponseRef& r : agg.responses) last = std::max(last, r.line);
  for (const EvidenceRef& e : agg.evidence) last = std::max(last, e.line);
  return last;
}

// The latest time of any ref, or kNoTime.
TimeUs LastRefTime(const Aggregate& agg) {
  TimeUs last = kNoTime;
  for (const ResponseRef& r : agg.responses) last = std::max(last, r.time);
  for (const EvidenceRef& e : agg.evidence) last = std::max(last, e.time);
  return last;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  DefaultRules();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto loaded = AggregateOfReport(AsText(data, size), DefaultRules());
  if (!loaded) {
    WHY500_FUZZ_CHECK(!loaded.error().message.empty());
    Touch(loaded.error().message);
    return 0;
  }
  const Aggregate& agg = *loaded;

  // Its report, and the round trip of what is written with it.
  const std::string json = ReportOf(agg);
  CheckRoundTrip(agg, json);

  // Merged with a copy of itself, as the report of another run.
  {
    Aggregate merged = agg;
    Aggregate copy = agg;
    merged.Merge(std::move(copy), static_cast<uint32_t>(merged.inputs.size()));
    WHY500_FUZZ_CHECK(merged.inputs.size() == 2 * agg.inputs.size());
    WHY500_FUZZ_CHECK(merged.groups.size() == agg.groups.size());  // each group meets itself
    WHY500_FUZZ_CHECK(merged.evidence.size() == 2 * agg.evidence.size());
    WHY500_FUZZ_CHECK(merged.responses.size() == 2 * agg.responses.size());
    WHY500_FUZZ_CHECK(merged.changes.size() == 2 * agg.changes.size());
    merged.SortChanges();
    Touch(ReportOf(merged));
  }

  // Settled at horizons across its time span (and by line for untimed refs), each settled
  // aggregate reported and round-tripped: it carries "settled" then.
  const uint64_t last_line = LastLine(agg);
  std::vector<TimeUs> times = {kNoTime};
  if (agg.first != kNoTime && agg.last != kNoTime && agg.first <= agg.last) {
    const TimeUs span = agg.last / 2 - agg.first / 2;  // halves: no overflow whatever the times
    times.push_back(agg.first);
    times.push_back(agg.first + span / 2);
    times.push_back(agg.first + span);
    times.push_back(agg.last);
  }
  for (size_t k = 0; k < times.size(); ++k) {
    Aggregate settled = agg;
    const uint64_t line = last_line / times.size() * (k + 1);
    const size_t before = settled.responses.size() + settled.evidence.size();
    const size_t folded = Settle(&settled, Horizons(settled, times[k], line));
    WHY500_FUZZ_CHECK(settled.responses.size() + settled.evidence.size() + folded == before);
    Settle(&settled, Horizons(settled, times[k], line));  // again at the same horizon: nothing breaks
    const std::string settled_json = ReportOf(settled);
    CheckRoundTrip(settled, settled_json);
  }

  // Settled all at once (every horizon a few windows past the last ref, every line far past the
  // last), the report is the report unsettled: Settle ties every response against all the refs,
  // as Correlate does. Only when the horizon fits in a time (a ref time near the largest time
  // leaves no room past it).
  const TimeUs last_time = LastRefTime(agg);
  constexpr TimeUs kPast = 3 * kLongestWindowSeconds * kUsPerSecond;
  constexpr uint64_t kLinesPast = 4 * kLinesAround;
  if ((last_time == kNoTime || last_time < INT64_MAX - kPast) && last_line < UINT64_MAX - kLinesPast) {
    Aggregate settled = agg;
    const TimeUs horizon = last_time == kNoTime ? kNoTime : last_time + kPast;
    Settle(&settled, Horizons(settled, horizon, last_line + kLinesPast));
    if (horizon != kNoTime || std::all_of(agg.responses.begin(), agg.responses.end(),
                                           [](const ResponseRef& r) { return r.time == kNoTime; })) {
      WHY500_FUZZ_CHECK(settled.responses.empty());
    }
    Aggregate correlated = settled;
    Correlate(&correlated);
    Report report = BuildReport(correlated, 0);
    report.generated_at = 0;
    Aggregate unsettled = agg;
    Correlate(&unsettled);
    Report expected = BuildReport(unsettled, 0);
    expected.generated_at = 0;
    WHY500_FUZZ_CHECK(RenderJson(report) == RenderJson(expected));
  }
  return 0;
}

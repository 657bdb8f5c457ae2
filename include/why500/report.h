// The report: groups ranked by impact, the timeline and totals, ready for any writer.
// Writers read this; they never re-scan input.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "why500/aggregate.h"
#include "why500/timeline.h"

namespace why500 {

struct RankedCause {
  int rank = 0;
  double score = 0;  // what the ranking follows: a root cause scores at least as much as its symptoms
  const Group* group = nullptr;
  Timing timing = Timing::kUnknown;
  int tier = 0;              // see CauseTier
  int explained_by = 0;      // rank of the deeper cause this one is a symptom of; 0 when none
  std::vector<int> explains; // ranks of the shallower causes this one is the root of
};

// Where the report cannot see: kind (unparsed, cut, truncated, binary, journal_suppressed,
// journal_blobs, gap, rotation_gap, no_evidence, no_access_log, no_error_log, input_error,
// filtered), the input concerned ("" for all), a count and a sentence for people.
struct BlindSpot {
  std::string kind;
  std::string input;
  uint64_t count = 0;
  std::string detail;
};

struct Totals {
  uint64_t lines = 0, events = 0, http_5xx = 0, evidence_events = 0, classified_5xx = 0,
           unclassified_5xx = 0, unparsed_lines = 0, cut_entries = 0, truncated_lines = 0;
  uint64_t inferred_5xx = 0;  // of classified_5xx: causes read from access-log fields alone
  std::map<int, uint64_t> status_5xx;
};

struct Report {
  std::string version;
  TimeUs generated_at = kNoTime;
  double elapsed_seconds = 0;
  const Aggregate* agg = nullptr;
  Totals totals;
  bool have_access_log = false;
  std::vector<RankedCause> causes;
  std::unique_ptr<Group> unknown;  // the 5xx responses nothing explains; ranked when any
  Timeline timeline;
  Onset onset;
  std::string onset_basis;        // "http_5xx" or "evidence": which series the onset was found in
  TimeUs onset_time = kNoTime;    // the first failure of the onset bucket
  TimeUs first_failure = kNoTime; // the first 5xx (or evidence without an access log)
  const Change* last_change = nullptr;  // the last change before the onset (or first failure)
  std::vector<BlindSpot> blind_spots;
};

// Ranks the groups of `agg` (already correlated): see docs/architecture.md for the score.
Report BuildReport(const Aggregate& agg, double elapsed_seconds);

// Score weight of a confidence level.
double ConfidenceWeight(Confidence c);

// How deep in the stack a cause sits (a root cause is deeper than its symptoms):
// 2 app server (capacity, time limits, crashes), 3 application (exceptions, code, config,
// permissions), 4 data and system (database.*, memory, disk, external dependencies); 0 none.
int CauseTier(std::string_view cause);

// The blind spots of a built report (see BlindSpot), in a fixed order.
std::vector<BlindSpot> FindBlindSpots(const Report& report);

struct TextOptions {
  bool color = false;
  size_t top = 10;       // causes shown
  size_t examples = 2;   // evidence lines shown per cause
};
std::string RenderText(const Report& report, const TextOptions& options);
// `aggregate`, when given, is written as the top-level "aggregate" object (--with-aggregate):
// the mergeable state `why500 merge` reads (aggregate_json.h).
std::string RenderJson(const Report& report, const Aggregate* aggregate = nullptr);
// The same summary as the text report, as Markdown for an incident channel, a ticket or a CI
// job summary. Log text sits in code spans and fences; control bytes are escaped as in text.
std::string RenderMarkdown(const Report& report, const TextOptions& options);

}  // namespace why500

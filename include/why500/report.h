// The report: groups ranked by impact, the timeline and totals, ready for any writer.
// Writers read this; they never re-scan input.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "why500/aggregate.h"

namespace why500 {

struct RankedCause {
  int rank = 0;
  double score = 0;
  const Group* group = nullptr;
};

struct Timeline {
  int64_t bucket_seconds = 60;
  TimeUs start = kNoTime;
  std::vector<uint64_t> http_5xx, evidence;
};

struct Totals {
  uint64_t lines = 0, events = 0, http_5xx = 0, evidence_events = 0, classified_5xx = 0,
           unclassified_5xx = 0, unparsed_lines = 0, cut_entries = 0, truncated_lines = 0;
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
};

// Ranks the groups of `agg` (already correlated): see docs/architecture.md for the score.
Report BuildReport(const Aggregate& agg, double elapsed_seconds);

// Score weight of a confidence level.
double ConfidenceWeight(Confidence c);

struct TextOptions {
  bool color = false;
  size_t top = 10;       // causes shown
  size_t examples = 2;   // evidence lines shown per cause
};
std::string RenderText(const Report& report, const TextOptions& options);
std::string RenderJson(const Report& report);

}  // namespace why500

// The sentences the text and Markdown reports share: how bad, since when, what changed, where
// each cause stands in time, and the timeline drawn as a sparkline. Strings from logs (input
// names, change lines) come back escaped with TerminalSafe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "why500/report.h"

namespace why500 {

std::string Count(uint64_t n);  // 12,345
std::string Plural(uint64_t n, std::string_view one, std::string_view many);
std::string Duration(TimeUs us);  // 45s, 3m05s, 2h10m, 1d04h
std::string StatusMix(const std::map<int, uint64_t>& status);  // "502×31 500×4"

// "35 5xx of 142 responses (24.6%): 502×31 500×4", or why it is not known.
std::string HowBad(const Report& r);
// "2026-11-21 10:03:08 UTC: 5xx rose from about 0 to 12 a minute (peak 10:04)", or why none.
std::string SinceWhen(const Report& r);
// "reload 1m04s before the onset: error.log:9  <line>", or that none was seen.
std::string WhatChanged(const Report& r, size_t line_width);
// The first thing to do, from the standard runbook: roll back a change the spike follows, else
// read the first real error of the top cause. Empty when there is no cause.
std::string FirstStep(const Report& r);
// "began at the onset", "chronic: there 40m before the onset and did not grow", …
std::string TimingPhrase(const Report& r, const RankedCause& c);
// "symptom of #1" / "root of #2, #3": empty when neither.
std::string RootPhrase(const Report& r, const RankedCause& c);
// "31 by request, 2 by time only": how the 5xx were tied, strongest first.
std::string TiePhrase(const Group& g);

struct Sparkline {
  std::string bars;        // one block character (▁…█, ' ' for zero) per column
  size_t columns = 0;
  size_t peak_column = 0;
  uint64_t peak = 0;        // the largest column's count
  int64_t column_seconds = 60;
};
// Sums adjacent buckets so the line fits `max_width` columns.
Sparkline DrawSparkline(const std::vector<uint64_t>& counts, int64_t bucket_seconds, size_t max_width);
// "min", "5 min", "hour", "day" for a column width in seconds.
std::string PerUnit(int64_t seconds);

}  // namespace why500

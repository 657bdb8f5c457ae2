// The incident in time: 5xx responses and evidence counted in buckets whose width adapts to
// the window, the onset (the first bucket where failures clearly leave their baseline) and
// where each cause began relative to it.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "why500/aggregate.h"

namespace why500 {

struct Timeline {
  int64_t bucket_seconds = 60;
  TimeUs start = kNoTime;
  std::vector<uint64_t> http_5xx, evidence;
  // The bucket holding `t`; -1 for untimed or out-of-range times.
  int BucketOf(TimeUs t) const;
};

// Buckets of 1 minute, widening (5m, 15m, 1h, 6h, 1d, 1w) until the window fits kMaxBuckets.
constexpr size_t kMaxBuckets = 120;
Timeline BuildTimeline(const Aggregate& agg);

struct Onset {
  bool found = false;
  size_t bucket = 0;
  bool at_log_start = false;  // the first bucket is already failing: it may have begun earlier
  bool steady = false;        // no onset because failures run at about the same rate throughout
  double baseline = 0;        // median count of the buckets before it
  uint64_t peak = 0;
  size_t peak_bucket = 0;
};

// A spike must reach this many failures in one bucket to have an onset at all.
constexpr uint64_t kMinSpike = 3;
// The first bucket whose count reaches baseline + max(kMinSpike, (peak - baseline) / 4), the
// baseline being the median of up to 30 buckets before it. A lone small burst long before a
// big spike stays under the bar; a slow rise is caught where it clearly starts. The first
// bucket has no baseline before it: it is the onset only when the second half of the window
// settles well below it (the logs begin inside the incident); at about the same rate
// throughout, there is no onset (steady).
Onset DetectOnset(const std::vector<uint64_t>& counts);

// Where a cause began relative to the onset. kBefore: it was there well before and did not
// grow (chronic, not the spike's cause); kGrew: there before, but its rate at least doubled
// from the onset; kAt: it began within a bucket of the onset; kAfter: later.
enum class Timing { kUnknown, kBefore, kGrew, kAt, kAfter };
std::string_view TimingName(Timing t);
Timing CauseTiming(const std::vector<uint64_t>& series, const Onset& onset);

}  // namespace why500

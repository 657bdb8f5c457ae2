#include "why500/timeline.h"

#include <algorithm>

namespace why500 {
namespace {

// `v` rounded down to a multiple of `step` (> 0), before 1970 too: a bucket must hold its start.
int64_t FloorTo(int64_t v, int64_t step) {
  const int64_t q = v / step;
  return (q - (v % step < 0 ? 1 : 0)) * step;
}

constexpr int64_t kBucketWidths[] = {60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400};
constexpr size_t kBaselineBuckets = 30;
constexpr size_t kGrowthBuckets = 10;

double Median(std::vector<uint64_t> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t mid = v.size() / 2;
  return v.size() % 2 ? static_cast<double>(v[mid]) : (static_cast<double>(v[mid - 1]) + static_cast<double>(v[mid])) / 2;
}

uint64_t Sum(const std::vector<uint64_t>& v, size_t from, size_t to) {
  uint64_t n = 0;
  for (size_t i = from; i < to && i < v.size(); ++i) n += v[i];
  return n;
}

}  // namespace

int Timeline::BucketOf(TimeUs t) const {
  if (t == kNoTime || start == kNoTime || t < start) return -1;
  const int64_t b = (t - start) / (bucket_seconds * kUsPerSecond);
  return b < static_cast<int64_t>(http_5xx.size()) ? static_cast<int>(b) : -1;
}

Timeline BuildTimeline(const Aggregate& agg) {
  Timeline t;
  if (agg.minutes.empty()) return t;
  // The whole window, not only the minutes with failures: the quiet before a spike is its baseline.
  int64_t first_minute = agg.minutes.begin()->first;
  int64_t last_minute = agg.minutes.rbegin()->first;
  if (agg.first != kNoTime) first_minute = std::min(first_minute, MinuteOf(agg.first));
  if (agg.last != kNoTime) last_minute = std::max(last_minute, MinuteOf(agg.last));
  for (int64_t width : kBucketWidths) {
    t.bucket_seconds = width;
    const int64_t start = FloorTo(first_minute * 60, width);
    if ((last_minute * 60 - start) / width + 1 <= static_cast<int64_t>(kMaxBuckets)) break;
  }
  // A damaged timestamp (year 9999) can stretch the window over millennia: whole weeks then,
  // never more than kMaxBuckets buckets, so the report stays small whatever the times say.
  const int64_t week = 7 * 86400;
  const int64_t span = last_minute * 60 - first_minute * 60 + t.bucket_seconds;
  if (span / t.bucket_seconds + 1 > static_cast<int64_t>(kMaxBuckets)) {
    t.bucket_seconds = (span / static_cast<int64_t>(kMaxBuckets - 1) / week + 1) * week;
  }
  const int64_t start = FloorTo(first_minute * 60, t.bucket_seconds);
  const size_t buckets = static_cast<size_t>((last_minute * 60 - start) / t.bucket_seconds + 1);
  t.start = start * kUsPerSecond;
  t.http_5xx.assign(buckets, 0);
  t.evidence.assign(buckets, 0);
  for (const auto& [minute, counts] : agg.minutes) {
    const size_t b = static_cast<size_t>((minute * 60 - start) / t.bucket_seconds);
    t.http_5xx[b] += counts.http_5xx;
    t.evidence[b] += counts.evidence;
  }
  return t;
}

Onset DetectOnset(const std::vector<uint64_t>& counts) {
  Onset o;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] > o.peak) {
      o.peak = counts[i];
      o.peak_bucket = i;
    }
  }
  if (o.peak < kMinSpike) return o;
  for (size_t i = 0; i < counts.size(); ++i) {
    const size_t from = i > kBaselineBuckets ? i - kBaselineBuckets : 0;
    const double baseline = Median(std::vector<uint64_t>(counts.begin() + from, counts.begin() + i));
    const double rise = std::max<double>(kMinSpike, (static_cast<double>(o.peak) - baseline) / 4);
    if (static_cast<double>(counts[i]) >= baseline + rise) {
      // The second half shows what the failures settle to: about the same means steady.
      const double settled = Median(std::vector<uint64_t>(counts.begin() + static_cast<long>(counts.size() / 2), counts.end()));
      if (i == 0 && 2 * settled >= static_cast<double>(counts[0])) {
        o.steady = true;
        o.baseline = settled;
        return o;
      }
      o.found = true;
      o.bucket = i;
      o.baseline = baseline;
      o.at_log_start = i == 0;
      return o;
    }
  }
  return o;
}

std::string_view TimingName(Timing t) {
  switch (t) {
    case Timing::kUnknown: return "unknown";
    case Timing::kBefore: return "before";
    case Timing::kGrew: return "grew";
    case Timing::kAt: return "at";
    case Timing::kAfter: return "after";
  }
  return "unknown";
}

Timing CauseTiming(const std::vector<uint64_t>& series, const Onset& onset) {
  if (!onset.found) return Timing::kUnknown;
  size_t first = 0;
  while (first < series.size() && series[first] == 0) ++first;
  if (first == series.size()) return Timing::kUnknown;
  if (first + 1 >= onset.bucket && first <= onset.bucket + 1) return Timing::kAt;
  if (first > onset.bucket) return Timing::kAfter;
  // There well before the onset: the spike's cause only if it grew with it.
  const double before = static_cast<double>(Sum(series, first, onset.bucket)) / static_cast<double>(onset.bucket - first);
  // The spike's first buckets, not all that follows: a long quiet tail would dilute it.
  const size_t span = std::min(series.size() - onset.bucket, kGrowthBuckets);
  const double after = static_cast<double>(Sum(series, onset.bucket, onset.bucket + span)) / static_cast<double>(span);
  return after >= 2 * before && after - before >= 1 ? Timing::kGrew : Timing::kBefore;
}

}  // namespace why500

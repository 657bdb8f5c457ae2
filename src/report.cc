#include "why500/report.h"

#include <algorithm>
#include <chrono>

namespace why500 {
namespace {

// Bucket widths the timeline may use; the narrowest that keeps it within kMaxBuckets wins.
constexpr int64_t kBucketWidths[] = {60, 300, 900, 3600, 6 * 3600, 86400, 7 * 86400};
constexpr size_t kMaxBuckets = 120;

Timeline BuildTimeline(const Aggregate& agg) {
  Timeline t;
  if (agg.minutes.empty()) return t;
  const int64_t first_minute = agg.minutes.begin()->first;
  const int64_t last_minute = agg.minutes.rbegin()->first;
  for (int64_t width : kBucketWidths) {
    t.bucket_seconds = width;
    const int64_t start = first_minute * 60 / width * width;
    if ((last_minute * 60 - start) / width + 1 <= static_cast<int64_t>(kMaxBuckets)) break;
  }
  const int64_t start = first_minute * 60 / t.bucket_seconds * t.bucket_seconds;
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

std::unique_ptr<Group> UnknownGroup(const Aggregate& agg) {
  auto owned = std::make_unique<Group>();
  Group& g = *owned;
  g.cause = "unknown";
  g.subcause = "no-evidence";
  g.confidence = Confidence::kLow;
  g.template_text = "5xx response with no cause evidence in the logs given";
  for (const ResponseRef& r : agg.responses) {
    if (r.group >= 0 || r.duplicate) continue;
    ++g.http_5xx;
    ++g.status[r.status];
    if (r.time != kNoTime) {
      if (g.first == kNoTime || r.time < g.first) g.first = r.time;
      if (g.last == kNoTime || r.time > g.last) g.last = r.time;
    }
    if (r.example >= 0 && g.examples.size() < agg.max_examples()) {
      g.examples.push_back(agg.response_examples[static_cast<size_t>(r.example)]);
    }
  }
  g.hint = agg.evidence_events == 0
               ? "No error-log evidence was given: run why500 on the error log(s) of the same time as well"
               : "No evidence matched these responses: check the application's own log for the same minutes";
  return owned;
}

}  // namespace

double ConfidenceWeight(Confidence c) {
  switch (c) {
    case Confidence::kHigh: return 1.0;
    case Confidence::kMedium: return 0.6;
    case Confidence::kLow: return 0.3;
  }
  return 0.3;
}

Report BuildReport(const Aggregate& agg, double elapsed_seconds) {
  Report r;
  r.version = WHY500_VERSION;
  r.generated_at = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  r.elapsed_seconds = elapsed_seconds;
  r.agg = &agg;
  r.have_access_log = agg.access_lines > 0;
  for (const InputStats& in : agg.inputs) {
    r.totals.lines += in.lines;
    r.totals.unparsed_lines += in.unparsed_lines;
    r.totals.cut_entries += in.cut_entries;
    r.totals.truncated_lines += in.truncated_lines;
  }
  r.totals.events = agg.events;
  r.totals.evidence_events = agg.evidence_events;
  for (const ResponseRef& resp : agg.responses) {
    if (resp.duplicate) continue;
    ++r.totals.http_5xx;
    (resp.group >= 0 ? r.totals.classified_5xx : r.totals.unclassified_5xx)++;
  }
  r.unknown = UnknownGroup(agg);
  r.timeline = BuildTimeline(agg);

  // score = 0.6·(share of 5xx explained) + 0.25·(share of evidence) + 0.1·confidence + 0.05·priority
  // Without an access log the 5xx share is unknown and its weight goes to the evidence share.
  const double total_5xx = std::max<double>(1, static_cast<double>(r.totals.http_5xx));
  const double total_evidence = std::max<double>(1, static_cast<double>(agg.evidence_events));
  const double w5xx = r.have_access_log ? 0.6 : 0.0;
  const double wev = r.have_access_log ? 0.25 : 0.85;
  auto score = [&](const Group& g) {
    return w5xx * static_cast<double>(g.http_5xx) / total_5xx +
           wev * static_cast<double>(g.events) / total_evidence +
           (g.cause == "unknown" ? 0.0 : 0.1 * ConfidenceWeight(g.confidence) + 0.05 * g.priority / 100.0);
  };
  for (const Group& g : agg.groups) {
    RankedCause c;
    c.group = &g;
    c.score = score(g);
    r.causes.push_back(c);
  }
  if (r.unknown->http_5xx > 0) {
    RankedCause c;
    c.group = r.unknown.get();
    c.score = score(*r.unknown);
    r.causes.push_back(c);
  }
  std::stable_sort(r.causes.begin(), r.causes.end(), [](const RankedCause& a, const RankedCause& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.group->events != b.group->events) return a.group->events > b.group->events;
    if (a.group->first_input != b.group->first_input) return a.group->first_input < b.group->first_input;
    return a.group->first_line < b.group->first_line;
  });
  for (size_t i = 0; i < r.causes.size(); ++i) r.causes[i].rank = static_cast<int>(i) + 1;
  return r;
}

}  // namespace why500

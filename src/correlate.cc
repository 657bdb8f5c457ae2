#include "why500/correlate.h"

#include <algorithm>

namespace why500 {
namespace {

// The evidence closest in time to `t` among `sorted` (by time) whose key matches, within `window`.
template <class KeyOf>
int Nearest(const std::vector<EvidenceRef>& sorted, TimeUs t, uint64_t key, TimeUs window, KeyOf key_of) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), t - window,
                             [](const EvidenceRef& e, TimeUs v) { return e.time < v; });
  int best = -1;
  TimeUs best_gap = window + 1;
  for (; it != sorted.end() && it->time <= t + window; ++it) {
    if (key_of(*it) != key) continue;
    const TimeUs gap = it->time > t ? it->time - t : t - it->time;
    if (gap < best_gap) {
      best_gap = gap;
      best = static_cast<int>(it->group);
    }
  }
  return best;
}

}  // namespace

void Correlate(Aggregate* agg) {
  std::vector<EvidenceRef> sorted = agg->evidence;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const EvidenceRef& a, const EvidenceRef& b) { return a.time < b.time; });
  for (Group& g : agg->groups) {
    g.http_5xx = 0;
    g.status.clear();
  }
  for (ResponseRef& r : agg->responses) {
    r.group = -1;
    if (r.time == kNoTime) continue;
    if (r.request_key != 0) {
      r.group = Nearest(sorted, r.time, r.request_key, kRequestWindowSeconds * kUsPerSecond,
                        [](const EvidenceRef& e) { return e.request_key; });
    }
    if (r.group < 0 && r.client_key != 0) {
      r.group = Nearest(sorted, r.time, r.client_key, kClientWindowSeconds * kUsPerSecond,
                        [](const EvidenceRef& e) { return e.client_key; });
    }
    if (r.group >= 0) {
      Group& g = agg->groups[r.group];
      ++g.http_5xx;
      ++g.status[r.status];
    }
  }
}

}  // namespace why500

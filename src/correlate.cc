#include "why500/correlate.h"

#include <algorithm>
#include <map>

namespace why500 {
namespace {

// The evidence closest in time to `t` among `sorted` (by time) that `fits`, within `window`.
template <class Fits>
int Nearest(const std::vector<EvidenceRef>& sorted, TimeUs t, TimeUs window, Fits fits) {
  auto it = std::lower_bound(sorted.begin(), sorted.end(), t - window,
                             [](const EvidenceRef& e, TimeUs v) { return e.time < v; });
  int best = -1;
  TimeUs best_gap = window + 1;
  for (; it != sorted.end() && it->time <= t + window; ++it) {
    if (!fits(*it)) continue;
    const TimeUs gap = it->time > t ? it->time - t : t - it->time;
    if (gap < best_gap) {
      best_gap = gap;
      best = static_cast<int>(it->group);
    }
  }
  return best;
}

// The untimed evidence of the same input nearest an untimed response, a few lines away (above
// first on a tie): an app writes its traceback then the request's line, Rails the other way round.
int NearestLines(const std::vector<EvidenceRef>& untimed, const ResponseRef& r) {
  int best = -1;
  uint64_t best_gap = kLinesAround + 1;
  for (const EvidenceRef& e : untimed) {
    if (e.input != r.input) continue;
    const uint64_t gap = e.line > r.line ? e.line - r.line : r.line - e.line;
    if (gap < best_gap || (gap == best_gap && e.line <= r.line)) {
      best_gap = gap;
      best = static_cast<int>(e.group);
    }
  }
  return best;
}

bool ProxyFailedNear(const std::vector<TimeUs>& proxy_5xx, TimeUs t) {
  const TimeUs window = kBackendWindowSeconds * kUsPerSecond;
  auto it = std::lower_bound(proxy_5xx.begin(), proxy_5xx.end(), t - window);
  return it != proxy_5xx.end() && *it <= t + window;
}

// The group that explains `r`, best evidence first; -1 when none does.
int Explain(const ResponseRef& r, const std::vector<EvidenceRef>& timed, const std::vector<EvidenceRef>& untimed) {
  if (r.time == kNoTime) return NearestLines(untimed, r);
  int g = -1;
  if (r.request_key != 0) {
    g = Nearest(timed, r.time, kRequestWindowSeconds * kUsPerSecond,
                [&](const EvidenceRef& e) { return e.request_key == r.request_key; });
  }
  if (g < 0 && r.client_key != 0) {
    g = Nearest(timed, r.time, kClientWindowSeconds * kUsPerSecond,
                [&](const EvidenceRef& e) { return e.client_key == r.client_key; });
  }
  if (g < 0) {  // the same log, the same moment: an app's exception and its access line
    g = Nearest(timed, r.time, kSameInputWindowSeconds * kUsPerSecond,
                [&](const EvidenceRef& e) { return e.input == r.input; });
  }
  return g;
}

}  // namespace

void Correlate(Aggregate* agg) {
  std::vector<EvidenceRef> timed, untimed;
  for (const EvidenceRef& e : agg->evidence) (e.time == kNoTime ? untimed : timed).push_back(e);
  std::stable_sort(timed.begin(), timed.end(),
                   [](const EvidenceRef& a, const EvidenceRef& b) { return a.time < b.time; });
  std::vector<TimeUs> proxy_5xx;
  for (const ResponseRef& r : agg->responses) {
    if (!r.backend && r.time != kNoTime) proxy_5xx.push_back(r.time);
  }
  std::sort(proxy_5xx.begin(), proxy_5xx.end());

  for (Group& g : agg->groups) {
    g.http_5xx = 0;
    g.status.clear();
  }
  for (auto& [minute, counts] : agg->minutes) counts.http_5xx = 0;
  for (ResponseRef& r : agg->responses) {
    r.duplicate = r.backend && r.time != kNoTime && ProxyFailedNear(proxy_5xx, r.time);
    r.group = -1;
    if (r.duplicate) continue;
    if (r.time != kNoTime) ++agg->minutes[MinuteOf(r.time)].http_5xx;
    r.group = Explain(r, timed, untimed);
    if (r.group >= 0) {
      Group& g = agg->groups[r.group];
      ++g.http_5xx;
      ++g.status[r.status];
    }
  }
}

}  // namespace why500

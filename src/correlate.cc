#include "why500/correlate.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

namespace why500 {
namespace {

struct Explanation {
  int group = -1;
  Tie tie = Tie::kNone;
};

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

class Explainer {
 public:
  explicit Explainer(const Aggregate& agg) : groups_(agg.groups), settled_ids_(agg.settled.request_ids) {
    for (const EvidenceRef& e : agg.evidence) {
      (e.time == kNoTime ? untimed_ : timed_).push_back(e);
      if (e.id_key != 0) by_id_.emplace(e.id_key, static_cast<int>(e.group));  // the first event of a request
    }
    std::stable_sort(timed_.begin(), timed_.end(),
                     [](const EvidenceRef& a, const EvidenceRef& b) { return a.time < b.time; });
  }

  // The group that explains `r`, strongest tie first.
  Explanation Explain(const ResponseRef& r) const {
    if (r.id_key != 0) {  // a settled id came before any unsettled evidence of that request
      auto settled = settled_ids_.find(r.id_key);
      if (settled != settled_ids_.end()) return {static_cast<int>(settled->second), Tie::kRequestId};
      auto it = by_id_.find(r.id_key);
      if (it != by_id_.end()) return {it->second, Tie::kRequestId};
    }
    if (r.time == kNoTime) return Tied(NearestLines(untimed_, r), Tie::kSameLog);
    Explanation x;
    if (r.request_key != 0) {
      x = Tied(Nearest(timed_, r.time, kRequestWindowSeconds * kUsPerSecond,
                       [&](const EvidenceRef& e) { return e.request_key == r.request_key; }),
               Tie::kRequest);
    }
    if (x.group < 0 && r.client_key != 0) {
      x = Tied(Nearest(timed_, r.time, kClientWindowSeconds * kUsPerSecond,
                       [&](const EvidenceRef& e) { return e.client_key == r.client_key; }),
               Tie::kClient);
    }
    if (x.group < 0) {  // the same log, the same moment: an app's exception and its access line
      x = Tied(Nearest(timed_, r.time, kSameInputWindowSeconds * kUsPerSecond,
                       [&](const EvidenceRef& e) { return e.input == r.input; }),
               Tie::kSameLog);
    }
    if (x.group < 0) {  // only the clock ties them: the cause must be one that gives this status
      x = Tied(Nearest(timed_, r.time, kTimeWindowSeconds * kUsPerSecond,
                       [&](const EvidenceRef& e) { return CauseGivesStatus(groups_[e.group].cause, r.status); }),
               Tie::kTimeWindow);
    }
    return x;
  }

 private:
  static Explanation Tied(int group, Tie tie) { return group < 0 ? Explanation{} : Explanation{group, tie}; }

  const std::vector<Group>& groups_;
  const std::unordered_map<uint64_t, uint32_t>& settled_ids_;
  std::vector<EvidenceRef> timed_, untimed_;
  std::unordered_map<uint64_t, int> by_id_;
};

bool IsRoundTimeout(int64_t ms) {
  if (ms < 1000) return false;
  const int64_t past = ms % 1000;
  const int64_t seconds = ms / 1000;
  // A timeout fires a hair after its setting ("60.002"), and common settings are multiples of 5 s.
  return past <= 150 && seconds % 5 == 0;
}

// A cause for a 5xx nothing in the logs explains, read from the access line's upstream fields
// alone (custom log formats with $upstream_status and $upstream_response_time).
int Infer(const ResponseRef& r, Aggregate* agg) {
  const int64_t waited = r.upstream_ms >= 0 ? r.upstream_ms : r.request_ms;
  if ((r.status == 504 || r.upstream_status == 504) && IsRoundTimeout(waited)) {
    const std::string seconds = std::to_string(waited / 1000);
    Group& g = agg->InferredGroup(
        "upstream.timeout", "round-timeout",
        fmt::format("{} after {} s upstream time, a round timeout (inferred from the access log)", r.status, seconds),
        fmt::format("Requests waited {} s, exactly a timeout setting (nginx proxy_read_timeout/fastcgi_read_timeout "
                    "default 60 s): find what the backend was waiting on at those minutes (slow queries, a locked "
                    "table, a slow dependency), then decide whether the timeout or the backend must change",
                    seconds));
    return static_cast<int>(&g - agg->groups.data());
  }
  const bool no_upstream_answer = r.upstream_status == 0;
  const bool refused_at_once = r.upstream_status == 502 && r.upstream_ms >= 0 && r.upstream_ms <= 10;
  if (r.status == 502 && (no_upstream_answer || refused_at_once)) {
    Group& g = agg->InferredGroup(
        "upstream.connect", no_upstream_answer ? "no-upstream-status" : "failed-at-once",
        no_upstream_answer ? "502 with no upstream status: no backend answered (inferred from the access log)"
                           : "502 within 10 ms of trying the upstream: the connection failed (inferred from the "
                             "access log)",
        "The proxy got no answer from any backend: is the backend running and listening where "
        "proxy_pass/fastcgi_pass points? The error log of the same minutes names the failure");
    return static_cast<int>(&g - agg->groups.data());
  }
  return -1;
}

void SeeTime(Group* g, TimeUs t) {
  if (t == kNoTime) return;
  if (g->first == kNoTime || t < g->first) g->first = t;
  if (g->last == kNoTime || t > g->last) g->last = t;
}

}  // namespace

bool CauseGivesStatus(std::string_view cause, int status) {
  auto any = [&](std::initializer_list<std::string_view> causes) {
    return std::find(causes.begin(), causes.end(), cause) != causes.end();
  };
  switch (status) {
    case 500:
      return !any({"upstream.connect", "upstream.timeout", "upstream.protocol", "crash", "resource.capacity"});
    case 502:
      return any({"upstream.connect", "upstream.timeout", "upstream.protocol", "crash", "resource.memory",
                  "resource.time_limit", "resource.capacity", "dependency.external"});
    case 503:
      return any({"upstream.connect", "upstream.timeout", "resource.capacity", "config.server", "crash"});
    case 504:
      return any({"upstream.timeout", "resource.time_limit", "resource.capacity"});
    default:
      return true;
  }
}

void TieResponses(Aggregate* agg, size_t from, size_t to) {
  std::vector<TimeUs> proxy_5xx = agg->settled.proxy_5xx;  // a settled proxy 5xx may be close to a later backend's
  for (const ResponseRef& r : agg->responses) {
    if (!r.backend && r.time != kNoTime) proxy_5xx.push_back(r.time);
  }
  std::sort(proxy_5xx.begin(), proxy_5xx.end());
  const Explainer explainer(*agg);  // every explanation before Infer adds groups
  std::vector<Explanation> explained(to - from);
  for (size_t i = from; i < to; ++i) {
    ResponseRef& r = agg->responses[i];
    r.duplicate = r.backend && r.time != kNoTime && ProxyFailedNear(proxy_5xx, r.time);
    if (!r.duplicate) explained[i - from] = explainer.Explain(r);
  }
  for (size_t i = from; i < to; ++i) {
    ResponseRef& r = agg->responses[i];
    Explanation x = explained[i - from];
    if (!r.duplicate && x.group < 0) x = Explanation{Infer(r, agg), Tie::kInferred};
    r.group = x.group;
    r.tie = x.group < 0 ? Tie::kNone : x.tie;
  }
}

namespace {

// Correlate's counts start again from nothing: the groups' 5xx, inferred groups' times and
// examples (they come from responses alone), the minutes' 5xx.
void ClearTies(Aggregate* agg) {
  for (Group& g : agg->groups) {
    g.http_5xx = 0;
    g.status.clear();
    std::fill(std::begin(g.ties), std::end(g.ties), 0);
    if (g.inferred) {
      g.first = g.last = kNoTime;
      g.examples.clear();
    }
  }
  for (auto& [minute, counts] : agg->minutes) counts.http_5xx = 0;
}

// What Settle folded away counts as the responses it was: in their groups and minutes.
void AddSettled(Aggregate* agg) {
  for (const auto& [index, tally] : agg->settled.groups) {
    Group& g = agg->groups[index];
    g.http_5xx += tally.http_5xx;
    for (const auto& [status, n] : tally.status) g.status[status] += n;
    for (int t = 0; t < kTieKinds; ++t) g.ties[t] += tally.ties[t];
    if (g.inferred) {
      SeeTime(&g, tally.first);
      SeeTime(&g, tally.last);
    }
  }
  for (const auto& [minute, settled] : agg->settled.minutes) {
    const uint64_t n = settled.http_5xx();
    if (n > 0) agg->minutes[minute].http_5xx += n;
  }
}

// An inferred group's examples: its first responses (in response order, which is the order of
// their example indices) that have one, settled or not.
void FillInferredExamples(Aggregate* agg, std::unordered_map<int, std::vector<int>>* unsettled) {
  for (size_t i = 0; i < agg->groups.size(); ++i) {
    Group& g = agg->groups[i];
    if (!g.inferred) continue;
    std::vector<int>& indices = (*unsettled)[static_cast<int>(i)];
    auto settled = agg->settled.groups.find(static_cast<uint32_t>(i));
    if (settled != agg->settled.groups.end()) {
      indices.insert(indices.end(), settled->second.examples.begin(), settled->second.examples.end());
    }
    std::sort(indices.begin(), indices.end());
    for (size_t k = 0; k < indices.size() && g.examples.size() < agg->max_examples(); ++k) {
      g.examples.push_back(agg->response_examples[static_cast<size_t>(indices[k])]);
    }
  }
}

}  // namespace

void Correlate(Aggregate* agg) {
  ClearTies(agg);
  TieResponses(agg, 0, agg->responses.size());
  std::unordered_map<int, std::vector<int>> inferred_examples;  // group → response example indices
  for (const ResponseRef& r : agg->responses) {
    if (r.duplicate) continue;
    if (r.time != kNoTime) ++agg->minutes[MinuteOf(r.time)].http_5xx;
    if (r.group < 0) continue;
    Group& g = agg->groups[static_cast<size_t>(r.group)];
    ++g.http_5xx;
    ++g.status[r.status];
    ++g.ties[static_cast<int>(r.tie)];
    if (g.inferred) {
      SeeTime(&g, r.time);
      if (r.example >= 0) inferred_examples[r.group].push_back(r.example);
    }
  }
  AddSettled(agg);
  FillInferredExamples(agg, &inferred_examples);
}

}  // namespace why500

#include "why500/settle.h"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "why500/correlate.h"

namespace why500 {
namespace {

constexpr TimeUs kWindow = kLongestWindowSeconds * kUsPerSecond;
// Untimed refs: a response's evidence is at most kLinesAround lines away; the margin of another
// kLinesAround covers events the assembler still holds (tracebacks, php-fpm output).
constexpr uint64_t kResponseLinesBehind = 2 * kLinesAround;
constexpr uint64_t kEvidenceLinesBehind = 3 * kLinesAround;
// A later part of a file holds back its refs this close to its least time (SettleAsRead): a
// response there is at most a window from its partner in the part before, and a window more
// covers that part's times running a little past this one's first.
constexpr TimeUs kHeldSpan = 2 * kWindow;

// What the horizons allow to settle.
class Reach {
 public:
  explicit Reach(const std::vector<InputHorizon>& horizons) : horizons_(horizons) {
    TimeUs least = kNoTime;
    for (const InputHorizon& h : horizons) {
      if (h.time != kNoTime && (least == kNoTime || h.time < least)) least = h.time;
    }
    if (least == kNoTime) return;
    response_cutoff_ = Before(least, kWindow);
    evidence_cutoff_ = Before(least, 2 * kWindow);
  }

  // Every input has seen a window past it: nothing still to come can tie it otherwise.
  bool Settles(const ResponseRef& r) const {
    if (Held(r.input, r.time, r.line)) return false;
    if (r.time == kNoTime) return LinesBehind(r.input, r.line, kResponseLinesBehind);
    return r.time <= response_cutoff_;
  }

  // No response left, nor any still to come, is near enough to reach it (but by request id).
  bool Unreachable(const EvidenceRef& e) const {
    if (Held(e.input, e.time, e.line)) return false;
    if (e.time == kNoTime) return LinesBehind(e.input, e.line, kEvidenceLinesBehind);
    return e.time < EvidenceTimeCutoff();
  }

  // Timed evidence (and settled proxy 5xx times) before this are out of every window left.
  TimeUs EvidenceTimeCutoff() const { return evidence_cutoff_; }

 private:
  bool Held(uint32_t input, TimeUs time, uint64_t line) const {
    if (input >= horizons_.size()) return false;
    const InputHorizon& h = horizons_[input];
    if (time == kNoTime) return line <= h.held_lines;
    return h.held_before != kNoTime && time < h.held_before;
  }

  bool LinesBehind(uint32_t input, uint64_t line, uint64_t distance) const {
    return input < horizons_.size() && line < horizons_[input].line && horizons_[input].line - line > distance;
  }

  // `t - span`, or the least time when that is below it (a damaged date near the epoch's limit).
  static TimeUs Before(TimeUs t, TimeUs span) {
    constexpr TimeUs kLeast = std::numeric_limits<TimeUs>::min();  // below every time (== kNoTime)
    return t < kLeast + span + 1 ? kLeast : t - span;
  }

  const std::vector<InputHorizon>& horizons_;
  // From the least horizon time of the inputs that have one; the least time (nothing settles,
  // as every time is above it) when none has.
  TimeUs response_cutoff_ = std::numeric_limits<TimeUs>::min();
  TimeUs evidence_cutoff_ = std::numeric_limits<TimeUs>::min();
};

TimeUs Earliest(TimeUs a, TimeUs b) { return a == kNoTime || (b != kNoTime && b < a) ? b : a; }

void SeeTime(SettledTally* tally, TimeUs t) {
  if (t == kNoTime) return;
  tally->first = Earliest(tally->first, t);
  if (tally->last == kNoTime || t > tally->last) tally->last = t;
}

// Keeps the `max_examples` smallest example indices: the responses shown are the first ones.
void AddExample(SettledTally* tally, int example, size_t max_examples) {
  if (example < 0) return;
  std::vector<int>& v = tally->examples;
  v.insert(std::upper_bound(v.begin(), v.end(), example), example);
  if (v.size() > max_examples) v.resize(max_examples);
}

// A tied (or untied) response becomes counts: what Correlate would add to its group (or what
// BuildReport would count as unknown), its minute and its causes' series.
void FoldResponse(const ResponseRef& r, size_t max_examples, SettledState* s) {
  ++s->responses;
  if (!r.backend && r.time != kNoTime) s->proxy_5xx.push_back(r.time);  // sorted in PruneProxyTimes
  if (r.duplicate) return;  // counted nowhere: the proxy's line stands for it
  const bool tied = r.group >= 0;
  SettledTally& tally = tied ? s->groups[static_cast<uint32_t>(r.group)] : s->unknown;
  ++tally.http_5xx;
  ++tally.status[r.status];
  ++tally.ties[static_cast<int>(r.tie)];
  if (!tied && r.upstream_status == r.status) ++tally.from_backend;
  SeeTime(&tally, r.time);
  AddExample(&tally, r.example, max_examples);
  if (r.time == kNoTime) return;
  SettledMinute& minute = s->minutes[MinuteOf(r.time)];
  minute.first_5xx = Earliest(minute.first_5xx, r.time);
  if (tied) {
    ++minute.groups[static_cast<uint32_t>(r.group)].http_5xx;
  } else {
    ++minute.unknown_5xx;
  }
}

size_t SettleResponses(const Reach& reach, Aggregate* agg) {
  std::vector<ResponseRef>& responses = agg->responses;
  // The settled ones first, each side in its order: response order decides inferred groups'
  // order and which examples show.
  const auto settled_end = std::stable_partition(responses.begin(), responses.end(),
                                                  [&](const ResponseRef& r) { return reach.Settles(r); });
  const size_t n = static_cast<size_t>(settled_end - responses.begin());
  if (n == 0) return 0;
  TieResponses(agg, 0, n);
  for (size_t i = 0; i < n; ++i) FoldResponse(responses[i], agg->max_examples(), &agg->settled);
  responses.erase(responses.begin(), settled_end);
  return n;
}

void FoldEvidence(const EvidenceRef& e, SettledState* s) {
  ++s->evidence;
  if (e.time == kNoTime) return;  // untimed evidence is in no series and no bucket
  SettledMinute& minute = s->minutes[MinuteOf(e.time)];
  minute.first_evidence = Earliest(minute.first_evidence, e.time);
  ++minute.groups[e.group].evidence;
}

// Drops the evidence no response can reach by time or line any more. Its request id stays
// reachable when it is the first of that id: no evidence kept comes before it.
size_t DropEvidence(const Reach& reach, Aggregate* agg) {
  std::vector<EvidenceRef>& evidence = agg->evidence;
  std::unordered_set<uint64_t> kept_ids;  // ids of evidence kept so far, in evidence order
  size_t kept = 0;
  for (size_t i = 0; i < evidence.size(); ++i) {
    const EvidenceRef e = evidence[i];
    if (!reach.Unreachable(e)) {
      if (e.id_key != 0) kept_ids.insert(e.id_key);
      evidence[kept++] = e;
      continue;
    }
    if (e.id_key != 0 && kept_ids.count(e.id_key) == 0) agg->settled.AddRequestId(e.id_key, e.group);
    FoldEvidence(e, &agg->settled);
  }
  const size_t dropped = evidence.size() - kept;
  evidence.resize(kept);
  return dropped;
}

// Settled proxy 5xx times are needed only while a backend 5xx could still be near them.
void PruneProxyTimes(const Reach& reach, SettledState* s) {
  std::sort(s->proxy_5xx.begin(), s->proxy_5xx.end());
  const auto old_end = std::lower_bound(s->proxy_5xx.begin(), s->proxy_5xx.end(), reach.EvidenceTimeCutoff());
  s->proxy_5xx.erase(s->proxy_5xx.begin(), old_end);
}

}  // namespace

size_t Settle(Aggregate* agg, const std::vector<InputHorizon>& horizons) {
  const Reach reach(horizons);
  // Responses first: the evidence they are tied to may be what goes next.
  const size_t responses = SettleResponses(reach, agg);
  const size_t evidence = DropEvidence(reach, agg);
  PruneProxyTimes(reach, &agg->settled);
  // Vectors keep their capacity: give it back once most of it is no longer used.
  if (agg->responses.capacity() > 4 * agg->responses.size() + 1024) agg->responses.shrink_to_fit();
  if (agg->evidence.capacity() > 4 * agg->evidence.size() + 1024) agg->evidence.shrink_to_fit();
  return responses + evidence;
}

void SettleAsRead::Added(Aggregate* agg, uint32_t input, uint64_t line) {
  if (every_ == 0 || ++added_ < every_) return;
  added_ = 0;
  // Other inputs' slots stay empty: they hold nothing back, and this aggregate has no refs of theirs.
  horizons_.resize(std::max<size_t>(horizons_.size(), input + size_t{1}));
  InputHorizon& h = horizons_[input];
  h = InputHorizon{least_, line};
  if (holds_head_) {
    constexpr TimeUs kMost = std::numeric_limits<TimeUs>::max();
    if (least_ever_ != kNoTime) h.held_before = least_ever_ > kMost - kHeldSpan ? kMost : least_ever_ + kHeldSpan;
    h.held_lines = kEvidenceLinesBehind;
  }
  Settle(agg, horizons_);
  least_ = kNoTime;
}

}  // namespace why500

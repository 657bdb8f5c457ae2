// Follow mode reads for hours: the aggregate's responses and evidence would grow without end.
// Settle ties the responses that nothing still to be read can change, as Correlate would, and
// folds them, and the evidence no response left can reach, into per-minute counts that the
// aggregate keeps (Aggregate::settled). Correlate and BuildReport count those as if the refs
// were still there, so the report does not change.
#pragma once

#include <cstdint>
#include <vector>

#include "why500/aggregate.h"

namespace why500 {

// How far each input has got: the latest time it has seen (kNoTime when none) and its last line number.
struct InputHorizon {
  TimeUs time = kNoTime;
  uint64_t line = 0;
  // Refs of the input held back whatever the horizon: timed ones before `held_before`, untimed
  // ones at or before line `held_lines`. A part of a file cut into parts holds back those near
  // its start, which refs of the part before it (not merged in yet) may tie.
  TimeUs held_before = kNoTime;
  uint64_t held_lines = 0;
};

// Follow mode: ties every response that nothing still to be read can change (older than each
// input's horizon by more than every correlation window; untimed ones far enough behind their input's
// line) and folds it, and the evidence no unsettled response can reach any more, into per-minute
// counts kept in the aggregate. Correlate and BuildReport then give the report they would have
// given without settling. `horizons` is indexed by input. Returns the refs folded.
//
// `agg` is uncorrelated (as the pipeline builds it, before Correlate); Settle may be called again
// after more partials are merged in (Aggregate::Merge, same input numbering). In detail:
// - A timed response at t settles once every input with a time has horizon.time >= t +
//   kLongestWindowSeconds. An input with no time yet (kNoTime), or past the end of `horizons`,
//   does not hold timed settling back: its timed refs, should it ever write some, are assumed
//   not to be older than the others' horizons.
// - Timed evidence goes once older than the least horizon time by more than two windows: a
//   response left (or still to come) is at most one window behind it and looks one window back.
//   Recent settled proxy 5xx times are kept as long, for a later backend 5xx's duplicate test.
// - Untimed refs settle by line, per input: a response 2 × kLinesAround lines behind the
//   input's last line (its evidence is at most kLinesAround lines away, and the assembler may
//   still hold an event begun a few lines back), untimed evidence 3 × kLinesAround behind (no
//   response left is within kLinesAround of it). Inputs past the end of `horizons` keep theirs.
// - The request-id tie holds at any distance: the group of the first folded evidence event of
//   each request id is kept (SettledState::request_ids, at most kMaxRequestIds, oldest out), so
//   a later response of that id still finds it. Past the cap, or for an id whose evidence comes
//   after its response was settled, the tie is lost: accepted, ids that far apart are rare.
// - Refs that arrive older than the horizons they were settled against (a clock far behind the
//   other inputs', an input that starts late with old times) may find their partners folded:
//   the report is the same only when no correlation crosses the horizon.
size_t Settle(Aggregate* agg, const std::vector<InputHorizon>& horizons);

// A batch run of one input settles as it reads, so that its memory does not grow with the
// input: every `every` events added (in input order, so the points do not depend on the thread
// count). Its horizon is the least time seen since the last settling, not the latest: in a file
// that interleaves logs whose clocks disagree, the lagging log's responses wait for it. Lines
// out of order by more than a correlation window may lose a tie, as in follow mode.
//
// A part of a file after the first (`holds_head`) holds back the refs within two windows of its
// least time and within 3 × kLinesAround lines of its start: the part before it may hold their
// partners, and they settle once merged after it (pipeline.cc).
class SettleAsRead {
 public:
  SettleAsRead(uint64_t every, bool holds_head = false) : every_(every), holds_head_(holds_head) {}
  void See(TimeUs t) {
    if (t == kNoTime) return;
    if (least_ == kNoTime || t < least_) least_ = t;
    if (least_ever_ == kNoTime || t < least_ever_) least_ever_ = t;
  }
  // After an event of `input` at `line` was added to `agg`.
  void Added(Aggregate* agg, uint32_t input, uint64_t line);
  // The least time seen since the last settling; kNoTime when none.
  TimeUs least_time() const { return least_; }

 private:
  const uint64_t every_;  // 0: never
  const bool holds_head_;
  uint64_t added_ = 0;
  TimeUs least_ = kNoTime, least_ever_ = kNoTime;
  std::vector<InputHorizon> horizons_;
};

}  // namespace why500

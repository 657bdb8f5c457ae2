#include "why500/live.h"

#include <algorithm>
#include <utility>

#include "why500/settle.h"

namespace why500 {

void LiveRun::Begin(const std::vector<std::string>& input_names) {
  std::lock_guard<std::mutex> lock(mu_);
  Grow(input_names.size());
  for (size_t i = 0; i < input_names.size(); ++i) stats_[i].name = input_names[i];
}

void LiveRun::Publish(uint32_t input, Aggregate* partial, const InputStats& stats, bool quiet) {
  Aggregate taken(partial->max_examples());
  std::swap(taken, *partial);
  std::lock_guard<std::mutex> lock(mu_);
  if (input >= stats_.size()) Grow(input + 1);
  const bool news = !taken.groups.empty() || taken.events > 0 || taken.access_lines > 0 ||
                    stats.lines != stats_[input].lines || stats.error != stats_[input].error;
  total_.Merge(std::move(taken));
  stats_[input] = stats;
  quiet_[input] = quiet;
  caught_up_[input] = caught_up_[input] || quiet;
  if (news) ++generation_;
}

void LiveRun::Grow(size_t inputs) {
  stats_.resize(inputs);
  quiet_.resize(inputs, false);
  caught_up_.resize(inputs, false);
}

Aggregate LiveRun::Snapshot() {
  std::lock_guard<std::mutex> lock(mu_);
  // An input with nothing new (at its end for now) is as far as the latest time any input has
  // seen: what it writes next comes after what the busy ones are writing now. Else a quiet error
  // log would hold back every response of the access log for as long as it stays quiet.
  // An input still reading towards its first pause without a time yet holds back everything:
  // its evidence may be for any response read so far.
  TimeUs latest = kNoTime;
  for (const InputStats& s : stats_) latest = std::max(latest, s.last_time);  // kNoTime is the least
  std::vector<InputHorizon> horizons(stats_.size());
  bool all_known = true;
  for (size_t i = 0; i < stats_.size(); ++i) {
    horizons[i] = InputHorizon{quiet_[i] ? latest : stats_[i].last_time, stats_[i].lines};
    all_known &= caught_up_[i] || stats_[i].last_time != kNoTime;
  }
  if (all_known) Settle(&total_, horizons);
  Aggregate copy = total_;
  copy.inputs = stats_;
  copy.SortChanges();
  return copy;
}

uint64_t LiveRun::generation() {
  std::lock_guard<std::mutex> lock(mu_);
  return generation_;
}

}  // namespace why500

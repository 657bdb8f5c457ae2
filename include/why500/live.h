// Follow mode's shared state. Each input's reading thread hands over, now and then, what it
// has aggregated since its last hand-over and its counts so far; the display thread takes
// snapshots to report on. What is old enough that nothing still to come can change how it
// correlates is settled into per-minute counts, so memory stays flat however long it runs.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "why500/aggregate.h"

namespace why500 {

class LiveRun {
 public:
  explicit LiveRun(size_t max_examples) : total_(max_examples) {}

  // The inputs of the run, as shown in reports, in input order (the pipeline calls it once it
  // knows the files behind folders).
  void Begin(const std::vector<std::string>& input_names);

  // From the reading thread of `input`: adds `partial` (left empty, ready for more) and
  // replaces the input's counts with `stats`. `quiet`: the input has read all there is for now
  // (or has ended).
  void Publish(uint32_t input, Aggregate* partial, const InputStats& stats, bool quiet);

  // From the display thread: the run so far, uncorrelated (the caller correlates its copy).
  Aggregate Snapshot();

  // Grows with every hand-over that brought something new: an unchanged run needs no redraw.
  uint64_t generation();

 private:
  std::mutex mu_;
  Aggregate total_;
  void Grow(size_t inputs);

  std::vector<InputStats> stats_;  // by input
  std::vector<bool> quiet_;        // by input: read all there is for now
  std::vector<bool> caught_up_;    // by input: was quiet once (an input without times is untimed then)
  uint64_t generation_ = 0;
};

}  // namespace why500

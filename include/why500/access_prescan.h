// Access logs on several threads. Nearly every access line is a quiet response (status < 500)
// whose only use is its time, yet parsing it is most of the work. The reading thread hands over
// each block it reads, its whole lines, without copying it; worker threads frame and parse them
// ahead of it and mark each quiet response with its time; the reading thread counts those at
// once and gives only the others (5xx, lines of other shapes) to the assembler, strictly in
// input order, so the outcome is that of reading every line in turn.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "why500/assemble.h"
#include "why500/line_reader.h"
#include "why500/ordered_batches.h"
#include "why500/wrappers.h"

namespace why500 {

class AccessPrescan {
 public:
  // Lines go to `assembler` (an access log's) with `wrapper` peeled; `workers` threads ask it
  // which are quiet responses (Assembler::IsQuietResponse) ahead of it.
  // Lines longer than `max_line` keep their first `max_line` bytes (LineReader's cap).
  AccessPrescan(Wrapper wrapper, Assembler* assembler, int workers, size_t max_line);

  // The next line as read (copied: it need only live during the call).
  void Add(std::string_view line);
  // The next run of whole lines, taken from `reader` without a copy (LineReader::TakeRun): a
  // worker frames them. False when it has none (see TakeRun). Lines are numbered in the order
  // they come, runs and single lines alike.
  bool AddRun(LineReader* reader);
  // Hands every line still in flight to the assembler.
  void Finish();
  // Lines that came in runs, and how many of those were cut to the cap.
  uint64_t run_lines() const { return run_lines_; }
  uint64_t run_truncated() const { return run_truncated_; }

 private:
  struct Verdict {
    TimeUs time = kNoTime;
    bool quiet = false;  // a response with status < 500: only its time matters
  };
  struct Line {
    uint32_t begin, length;  // in Batch::singles, or in Batch::block for a line of the run
    bool from_run;
  };
  struct Batch {
    std::string singles;                // lines handed over one by one, back to back...
    std::vector<uint32_t> single_ends;  // ...ending here
    std::vector<char> block;            // then a run of lines, [run_begin, run_end) of a reader's buffer
    size_t run_begin = 0, run_end = 0;
    // By the worker:
    std::vector<Line> lines;
    std::vector<Verdict> verdicts;
    uint64_t run_truncated = 0;
  };

  void Submit();
  static std::string_view LineOf(const Batch& b, const Line& line);
  void Prescan(Batch& b) const;
  void Apply(Batch& b);

  const Wrapper wrapper_;
  Assembler* assembler_;
  const size_t max_line_;
  uint64_t line_number_ = 0, run_lines_ = 0, run_truncated_ = 0;  // the reading thread's
  OrderedBatches<Batch> batches_;  // last: its threads stop before the rest goes
};

}  // namespace why500

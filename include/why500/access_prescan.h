// Access logs on several threads. Nearly every access line is a quiet response (status < 500)
// whose only use is its time, yet parsing it is most of the work. Worker threads parse batches
// of lines ahead of the reading thread and mark each quiet response with its time; the reading
// thread counts those at once and gives only the others (5xx, lines of other shapes) to the
// assembler, strictly in input order, so the outcome is that of reading every line in turn.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "why500/assemble.h"
#include "why500/ordered_batches.h"
#include "why500/wrappers.h"

namespace why500 {

class AccessPrescan {
 public:
  // Lines go to `assembler` (an access log's) with `wrapper` peeled; `workers` threads ask it
  // which are quiet responses (Assembler::IsQuietResponse) ahead of it.
  AccessPrescan(Wrapper wrapper, Assembler* assembler, int workers);

  // The next line as read (copied: it need only live during the call) and its line number.
  void Add(std::string_view line, uint64_t line_number);
  // Hands every line still in flight to the assembler.
  void Finish();

 private:
  struct Verdict {
    TimeUs time = kNoTime;
    bool quiet = false;  // a response with status < 500: only its time matters
  };
  struct Batch {
    std::string bytes;            // the lines, back to back
    std::vector<uint32_t> ends;   // where each line ends in `bytes`
    std::vector<Verdict> verdicts;
    uint64_t first_line = 0;
  };

  void Submit();
  void Prescan(Batch& b) const;
  void Apply(Batch& b);

  const Wrapper wrapper_;
  Assembler* assembler_;
  OrderedBatches<Batch> batches_;  // last: its threads stop before the rest goes
};

}  // namespace why500

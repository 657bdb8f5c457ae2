// Frames a Source into lines: large block reads, lines as string_views into the block,
// an explicit cap on line length (the rest of an overlong line is counted, not kept).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "why500/source.h"
#include "why500/status.h"

namespace why500 {

struct LineStats {
  uint64_t lines = 0;
  uint64_t bytes = 0;            // bytes of text (uncompressed)
  uint64_t truncated_lines = 0;  // lines longer than the cap
  bool missing_final_newline = false;
};

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLine = 64 * 1024;
  LineReader(Source* source, size_t max_line = kDefaultMaxLine, size_t block = 1 << 20);

  // Sets `line` (without "\n" or "\r\n") to the next line, valid until the next call.
  // Returns false at the end of input, after a read error (see error()), or when a followed
  // source pauses (see paused()).
  bool Next(std::string_view* line);
  // The last Next returned false because the source has nothing new yet, not at the end:
  // calling Next again waits for more.
  bool paused() const { return paused_; }
  uint64_t line_number() const { return stats_.lines; }
  const LineStats& stats() const { return stats_; }
  const Status& error() const { return error_; }
  // Adds every block's bytes to `counter` too (the progress line reads it from another thread).
  void CountInto(std::atomic<uint64_t>* counter) { progress_ = counter; }

 private:
  bool Fill();
  void SkipRestOfLongLine();

  Source* source_;
  size_t max_line_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  bool paused_ = false;
  bool skipping_ = false;  // inside the unkept rest of an overlong line
  LineStats stats_;
  Status error_;
  std::atomic<uint64_t>* progress_ = nullptr;
};

}  // namespace why500

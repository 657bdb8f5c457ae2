// Frames a Source into lines: large block reads, lines as string_views into the block,
// an explicit cap on line length (the rest of an overlong line is counted, not kept).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
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

// Frames a run of whole lines (LineReader::TakeRun) as Next would: "\r\n" ends a line as "\n"
// does, and a line longer than `max_line` keeps its first `max_line` bytes. Calls
// `line(std::string_view)` for each in turn; returns how many were cut to the cap.
template <class OnLine>
uint64_t FrameRun(std::string_view run, size_t max_line, OnLine line);

class LineReader {
 public:
  static constexpr size_t kDefaultMaxLine = 64 * 1024;
  LineReader(Source* source, size_t max_line = kDefaultMaxLine, size_t block = 1 << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Sets `line` (without "\n" or "\r\n") to the next line, valid until the next call.
  // Returns false at the end of input, after a read error (see error()), or when a followed
  // source pauses (see paused()).
  bool Next(std::string_view* line);
  // Hands over every complete line buffered ("\n" included, "\r" and the line cap not applied:
  // FrameRun does that), reading a block first if none is, without copying them: the reader's
  // buffer is swapped with `*buffer`, the lines are [*begin, *end) of it, and the reader goes on
  // in the buffer `*buffer` held, the start of the next line moved there. False when there is
  // none: Next then gives the next line (an overlong one, the last one without a newline) or
  // says the input ended. Lets another thread frame lines: see AccessPrescan.
  bool TakeRun(std::vector<char>* buffer, size_t* begin, size_t* end);
  // Counts lines that were handed out in runs and framed by FrameRun.
  void CountFramed(uint64_t lines, uint64_t truncated) {
    stats_.lines += lines;
    stats_.truncated_lines += truncated;
  }
  size_t max_line() const { return max_line_; }
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

template <class OnLine>
uint64_t FrameRun(std::string_view run, size_t max_line, OnLine line) {
  uint64_t truncated = 0;
  size_t begin = 0;
  while (begin < run.size()) {
    const void* nl = std::memchr(run.data() + begin, '\n', run.size() - begin);
    const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - run.data()) : run.size();
    size_t len = end - begin;
    if (len > 0 && run[begin + len - 1] == '\r') --len;
    if (len > max_line) {
      len = max_line;
      ++truncated;
    }
    line(run.substr(begin, len));
    begin = end + 1;
  }
  return truncated;
}

}  // namespace why500

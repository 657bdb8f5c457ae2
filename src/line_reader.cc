#include "why500/line_reader.h"

#include <cstring>

namespace why500 {

namespace {

// The buffer of the thread's last reader: a thread that reads the parts of a file one after
// another would otherwise map, zero and fault in a fresh megabyte for each.
thread_local std::vector<char> spare_buffer;

}  // namespace

LineReader::LineReader(Source* source, size_t max_line, size_t block) : source_(source), max_line_(max_line) {
  buf_.swap(spare_buffer);
  buf_.resize(block + max_line + 2);  // its bytes need no value: reads fill what is used
}

LineReader::~LineReader() { spare_buffer.swap(buf_); }

// Moves the unconsumed bytes to the front and reads more. False when nothing more comes.
bool LineReader::Fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) return true;  // full: the caller cuts an overlong line
  auto got = source_->Read(buf_.data() + end_, buf_.size() - end_);
  if (!got) {
    error_ = got.error();
    eof_ = true;
    return false;
  }
  if (*got == 0) {
    if (source_->MoreMayCome()) {  // a followed input with nothing new yet: not the end
      paused_ = true;
      return false;
    }
    eof_ = true;
    return false;
  }
  stats_.bytes += *got;
  if (progress_) progress_->fetch_add(*got, std::memory_order_relaxed);
  end_ += *got;
  return true;
}

void LineReader::SkipRestOfLongLine() {
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_));
    if (nl) {
      begin_ = static_cast<size_t>(nl - buf_.data()) + 1;
      skipping_ = false;
      return;
    }
    begin_ = end_;
    if (!Fill()) {
      if (paused_) return;  // still skipping when more comes
      skipping_ = false;
      stats_.missing_final_newline = true;  // the overlong line was the last, without a newline
      return;
    }
  }
}

bool LineReader::TakeRun(std::vector<char>* buffer, size_t* begin, size_t* end) {
  paused_ = false;
  if (skipping_) return false;  // Next skips the rest of an overlong line first
  const auto last_newline = [this] {
    return static_cast<const char*>(memrchr(buf_.data() + begin_, '\n', end_ - begin_));
  };
  const char* nl = last_newline();
  if (nl == nullptr) {
    if (!Fill()) return false;
    nl = last_newline();
    if (nl == nullptr) return false;
  }
  const size_t run_end = static_cast<size_t>(nl - buf_.data()) + 1;
  buffer->resize(buf_.size());  // the same size every time once warm: no allocation
  std::memcpy(buffer->data(), buf_.data() + run_end, end_ - run_end);
  *begin = begin_;
  *end = run_end;
  buf_.swap(*buffer);
  end_ -= run_end;
  begin_ = 0;
  return true;
}

bool LineReader::Next(std::string_view* line) {
  paused_ = false;
  if (skipping_) SkipRestOfLongLine();
  if (paused_) return false;
  size_t scanned = begin_;
  for (;;) {
    const char* nl = static_cast<const char*>(std::memchr(buf_.data() + scanned, '\n', end_ - scanned));
    if (nl) {
      size_t len = static_cast<size_t>(nl - (buf_.data() + begin_));
      const char* start = buf_.data() + begin_;
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      if (len > max_line_) {
        len = max_line_;
        ++stats_.truncated_lines;
      }
      *line = std::string_view(start, len);
      ++stats_.lines;
      return true;
    }
    if (end_ - begin_ > max_line_ + 1) {
      // An overlong line (longer than the cap even if a "\r\n" ends it): hand out its first
      // max_line_ bytes and drop the rest unseen.
      *line = std::string_view(buf_.data() + begin_, max_line_);
      begin_ = end_;  // the kept bytes stay valid until the next call
      ++stats_.truncated_lines;
      ++stats_.lines;
      skipping_ = true;
      return true;
    }
    scanned = end_;
    const size_t consumed = begin_;
    if (!Fill()) break;
    scanned -= consumed;
  }
  if (paused_) return false;  // a line still being written is kept until its newline comes
  if (end_ > begin_) {  // a last line without a newline
    size_t len = end_ - begin_;
    const char* start = buf_.data() + begin_;
    begin_ = end_;
    if (len > 0 && start[len - 1] == '\r') --len;
    if (len > max_line_) {
      len = max_line_;
      ++stats_.truncated_lines;
    }
    *line = std::string_view(start, len);
    ++stats_.lines;
    stats_.missing_final_newline = true;
    return true;
  }
  return false;
}

}  // namespace why500

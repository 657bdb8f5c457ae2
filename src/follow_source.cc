#include "why500/follow_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

namespace why500 {
namespace {

using Clock = std::chrono::steady_clock;

bool Stopping(const FollowOptions& o) { return o.stop && o.stop->load(std::memory_order_relaxed); }

// A regular file that may grow, be truncated, or be renamed away and created again. `path` is
// empty for stdin redirected from a file: it can grow or be truncated but not be replaced.
class FollowedFile : public Source {
 public:
  FollowedFile(int fd, bool owned, std::string path, std::string shown, const FollowOptions& options)
      : fd_(fd), owned_(owned), path_(std::move(path)), shown_(std::move(shown)), options_(options) {
    Identify();
  }
  ~FollowedFile() override {
    if (owned_) ::close(fd_);
  }
  FollowedFile(const FollowedFile&) = delete;
  FollowedFile& operator=(const FollowedFile&) = delete;

  Expected<size_t> Read(char* buf, size_t n) override {
    const Clock::time_point quiet_since = Clock::now();
    for (;;) {
      if (Stopping(options_)) {  // at once, even inside a long file: Ctrl-C wants the summary now
        ended_ = true;
        return size_t{0};
      }
      const ssize_t got = ::read(fd_, buf, n);
      if (got > 0) {
        offset_ += static_cast<uint64_t>(got);
        raw_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (got < 0) {
        if (errno == EINTR) continue;
        ended_ = true;
        return SystemError(shown_, "read failed", errno);
      }
      // At the end of what has been written so far. A file renamed away is read to this end
      // before the new file at its name is opened: a writer may still have added to it.
      if (replaced_ && SwitchToNewFile()) continue;
      if (Truncated() || Replaced()) continue;
      if (Clock::now() - quiet_since >= options_.idle) return size_t{0};  // a pause: MoreMayCome()
      std::this_thread::sleep_for(options_.poll);
    }
  }
  uint64_t raw_bytes() const override { return raw_; }
  bool compressed() const override { return false; }
  bool MoreMayCome() const override { return !ended_; }
  uint64_t restarts() const override { return restarts_; }

 private:
  void Identify() {
    struct stat st {};
    if (::fstat(fd_, &st) == 0) {
      dev_ = st.st_dev;
      ino_ = st.st_ino;
    }
  }

  // Cut shorter than what was read (logrotate's copytruncate, `> file`): read it again from the start.
  bool Truncated() {
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || static_cast<uint64_t>(st.st_size) >= offset_) return false;
    ::lseek(fd_, 0, SEEK_SET);
    offset_ = 0;
    ++restarts_;
    return true;
  }

  // The name now holds another file (logrotate's rename and create). Until it exists again,
  // the old file is still followed.
  bool Replaced() {
    if (path_.empty()) return false;
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0 || (st.st_dev == dev_ && st.st_ino == ino_) || !S_ISREG(st.st_mode)) {
      return false;
    }
    replaced_ = true;
    return true;  // read the old file once more, then switch
  }

  bool SwitchToNewFile() {
    replaced_ = false;
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;  // not readable (yet): keep the old one, try again at the next poll
    if (owned_) ::close(fd_);
    fd_ = fd;
    owned_ = true;
    offset_ = 0;
    ++restarts_;
    Identify();
    return true;
  }

  int fd_;
  bool owned_;
  const std::string path_, shown_;
  const FollowOptions options_;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t offset_ = 0, raw_ = 0, restarts_ = 0;
  bool replaced_ = false, ended_ = false;
};

// A pipe or terminal on stdin: read until the writer closes it (`journalctl -f | why500 -f -`).
class FollowedStream : public Source {
 public:
  FollowedStream(int fd, bool owned, std::string shown, const FollowOptions& options)
      : fd_(fd), owned_(owned), shown_(std::move(shown)), options_(options) {}
  ~FollowedStream() override {
    if (owned_) ::close(fd_);
  }
  FollowedStream(const FollowedStream&) = delete;
  FollowedStream& operator=(const FollowedStream&) = delete;

  Expected<size_t> Read(char* buf, size_t n) override {
    if (ended_) return size_t{0};
    const Clock::time_point quiet_since = Clock::now();
    for (;;) {
      if (Stopping(options_)) return End(size_t{0});
      pollfd p{fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(options_.poll.count()));
      if (ready < 0 && errno != EINTR) return End(SystemError(shown_, "poll failed", errno));
      if (ready > 0) {
        const ssize_t got = ::read(fd_, buf, n);
        if (got > 0) {
          raw_ += static_cast<uint64_t>(got);
          return static_cast<size_t>(got);
        }
        if (got == 0) return End(size_t{0});  // the writer closed it
        if (errno != EINTR && errno != EAGAIN) return End(SystemError(shown_, "read failed", errno));
      }
      if (Clock::now() - quiet_since >= options_.idle) return size_t{0};  // a pause: MoreMayCome()
    }
  }
  uint64_t raw_bytes() const override { return raw_; }
  bool compressed() const override { return false; }
  bool MoreMayCome() const override { return !ended_; }

 private:
  Expected<size_t> End(Expected<size_t> last) {
    ended_ = true;
    return last;
  }

  int fd_;
  bool owned_;
  const std::string shown_;
  const FollowOptions options_;
  uint64_t raw_ = 0;
  bool ended_ = false;
};

bool StartsAsGzip(int fd) {
  unsigned char magic[2];
  return ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

}  // namespace

Expected<std::unique_ptr<Source>> OpenFollowSource(const std::string& name, const FollowOptions& options) {
  const bool is_stdin = name == "-";
  const int fd = is_stdin ? STDIN_FILENO : ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return SystemError(name, "cannot open", errno);
  const std::string shown = is_stdin ? "<stdin>" : name;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    if (!is_stdin) ::close(fd);
    return SystemError(shown, "cannot open", err);
  }
  if (S_ISDIR(st.st_mode)) {
    if (!is_stdin) ::close(fd);
    return Error{name + ": is a directory"};
  }
  if (!S_ISREG(st.st_mode)) {  // a pipe, a FIFO, a terminal
    return std::unique_ptr<Source>(std::make_unique<FollowedStream>(fd, !is_stdin, shown, options));
  }
  if (StartsAsGzip(fd)) {  // rotated and compressed: it will not grow
    if (!is_stdin) ::close(fd);
    return OpenSource(name);
  }
  return std::unique_ptr<Source>(std::make_unique<FollowedFile>(fd, !is_stdin, is_stdin ? std::string() : name, shown, options));
}

}  // namespace why500

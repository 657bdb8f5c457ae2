#include "why500/source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace why500 {
namespace {

// Reads a file descriptor, first handing out bytes already peeked at.
class FdReader {
 public:
  FdReader(int fd, bool owned, std::string name, uint64_t regular_size = 0)
      : fd_(fd), owned_(owned), name_(std::move(name)), regular_size_(regular_size) {}
  ~FdReader() {
    if (owned_) ::close(fd_);
  }
  FdReader(const FdReader&) = delete;
  FdReader& operator=(const FdReader&) = delete;

  Expected<size_t> Read(char* buf, size_t n) {
    if (peek_pos_ < peeked_.size()) {
      const size_t k = std::min(n, peeked_.size() - peek_pos_);
      std::memcpy(buf, peeked_.data() + peek_pos_, k);
      peek_pos_ += k;
      return k;
    }
    for (;;) {
      const ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) {
        raw_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno != EINTR) return SystemError(name_, "read failed", errno);
    }
  }

  // Reads up to `n` bytes ahead without consuming them.
  Expected<std::string_view> Peek(size_t n) {
    peeked_.resize(n);
    size_t have = 0;
    while (have < n) {
      const ssize_t got = ::read(fd_, peeked_.data() + have, n - have);
      if (got == 0) break;
      if (got < 0) {
        if (errno == EINTR) continue;
        return SystemError(name_, "read failed", errno);
      }
      have += static_cast<size_t>(got);
    }
    raw_ += have;
    peeked_.resize(have);
    return std::string_view(peeked_.data(), have);
  }

  uint64_t raw_bytes() const { return raw_; }
  const std::string& name() const { return name_; }
  int fd() const { return fd_; }
  uint64_t regular_size() const { return regular_size_; }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  uint64_t regular_size_;  // a regular file's size when opened; 0 for anything else
  std::vector<char> peeked_;
  size_t peek_pos_ = 0;
  uint64_t raw_ = 0;
};

// Bytes [begin, end) of a file another source holds open, read with pread.
class PartSource : public Source {
 public:
  PartSource(int fd, const std::string& name, uint64_t begin, uint64_t end)
      : fd_(fd), name_(name), pos_(begin), end_(end) {}
  Expected<size_t> Read(char* buf, size_t n) override {
    n = static_cast<size_t>(std::min<uint64_t>(n, end_ - pos_));
    for (;;) {
      if (n == 0) return size_t{0};
      const ssize_t got = ::pread(fd_, buf, n, static_cast<off_t>(pos_));
      if (got >= 0) {
        pos_ += static_cast<uint64_t>(got);
        raw_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno != EINTR) return SystemError(name_, "read failed", errno);
    }
  }
  uint64_t raw_bytes() const override { return raw_; }
  bool compressed() const override { return false; }

 private:
  int fd_;
  const std::string& name_;
  uint64_t pos_, end_;
  uint64_t raw_ = 0;
};

class PlainSource : public Source {
 public:
  explicit PlainSource(std::unique_ptr<FdReader> r) : r_(std::move(r)) {}
  Expected<size_t> Read(char* buf, size_t n) override { return r_->Read(buf, n); }
  uint64_t raw_bytes() const override { return r_->raw_bytes(); }
  bool compressed() const override { return false; }
  uint64_t PartableSize() const override { return r_->regular_size(); }
  std::unique_ptr<Source> Part(uint64_t begin, uint64_t end) const override {
    if (r_->regular_size() == 0) return nullptr;
    return std::make_unique<PartSource>(r_->fd(), r_->name(), begin, std::min(end, r_->regular_size()));
  }

 private:
  std::unique_ptr<FdReader> r_;
};

// Inflates gzip data, including files of several concatenated members.
class GzipSource : public Source {
 public:
  explicit GzipSource(std::unique_ptr<FdReader> r) : r_(std::move(r)), in_(1 << 16) {
    std::memset(&zs_, 0, sizeof zs_);
    ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzipSource() override { inflateEnd(&zs_); }

  Expected<size_t> Read(char* buf, size_t n) override {
    if (!ok_) return Error{r_->name() + ": cannot start gzip decoder"};
    if (done_) {
      if (error_.empty()) return size_t{0};
      Error e{std::move(error_)};  // held back while the text inflated before it was handed out
      error_.clear();
      return e;
    }
    zs_.next_out = reinterpret_cast<Bytef*>(buf);
    zs_.avail_out = static_cast<uInt>(n);
    while (zs_.avail_out == n) {
      if (zs_.avail_in == 0) {
        auto got = r_->Read(in_.data(), in_.size());
        if (!got) return got.error();
        if (*got == 0) {
          done_ = true;
          if (mid_member_) return Error{r_->name() + ": truncated gzip data (unexpected end of file)"};
          break;
        }
        zs_.next_in = reinterpret_cast<Bytef*>(in_.data());
        zs_.avail_in = static_cast<uInt>(*got);
      }
      mid_member_ = true;
      const int rc = inflate(&zs_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        mid_member_ = false;
        inflateReset(&zs_);  // another member may follow
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        done_ = true;
        const char* msg = zs_.msg ? zs_.msg : "corrupt data";
        Error e{r_->name() + ": corrupt gzip data (" + msg + ")"};
        // The call that meets the error (a bad checksum at the end, say) may have inflated text
        // before it: that text is handed out first and the error on the next call.
        if (zs_.avail_out == n) return e;
        error_ = std::move(e.message);
        break;
      }
    }
    return n - zs_.avail_out;
  }
  uint64_t raw_bytes() const override { return r_->raw_bytes(); }
  bool compressed() const override { return true; }

 private:
  std::unique_ptr<FdReader> r_;
  std::vector<char> in_;
  z_stream zs_;
  bool ok_ = false, done_ = false, mid_member_ = false;
  std::string error_;  // an error met after text that was handed out first
};

// Runs another source (the gzip decoder) on a thread of its own, a few blocks ahead of the
// reader, so that inflating and analysing overlap. Blocks and their outcome (bytes, end, or
// an Error) are handed over in order; the reader gets exactly what the inner source gave.
class ReadAheadSource : public Source {
 public:
  explicit ReadAheadSource(std::unique_ptr<Source> inner)
      : inner_(std::move(inner)), compressed_(inner_->compressed()), slots_(kSlots) {
    for (Slot& s : slots_) s.bytes.resize(kBlock);
    thread_ = std::thread([this] { Produce(); });
  }
  ~ReadAheadSource() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  Expected<size_t> Read(char* buf, size_t n) override {
    Slot& s = slots_[consumed_ % kSlots];
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return s.ready; });
    }
    if (!s.error.empty()) return Error{s.error};
    if (s.size == 0) return size_t{0};  // the end stays the end: this slot is never released
    const size_t k = std::min(n, s.size - s.taken);
    std::memcpy(buf, s.bytes.data() + s.taken, k);
    s.taken += k;
    if (s.taken == s.size) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        s.ready = false;
      }
      ++consumed_;
      cv_.notify_all();
    }
    return k;
  }
  uint64_t raw_bytes() const override { return raw_bytes_.load(std::memory_order_relaxed); }
  bool compressed() const override { return compressed_; }

 private:
  static constexpr size_t kSlots = 4;
  static constexpr size_t kBlock = 1 << 20;
  struct Slot {
    std::vector<char> bytes;
    size_t size = 0, taken = 0;
    std::string error;
    bool ready = false;  // filled and not yet fully read; guarded by mu_
  };

  void Produce() {
    for (size_t produced = 0;; ++produced) {
      Slot& s = slots_[produced % kSlots];
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !s.ready; });
        if (stop_) return;
      }
      auto got = inner_->Read(s.bytes.data(), s.bytes.size());
      raw_bytes_.store(inner_->raw_bytes(), std::memory_order_relaxed);
      s.taken = 0;
      s.size = got ? *got : 0;
      s.error = got ? std::string() : got.error().message;
      {
        std::lock_guard<std::mutex> lock(mu_);
        s.ready = true;
      }
      cv_.notify_all();
      if (!got || *got == 0) return;  // the end, or an error: the inner source is finished
    }
  }

  std::unique_ptr<Source> inner_;
  const bool compressed_;
  std::vector<Slot> slots_;
  size_t consumed_ = 0;  // slots read to their end, counted from the start (reader only)
  std::atomic<uint64_t> raw_bytes_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

class MemSource : public Source {
 public:
  explicit MemSource(std::string bytes) : bytes_(std::move(bytes)) {}
  Expected<size_t> Read(char* buf, size_t n) override {
    const size_t k = std::min(n, bytes_.size() - pos_);
    std::memcpy(buf, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }
  uint64_t raw_bytes() const override { return pos_; }
  bool compressed() const override { return false; }

 private:
  std::string bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<Source> Source::Part(uint64_t, uint64_t) const { return nullptr; }

Error SystemError(const std::string& name, const char* what, int err) {
  return Error{name + ": " + what + ": " + std::strerror(err)};
}

Expected<std::unique_ptr<Source>> OpenSource(const std::string& name) {
  int fd;
  bool owned = true;
  std::string shown = name;
  uint64_t regular_size = 0;
  if (name == "-") {
    fd = STDIN_FILENO;
    owned = false;
    shown = "<stdin>";
  } else {
    fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return SystemError(name, "cannot open", errno);
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Error{name + ": is a directory"};
    }
    if (S_ISREG(st.st_mode)) regular_size = static_cast<uint64_t>(st.st_size);
  }
  auto reader = std::make_unique<FdReader>(fd, owned, shown, regular_size);
  auto head = reader->Peek(2);
  if (!head) return head.error();
  const bool gz = head->size() == 2 && static_cast<unsigned char>((*head)[0]) == 0x1f &&
                  static_cast<unsigned char>((*head)[1]) == 0x8b;
  if (gz) return std::unique_ptr<Source>(std::make_unique<ReadAheadSource>(std::make_unique<GzipSource>(std::move(reader))));
  return std::unique_ptr<Source>(std::make_unique<PlainSource>(std::move(reader)));
}

std::unique_ptr<Source> MemorySource(std::string bytes) { return std::make_unique<MemSource>(std::move(bytes)); }

}  // namespace why500

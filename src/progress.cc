#include "why500/progress.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>

#include "why500/text.h"

namespace why500 {
namespace {

constexpr auto kQuietFor = std::chrono::seconds(1);
constexpr auto kEvery = std::chrono::milliseconds(250);

std::string Bytes(double b) {
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.0f} MB", b / 1e6);
  return fmt::format("{:.0f} kB", b / 1e3);
}

}  // namespace

std::string ProgressText(uint64_t bytes, uint64_t total, double seconds) {
  const double b = static_cast<double>(bytes);
  std::string s = "why500: " + Bytes(b) + " read";
  if (total > 0) s += fmt::format(" ({:.0f}%)", std::min(100.0, 100.0 * b / static_cast<double>(total)));
  if (seconds > 0) s += fmt::format(", {}/s", Bytes(b / seconds));
  return s;
}

uint64_t KnownInputBytes(const std::vector<std::string>& inputs) {
  uint64_t total = 0;
  for (const std::string& name : inputs) {
    struct stat st {};
    if (name == "-" || EndsWith(name, ".gz") || ::stat(name.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    total += static_cast<uint64_t>(st.st_size);
  }
  return total;
}

ProgressLine::ProgressLine(const std::atomic<uint64_t>* bytes_read, uint64_t total, std::FILE* out)
    : bytes_read_(bytes_read), total_(total), out_(out) {
  if (isatty(fileno(out_))) thread_ = std::thread([this] { Run(); });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (drawn_) std::fputs("\r\x1b[K", out_);
}

void ProgressLine::Run() {
  const auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  if (cv_.wait_for(lock, kQuietFor, [this] { return stop_; })) return;
  do {
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string line = ProgressText(bytes_read_->load(std::memory_order_relaxed), total_, seconds);
    std::fprintf(out_, "\r\x1b[K%s", line.c_str());
    std::fflush(out_);
    drawn_ = true;
  } while (!cv_.wait_for(lock, kEvery, [this] { return stop_; }));
}

}  // namespace why500

// The progress line on stderr for long reads on a terminal: bytes read, MB/s, and the percent
// done when the total is known. Silent for the first second and whenever stderr is not a
// terminal (pipes, CI logs).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace why500 {

class ProgressLine {
 public:
  // `total` is 0 when unknown (stdin, .gz). Starts drawing on `out` only if it is a terminal.
  ProgressLine(const std::atomic<uint64_t>* bytes_read, uint64_t total, std::FILE* out);
  ~ProgressLine();  // stops and erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

 private:
  void Run();

  const std::atomic<uint64_t>* bytes_read_;
  uint64_t total_;
  std::FILE* out_;
  bool drawn_ = false;
  bool stop_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
};

// The bytes `inputs` will yield when all are plain regular files (not stdin, not .gz); else 0.
uint64_t KnownInputBytes(const std::vector<std::string>& inputs);

// "1.2 GB read (37%), 412 MB/s": the line ProgressLine draws, for tests.
std::string ProgressText(uint64_t bytes, uint64_t total, double seconds);

}  // namespace why500

// Start-up work that is the same for each of many items (compiling a rule, finding its
// literals) spread over the machine's cores. Each item's result goes to its own slot, so the
// outcome does not depend on which thread did what.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace why500 {

// Calls fn(i) for every i in [0, n), on up to `threads` threads (the caller's among them);
// returns when all are done. fn must be safe to call concurrently for different i.
template <class Fn>
void ParallelFor(size_t n, size_t threads, Fn fn) {
  threads = std::max<size_t>(1, std::min(threads, n));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& t : helpers) t.join();
}

// The threads start-up work may use: every core, a few items each at least.
inline size_t StartupThreads(size_t items) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::min(cores, std::max<size_t>(1, items / 32));
}

}  // namespace why500

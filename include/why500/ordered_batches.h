// Batches worked on by threads and taken back strictly in the order they were submitted. One
// thread (the one reading the input) fills a batch, submits it, and takes finished batches back
// in order. While the batch it needs next is not done, it works on queued batches itself rather
// than wait, so on two cores both threads work. Batches live in a ring and are reused, so their
// buffers keep their capacity: no allocation once warm. Used by ParallelSink (classifying events)
// and AccessPrescan (parsing access lines).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace why500 {

template <class Batch>
class OrderedBatches {
 public:
  // `work` runs on any thread, once per batch; `take` on the submitting thread, in order.
  OrderedBatches(int workers, std::function<void(Batch&)> work, std::function<void(Batch&)> take)
      : work_(std::move(work)),
        take_(std::move(take)),
        ring_(2 * static_cast<size_t>(workers) + 2),
        done_(ring_.size(), false) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Serve(); });
  }
  ~OrderedBatches() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    queued_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  OrderedBatches(const OrderedBatches&) = delete;
  OrderedBatches& operator=(const OrderedBatches&) = delete;

  Batch& filling() { return ring_[submitted_ % ring_.size()]; }

  // Queues the filling batch and returns the next one to fill, which the caller clears: that
  // slot's earlier batch, if still in flight, has been taken first.
  Batch& Submit() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_[submitted_ % ring_.size()] = false;
      queue_.push_back(submitted_ % ring_.size());
    }
    queued_cv_.notify_one();
    ++submitted_;
    if (submitted_ - taken_ >= ring_.size()) TakeNext();
    return filling();
  }

  // Takes every batch submitted (not the filling one: submit it first if it holds anything).
  void Finish() {
    while (taken_ < submitted_) TakeNext();
  }

 private:
  void TakeNext() {
    const size_t slot = taken_ % ring_.size();
    for (;;) {
      size_t helped;
      {
        std::unique_lock<std::mutex> lock(mu_);
        done_cv_.wait(lock, [&] { return done_[slot] || !queue_.empty(); });
        if (done_[slot]) break;
        helped = queue_.front();
        queue_.pop_front();
      }
      WorkOn(helped);
    }
    take_(ring_[slot]);
    ++taken_;
  }

  void WorkOn(size_t slot) {
    work_(ring_[slot]);
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_[slot] = true;
    }
    done_cv_.notify_all();
  }

  void Serve() {
    for (;;) {
      size_t slot;
      {
        std::unique_lock<std::mutex> lock(mu_);
        queued_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        slot = queue_.front();
        queue_.pop_front();
      }
      WorkOn(slot);
    }
  }

  const std::function<void(Batch&)> work_, take_;
  std::vector<Batch> ring_;
  std::vector<bool> done_;           // by slot: worked on; guarded by mu_
  size_t submitted_ = 0, taken_ = 0;  // counted from the start (submitting thread only)
  std::mutex mu_;
  std::condition_variable queued_cv_, done_cv_;
  std::deque<size_t> queue_;  // slots submitted and not yet picked up
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace why500

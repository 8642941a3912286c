// The window between the encoders and the sender, keyed by batch sequence number, so that the
// sender can take bodies in file order while encoders finish out of order.
//
// Batch `seq` may enter only while seq < released + capacity, where `released` counts the
// batches that left the sender (acknowledged or dropped). So at most `capacity` bodies are ever
// in the window, and the batch the sender needs next always gets in: every earlier batch has
// entered already and leaves once sent, which raises the limit (no deadlock, however the
// encoders race). An encoder that finishes early waits here with its one finished body.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace dsfill::loader {

class SeqWindow {
 public:
  // REQUIRES: capacity >= 1.
  explicit SeqWindow(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  SeqWindow(const SeqWindow&) = delete;
  SeqWindow& operator=(const SeqWindow&) = delete;

  // Waits until batch `seq` may enter. Returns false if the window was closed. Sets `*held`
  // (when given) to the number of batches in the window, entered and not yet released, found
  // when this one entered: the sender's backlog.
  bool enter(std::uint64_t seq, std::size_t* held = nullptr) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || seq < released_ + capacity_; });
    if (held != nullptr) {
      *held = static_cast<std::size_t>(entered_ > released_ ? entered_ - released_ : 0);
    }
    ++entered_;
    return !closed_;
  }

  // Records that one batch left the sender; wakes the encoders waiting to enter.
  void release() {
    {
      std::lock_guard lock(mutex_);
      ++released_;
    }
    changed_.notify_all();
  }

  // Makes every enter() fail from now on (the sender stopped).
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  const std::size_t capacity_;
  std::uint64_t released_ = 0;
  std::uint64_t entered_ = 0;
  bool closed_ = false;
};

}  // namespace dsfill::loader

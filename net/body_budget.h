// The server-wide budget of request-body bytes held in memory (`--max-inflight-bytes`): every
// body buffer is charged before it grows, and the charge is returned when its request has been
// answered, so the memory that bodies hold is bounded whatever clients send or declare.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace dsfill::net {

class BodyBudget {
 public:
  // REQUIRES: limit > 0.
  explicit BodyBudget(std::uint64_t limit) : limit_(limit) {}
  BodyBudget(const BodyBudget&) = delete;
  BodyBudget& operator=(const BodyBudget&) = delete;

  // Takes `bytes` from the budget and returns true, or returns false and takes nothing when
  // fewer than `bytes` are left. Thread-safe.
  bool try_take(std::uint64_t bytes) {
    std::uint64_t used = used_.load(std::memory_order_relaxed);
    do {
      if (bytes > limit_ - used) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
  }
  // Returns `bytes` taken earlier. Thread-safe.
  void give_back(std::uint64_t bytes) { used_.fetch_sub(bytes, std::memory_order_relaxed); }

  std::uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  std::uint64_t limit() const { return limit_; }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> used_{0};
};

// Bytes taken from a BodyBudget, given back when the charge is destroyed or reset. Move-only.
class BodyCharge {
 public:
  BodyCharge() = default;
  explicit BodyCharge(BodyBudget* budget) : budget_(budget) {}
  ~BodyCharge() { reset(); }
  BodyCharge(BodyCharge&& other) noexcept
      : budget_(std::exchange(other.budget_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  BodyCharge& operator=(BodyCharge&& other) noexcept {
    if (this != &other) {
      reset();
      budget_ = std::exchange(other.budget_, nullptr);
      bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
  }

  // Takes `bytes` more from the budget; false (nothing taken) when it is spent. Without a
  // budget every grow succeeds.
  bool grow(std::uint64_t bytes) {
    if (budget_ == nullptr) return true;
    if (!budget_->try_take(bytes)) return false;
    bytes_ += bytes;
    return true;
  }
  // Gives every byte back; the charge stays bound to its budget.
  void reset() {
    if (budget_ != nullptr && bytes_ > 0) budget_->give_back(bytes_);
    bytes_ = 0;
  }
  std::uint64_t bytes() const { return bytes_; }

 private:
  BodyBudget* budget_ = nullptr;
  std::uint64_t bytes_ = 0;
};

}  // namespace dsfill::net

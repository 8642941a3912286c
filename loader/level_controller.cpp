#include "loader/level_controller.h"

#include <algorithm>

namespace dsfill::loader {

LevelController::LevelController(int start, int min_level, int max_level)
    : min_(min_level),
      max_(std::max(min_level, max_level)),
      level_(std::clamp(start, min_, max_)),
      per_level_(static_cast<std::size_t>(max_ + 1), 0) {}

void LevelController::report(int level, double busy_seconds, double idle_seconds) {
  std::lock_guard lock(mutex_);
  if (level >= 0 && level <= max_) ++per_level_[static_cast<std::size_t>(level)];
  busy_ += std::max(0.0, busy_seconds);
  idle_ += std::max(0.0, idle_seconds);
  if (++batches_ < kBatchesPerDecision) return;
  const double total = busy_ + idle_;
  const double idle_share = total > 0 ? idle_ / total : 0;
  const int now = level_.load(std::memory_order_relaxed);
  if (idle_share > kRaiseIdle && now < max_) {
    level_.store(now + 1, std::memory_order_relaxed);
  } else if (idle_share < kLowerIdle && now > min_) {
    level_.store(now - 1, std::memory_order_relaxed);
  }
  busy_ = idle_ = 0;
  batches_ = 0;
}

std::vector<std::uint64_t> LevelController::batches_per_level() const {
  std::lock_guard lock(mutex_);
  return per_level_;
}

}  // namespace dsfill::loader

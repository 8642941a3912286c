#include "loader/level_controller.h"

#include <algorithm>
#include <utility>

namespace dsfill::loader {

LevelController::LevelController(std::vector<codec::GzipSetting> steps, int start, int warmup,
                                 int senders)
    : LevelController(start, 0, static_cast<int>(steps.size()) - 1, warmup, senders) {
  steps_ = std::move(steps);
}

std::optional<codec::GzipSetting> LevelController::setting(int step) const {
  if (steps_.empty()) return std::nullopt;
  return steps_[static_cast<std::size_t>(std::clamp(step, 0, static_cast<int>(steps_.size()) - 1))];
}

std::vector<std::string> LevelController::step_names() const {
  std::vector<std::string> names;
  for (const codec::GzipSetting& s : steps_) names.push_back(codec::gzip_setting_name(s));
  return names;
}

LevelController::LevelController(int start, int min_level, int max_level, int warmup, int senders)
    : min_(min_level),
      max_(std::max(min_level, max_level)),
      level_(std::clamp(start, min_, max_)),
      levels_(static_cast<std::size_t>(max_ + 1)),
      warmup_(std::max(0, warmup)),
      senders_(std::max(0, senders)) {}

void LevelController::report(int level, std::size_t csv_bytes, double busy_seconds,
                             double idle_seconds, std::size_t backlog) {
  busy_seconds = std::max(0.0, busy_seconds);
  idle_seconds = std::max(0.0, idle_seconds);
  std::lock_guard lock(mutex_);
  if (level >= 0 && level <= max_) {
    LevelStats& s = levels_[static_cast<std::size_t>(level)];
    ++s.batches;
    if (busy_seconds > 0 && csv_bytes > 0) {
      const double speed = static_cast<double>(csv_bytes) / busy_seconds;
      s.speed = s.measured_at < 0 ? speed : 0.5 * s.speed + 0.5 * speed;
      s.measured_at = decisions_;
    }
  }
  const int now = level_.load(std::memory_order_relaxed);
  // The first `senders` batches find a connection idle whatever the link.
  const bool awaited = ++reports_ > static_cast<std::uint64_t>(senders_) &&
                       backlog < static_cast<std::size_t>(senders_);
  if (warmup_ > 0) {
    --warmup_;
    if (level != now) return;
    awaited_ = awaited ? awaited_ + 1 : 0;
    if (awaited_ >= kBatchesPerDecision && now > min_) {
      level_.store(std::max(min_, now - 2), std::memory_order_relaxed);
      awaited_ = 0;
      ++decisions_;
    }
    return;
  }
  if (level != now) return;
  busy_ += busy_seconds;
  idle_ += idle_seconds;
  bytes_ += static_cast<double>(csv_bytes);
  if (++batches_ >= kBatchesPerDecision) decide();
}

void LevelController::decide() {
  const double total = busy_ + idle_;
  const double idle_share = total > 0 ? idle_ / total : 0;
  const double delivery = total > 0 ? bytes_ / total : 0;  // per encoder
  const int now = level_.load(std::memory_order_relaxed);
  if (idle_share > kRaiseIdle && now < max_) {
    const LevelStats& next = levels_[static_cast<std::size_t>(now) + 1];
    const bool known = next.measured_at >= 0 && decisions_ - next.measured_at <= kStaleDecisions;
    if (!known || next.speed >= delivery * kHeadroom) {
      level_.store(now + 1, std::memory_order_relaxed);
    }
  } else if (idle_share < kLowerIdle && now > min_) {
    // Encoders that never waited at all may be far behind a faster link (it just sped up):
    // two steps, since too high a level costs more than too low a one.
    const int step = idle_share < kLowerIdle / 4 ? 2 : 1;
    level_.store(std::max(min_, now - step), std::memory_order_relaxed);
  }
  busy_ = idle_ = bytes_ = 0;
  batches_ = 0;
  ++decisions_;
}

std::vector<std::uint64_t> LevelController::batches_per_level() const {
  std::lock_guard lock(mutex_);
  std::vector<std::uint64_t> out;
  out.reserve(levels_.size());
  for (const LevelStats& s : levels_) out.push_back(s.batches);
  return out;
}

double LevelController::speed(int level) const {
  std::lock_guard lock(mutex_);
  if (level < 0 || level > max_) return 0;
  return levels_[static_cast<std::size_t>(level)].speed;
}

}  // namespace dsfill::loader

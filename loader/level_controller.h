// --level auto: one gzip level shared by the encoder threads, adapted while loading.
//
// How long the encoders wait for the sender says where the bottleneck is. Encoders that wait
// for room in the sender's window have CPU to spare: a higher level shrinks the bodies the
// network has to carry at no cost in time. Encoders that never wait for it are the bottleneck
// (or the reader is, and then the level costs nothing): a lower level speeds them up. Waiting
// for input is not counted: on a busy machine it mostly means the reader lacked a core, which
// a higher level would only make worse. Alternating between two neighbouring levels lets the mix settle between
// them, where no fixed level sits, so the load can beat every fixed level on total time.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

namespace dsfill::loader {

class LevelController {
 public:
  // Shares of time spent waiting for the sender that move the level: above kRaiseIdle the
  // encoders have room to compress harder, below kLowerIdle they are the bottleneck.
  static constexpr double kRaiseIdle = 0.10;
  static constexpr double kLowerIdle = 0.03;
  // Batches (over all encoders) between two decisions, so one change shows before the next.
  static constexpr int kBatchesPerDecision = 4;

  // REQUIRES: min_level <= max_level; `start` is clamped into the range.
  LevelController(int start, int min_level, int max_level);

  // Returns the level the next batch should use. Thread-safe, lock-free.
  int level() const { return level_.load(std::memory_order_relaxed); }

  // Records one batch an encoder finished at `level`: the seconds it worked on it and the
  // seconds it then waited for room in the sender's window; every kBatchesPerDecision batches,
  // moves the level one step when the share of waiting says so.
  // Thread-safe.
  void report(int level, double busy_seconds, double idle_seconds);

  // Returns how many batches were encoded at each level (index: level).
  std::vector<std::uint64_t> batches_per_level() const;

 private:
  const int min_;
  const int max_;
  std::atomic<int> level_;
  mutable std::mutex mutex_;
  double busy_ = 0;
  double idle_ = 0;
  int batches_ = 0;
  std::vector<std::uint64_t> per_level_;
};

}  // namespace dsfill::loader

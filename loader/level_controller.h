// --level auto: one gzip level shared by the encoder threads, adapted while loading.
//
// How long the encoders wait for the sender says where the bottleneck is. Encoders that wait
// for room in the sender's window have CPU to spare: a higher level shrinks the bodies the
// network has to carry at no cost in time. Encoders that never wait for it are the bottleneck
// (or the reader is, and then the level costs nothing): a lower level speeds them up. Waiting
// for input is not counted: on a busy machine it mostly means the reader lacked a core, which
// a higher level would only make worse. Alternating between two neighbouring levels lets the
// mix settle between them, where no fixed level sits.
//
// The two mistakes do not cost the same. Too low a level sends a few percent more bytes; too
// high a level can starve the link (deflate slows by 3x from level 7 to 8 on typical data), and
// the pipeline notices only after the batches in flight drain. So the controller remembers how
// fast each level encoded, and raises the level only when the next one is untried (or its
// figure is stale) or fast enough to keep up with what the link carries now; and it lowers the
// level two steps at once when the encoders never waited at all (a link that just sped up).
//
// Until the window has filled once, waiting says nothing, but the sender's backlog does: a batch
// that finds a connection free and nothing queued before it was awaited by the link, so the
// encoders are behind it. Such batches lower the level during the warmup as well, so a fast link
// (loopback) does not pay for the starting level while the window fills.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec/gzip.h"

namespace dsfill::loader {

class LevelController {
 public:
  // Shares of time spent waiting for the sender that move the level: above kRaiseIdle the
  // encoders have room to compress harder, below kLowerIdle they are the bottleneck.
  static constexpr double kRaiseIdle = 0.10;
  static constexpr double kLowerIdle = 0.03;
  // Batches (over all encoders) between two decisions, so one change shows before the next.
  static constexpr int kBatchesPerDecision = 2;
  // The next level is taken only if an encoder runs it this much faster than an encoder now
  // delivers (CSV bytes per second of working plus waiting for the sender).
  static constexpr double kHeadroom = 1.10;
  // A level's speed measured more than this many decisions ago is stale: the link or the
  // machine's load may have changed, so the level may be tried again.
  static constexpr int kStaleDecisions = 25;

  // REQUIRES: min_level <= max_level; `start` is clamped into the range. In the first `warmup`
  // batches waiting decides nothing: until the sender's window has filled once, no encoder waits
  // for it, whatever the link (pass the window's size). `senders` is the number of requests the
  // sender runs at once (its connections); 0 ignores the backlog.
  LevelController(int start, int min_level, int max_level, int warmup = 0, int senders = 0);

  // Walks `steps` (fastest first, as codec::gzip_auto_steps() lists them) instead of one
  // backend's levels: level() and report() then count in step indexes (0 the fastest), and
  // setting() says which backend and level each is. REQUIRES: `steps` is not empty.
  LevelController(std::vector<codec::GzipSetting> steps, int start, int warmup = 0,
                  int senders = 0);

  // The backend and level of `step` (a level() value) when the controller walks steps; nullopt
  // when it walks one backend's levels (the step is then the level).
  std::optional<codec::GzipSetting> setting(int step) const;

  // A name per step for reports ("isal 1", "6"), index = step; empty when the steps are levels.
  std::vector<std::string> step_names() const;

  // Returns the level the next batch should use. Thread-safe, lock-free.
  int level() const { return level_.load(std::memory_order_relaxed); }

  // Records one batch an encoder finished at `level`: its CSV bytes, the seconds it worked on
  // it, the seconds it then waited for room in the sender's window, and the batches it found
  // in that window (entered, not yet acknowledged). Every kBatchesPerDecision batches at the
  // current level (batches begun before the last change do not count: they show the old
  // level), moves the level one step when the share of waiting (and, for a raise, the next
  // level's speed) says so. During the warmup, kBatchesPerDecision batches in a row at the
  // current level that each found fewer than `senders` batches ahead of them (a connection
  // idle, after the first `senders` batches) lower it two steps. Thread-safe.
  void report(int level, std::size_t csv_bytes, double busy_seconds, double idle_seconds,
              std::size_t backlog = SIZE_MAX);

  // Returns how many batches were encoded at each level (index: level).
  std::vector<std::uint64_t> batches_per_level() const;

  // Returns the CSV bytes per working second one encoder reached at `level` (a moving
  // average), or 0 if the level was not used yet.
  double speed(int level) const;

 private:
  struct LevelStats {
    std::uint64_t batches = 0;
    double speed = 0;      // CSV bytes per busy second, moving average
    int measured_at = -1;  // the decision count when it was last updated
  };
  void decide();  // REQUIRES: mutex_ held

  std::vector<codec::GzipSetting> steps_;  // empty: steps are levels
  const int min_;
  const int max_;
  std::atomic<int> level_;
  mutable std::mutex mutex_;
  std::vector<LevelStats> levels_;
  int decisions_ = 0;
  int warmup_;  // batches still to ignore
  const int senders_;
  std::uint64_t reports_ = 0;
  int awaited_ = 0;  // warmup batches in a row that found a connection idle
  // The current decision period.
  double busy_ = 0;
  double idle_ = 0;
  double bytes_ = 0;
  int batches_ = 0;
};

}  // namespace dsfill::loader

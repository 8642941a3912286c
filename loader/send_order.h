// The ordering and gating rules of a sink, with no I/O: which batch goes next, and what is
// acknowledged. Encoders finish out of order, but batches go out in sequence order (a retry
// before newer batches), so the server sees the file in order and the acknowledged prefix grows
// smoothly; in replace mode the truncating request must be acknowledged before anything else is
// sent, or an append could land before the truncation and be wiped by it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "loader/ack_tracker.h"

namespace dsfill::loader {

class SendOrder {
 public:
  // The first batch starts at `start_offset` / physical row `start_row`. With `replace`, only the
  // truncating batch may go (alone) until it is acknowledged.
  SendOrder(std::int64_t start_offset, std::int64_t start_row, bool replace);

  // Records that batch `seq` is encoded and may be sent once every earlier one has arrived.
  // `truncates`: its request is the truncating one (append: false).
  void arrive(std::uint64_t seq, bool truncates);

  // Puts a batch that was sent back in line for a retry, ahead of every batch not yet sent.
  void retry(std::uint64_t seq, bool truncates);

  // Returns the batch to send now, with `inflight` requests out, and takes it out of line;
  // nullopt when none may go (none ready, or the replace gate holds them).
  std::optional<std::uint64_t> next(int inflight);

  // Records that batch `seq` is stored: it ended at `byte_end` before physical row `next_row`
  // and held `rows` data rows. A truncating batch opens the gate. Returns true when the
  // acknowledged prefix grew.
  bool acknowledge(std::uint64_t seq, std::int64_t byte_end, std::int64_t next_row,
                   std::uint64_t rows, bool truncates);

  // Returns every batch in line (arrived early or ready), in sequence order, and forgets them.
  std::vector<std::uint64_t> take_all();

  // Returns true when a batch is in line (sendable now or waiting for an earlier one).
  bool has_waiting() const { return !ready_.empty() || !early_.empty(); }
  bool gate_open() const { return gate_open_; }
  // Opens the gate (the completion may go after the last batch, truncating or not).
  void open_gate() { gate_open_ = true; }
  const AckTracker& acks() const { return acks_; }

 private:
  struct Entry {
    std::uint64_t seq;
    bool truncates;
  };
  std::deque<Entry> ready_;              // in sending order
  std::map<std::uint64_t, bool> early_;  // arrived before an earlier seq
  std::uint64_t next_ready_seq_ = 0;
  AckTracker acks_;
  bool gate_open_;
};

}  // namespace dsfill::loader

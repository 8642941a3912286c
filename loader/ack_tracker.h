// Tracks the acknowledged contiguous prefix of the input: batches are acknowledged out of order
// (K connections), but a resume may only skip bytes before which every batch is stored.
#pragma once

#include <cstdint>
#include <map>

namespace dsfill::loader {

class AckTracker {
 public:
  // `offset`/`row`: where the first batch (seq `first_seq`) starts.
  AckTracker(std::int64_t offset, std::int64_t row, std::uint64_t first_seq = 0)
      : offset_(offset), row_(row), next_seq_(first_seq) {}

  // Records that batch `seq` ending at byte `byte_end` (exclusive) and before physical row
  // `next_row`, holding `rows` data rows, is stored. Returns true if the prefix grew. Each seq
  // must be acked once.
  bool ack(std::uint64_t seq, std::int64_t byte_end, std::int64_t next_row,
           std::uint64_t rows = 0) {
    if (seq < next_seq_) return false;
    done_[seq] = End{byte_end, next_row, rows};
    bool grew = false;
    for (auto it = done_.begin(); it != done_.end() && it->first == next_seq_;
         it = done_.erase(it)) {
      offset_ = it->second.byte_end;
      row_ = it->second.next_row;
      rows_ += it->second.rows;
      ++next_seq_;
      grew = true;
    }
    return grew;
  }

  // Every batch before this byte offset / physical row / sequence number is acknowledged.
  std::int64_t offset() const { return offset_; }
  std::int64_t row() const { return row_; }
  std::uint64_t next_seq() const { return next_seq_; }
  // Data rows of the batches in the prefix.
  std::uint64_t rows() const { return rows_; }
  // Batches acknowledged beyond the prefix (waiting for a gap to fill).
  std::size_t pending() const { return done_.size(); }

 private:
  struct End {
    std::int64_t byte_end;
    std::int64_t next_row;
    std::uint64_t rows;
  };
  std::int64_t offset_;
  std::int64_t row_;
  std::uint64_t next_seq_;
  std::uint64_t rows_ = 0;
  std::map<std::uint64_t, End> done_;
};

}  // namespace dsfill::loader

#include "loader/send_order.h"

#include <algorithm>

namespace dsfill::loader {

SendOrder::SendOrder(std::int64_t start_offset, std::int64_t start_row, bool replace)
    : acks_(start_offset, start_row), gate_open_(!replace) {}

void SendOrder::arrive(std::uint64_t seq, bool truncates) {
  early_.emplace(seq, truncates);
  for (auto it = early_.begin(); it != early_.end() && it->first == next_ready_seq_;
       it = early_.erase(it)) {
    ready_.push_back({it->first, it->second});
    ++next_ready_seq_;
  }
}

void SendOrder::retry(std::uint64_t seq, bool truncates) {
  // Older batches first: the acknowledged prefix grows sooner.
  ready_.push_front({seq, truncates});
}

std::optional<std::uint64_t> SendOrder::next(int inflight) {
  auto it = ready_.begin();
  if (!gate_open_) {
    it = std::find_if(ready_.begin(), ready_.end(), [](const Entry& e) { return e.truncates; });
    if (it == ready_.end() || inflight > 0) return std::nullopt;
  }
  if (it == ready_.end()) return std::nullopt;
  const std::uint64_t seq = it->seq;
  ready_.erase(it);
  return seq;
}

bool SendOrder::acknowledge(std::uint64_t seq, std::int64_t byte_end, std::int64_t next_row,
                            std::uint64_t rows, bool truncates) {
  if (truncates) gate_open_ = true;
  return acks_.ack(seq, byte_end, next_row, rows);
}

std::vector<std::uint64_t> SendOrder::take_all() {
  std::vector<std::uint64_t> out;
  for (const auto& e : ready_) out.push_back(e.seq);
  for (const auto& [seq, truncates] : early_) out.push_back(seq);
  ready_.clear();
  early_.clear();
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace dsfill::loader

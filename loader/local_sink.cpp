#include "loader/local_sink.h"

#include <utility>

#include <boost/asio/post.hpp>

namespace dsfill::loader {

LocalSink::LocalSink(boost::asio::io_context& io, SinkCallbacks callbacks, Writer write,
                     std::int64_t start_offset, std::int64_t start_row)
    : io_(io),
      callbacks_(std::move(callbacks)),
      write_(std::move(write)),
      order_(start_offset, start_row, false) {}

void LocalSink::submit(EncodedBatch batch) {
  if (stopping_) {
    if (callbacks_.release_slot) callbacks_.release_slot();
    return;
  }
  const std::uint64_t seq = batch.seq;
  state_.bytes_sent += batch.body.size();
  if (!write_) batch.body = std::string();  // discarded: only its place in line is kept
  early_.emplace(seq, std::move(batch));
  order_.arrive(seq, false);
  while (auto next = order_.next(0)) {
    auto node = early_.extract(*next);
    EncodedBatch& b = node.mapped();
    if (write_) {
      if (auto w = write_(b); !w) {
        stop(Outcome::kBadInput, w.error().describe());
        if (callbacks_.release_slot) callbacks_.release_slot();
        return;
      }
    }
    state_.count_done(b);
    const bool advanced = order_.acknowledge(b.seq, b.byte_end, b.next_row(), b.rows, false);
    if (callbacks_.release_slot) callbacks_.release_slot();
    if (advanced && callbacks_.on_prefix_advance) callbacks_.on_prefix_advance();
  }
  maybe_finish();
}

void LocalSink::input_done(std::uint64_t batches) {
  total_batches_ = batches;
  maybe_finish();
}

void LocalSink::stop(Outcome outcome, std::string message, int signal) {
  state_.record_stop(outcome, std::move(message), signal);
  if (!stopping_) {
    stopping_ = true;
    for (std::uint64_t seq : order_.take_all()) {
      early_.erase(seq);
      if (callbacks_.release_slot) callbacks_.release_slot();
    }
    if (callbacks_.on_stop) callbacks_.on_stop();
  }
  maybe_finish();
}

void LocalSink::maybe_finish() {
  if (finished_) return;
  if (!stopping_ && (!total_batches_ || state_.batches < *total_batches_)) return;
  finished_ = true;
  if (callbacks_.on_finished) boost::asio::post(io_, callbacks_.on_finished);
}

}  // namespace dsfill::loader

// The sink of the modes that send nothing: `--dry-run` and `bench` discard every body, `encode`
// writes each body, in sequence order, through a writer. A batch counts as done once written
// (or discarded), so the summary, the progress line and the acknowledged prefix mean the same as
// for a load.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include <boost/asio/io_context.hpp>

#include "base/error.h"
#include "loader/send_order.h"
#include "loader/sink.h"

namespace dsfill::loader {

class LocalSink final : public BatchSink {
 public:
  // Writes one body; an error stops the sink (kBadInput, with the writer's message).
  using Writer = std::function<Result<void>(const EncodedBatch&)>;

  // `write` empty: discard. The first batch starts at `start_offset` / physical row `start_row`.
  LocalSink(boost::asio::io_context& io, SinkCallbacks callbacks, Writer write,
            std::int64_t start_offset, std::int64_t start_row);

  void submit(EncodedBatch batch) override;
  void input_done(std::uint64_t batches) override;
  void stop(Outcome outcome, std::string message, int signal = 0) override;

  const SinkState& state() const override { return state_; }
  const AckTracker& acks() const override { return order_.acks(); }

 private:
  void maybe_finish();

  boost::asio::io_context& io_;
  SinkCallbacks callbacks_;
  Writer write_;
  SendOrder order_;
  std::map<std::uint64_t, EncodedBatch> early_;  // submitted, not yet done (bodies kept to write)
  SinkState state_;
  std::optional<std::uint64_t> total_batches_;
  bool stopping_ = false;
  bool finished_ = false;
};

}  // namespace dsfill::loader

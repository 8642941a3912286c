// The last stage: sends encoded batches over K keep-alive connections on one io_context,
// retries what may be retried, enforces the replace-mode gate, tracks acknowledgements, and
// completes the dataset at the end. With Target::kDryRun/kBench it is a sink that acknowledges
// every batch at once, so benchmarks run the very same pipeline without the network.
//
// Threading: every member function runs on the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "loader/ack_tracker.h"
#include "loader/api_answer.h"
#include "loader/load_options.h"
#include "net/http_client.h"
#include "net/retry_policy.h"
#include "net/url.h"

namespace dsfill::loader {

// One batch ready to go: where it came from and its complete request body.
struct EncodedBatch {
  std::uint64_t seq = 0;
  std::int64_t first_row = 0;
  std::uint64_t physical_rows = 0;
  std::int64_t byte_begin = 0;
  std::int64_t byte_end = 0;
  std::uint64_t rows = 0;
  std::uint64_t json_bytes = 0;
  bool append = true;
  std::string idempotency_key;
  std::string body;
};

struct SenderConfig {
  Target target = Target::kNetwork;
  net::Url url;
  boost::asio::ssl::context* tls = nullptr;  // REQUIRES: set for https URLs
  int connections = 4;
  std::chrono::milliseconds timeout{120'000};
  net::RetryOptions retry;
  std::string token;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string complete_body;  // empty: do not POST /dataset-complete
  bool replace = false;       // batch 0 must be acknowledged before any other is sent
  std::int64_t start_offset = 0;
  std::int64_t start_row = 1;
};

// What the sender has done so far (read by the progress line and the summary).
struct SenderState {
  std::uint64_t rows = 0;
  std::uint64_t batches = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t json_bytes = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  bool completed = false;
  std::optional<std::int64_t> server_rows_count;      // of the last answer read
  std::optional<std::int64_t> server_rows_count_max;  // the largest of the fill answers
  std::optional<std::uint64_t> server_rows_inserted;  // summed over the fill answers
  // The dataset's rows before this run, derived from answers that carry both counts.
  std::optional<std::int64_t> server_rows_before;
  bool rows_inserted_missing = false;  // some answer lacked "rows-inserted"
  Outcome outcome = Outcome::kOk;
  std::string message;
  int signal = 0;
  double busy_seconds = 0;  // integral of in-flight requests over time, divided by K
};

class Sender {
 public:
  // `release_slot` runs once per submitted batch when it leaves the sender (acknowledged or
  // dropped): that frees a place in the pipeline's window. `on_stop` runs once when the sender
  // stops early (error or signal) so that upstream stages stop. `on_finished` runs once at the end.
  Sender(boost::asio::io_context& io, SenderConfig config, std::function<void()> release_slot,
         std::function<void()> on_stop, std::function<void()> on_finished);
  ~Sender();

  // Takes a batch to send. Batches may arrive in any order; they are sent in sequence order
  // (a retry goes before newer batches), so with one connection the server stores them in
  // file order. REQUIRES: every seq from 0 up is submitted once (or the sender stops).
  void submit(EncodedBatch batch);
  // Runs `fn` on the io thread each time the acknowledged contiguous prefix grows.
  void on_prefix_advance(std::function<void()> fn) { on_advance_ = std::move(fn); }
  // Declares that `batches` batches were submitted in all; the sender finishes (and completes
  // the dataset) once all are acknowledged.
  void input_done(std::uint64_t batches);
  // Stops early: drops unsent batches, lets in-flight requests finish, then finishes. The first
  // stop's outcome wins.
  void stop(Outcome outcome, std::string message, int signal = 0);

  const SenderState& state() const { return state_; }
  const AckTracker& acks() const { return acks_; }
  std::uint64_t connects() const;

 private:
  struct Flight;
  using FlightPtr = std::shared_ptr<Flight>;

  void pump();
  void send(const FlightPtr& flight, std::shared_ptr<net::HttpConnection> conn);
  void on_response(const FlightPtr& flight, const std::shared_ptr<net::HttpConnection>& conn,
                   const boost::system::error_code& ec, net::Response& response);
  // Returns the answer when `response` (a 2xx) is the API's success answer for `flight`, with
  // the inserted rows equal to the batch's; else the error that stops the load.
  Result<ApiAnswer> accepted_answer(const Flight& flight, const net::Response& response) const;
  void acknowledge(const FlightPtr& flight, const ApiAnswer& answer);
  void retry_later(const FlightPtr& flight, net::Verdict verdict, const std::string& why,
                   const net::Response* response);
  void drop(const FlightPtr& flight);
  void start_complete();
  void maybe_finish();
  void note_inflight(int delta);
  net::Request make_request(std::string_view endpoint, std::string body,
                            const std::string& idempotency_key) const;
  std::string describe(const Flight& flight) const;

  boost::asio::io_context& io_;
  SenderConfig config_;
  net::RetryPolicy retry_;
  std::function<void()> release_slot_;
  std::function<void()> on_stop_;
  std::function<void()> on_finished_;
  std::vector<std::shared_ptr<net::HttpConnection>> connections_;
  std::vector<std::shared_ptr<net::HttpConnection>> idle_;
  std::deque<FlightPtr> ready_;
  std::map<std::uint64_t, FlightPtr> early_;  // arrived before an earlier seq: not yet ready
  std::uint64_t next_ready_seq_ = 0;
  std::function<void()> on_advance_;
  std::vector<FlightPtr> waiting_;  // backing off before a retry
  AckTracker acks_;
  SenderState state_;
  std::optional<std::uint64_t> total_batches_;
  bool gate_open_;
  bool stopping_ = false;
  bool completing_ = false;
  bool finished_ = false;
  int inflight_ = 0;
  std::chrono::steady_clock::time_point inflight_since_;
};

}  // namespace dsfill::loader

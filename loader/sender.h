// The network sink: sends encoded batches over K keep-alive connections on one io_context,
// retries what may be retried, and completes the dataset at the end. Which batch goes when, the
// replace-mode gate and the acknowledged prefix are SendOrder's (send_order.h); this class is the
// HTTP transport around it: requests, answers, retries and their timers.
//
// Threading: every member function runs on the io_context's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loader/api_answer.h"
#include "loader/row_split.h"
#include "loader/send_order.h"
#include "loader/send_pacer.h"
#include "loader/sink.h"
#include "net/http_client.h"
#include "net/retry_policy.h"
#include "net/url.h"

namespace dsfill::loader {

// A part of a refused batch, encoded again.
struct PartBody {
  std::string body;
  std::uint64_t rows = 0;
};

struct SenderConfig {
  net::Url url;
  boost::asio::ssl::context* tls = nullptr;  // REQUIRES: set for https URLs
  std::optional<net::ProxyRoute> proxy;      // the forward proxy requests go through, if any
  // Where the proxy's setting came from ("--proxy", "HTTPS_PROXY"), for the hint on a 407.
  std::string proxy_source;
  std::string proxy_summary;  // for the summary (SinkState::proxy)
  int connections = 4;
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds connect_timeout{10'000};
  // POST /dataset-complete's own deadline: a server may compute the shape only then, in time
  // that grows with the rows. Retried like any request (it is idempotent).
  std::chrono::milliseconds complete_timeout{600'000};
  net::RetryOptions retry;
  std::string token;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string complete_body;  // empty: do not POST /dataset-complete
  bool replace = false;       // batch 0 must be acknowledged before any other is sent
  std::int64_t start_offset = 0;
  std::int64_t start_row = 1;
  // Encodes a part of a batch that is split (row_split.h), each part then sent with a key from
  // its byte range: a body the server refuses as too large (413), or one over the body limit
  // (below), is cut in two halves, recursively. Unset: nothing is split. REQUIRES: batches keep
  // their CSV.
  std::function<Result<PartBody>(std::string_view csv, codec::InputPosition start, bool append)>
      encode_part;
  // Set when bad rows may be left out: a batch the server refuses for its data (400 or 422) is
  // split around the refused rows too; the refused rows (and a row too large for the server's
  // body limit on its own) go to `on_refused`, which returns false when they pass the bad-row
  // limit (the load then stops).
  std::function<bool(std::uint64_t seq, std::vector<codec::RowReject> refused)> on_refused;
  // --max-body-bytes: a body over this is split before it is sent. 0: no limit until a server
  // answers 413; from then on, bodies as large as the smallest one refused are split first.
  std::size_t max_body_bytes = 0;
  // --max-rate (body bytes per second) and --max-requests-per-second: request starts are paced
  // under them (send_pacer.h), retries and the completion included. 0: no limit.
  double max_bytes_per_second = 0;
  double max_requests_per_second = 0;
  std::string load_id;
  codec::CsvDialect dialect;
};

class HttpSender final : public BatchSink {
 public:
  HttpSender(boost::asio::io_context& io, SenderConfig config, SinkCallbacks callbacks);
  ~HttpSender() override;

  // Batches are sent in sequence order (a retry goes before newer batches), so with one
  // connection the server stores them in file order.
  void submit(EncodedBatch batch) override;
  // Once all `batches` are acknowledged, posts /dataset-complete (when configured), then finishes.
  void input_done(std::uint64_t batches) override;
  // Drops unsent batches, lets in-flight requests finish, then finishes.
  void stop(Outcome outcome, std::string message, int signal = 0) override;

  const SinkState& state() const override { return state_; }
  const AckTracker& acks() const override { return order_.acks(); }
  std::uint64_t connects() const override;

 private:
  struct Flight;
  using FlightPtr = std::shared_ptr<Flight>;
  struct Split;

  void pump();
  void send(const FlightPtr& flight, const std::shared_ptr<net::HttpConnection>& conn);
  void on_response(const FlightPtr& flight, const std::shared_ptr<net::HttpConnection>& conn,
                   const boost::system::error_code& ec, net::Response& response);
  // Returns the answer when `response` (a 2xx) is the API's success answer for `flight`, with
  // the inserted rows equal to the batch's; else the error that stops the load.
  Result<ApiAnswer> accepted_answer(const Flight& flight, const net::Response& response) const;
  void acknowledge(const FlightPtr& flight, const ApiAnswer& answer);
  // Counts a fill answer's row counts in the state (every stored batch or part).
  void note_answer(const ApiAnswer& answer);
  // A refused batch or part: returns false when it cannot be split (no splitting configured,
  // or not a refusal for its size or, with bad rows allowed, its data); else takes it over.
  bool split_refused_flight(const FlightPtr& flight, const net::Response& response);
  // Splits `flight` instead of sending it (again): around the row `named`, else in halves.
  // `too_large`: for its body's size (`why` says which limit), else for its data (`why` is the
  // server's answer). Returns false when it cannot be split (its batch kept no CSV).
  bool split_flight(const FlightPtr& flight, std::optional<std::size_t> named, bool too_large,
                    const std::string& why);
  // The error for a TLS failure on `conn`: the reason and what to do about it.
  std::string tls_failure_message(const net::HttpConnection& conn,
                                  const boost::system::error_code& ec) const;
  // The error for a proxy's refusal on `conn` (407, 403, ...): its answer and what to do.
  std::string proxy_failure_message(const net::HttpConnection& conn,
                                    const boost::system::error_code& ec) const;
  // The message of an answer that is not HTTP (kFatalNotHttp), with the likely fix.
  std::string not_http_message(const net::HttpConnection& conn,
                               const boost::system::error_code& ec) const;
  // Why a body over body_limit_ is split before it is sent.
  std::string body_limit_reason() const;
  // Encodes and queues the next part of `parent`'s split, or acknowledges `parent` when none
  // is left.
  void next_part(const FlightPtr& parent);
  // A 307/308 answer: sends the same request again where `response` points (same origin, at
  // most kMaxRedirects per request; a 308 moves later requests of the endpoint too). Returns
  // false when it is not followed (the load then stops, naming where it points).
  bool follow_redirect(const FlightPtr& flight, const net::Response& response);
  // Queues `flight` to be sent again (after a retry's backoff, or a redirect).
  void requeue(const FlightPtr& flight);
  void retry_later(const FlightPtr& flight, net::Verdict verdict, const std::string& why,
                   const net::Response* response);
  void drop(const FlightPtr& flight);
  void start_complete();
  void maybe_finish();
  void note_inflight(int delta);
  // `first_row` > 0: the file row of the body's first row, sent as X-First-Row so that the
  // server's errors can name file rows (docs/server.md).
  net::Request make_request(std::string_view endpoint, std::string body,
                            const std::string& idempotency_key, std::int64_t first_row = 0) const;
  std::string describe(const Flight& flight) const;

  boost::asio::io_context& io_;
  SenderConfig config_;
  net::RetryPolicy retry_;
  SinkCallbacks callbacks_;
  std::vector<std::shared_ptr<net::HttpConnection>> connections_;
  std::vector<std::shared_ptr<net::HttpConnection>> idle_;
  SendOrder order_;
  std::map<std::uint64_t, FlightPtr> batches_;  // submitted and not yet acknowledged or dropped
  std::vector<FlightPtr> waiting_;              // backing off before a retry
  std::vector<FlightPtr> parts_ready_;          // parts of split batches, to send first
  FlightPtr complete_;                          // the completion, once it is due
  bool complete_ready_ = false;                 // ... and may be sent now
  SinkState state_;
  std::map<std::string, std::string> moved_;  // request target -> where a 308 moved it
  SendPacer pacer_;
  std::optional<boost::asio::steady_timer> pace_timer_;  // armed while a start waits for pacer_
  std::size_t body_limit_;  // bodies over this are split first (max_body_bytes, or 413s)
  std::optional<std::uint64_t> total_batches_;
  bool stopping_ = false;
  bool finished_ = false;
  int inflight_ = 0;
  std::chrono::steady_clock::time_point inflight_since_;
};

}  // namespace dsfill::loader

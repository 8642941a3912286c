#include "loader/sender.h"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loader/api_answer.h"
#include "loader/load_id.h"
#include "loader/log.h"
#include "net/proxy.h"

namespace dsfill::loader {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

// The split of a refused batch: its parts still to send, in byte order, and what they did.
struct HttpSender::Split {
  std::vector<BatchPart> todo;  // a stack: the next part is at the back
  std::uint64_t rows_stored = 0;
  std::uint64_t bytes_sent = 0;
  bool truncate_pending = false;  // the batch truncates and no part of it is stored yet
  std::vector<codec::RowReject> refused;
};

struct HttpSender::Flight {
  EncodedBatch batch;
  net::Request request;
  int retries = 0;
  int redirects = 0;                                    // 307/308 answers followed for this request
  std::chrono::steady_clock::time_point first_failure;  // of this request, once it failed
  bool is_complete = false;  // the POST /dataset-complete, which holds no window slot
  std::optional<asio::steady_timer> timer;
  // A part of a split batch: the batch it belongs to, and which part it is.
  std::shared_ptr<Flight> parent;
  BatchPart part;
  std::uint64_t part_rows = 0;
  bool part_truncates = false;
  std::unique_ptr<Split> split;  // a batch being split
};

HttpSender::HttpSender(asio::io_context& io, SenderConfig config, SinkCallbacks callbacks)
    : io_(io),
      config_(std::move(config)),
      retry_(config_.retry),
      callbacks_(std::move(callbacks)),
      order_(config_.start_offset, config_.start_row, config_.replace),
      pacer_(config_.max_bytes_per_second, config_.max_requests_per_second),
      body_limit_(config_.max_body_bytes != 0 ? config_.max_body_bytes : SIZE_MAX) {
  const int k = std::max(1, config_.connections);
  for (int i = 0; i < k; ++i) {
    net::ConnectionOptions options{config_.url, config_.proxy, config_.timeout,
                                   config_.connect_timeout};
    connections_.push_back(
        std::make_shared<net::HttpConnection>(io_, std::move(options), config_.tls));
  }
  idle_ = connections_;
  state_.proxy = config_.proxy_summary;
}

HttpSender::~HttpSender() {
  for (auto& conn : connections_) conn->close();
}

std::uint64_t HttpSender::connects() const {
  std::uint64_t n = 0;
  for (const auto& conn : connections_) n += conn->connects();
  return n;
}

net::Request HttpSender::make_request(std::string_view endpoint, std::string body,
                                      const std::string& idempotency_key,
                                      std::int64_t first_row) const {
  net::Request request{http::verb::post, config_.url.target(endpoint), 11};
  request.set(http::field::host, config_.url.host_header());
  request.set(http::field::user_agent, "dsfill/0.1");
  request.set(http::field::content_type, "application/json");
  request.set(http::field::accept, "application/json");
  if (!config_.token.empty()) request.set(http::field::authorization, "Bearer " + config_.token);
  if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
  if (first_row > 0) request.set("X-First-Row", std::to_string(first_row));
  for (const auto& [name, value] : config_.headers) request.set(name, value);
  request.keep_alive(true);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

std::string HttpSender::describe(const Flight& flight) const {
  if (flight.is_complete) return "POST /dataset-complete";
  if (flight.parent) {
    const EncodedBatch& b = flight.parent->batch;
    return "part of batch " + std::to_string(b.seq) + " (from row " +
           std::to_string(flight.part.first_row) + ", bytes " +
           std::to_string(b.byte_begin + static_cast<std::int64_t>(flight.part.begin)) + "-" +
           std::to_string(b.byte_begin + static_cast<std::int64_t>(flight.part.end)) + ")";
  }
  const EncodedBatch& b = flight.batch;
  const std::int64_t last_row =
      b.first_row + static_cast<std::int64_t>(std::max<std::uint64_t>(b.physical_rows, 1)) - 1;
  return "batch " + std::to_string(b.seq) + " (rows " + std::to_string(b.first_row) + "-" +
         std::to_string(last_row) + ", bytes " + std::to_string(b.byte_begin) + "-" +
         std::to_string(b.byte_end) + ")";
}

void HttpSender::submit(EncodedBatch batch) {
  if (stopping_) {
    if (callbacks_.release_slot) callbacks_.release_slot();
    return;
  }
  auto flight = std::make_shared<Flight>();
  const std::string key = batch.idempotency_key;
  std::string body = std::move(batch.body);
  flight->batch = std::move(batch);
  flight->request = make_request("dataset-fill", std::move(body), key, flight->batch.first_row);
  const std::uint64_t seq = flight->batch.seq;
  const bool truncates = !flight->batch.append;
  batches_.emplace(seq, std::move(flight));
  order_.arrive(seq, truncates);
  pump();
}

void HttpSender::input_done(std::uint64_t batches) {
  total_batches_ = batches;
  maybe_finish();
}

void HttpSender::stop(Outcome outcome, std::string message, int signal) {
  state_.record_stop(outcome, std::move(message), signal);
  if (!stopping_) {
    stopping_ = true;
    for (std::uint64_t seq : order_.take_all()) drop(batches_.at(seq));
    for (auto& part : parts_ready_) drop(part);
    parts_ready_.clear();
    complete_ready_ = false;
    for (auto& f : waiting_) {
      f->timer->cancel();  // its handler sees stopping_ and drops it
    }
    pace_timer_.reset();  // cancels its wait
    if (callbacks_.on_stop) callbacks_.on_stop();
  }
  maybe_finish();
}

void HttpSender::drop(const FlightPtr& flight) {
  if (flight->is_complete) return;
  if (flight->parent) {
    drop(flight->parent);  // a part: its batch goes (one part is out at a time)
    return;
  }
  batches_.erase(flight->batch.seq);
  if (callbacks_.release_slot) callbacks_.release_slot();
}

void HttpSender::pump() {
  while (!stopping_ && !idle_.empty()) {
    if (pace_timer_) return;  // a start is already waiting for the rate limit
    if (pacer_.active()) {
      const auto wait = pacer_.wait(std::chrono::steady_clock::now());
      if (wait > std::chrono::steady_clock::duration::zero()) {
        pace_timer_.emplace(io_, wait);
        pace_timer_->async_wait([this](const error_code& ec) {
          if (ec) return;  // cancelled: the sender may be gone
          pace_timer_.reset();
          pump();
          maybe_finish();
        });
        return;
      }
    }
    FlightPtr flight;
    if (!parts_ready_.empty()) {
      flight = std::move(parts_ready_.back());
      parts_ready_.pop_back();
    } else if (complete_ready_) {
      complete_ready_ = false;
      flight = complete_;
    } else if (auto seq = order_.next(inflight_)) {
      flight = batches_.at(*seq);
    } else {
      return;
    }
    if (!flight->is_complete && flight->request.body().size() > body_limit_ &&
        split_flight(flight, std::nullopt, true, body_limit_reason())) {
      continue;  // its parts are queued (or the load stops: one row alone is over the limit)
    }
    const auto conn = std::move(idle_.back());
    idle_.pop_back();
    send(flight, conn);
  }
}

void HttpSender::note_inflight(int delta) {
  const auto now = std::chrono::steady_clock::now();
  if (inflight_ > 0) {
    state_.busy_seconds += std::chrono::duration<double>(now - inflight_since_).count() *
                           inflight_ /
                           static_cast<double>(std::max<std::size_t>(connections_.size(), 1));
  }
  inflight_ += delta;
  inflight_since_ = now;
}

void HttpSender::send(const FlightPtr& flight, const std::shared_ptr<net::HttpConnection>& conn) {
  // Requests made before a 308 moved their endpoint go where it points (a chain at most as
  // long as follow_redirect allows).
  for (int hop = 0; hop < 5 && !moved_.empty(); ++hop) {
    auto it = moved_.find(std::string(flight->request.target()));
    if (it == moved_.end()) break;
    flight->request.target(it->second);
  }
  note_inflight(+1);
  ++state_.requests;
  if (pacer_.active()) {
    pacer_.charge(flight->request.body().size(), std::chrono::steady_clock::now());
  }
  conn->async_send(
      flight->request,
      [this, flight, conn](const error_code& ec, net::Response& response) {
        on_response(flight, conn, ec, response);
      },
      flight->is_complete ? config_.complete_timeout : config_.timeout);
}

void HttpSender::on_response(const FlightPtr& flight,
                             const std::shared_ptr<net::HttpConnection>& conn, const error_code& ec,
                             net::Response& response) {
  note_inflight(-1);
  idle_.push_back(conn);
  const unsigned status = ec ? 0 : response.result_int();
  if ((status == 307 || status == 308) && follow_redirect(flight, response)) {
    maybe_finish();
    return;
  }
  const net::Verdict verdict = ec ? net::classify_error(ec) : net::classify_status(status);
  switch (verdict) {
    case net::Verdict::kSuccess:
      retry_.on_success();
      if (auto answer = accepted_answer(*flight, response)) {
        state_.largest_body_stored =
            std::max<std::uint64_t>(state_.largest_body_stored, flight->request.body().size());
        if (flight->parent) {
          note_answer(*answer);
          Split& split = *flight->parent->split;
          split.rows_stored += flight->part_rows;
          split.bytes_sent += flight->request.body().size();
          if (flight->part_truncates) split.truncate_pending = false;
          next_part(flight->parent);
        } else if (flight->is_complete) {
          state_.completed = true;
          if (answer->rows_count) state_.server_rows_count = answer->rows_count;
        } else {
          acknowledge(flight, *answer);
        }
      } else {
        drop(flight);
        stop(Outcome::kRejected, answer.error().message);
      }
      break;
    case net::Verdict::kRetry:
    case net::Verdict::kRetryPause:
      retry_later(flight, verdict, ec ? conn->describe_failure(ec) : describe_answer(response),
                  ec ? nullptr : &response);
      break;
    case net::Verdict::kFatalTls:
      drop(flight);
      stop(Outcome::kNetwork, tls_failure_message(*conn, ec));
      break;
    case net::Verdict::kFatalProxy:
      drop(flight);
      stop(Outcome::kNetwork, proxy_failure_message(*conn, ec));
      break;
    case net::Verdict::kFatalNotHttp:
      drop(flight);
      stop(Outcome::kNetwork, not_http_message(*conn, ec));
      break;
    case net::Verdict::kFatal:
      if (ec) {
        drop(flight);  // our own cancellation
      } else if (split_refused_flight(flight, response)) {
        // Split around the refused rows: the parts go out from pump() below.
      } else {
        std::string why = describe_answer(response);
        // A server that did not take X-First-Row names only the request's row: name the file's.
        const std::optional<std::size_t> row = named_row(response.body().text);
        if (row && why.find(" of the file") == std::string::npos) {
          const std::int64_t first =
              flight->parent ? flight->part.first_row : flight->batch.first_row;
          why += " (rows[" + std::to_string(*row) + "] is row " +
                 std::to_string(first + static_cast<std::int64_t>(*row)) + " of the file)";
        }
        drop(flight);
        const std::string hint = auth_hint(response.result_int(), !config_.token.empty());
        stop(Outcome::kRejected, "the server rejected " + describe(*flight) + ": " + why +
                                     (hint.empty() ? "" : "; " + hint));
      }
      break;
  }
  pump();
  maybe_finish();
}

Result<ApiAnswer> HttpSender::accepted_answer(const Flight& flight,
                                              const net::Response& response) const {
  auto answer = read_success_envelope(response);
  std::string why;
  const std::uint64_t rows = flight.parent ? flight.part_rows : flight.batch.rows;
  if (!answer) {
    why = answer.error().message;
  } else if (!flight.is_complete && answer->rows_inserted &&
             static_cast<std::uint64_t>(*answer->rows_inserted) != rows) {
    why = "it reports " + std::to_string(*answer->rows_inserted) + " rows inserted, not " +
          std::to_string(rows);
  } else {
    return answer;
  }
  return make_error(ErrorCode::kBadJson,
                    "the server answered " + describe(flight) + " with " +
                        describe_answer(response) + ", which is not the API's success answer (" +
                        why + "): " +
                        (flight.is_complete ? "the dataset is not completed"
                                            : "the batch is not counted as stored"));
}

void HttpSender::acknowledge(const FlightPtr& flight, const ApiAnswer& answer) {
  const EncodedBatch& b = flight->batch;
  state_.count_done(b);
  state_.bytes_sent += flight->request.body().size();
  note_answer(answer);
  const bool advanced = order_.acknowledge(b.seq, b.byte_end, b.next_row(), b.rows, !b.append);
  // Free the body now: the window slot is what bounds memory.
  batches_.erase(b.seq);
  if (callbacks_.release_slot) callbacks_.release_slot();
  if (advanced && callbacks_.on_prefix_advance) callbacks_.on_prefix_advance();
}

void HttpSender::note_answer(const ApiAnswer& answer) {
  if (answer.rows_count) {
    state_.server_rows_count = answer.rows_count;
    state_.server_rows_count_max =
        std::max(state_.server_rows_count_max.value_or(0), *answer.rows_count);
  }
  if (answer.rows_inserted) {
    state_.server_rows_inserted =
        state_.server_rows_inserted.value_or(0) + static_cast<std::uint64_t>(*answer.rows_inserted);
    if (answer.rows_count) {
      // The first of this run's requests to commit saw the dataset as it was before the run;
      // later ones see it with some of this run's rows too: the least is the count before.
      const std::int64_t before = *answer.rows_count - *answer.rows_inserted;
      state_.server_rows_before = std::min(state_.server_rows_before.value_or(before), before);
    }
  } else {
    state_.rows_inserted_missing = true;
  }
}

std::string HttpSender::tls_failure_message(const net::HttpConnection& conn,
                                            const error_code& ec) const {
  const std::string where = config_.url.host + ":" + config_.url.port;
  const std::string& why = conn.tls_failure();
  std::string hint;
  if (why.find("unable to get local issuer") != std::string::npos ||
      why.find("self-signed") != std::string::npos ||
      why.find("self signed") != std::string::npos) {
    hint = "the certificate's issuer is not trusted: give its CA with --cacert FILE";
  } else if (why.find("ostname mismatch") != std::string::npos ||
             why.find("IP address mismatch") != std::string::npos) {
    hint = "the certificate is not for " + config_.url.host +
           ": use the name it was issued for in --url";
  } else if (why.find("expired") != std::string::npos ||
             why.find("not yet valid") != std::string::npos) {
    hint = "renew the server's certificate (or check this machine's clock)";
  } else if (ec.message().find("wrong version number") != std::string::npos) {
    hint = "the port does not answer TLS: is the URL http:// rather than https://?";
  }
  return "TLS with " + where +
         " failed: " + (why.empty() ? ec.message() : why + " (" + ec.message() + ")") +
         "; not retried, as retrying cannot fix it" + (hint.empty() ? "" : ": " + hint);
}

std::string HttpSender::proxy_failure_message(const net::HttpConnection& conn,
                                              const error_code& ec) const {
  std::string hint;
  if (ec == net::ProxyErrc::kAuthRequired) {
    const std::string where = config_.proxy_source == "--proxy"
                                  ? std::string("DSFILL_PROXY_USER=user:password")
                                  : "the proxy URL in " + config_.proxy_source +
                                        " (http://user:password@host:port) or "
                                        "DSFILL_PROXY_USER=user:password";
    hint = config_.proxy && !config_.proxy->authorization.empty()
               ? "the proxy refused the credentials given: check them in " + where
               : "the proxy asks for credentials: give them in " + where;
  } else {
    hint =
        "the proxy does not let this request through: ask its administrator, or set "
        "NO_PROXY for this host if it is reached directly";
  }
  return conn.describe_failure(ec) + "; not retried, as retrying cannot fix it: " + hint;
}

std::string HttpSender::not_http_message(const net::HttpConnection& conn,
                                         const error_code& ec) const {
  const std::string where = config_.url.host + ":" + config_.url.port;
  return "what " + where + " answered is not HTTP (" + conn.describe_failure(ec) +
         "); not retried, as retrying cannot fix it: check --url (scheme, host and port)" +
         (config_.url.tls ? std::string() : ": a port that speaks TLS needs https://, not http://");
}

bool HttpSender::split_refused_flight(const FlightPtr& flight, const net::Response& response) {
  const unsigned status = response.result_int();
  if (!config_.encode_part || flight->is_complete) return false;
  if (status == 413) {
    // Remember the limit: bodies this large go out split from now on, without a refusal each.
    const std::size_t refused = flight->request.body().size();
    if (refused > 0 && refused - 1 < body_limit_) {
      body_limit_ = refused - 1;
      state_.smallest_body_refused = refused;
    }
    return split_flight(flight, std::nullopt, true,
                        "the server refused its body of " + std::to_string(refused) +
                            " bytes as too large: " + describe_answer(response));
  }
  if ((status != 400 && status != 422) || !config_.on_refused) return false;
  return split_flight(flight, named_row(response.body().text), false, describe_answer(response));
}

std::string HttpSender::body_limit_reason() const {
  if (state_.smallest_body_refused != 0) {
    return "over the server's body limit (it refused a body of " +
           std::to_string(state_.smallest_body_refused) + " bytes with HTTP 413)";
  }
  return "over --max-body-bytes " + std::to_string(body_limit_);
}

bool HttpSender::split_flight(const FlightPtr& flight, std::optional<std::size_t> named,
                              bool too_large, const std::string& why) {
  FlightPtr parent = flight->parent ? flight->parent : flight;
  if (parent->batch.csv.empty() && parent->batch.rows > 0) return false;
  const std::string_view csv = parent->batch.csv;
  const BatchPart whole{0, csv.size(), parent->batch.first_row};
  const BatchPart& part = flight->parent ? flight->part : whole;
  std::vector<BatchPart> parts = split_refused(csv, part, named, config_.dialect);
  if (!flight->parent) {
    flight->split = std::make_unique<Split>();
    flight->split->truncate_pending = !flight->batch.append;
  }
  Split& split = *parent->split;
  if (parts.empty()) {
    // One record: refused on its own, or too large on its own. It is that record's fault.
    const std::int64_t at = parent->batch.byte_begin + static_cast<std::int64_t>(part.begin);
    if (too_large && !config_.on_refused) {
      drop(parent);
      stop(Outcome::kRejected,
           "row " + std::to_string(part.first_row) + " (bytes " + std::to_string(at) + "-" +
               std::to_string(at + static_cast<std::int64_t>(part.end - part.begin)) +
               ") alone makes a request body of " + std::to_string(flight->request.body().size()) +
               " bytes, " + why +
               ": raise the limit (nginx: client_max_body_size), or let bad rows be left out "
               "(--max-bad-rows)");
      return true;
    }
    codec::RowReject r;
    r.row = part.first_row;
    r.byte_offset = at;
    r.record = std::string(csv.substr(part.begin, part.end - part.begin));
    r.reason = codec::RejectReason::kRefusedByServer;
    r.message = too_large ? "the row alone makes a request body " + why
                          : "the server refused the row: " + why;
    split.refused.push_back(std::move(r));
  } else {
    if (too_large) ++state_.size_splits;
    // A stack: push in reverse so the first part in byte order goes next.
    split.todo.insert(split.todo.end(), parts.rbegin(), parts.rend());
  }
  next_part(parent);
  return true;
}

void HttpSender::next_part(const FlightPtr& parent) {
  if (stopping_) {
    drop(parent);
    return;
  }
  Split& split = *parent->split;
  EncodedBatch& b = parent->batch;
  if (split.todo.empty() && split.truncate_pending) {
    // Every row of the truncating batch was refused: truncate with an empty part all the same.
    split.todo.push_back({b.csv.size(), b.csv.size(), b.next_row()});
  }
  if (split.todo.empty()) {
    // Done: the batch counts as stored with the rows its parts stored.
    if (!split.refused.empty() && config_.on_refused &&
        !config_.on_refused(b.seq, std::move(split.refused))) {
      drop(parent);
      stop(Outcome::kBadInput,
           "more bad rows than the limit allows, the last refused by the "
           "server in " +
               describe(*parent));
      return;
    }
    b.rows = split.rows_stored;
    state_.count_done(b);
    state_.bytes_sent += split.bytes_sent;
    const bool advanced = order_.acknowledge(b.seq, b.byte_end, b.next_row(), b.rows, !b.append);
    batches_.erase(b.seq);
    if (callbacks_.release_slot) callbacks_.release_slot();
    if (advanced && callbacks_.on_prefix_advance) callbacks_.on_prefix_advance();
    return;
  }
  const BatchPart part = split.todo.back();
  split.todo.pop_back();
  auto flight = std::make_shared<Flight>();
  flight->parent = parent;
  flight->part = part;
  flight->part_truncates = split.truncate_pending;
  const std::int64_t begin = b.byte_begin + static_cast<std::int64_t>(part.begin);
  const std::int64_t end = b.byte_begin + static_cast<std::int64_t>(part.end);
  auto encoded = config_.encode_part(b.csv.substr(part.begin, part.end - part.begin),
                                     {part.first_row, begin}, !flight->part_truncates);
  if (!encoded) {
    drop(parent);
    stop(Outcome::kBadInput,
         "cannot encode " + describe(*flight) + ": " + encoded.error().describe());
    return;
  }
  flight->part_rows = encoded->rows;
  // The truncating part carries a key of its own too: parts never share a byte range.
  flight->request = make_request("dataset-fill", std::move(encoded->body),
                                 idempotency_key(config_.load_id, begin, end), part.first_row);
  parts_ready_.push_back(std::move(flight));
}

void HttpSender::retry_later(const FlightPtr& flight, net::Verdict verdict, const std::string& why,
                             const net::Response* response) {
  if (stopping_) {
    drop(flight);
    return;
  }
  const int retry = flight->retries + 1;
  const auto now = std::chrono::steady_clock::now();
  if (flight->retries == 0) flight->first_failure = now;
  const net::Millis max_time = retry_.options().max_retry_time;
  if (max_time.count() > 0 && now - flight->first_failure >= max_time) {
    drop(flight);
    stop(Outcome::kNetwork, "gave up on " + describe(*flight) + " after " +
                                std::to_string(flight->retries) + " retries in " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   now - flight->first_failure)
                                                   .count()) +
                                " s (--retry-max-time " + std::to_string(max_time.count() / 1000) +
                                " s): last error: " + why);
    return;
  }
  if (!retry_.try_spend(retry)) {
    drop(flight);
    const bool budget = retry <= retry_.options().max_retries;
    stop(Outcome::kNetwork, "gave up on " + describe(*flight) + " after " +
                                std::to_string(flight->retries) + " retries" +
                                (budget ? " (the load's retry budget is spent)" : "") +
                                ": last error: " + why);
    return;
  }
  flight->retries = retry;
  ++state_.retries;
  state_.last_retry_reason = why;
  std::optional<net::Millis> retry_after;
  if (response != nullptr) {
    if (auto it = response->find(http::field::retry_after); it != response->end()) {
      retry_after = net::parse_retry_after(it->value(), std::chrono::system_clock::now());
    }
  }
  const net::Millis delay = retry_.delay(retry, verdict, retry_after);
  // Each retry says why as it happens, not only when the load gives up.
  const std::string what = describe(*flight);
  log(LogLevel::kWarn,
      "retry " + std::to_string(retry) + " of " + what + " in " + std::to_string(delay.count()) +
          " ms: " + why,
      {{"event", "retry"},
       {"retry", static_cast<std::int64_t>(retry)},
       {"request", what},
       {"delay_ms", static_cast<std::int64_t>(delay.count())},
       {"reason", why}});
  flight->timer.emplace(io_, delay);
  waiting_.push_back(flight);
  flight->timer->async_wait([this, flight](const error_code&) {
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), flight));
    if (stopping_) {
      drop(flight);
    } else {
      requeue(flight);
    }
    maybe_finish();
  });
}

void HttpSender::requeue(const FlightPtr& flight) {
  if (flight->is_complete) {
    complete_ready_ = true;
  } else if (flight->parent) {
    parts_ready_.push_back(flight);
  } else {
    order_.retry(flight->batch.seq, !flight->batch.append);
  }
  pump();
}

bool HttpSender::follow_redirect(const FlightPtr& flight, const net::Response& response) {
  constexpr int kMaxRedirects = 5;
  const auto location = response.find(http::field::location);
  if (location == response.end() || stopping_) return false;
  const std::string from(flight->request.target());
  auto target = net::redirect_target(config_.url, from, location->value());
  if (!target || flight->redirects >= kMaxRedirects) {
    drop(flight);
    stop(Outcome::kRejected,
         "the server redirected " + describe(*flight) + ": " + describe_answer(response) + "; " +
             (target ? "more than " + std::to_string(kMaxRedirects) + " redirects"
                     : target.error().message));
    return true;
  }
  ++flight->redirects;
  ++state_.redirects;
  if (response.result_int() == 308) {
    // Permanent: later requests of this endpoint go there at once.
    moved_[from] = *target;
    state_.moved_to = *target;
  }
  flight->request.target(*target);
  requeue(flight);
  return true;
}

void HttpSender::start_complete() {
  complete_ = std::make_shared<Flight>();
  complete_->is_complete = true;
  complete_->request = make_request("dataset-complete", config_.complete_body, "");
  state_.completing = true;
  order_.open_gate();
  complete_ready_ = true;
  pump();
}

void HttpSender::maybe_finish() {
  if (finished_ || inflight_ > 0 || !waiting_.empty() || order_.has_waiting() || complete_ready_ ||
      (!parts_ready_.empty() && !stopping_)) {
    return;
  }
  if (!stopping_) {
    if (!total_batches_ || state_.batches < *total_batches_) return;
    if (!config_.complete_body.empty() && !complete_) {
      start_complete();
      return;
    }
  }
  finished_ = true;
  note_inflight(0);
  for (auto& conn : connections_) conn->close();
  if (callbacks_.on_finished) asio::post(io_, callbacks_.on_finished);
}

}  // namespace dsfill::loader

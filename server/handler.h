// The dataset-fill request handler: routing, auth, limits, idempotency bookkeeping, decoding and
// validation (on the HTTP threads), storage (posted to the StoreWorker, whichever Store it runs),
// and one log line per request. Every answer comes from server/http_mapping.h.
//
// Routes:
//   POST /dataset-fill                 fill a dataset (see request.h, validation.h, store.h)
//   POST /dataset-complete             mark the load complete, return the dataset's shape
//   POST /datasets                     create a dataset with its columns
//   GET  /datasets/{user}/{dataset}    columns, row count, state
//   GET  /healthz                      liveness: 200 {"status":"ok",...}, no token needed, not
//                                      counted against --max-concurrent
// Routing and authentication are decided from the header (screen()) before the body is read.
// Status codes (the table: server/http_mapping.h): 200/201 success; 400 invalid request;
// 401 missing or malformed Authorization; 403 wrong token for the user-code; 404 unknown route
// or dataset; 405 wrong method; 409 same Idempotency-Key still in flight (or dataset exists with
// other columns); 413 a size, ratio or row-count limit; 422 Idempotency-Key reused with another
// body; 429 too many concurrent requests (Retry-After: 1); 500 storage failure; 503 out of
// memory (Retry-After: 1); 507 disk full. A step that throws (std::bad_alloc: 503, anything
// else: 500) is answered and its cause logged: no exception leaves the handler.
//
// Idempotency-Key (fills only, scoped by user-code): 1-255 visible ASCII characters, optionally
// in double quotes. The key, the body's SHA-256 and the response are stored with the rows; a
// repeat with the same body replays the stored response (header Idempotent-Replayed: true).
// An Idempotency-Key is also claimed while its request is in flight: a concurrent repeat gets
// 409, whatever the store (the only protection DiscardStore gives).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "net/http_server.h"
#include "server/auth.h"
#include "server/limits.h"
#include "server/store.h"

namespace dsfill::server {

struct HandlerOptions {
  Limits limits;
  bool auto_create = false;
  TokenTable tokens;  // empty: no authentication
  // Receives one line per request (method, path, status, rows, milliseconds); null: stderr.
  std::function<void(std::string_view line)> log;
};

class Handler : public std::enable_shared_from_this<Handler> {
 public:
  // REQUIRES: `store` is not null and outlives the handler's last answer.
  Handler(HandlerOptions options, StoreWorker* store);
  ~Handler();

  // Handles one request and answers through `respond` (now or from the store's thread).
  void handle(net::HttpRequest&& request, net::Responder respond);

  // Decides what the header alone can, before any body byte is read: the answer to an unknown
  // route (404), a wrong method (405), a missing or malformed Authorization (401) or a token of
  // no user (403), logged like any request; nullopt when the body must be read (handle() then
  // checks the rest, such as whether the token is the body's user-code's).
  std::optional<net::HttpResponse> screen(const net::HttpRequestHeader& header) const;

  // Writes one log line for a request the HTTP layer rejected.
  void log(std::string_view method, std::string_view path, unsigned status, std::uint64_t rows,
           double ms) const;
  // Writes one line naming the real cause of a failure the answer only summarises.
  void log_failure(std::string_view line) const;

  struct Call;
  struct Scratch;

 private:
  void dispatch(const std::shared_ptr<Call>& call);
  void handle_fill(std::shared_ptr<Call> call);
  // Decodes and validates a parsed fill on this (HTTP) thread, sets its idempotency fingerprint
  // when the store uses one, and returns the first problem, if any.
  std::optional<Error> check_fill(Call& call);
  void handle_complete(std::shared_ptr<Call> call);
  void handle_create(std::shared_ptr<Call> call);
  void handle_describe(std::shared_ptr<Call> call, std::string_view user, std::string_view dataset);
  bool authorize(Call& call, std::string_view user_code) const;
  bool claim_key(const std::string& scoped_key);
  // Returns an idle Scratch, or a new one; give it back with release_scratch.
  std::unique_ptr<Scratch> acquire_scratch();
  void release_scratch(std::unique_ptr<Scratch> scratch);

  friend struct Call;
  HandlerOptions options_;
  StoreWorker* store_;
  std::atomic<unsigned> active_{0};
  std::mutex mu_;  // guards in_flight_keys_
  std::unordered_set<std::string> in_flight_keys_;
  std::mutex scratch_mu_;  // guards idle_scratch_
  std::vector<std::unique_ptr<Scratch>> idle_scratch_;
};

}  // namespace dsfill::server

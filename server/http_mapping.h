// The one place where the server's domain results become HTTP answers: the status of every
// error and the JSON envelope (server/envelope.h) of every answer.
//
//   ErrorCode                                                    status
//   kBadCsv kBadEncoding kBadNumber kBadGzip kBadBase64 kBadJson
//   kBadDate kBadArgument                                        400 Bad Request
//   kUnauthenticated                                             401 (+ WWW-Authenticate)
//   kForbidden                                                   403
//   kNotFound                                                    404
//   kBadMethod                                                   405 (+ Allow)
//   kConflict                                                    409
//   kTooLarge                                                    413
//   kKeyReused                                                   422
//   kBusy                                                        429 (+ Retry-After: 1)
//   kStorage kIo kInternal                                       500
//   kUnavailable (out of memory, in-flight byte budget spent)    503 (+ Retry-After: 1)
//   kDiskFull (SQLITE_FULL)                                      507 Insufficient Storage
// 429 and 503 say "the same request can succeed in a moment"; 507 "once an operator frees
// space" (the dsfill client retries it like any 5xx, then stops with exit code 5: resumable).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "server/store.h"

namespace dsfill::server {

// One HTTP answer: its status, its JSON body, and what the request's log line reports.
struct Answer {
  unsigned status = 200;
  std::string body;
  std::uint64_t rows = 0;  // rows inserted (fills) or counted
  bool replayed = false;   // an idempotent replay of a stored answer
};

// Returns the HTTP status of `error` (see the table above).
unsigned http_status_for(const Error& error);

// Returns the answer to `error`: its status and {"data":{"status":"error","message":...}}.
Answer error_answer(const Error& error);

// Returns a stored answer replayed (Idempotent-Replayed), as it was first sent.
Answer replay_answer(const StoredAnswer& kept);

// Returns the answer to a fill: the replayed answer, or 200 with dataset-code, rows-count and
// rows-inserted.
Answer fill_answer(std::string_view dataset, const FillOutcome& outcome);

// Returns the answer a fill keeps with its Idempotency-Key (what fill_answer sends).
StoredAnswer answer_to_keep(std::string_view dataset, const FillOutcome& outcome);

// Returns the answer to POST /datasets: 201 created or 200 confirmed, with user-code,
// dataset-code and columns (empty details when the store keeps no catalog).
Answer create_answer(std::string_view user, std::string_view dataset, const CreateOutcome& outcome);

// Returns the answer to POST /dataset-complete: 200 with dataset-code, rows-count and, when
// profiled, load-number and per column empty-count (and min, max for measures).
Answer shape_answer(std::string_view dataset, const DatasetShape& shape);

// Returns the answer to GET /healthz: 200 with status "ok" and the requests in progress.
Answer health_answer(unsigned active_requests);

// Returns the answer to GET /datasets/{user}/{dataset}: 200 with the catalog entry (only
// rows-count when the store keeps no catalog).
Answer describe_answer(std::string_view user, std::string_view dataset, const DatasetInfo& info);

}  // namespace dsfill::server

#include "server/handler.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <optional>

#include <fmt/format.h>
#include <simdjson.h>
#include <boost/beast/http/field.hpp>

#include "codec/payload_decoder.h"
#include "server/envelope.h"
#include "server/failures.h"
#include "server/http_mapping.h"
#include "server/request.h"
#include "server/validation.h"

namespace dsfill::server {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

// The parsers and buffers of one request. Handlers keep a few idle ones and reuse them, so a
// steady load decodes into warm memory instead of allocating (and paging in) megabytes of parser
// indexes, rows JSON and values for every request.
struct Handler::Scratch {
  simdjson::ondemand::parser body_parser;
  simdjson::ondemand::parser rows_parser;
  std::string rows_json;
  RowBatch rows;

  // Returns roughly the bytes this scratch holds on to.
  std::size_t footprint() const {
    return rows_json.capacity() + rows.values.capacity() * sizeof(Value) + rows.text.capacity() +
           body_parser.capacity() + rows_parser.capacity();
  }
};

namespace {

// Bounds what idle scratches keep: enough for a few requests of ordinary batch sizes (10,000
// rows of 100 bytes use about 10 MB), while one huge request does not pin its memory for good.
constexpr std::size_t kMaxIdleScratches = 4;
constexpr std::size_t kMaxKeptScratchBytes = 64u << 20;

}  // namespace

namespace {

// Returns the HTTP response of `reply`, with the headers its status calls for.
net::HttpResponse make_response(const Answer& reply, const char* allow) {
  net::HttpResponse response{static_cast<http::status>(reply.status), 11};
  response.set(http::field::content_type, "application/json");
  if (reply.status == 401) response.set(http::field::www_authenticate, "Bearer");
  if (reply.status == 429 || reply.status == 503) response.set(http::field::retry_after, "1");
  if (reply.status == 405) response.set(http::field::allow, allow);
  if (reply.replayed) response.set("Idempotent-Replayed", "true");
  response.body() = reply.body;
  return response;
}

// What a request's method and path ask for: the one routing table, read from the header alone.
struct Route {
  enum class Kind { kFill, kComplete, kCreate, kDescribe, kHealth, kRefused };
  Kind kind = Kind::kRefused;
  const char* allow = "";
  std::string_view user, dataset;  // kDescribe: from the path
  std::optional<Error> refusal;    // kRefused: 404 or 405
};

Route route_of(http::verb method, std::string_view path) {
  Route r;
  const auto want = [&](Route::Kind kind, const char* allow, http::verb verb) {
    r.allow = allow;
    if (method == verb) {
      r.kind = kind;
    } else {
      r.refusal =
          make_error(ErrorCode::kBadMethod, "method not allowed; use " + std::string(allow));
    }
  };
  if (path == "/dataset-fill") {
    want(Route::Kind::kFill, "POST", http::verb::post);
  } else if (path == "/dataset-complete") {
    want(Route::Kind::kComplete, "POST", http::verb::post);
  } else if (path == "/datasets") {
    want(Route::Kind::kCreate, "POST", http::verb::post);
  } else if (path == "/healthz") {
    want(Route::Kind::kHealth, "GET", http::verb::get);
  } else if (path.starts_with("/datasets/")) {
    const std::string_view rest = path.substr(10);
    const std::size_t slash = rest.find('/');
    r.user = rest.substr(0, slash);
    r.dataset = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
    if (!is_valid_code(r.user) || !is_valid_code(r.dataset)) {
      r.refusal = make_error(ErrorCode::kNotFound,
                             "no such resource; expected /datasets/{user-code}/{dataset-code}");
    } else {
      want(Route::Kind::kDescribe, "GET", http::verb::get);
    }
  } else {
    r.refusal = make_error(ErrorCode::kNotFound, "no such resource: " + excerpt(path));
  }
  return r;
}

}  // namespace

// One request in progress: owns everything its answer needs, and answers exactly once.
struct Handler::Call {
  Call(std::shared_ptr<Handler> h, net::HttpRequest&& r, net::Responder respond)
      : handler(std::move(h)), request(std::move(r)), responder(std::move(respond)) {}

  ~Call() {
    if (scratch) handler->release_scratch(std::move(scratch));
    if (!scoped_key.empty()) {
      std::lock_guard lock(handler->mu_);
      handler->in_flight_keys_.erase(scoped_key);
    }
    if (counted) handler->active_.fetch_sub(1);
  }

  void answer(const Answer& reply) {
    if (answered) return;
    net::HttpResponse response = make_response(reply, allow);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    handler->log(request.method_string(), path, reply.status, reply.rows, ms);
    // Release the in-flight key and the concurrency slot before the client can send again.
    if (!scoped_key.empty()) {
      std::lock_guard lock(handler->mu_);
      handler->in_flight_keys_.erase(scoped_key);
      scoped_key.clear();
    }
    if (counted) {
      handler->active_.fetch_sub(1);
      counted = false;
    }
    answered = true;
    responder(std::move(response));
  }

  void fail(const Error& error) { answer(error_answer(error)); }

  // Answers a step that threw, unless it answered already, and logs `cause`.
  void fail_after_throw(std::string_view cause, const Error& error) noexcept {
    try {
      handler->log_failure(fmt::format("{} {}: {}", request.method_string(), path, cause));
      answer(error_answer(error));
    } catch (...) {  // NOLINT(bugprone-empty-catch): no memory even to answer; the connection
    }                // closes when the call is dropped
  }

  // Answers with `render(*result)`, or with the result's error.
  template <class T, class Render>
  void answer(const Result<T>& result, Render&& render) {
    answer(result ? render(*result) : error_answer(result.error()));
  }

  std::shared_ptr<Handler> handler;
  net::HttpRequest request;
  net::Responder responder;
  Clock::time_point started = Clock::now();
  std::string path;
  const char* allow = "";
  bool counted = false;
  std::string scoped_key;  // user-code \n Idempotency-Key while claimed
  bool answered = false;

  // Returns the request's scratch, taking one from the handler on first use.
  Scratch& work() {
    if (!scratch) scratch = handler->acquire_scratch();
    return *scratch;
  }

  // Fill state; the scratch backs the views in `fill` and its `rows` until the store is done.
  std::unique_ptr<Scratch> scratch;
  FillRequest fill;
  IdempotencyKey idempotency;
  bool has_key = false;
};

namespace {

// Runs one step of `call`'s work. A std::bad_alloc answers 503 (memory may be free again in a
// moment) and any other exception 500, each logged with its cause, so every request gets an
// answer and no exception escapes into an HTTP or store thread.
template <class Step>
void guarded(Handler::Call& call, Step&& step) noexcept {
  try {
    step();
  } catch (const std::bad_alloc&) {
    call.fail_after_throw("out of memory (std::bad_alloc)", out_of_memory("handling the request"));
  } catch (const std::exception& e) {
    call.fail_after_throw(std::string("internal error: ") + e.what(),
                          make_error(ErrorCode::kInternal, "internal error (see the server log)"));
  }
}

// Posts `job` to the store's thread, where it runs under guarded() for `call`.
template <class Job>
void post_guarded(StoreWorker& worker, const std::shared_ptr<Handler::Call>& call, Job job) {
  worker.post(
      [call, job = std::move(job)](Store& store) mutable { guarded(*call, [&] { job(store); }); });
}

// The fingerprint an Idempotency-Key is bound to: what the request asks to store (dataset,
// columns, mode, decoded rows), not how its bytes were encoded. So the same batch re-sent at
// another gzip level, or uncompressed, is the same request: a resumed `--level auto` load
// re-encodes the batches that were in flight at whatever level it is at then.
Sha256 request_fingerprint(const FillRequest& fill, std::string_view rows_json) {
  std::string columns;
  for (const codec::ColumnSpec& c : fill.columns) {
    for (const std::string* part : {&c.name, &c.alias, &c.type, &c.subtype, &c.format}) {
      columns += *part;
      columns += '\0';
    }
    columns += '\n';
  }
  return sha256_of_parts({"dataset-fill v1", fill.user_code, fill.dataset_code, columns,
                          fill.append ? "append" : "replace", rows_json});
}

Error missing_authorization() {
  return make_error(ErrorCode::kUnauthenticated,
                    "missing or malformed Authorization header; expected `Bearer TOKEN`");
}

// Returns the Idempotency-Key without optional surrounding quotes, or false when malformed.
bool parse_key(std::string_view value, std::string& out) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty() || value.size() > 255) return false;
  for (char c : value) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  out.assign(value);
  return true;
}

}  // namespace

Handler::Handler(HandlerOptions options, StoreWorker* store)
    : options_(std::move(options)), store_(store) {}

Handler::~Handler() = default;

void Handler::log(std::string_view method, std::string_view path, unsigned status,
                  std::uint64_t rows, double ms) const {
  const std::string line = fmt::format("{} {} {} rows={} {:.1f}ms", method, path, status, rows, ms);
  if (options_.log) {
    options_.log(line);
  } else {
    const std::string with_newline = line + "\n";
    std::fwrite(with_newline.data(), 1, with_newline.size(), stderr);  // one write: no interleaving
  }
}

void Handler::log_failure(std::string_view line) const {
  if (options_.log) {
    options_.log(line);
  } else {
    const std::string with_newline = std::string(line) + "\n";
    std::fwrite(with_newline.data(), 1, with_newline.size(), stderr);
  }
}

void Handler::handle(net::HttpRequest&& request, net::Responder respond) {
  auto call = std::make_shared<Call>(shared_from_this(), std::move(request), std::move(respond));
  guarded(*call, [&] { dispatch(call); });
}

void Handler::dispatch(const std::shared_ptr<Call>& call) {
  std::string_view target = call->request.target();
  call->path.assign(target.substr(0, target.find('?')));
  const std::string_view path = call->path;
  const http::verb method = call->request.method();
  const Route route = route_of(method, path);
  call->allow = route.allow;
  // A liveness probe is answered even when every slot is taken: busy is not down.
  if (route.kind == Route::Kind::kHealth) return call->answer(health_answer(active_.load()));

  if (active_.fetch_add(1) >= options_.limits.max_concurrent) {
    active_.fetch_sub(1);
    return call->fail(make_error(
        ErrorCode::kBusy, "too many concurrent requests (limit " +
                              std::to_string(options_.limits.max_concurrent) + "); retry later"));
  }
  call->counted = true;

  switch (route.kind) {
    case Route::Kind::kFill:
      return handle_fill(call);
    case Route::Kind::kComplete:
      return handle_complete(call);
    case Route::Kind::kCreate:
      return handle_create(call);
    case Route::Kind::kDescribe:
      return handle_describe(call, route.user, route.dataset);
    case Route::Kind::kHealth:  // answered above
    case Route::Kind::kRefused:
      return call->fail(*route.refusal);
  }
}

std::optional<net::HttpResponse> Handler::screen(const net::HttpRequestHeader& header) const {
  const auto started = Clock::now();
  const std::string_view target = header.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const Route route = route_of(header.method(), path);
  std::optional<Error> refusal = route.refusal;
  // RFC 9112 section 3.2: an HTTP/1.1 request without exactly one Host is answered 400.
  if (header.version() >= 11 && header.count(http::field::host) != 1) {
    refusal = make_error(ErrorCode::kBadArgument,
                         "an HTTP/1.1 request needs exactly one Host header (RFC 9112 3.2)");
  }
  // A probe needs no token: it reveals nothing of any user's data.
  if (!refusal && route.kind != Route::Kind::kHealth && !options_.tokens.empty()) {
    auto field = header.find(http::field::authorization);
    std::string_view token;
    if (field == header.end() || !TokenTable::bearer_token(field->value(), token)) {
      refusal = missing_authorization();
    } else if (!options_.tokens.knows(token)) {
      // A token of some user passes here: which user-code it may act for is in the body.
      refusal = make_error(ErrorCode::kForbidden, "the token is not valid for any user-code");
    }
  }
  if (!refusal) return std::nullopt;
  const Answer reply = error_answer(*refusal);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  log(header.method_string(), path, reply.status, 0, ms);
  return make_response(reply, route.allow);
}

bool Handler::authorize(Call& call, std::string_view user_code) const {
  if (options_.tokens.empty()) return true;
  auto header = call.request.find(http::field::authorization);
  std::string_view token;
  if (header == call.request.end() || !TokenTable::bearer_token(header->value(), token)) {
    call.fail(missing_authorization());
    return false;
  }
  if (!options_.tokens.allows(user_code, token)) {
    call.fail(make_error(ErrorCode::kForbidden,
                         "the token is not valid for user-code " + std::string(user_code)));
    return false;
  }
  return true;
}

std::unique_ptr<Handler::Scratch> Handler::acquire_scratch() {
  {
    std::lock_guard lock(scratch_mu_);
    if (!idle_scratch_.empty()) {
      std::unique_ptr<Scratch> scratch = std::move(idle_scratch_.back());
      idle_scratch_.pop_back();
      return scratch;
    }
  }
  return std::make_unique<Scratch>();
}

void Handler::release_scratch(std::unique_ptr<Scratch> scratch) {
  if (scratch->footprint() > kMaxKeptScratchBytes) return;  // freed here, outside the lock
  scratch->rows.values.clear();
  std::lock_guard lock(scratch_mu_);
  if (idle_scratch_.size() < kMaxIdleScratches) idle_scratch_.push_back(std::move(scratch));
}

bool Handler::claim_key(const std::string& scoped_key) {
  std::lock_guard lock(mu_);
  return in_flight_keys_.insert(scoped_key).second;
}

void Handler::handle_fill(std::shared_ptr<Call> call) {
  // Refuse an unauthenticated request before spending work on its body.
  if (!options_.tokens.empty() &&
      call->request.find(http::field::authorization) == call->request.end()) {
    return call->fail(missing_authorization());
  }
  Scratch& work = call->work();
  auto parsed = parse_fill_request(work.body_parser, call->request.body());
  if (!parsed) return call->fail(parsed.error());
  call->fill = std::move(*parsed);
  const FillRequest& fill = call->fill;
  if (!authorize(*call, fill.user_code)) return;

  if (auto key = call->request.find("Idempotency-Key"); key != call->request.end()) {
    if (!parse_key(key->value(), call->idempotency.key)) {
      return call->fail(make_error(ErrorCode::kBadArgument,
                                   "Idempotency-Key must be 1-255 visible ASCII characters"));
    }
    std::string scoped = fill.user_code + "\n" + call->idempotency.key;
    if (!claim_key(scoped)) {
      return call->fail(make_error(ErrorCode::kConflict,
                                   "a request with this Idempotency-Key is still being processed"));
    }
    call->scoped_key = std::move(scoped);
    call->has_key = true;
  }
  std::optional<Error> rejection = check_fill(*call);
  if (rejection) {
    if (!call->has_key) return call->fail(*rejection);
    // A known key decides (replay or 422) even for a body that does not validate.
    return post_guarded(*store_, call, [call, rejection = std::move(*rejection)](Store& store) {
      auto known = store.check_idempotency(call->fill.user_code, call->idempotency);
      call->answer(known, [&](const std::optional<StoredAnswer>& kept) {
        return kept ? replay_answer(*kept) : error_answer(rejection);
      });
    });
  }
  const bool auto_create = options_.auto_create;
  post_guarded(*store_, call, [call, auto_create](Store& store) {
    FillJob job;
    job.user_code = call->fill.user_code;
    job.dataset_code = call->fill.dataset_code;
    job.columns = &call->fill.columns;
    job.append = call->fill.append;
    job.auto_create = auto_create;
    job.rows = &call->scratch->rows;
    job.idempotency = call->has_key ? &call->idempotency : nullptr;
    job.answer_to_keep = [&](const FillOutcome& outcome) {
      return answer_to_keep(call->fill.dataset_code, outcome);
    };
    call->answer(store.fill(job), [&](const FillOutcome& outcome) {
      return fill_answer(call->fill.dataset_code, outcome);
    });
  });
}

namespace {

// Reads the optional X-First-Row header (the file row, 1-based, of the request's first row) into
// `row`: 0 when absent. Returns false when it is present but not a positive integer.
bool first_file_row(const net::HttpRequest& request, std::int64_t& row) {
  row = 0;
  const auto field = request.find("X-First-Row");
  if (field == request.end()) return true;
  const std::string_view text = field->value();
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), row);
  return ec == std::errc() && p == text.data() + text.size() && row > 0;
}

}  // namespace

std::optional<Error> Handler::check_fill(Call& call) {
  // A store that keeps no keys needs no fingerprint (see request_fingerprint).
  const bool fingerprint = call.has_key && store_->store().uses_fingerprints();
  const FillRequest& fill = call.fill;
  Scratch& work = call.work();
  std::optional<Error> rejection;
  const Limits& limits = options_.limits;
  if (!fill.compressed && fill.insert_data.size() > limits.max_decoded_bytes) {
    rejection = make_error(ErrorCode::kTooLarge,
                           "insert-data: " + std::to_string(fill.insert_data.size()) +
                               " bytes exceeds the decoded-size limit of " +
                               std::to_string(limits.max_decoded_bytes) + " (--max-decoded-bytes)");
  }
  std::int64_t first_row = 0;
  if (!rejection && !first_file_row(call.request, first_row)) {
    rejection =
        make_error(ErrorCode::kBadArgument,
                   "X-First-Row must be a positive integer (the file row of the first row)");
  }
  auto rules = check_columns(fill.columns);
  if (!rejection && !rules) rejection = rules.error();
  if (!rejection) {
    codec::GunzipLimits gunzip_limits{limits.max_decoded_bytes, limits.max_ratio};
    if (auto r = codec::decode_insert_data(fill.insert_data, fill.compressed, gunzip_limits,
                                           work.rows_json);
        !r) {
      rejection = make_error(r.error().code, r.error().describe());  // names the byte offset
    }
  }
  if (fingerprint) {
    // Refused before or while decoding, the request is its bytes.
    call.idempotency.body_sha256 =
        rejection ? sha256(call.request.body()) : request_fingerprint(fill, work.rows_json);
  }
  if (!rejection) {
    if (auto r = validate_rows(work.rows_parser, work.rows_json, fill.columns, *rules, limits,
                               work.rows, first_row);
        !r) {
      rejection = r.error();
    }
  }
  return rejection;
}

void Handler::handle_complete(std::shared_ptr<Call> call) {
  auto parsed = parse_dataset_request(call->work().body_parser, call->request.body(), false);
  if (!parsed) return call->fail(parsed.error());
  if (!authorize(*call, parsed->user_code)) return;
  post_guarded(*store_, call, [call, request = std::move(*parsed)](Store& store) {
    call->answer(
        store.complete(request.user_code, request.dataset_code),
        [&](const DatasetShape& shape) { return shape_answer(request.dataset_code, shape); });
  });
}

void Handler::handle_create(std::shared_ptr<Call> call) {
  auto parsed = parse_dataset_request(call->work().body_parser, call->request.body(), true);
  if (!parsed) return call->fail(parsed.error());
  if (!authorize(*call, parsed->user_code)) return;
  if (auto rules = check_columns(parsed->columns); !rules) return call->fail(rules.error());
  post_guarded(*store_, call, [call, request = std::move(*parsed)](Store& store) {
    call->answer(store.create_dataset(request.user_code, request.dataset_code, request.columns),
                 [&](const CreateOutcome& outcome) {
                   return create_answer(request.user_code, request.dataset_code, outcome);
                 });
  });
}

void Handler::handle_describe(std::shared_ptr<Call> call, std::string_view user,
                              std::string_view dataset) {
  if (!authorize(*call, user)) return;
  post_guarded(*store_, call,
               [call, user = std::string(user), dataset = std::string(dataset)](Store& store) {
                 call->answer(store.describe(user, dataset), [&](const DatasetInfo& info) {
                   return describe_answer(user, dataset, info);
                 });
               });
}

}  // namespace dsfill::server

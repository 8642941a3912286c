// The check behind server_request_fuzz: the reference server's request handling, from raw bytes.
//
// The bytes go, in chunks, through the same Beast parser the server's sessions use (its header
// and body limits), then through the session's framing rules (only Content-Length or chunked
// bodies; a body-carrying method needs one of them), then each complete request (up to four
// pipelined ones while keep-alive holds) to server::Handler, the server's own handler, in one of
// three set-ups: --discard, --discard with bearer tokens, or a SQLite store (on tmpfs) with
// --auto-create. Every answer must come exactly once, carry a status from the handler's
// documented list (never 500: no input may make storage fail) and the JSON envelope
// {"data":{"status":"success"|"error",...}}, and must serialize as an HTTP response.
//
// Input layout: [setup][chunk size][HTTP bytes...].
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include <simdjson.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "net/http_server.h"
#include "server/auth.h"
#include "server/discard_store.h"
#include "server/handler.h"
#include "server/limits.h"
#include "server/sqlite_store.h"
#include "server/store.h"
#include "tests/fuzz/fuzz_input.h"

namespace dsfill::fuzz {

// The limits the fuzzed server runs with: small, so that limit paths are reachable.
inline server::Limits fuzz_server_limits() {
  server::Limits l;
  l.max_body_bytes = 64 * 1024;
  l.max_decoded_bytes = 1u << 20;
  l.max_ratio = 200.0;
  l.max_rows = 1000;
  l.max_field_bytes = 4096;
  l.max_header_bytes = 8 * 1024;
  l.max_concurrent = 4;
  return l;
}

inline constexpr const char* kFuzzUser = "u1";
inline constexpr const char* kFuzzToken = "s3cret-token";

// The three handler set-ups, built once per process; the store is renewed now and then so the
// database does not grow without bound over millions of inputs.
class ServerFixture {
 public:
  static ServerFixture& get() {
    static ServerFixture fixture;
    return fixture;
  }

  server::Handler& handler(std::uint8_t setup) {
    switch (setup % 3) {
      case 0:
        return *discard_;
      case 1:
        return *discard_auth_;
      default:
        if (++store_uses_ > 256 || !store_handler_) renew_store();
        return *store_handler_;
    }
  }

 private:
  ServerFixture() {
    discard_store_ = std::make_unique<server::StoreWorker>(
        std::make_unique<server::DiscardStore>(), server::StoreWorker::Threading::kCallersThread);
    discard_ = std::make_shared<server::Handler>(options(true), discard_store_.get());
    server::HandlerOptions with_tokens = options(true);
    with_tokens.tokens.add(kFuzzUser, kFuzzToken);
    discard_auth_ = std::make_shared<server::Handler>(std::move(with_tokens), discard_store_.get());
  }

  static server::HandlerOptions options(bool discard) {
    server::HandlerOptions o;
    o.limits = fuzz_server_limits();
    o.auto_create = !discard;
    o.log = [](std::string_view) {};
    return o;
  }

  // SqliteStore::open insists on WAL, which ":memory:" cannot do: the database is a file on tmpfs
  // (fsync is free there), removed when renewed.
  void renew_store() {
    store_handler_.reset();
    worker_.reset();  // runs what was posted, joins
    remove_db();
    auto store = server::SqliteStore::open(db_path_);
    FUZZ_CHECK(store.has_value(), "cannot open the store: " + describe(store.error()));
    worker_ = std::make_unique<server::StoreWorker>(std::move(*store));
    store_handler_ = std::make_shared<server::Handler>(options(false), worker_.get());
    store_uses_ = 0;
  }

  void remove_db() {
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db_path_ + suffix).c_str());
  }

  static std::string temp_db_path() {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path dir =
        fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    return (dir / ("dsfill-fuzz-" + std::to_string(::getpid()) + ".db")).string();
  }

  ~ServerFixture() {
    store_handler_.reset();
    worker_.reset();
    remove_db();
  }

  std::string db_path_ = temp_db_path();
  std::unique_ptr<server::StoreWorker> discard_store_;  // declared first: outlives its handlers
  std::shared_ptr<server::Handler> discard_;
  std::shared_ptr<server::Handler> discard_auth_;
  std::unique_ptr<server::StoreWorker> worker_;
  std::shared_ptr<server::Handler> store_handler_;
  int store_uses_ = 0;
};

// Mirrors the session's framing rule (net/http_server.cpp): the only transfer coding is chunked.
inline bool fuzz_is_only_chunked(std::string_view te) {
  while (!te.empty() && (te.front() == ' ' || te.front() == '\t')) te.remove_prefix(1);
  while (!te.empty() && (te.back() == ' ' || te.back() == '\t')) te.remove_suffix(1);
  return boost::beast::iequals(te, "chunked");
}

// Checks one answer of the handler.
inline void check_response(const net::HttpResponse& response, std::string_view target) {
  namespace http = boost::beast::http;
  static const std::set<unsigned> kDocumented = {200, 201, 400, 401, 403, 404,
                                                 405, 409, 413, 422, 429};
  const unsigned status = response.result_int();
  const std::string context = "status " + std::to_string(status) + " for " + show(target) +
                              " body " + show(response.body());
  FUZZ_CHECK(kDocumented.count(status) == 1, "undocumented status; " + context);
  FUZZ_CHECK(response[http::field::content_type] == "application/json", "not JSON; " + context);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  FUZZ_CHECK(parser.parse(response.body()).get(root) == simdjson::SUCCESS && root.is_object(),
             "body is not a JSON object; " + context);
  // The envelope: {"data":{"status":"success","details":{...}}} or
  // {"data":{"status":"error","message":"..."}}.
  std::string_view outcome;
  FUZZ_CHECK(root["data"]["status"].get(outcome) == simdjson::SUCCESS,
             "body lacks data.status; " + context);
  if (status < 300) {
    FUZZ_CHECK(outcome == "success" && root["data"]["details"].is_object(),
               "success without details; " + context);
  } else {
    std::string_view message;
    FUZZ_CHECK(outcome == "error" && root["data"]["message"].get(message) == simdjson::SUCCESS &&
                   !message.empty(),
               "error without a message; " + context);
  }
  // The answer must serialize as the session would write it.
  net::HttpResponse copy = response;
  copy.prepare_payload();
  std::ostringstream os;
  os << copy;
  FUZZ_CHECK(os.good() && os.str().size() > response.body().size(), "cannot serialize; " + context);
}

// Hands one request to the handler and checks its single answer.
inline void handle_and_check(server::Handler& handler, net::HttpRequest&& request) {
  const std::string target(request.target());
  auto answered = std::make_shared<std::promise<net::HttpResponse>>();
  auto calls = std::make_shared<int>(0);
  handler.handle(std::move(request), [answered, calls](net::HttpResponse&& response) {
    FUZZ_CHECK(++*calls == 1, "responder called twice");
    answered->set_value(std::move(response));
  });
  std::future<net::HttpResponse> future = answered->get_future();
  // The store answers from its own thread; a lost answer would hang the server's client.
  FUZZ_CHECK(future.wait_for(std::chrono::seconds(20)) == std::future_status::ready,
             "no answer for " + show(target));
  check_response(future.get(), target);
}

inline void check_server_request(const std::uint8_t* data, std::size_t size) {
  namespace http = boost::beast::http;
  FuzzInput in(data, size);
  const std::uint8_t setup = in.byte();
  const std::size_t chunk = std::size_t{1} + in.byte();
  std::string_view bytes = in.rest();
  server::Handler& handler = ServerFixture::get().handler(setup);
  const server::Limits limits = fuzz_server_limits();

  std::string buffer;  // received, not yet parsed (as the session's flat_buffer)
  for (int request = 0; request < 4; ++request) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(limits.max_body_bytes);
    bool framing_checked = false;
    while (!parser.is_done()) {
      boost::system::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
      buffer.erase(0, used);
      if (ec == http::error::need_more || (!ec && used == 0)) {
        if (bytes.empty()) return;  // the client stopped sending: the session just closes
        const std::size_t n = std::min(chunk, bytes.size());
        buffer.append(bytes.substr(0, n));
        bytes.remove_prefix(n);
        continue;
      }
      if (ec) return;  // answered 400/413/431 by the session, which then closes
      if (parser.is_header_done() && !framing_checked) {
        framing_checked = true;
        const auto& req = parser.get();
        if (auto te = req.find(http::field::transfer_encoding); te != req.end()) {
          if (!fuzz_is_only_chunked(te->value())) return;  // 501
        } else if (!req.has_content_length() &&
                   (req.method() == http::verb::post || req.method() == http::verb::put ||
                    req.method() == http::verb::patch)) {
          return;  // 411
        }
      }
    }
    const bool keep_alive = parser.get().keep_alive();
    handle_and_check(handler, parser.release());
    if (!keep_alive) return;
  }
}

}  // namespace dsfill::fuzz

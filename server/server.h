// The reference dataset-fill server assembled: the store (SqliteStore on its worker thread, or
// DiscardStore with --discard), the handler, and the HTTP server. Used by `dsfill serve`, by the
// tests (in-process, port 0) and by the benchmark.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "codec/columns.h"
#include "server/auth.h"
#include "server/limits.h"

namespace dsfill::net {
class HttpServer;
}

namespace dsfill::server {

class Handler;
class LogWriter;
class StoreWorker;

struct ServeOptions {
  std::string db_path;  // required unless discard
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: an ephemeral port
  int threads = 2;            // HTTP threads (decoding and validation run on them)
  Limits limits;
  bool auto_create = false;
  bool discard = false;
  TokenTable tokens;  // empty: no authentication
  // Idempotency records older than this are deleted (at start, then as fills add records);
  // 0: kept forever.
  std::chrono::seconds idempotency_ttl{7 * 24 * 3600};
  struct Create {
    std::string user_code;
    std::string dataset_code;
    codec::Columns columns;
  };
  std::vector<Create> create;  // datasets created (or checked) before listening
  // Per-request lines; null: stderr, through a LogWriter (never blocks; drops and counts lines
  // when stderr is not read).
  std::function<void(std::string_view line)> log;
};

class DatasetServer {
 public:
  // Opens the store, creates the requested datasets, binds and starts serving.
  static Result<std::unique_ptr<DatasetServer>> start(ServeOptions options);
  ~DatasetServer();  // stop()s

  std::uint16_t port() const;
  std::string address() const;

  // Stops accepting, finishes in-flight requests, then closes the database. Idempotent.
  void stop();

 private:
  DatasetServer() = default;
  std::unique_ptr<LogWriter> log_;  // first: destroyed after everything that logs
  std::unique_ptr<StoreWorker> worker_;
  std::shared_ptr<Handler> handler_;
  std::unique_ptr<net::HttpServer> http_;
};

// Parses "HOST:PORT" (IPv4, or [IPv6]:PORT); errors are kBadArgument.
Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view listen);

}  // namespace dsfill::server

#include "server/server.h"

#include <charconv>

#include "net/http_server.h"
#include "server/discard_store.h"
#include "server/envelope.h"
#include "server/handler.h"
#include "server/http_mapping.h"
#include "server/log_writer.h"
#include "server/request.h"
#include "server/sqlite_store.h"

namespace dsfill::server {

Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view listen) {
  const std::size_t colon = listen.rfind(':');
  const auto bad = [&] {
    return make_error(
        ErrorCode::kBadArgument,
        "--listen expects HOST:PORT (e.g. 127.0.0.1:8080), got \"" + std::string(listen) + "\"");
  };
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || p != port_text.data() + port_text.size() || port > 65535) return bad();
  return std::make_pair(std::string(host), static_cast<std::uint16_t>(port));
}

namespace {

// Returns the store the options ask for, with the thread it runs on: the one place that reads
// --discard. DiscardStore ignores the datasets to create, as it keeps no catalog.
Result<std::unique_ptr<StoreWorker>> open_store(const ServeOptions& options) {
  if (options.discard) {
    return std::make_unique<StoreWorker>(std::make_unique<DiscardStore>(),
                                         StoreWorker::Threading::kCallersThread);
  }
  if (options.db_path.empty()) {
    return make_error(ErrorCode::kBadArgument, "a database path is required (or --discard)");
  }
  auto store = SqliteStore::open(options.db_path);
  if (!store) return store.error();
  if (auto pruned = (*store)->keep_idempotency_for(options.idempotency_ttl); !pruned) {
    return pruned.error();
  }
  for (const ServeOptions::Create& c : options.create) {
    if (!is_valid_code(c.user_code) || !is_valid_code(c.dataset_code)) {
      return make_error(ErrorCode::kBadArgument,
                        "--create expects USER/DATASET with 1-128 characters from "
                        "A-Z a-z 0-9 . _ ~ - each");
    }
    if (auto r = (*store)->create_dataset(c.user_code, c.dataset_code, c.columns); !r) {
      // Names the failure as the HTTP answer would (the JSON envelope), as it always has.
      return make_error(ErrorCode::kBadArgument, "cannot create " + c.user_code + "/" +
                                                     c.dataset_code + ": " +
                                                     error_answer(r.error()).body);
    }
  }
  return std::make_unique<StoreWorker>(std::move(*store));
}

}  // namespace

Result<std::unique_ptr<DatasetServer>> DatasetServer::start(ServeOptions options) {
  std::unique_ptr<DatasetServer> server(new DatasetServer());
  auto worker = open_store(options);
  if (!worker) return worker.error();
  server->worker_ = std::move(*worker);
  HandlerOptions handler_options;
  handler_options.limits = options.limits;
  handler_options.auto_create = options.auto_create;
  handler_options.tokens = std::move(options.tokens);
  if (options.log) {
    handler_options.log = options.log;
  } else {
    // stderr through the log writer, so that a reader not draining it never stalls a request.
    server->log_ = std::make_unique<LogWriter>();
    handler_options.log = [log = server->log_.get()](std::string_view line) { log->write(line); };
  }
  server->handler_ = std::make_shared<Handler>(std::move(handler_options), server->worker_.get());

  net::HttpServerConfig config;
  config.address = options.address;
  config.port = options.port;
  config.threads = options.threads;
  config.max_header_bytes = options.limits.max_header_bytes;
  config.max_body_bytes = options.limits.max_body_bytes;
  config.max_inflight_bytes = options.limits.max_inflight_bytes;
  config.max_connections = options.limits.max_connections;
  config.idle_timeout = options.limits.idle_timeout;
  config.header_timeout = options.limits.header_timeout;
  config.body_window = options.limits.body_window;
  config.min_body_rate = options.limits.min_body_rate;
  config.error_body = [](unsigned, std::string_view message) { return error_envelope(message); };
  std::weak_ptr<Handler> weak = server->handler_;
  config.on_rejected = [weak](std::string_view method, std::string_view target, unsigned status,
                              std::string_view) {
    if (auto h = weak.lock()) h->log(method, target.substr(0, target.find('?')), status, 0, 0.0);
  };
  config.screen = [weak](const net::HttpRequestHeader& header) {
    auto h = weak.lock();
    return h ? h->screen(header) : std::nullopt;
  };
  auto handler = server->handler_;
  auto http = net::HttpServer::start(std::move(config),
                                     [handler](net::HttpRequest&& request, net::Responder respond) {
                                       handler->handle(std::move(request), std::move(respond));
                                     });
  if (!http) {
    return make_error(ErrorCode::kIo, "cannot listen on " + options.address + ":" +
                                          std::to_string(options.port) + ": " +
                                          http.error().message());
  }
  server->http_ = std::move(*http);
  return server;
}

DatasetServer::~DatasetServer() { stop(); }

std::uint16_t DatasetServer::port() const { return http_->port(); }

std::string DatasetServer::address() const { return http_->address(); }

void DatasetServer::stop() {
  if (http_) http_->stop();  // in-flight requests are answered before this returns
  worker_.reset();           // then the store's queue is empty: close the database
  log_.reset();              // then no line is written any more: flush, report drops
}

}  // namespace dsfill::server

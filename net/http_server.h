// A small asynchronous HTTP/1.1 server on Boost.Beast: an acceptor, one session per connection
// (keep-alive, header and body limits, timeouts) and a graceful stop. It knows nothing of
// datasets: each complete request goes to a RequestHandler, which answers, from any thread and at
// any later time, by calling its Responder exactly once.
//
// Framing: only Content-Length or `Transfer-Encoding: chunked` bodies are accepted; a
// POST/PUT/PATCH with neither is 411, any other transfer coding 501. `Expect: 100-continue` is
// honoured once the header passed the limits and the screen. Protocol-level rejections (400,
// 411, 413, 431, 501, 503) are answered here with a body from ServerConfig::error_body and the
// connection is then closed (lingering close, so the client reads the answer instead of a reset).
//
// Memory: the header is read first and given to `screen`, which may answer it (401, 404, ...)
// before any body byte is read. A body grows only as its bytes arrive (net/request_body.h),
// charged to one server-wide budget of `max_inflight_bytes`: a read that would exceed it is
// answered 503 with Retry-After. Connections beyond `max_connections` are answered 503 with
// Retry-After and closed. So bodies hold at most max_inflight_bytes, and each connection adds
// its fixed buffers (a 64 KiB read buffer, the header up to max_header_bytes).
//
// Descriptors: one is held in reserve. When accept() fails for want of descriptors (EMFILE,
// ENFILE), the reserve is freed to accept one pending connection, answer it 503 with
// Retry-After and close it, and accepting pauses for 50 ms, so the server never spins at the
// limit and clients learn to come back. (Raising RLIMIT_NOFILE is the process's business:
// `dsfill serve` raises its soft limit to the hard one at start.)
//
// Threads: `threads` threads run one io_context; each session runs on its own strand. stop()
// closes the acceptor and idle connections, lets requests already being handled finish (their
// responses are written with `Connection: close`), and joins the threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/result.hpp>

namespace dsfill::net {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Sends the response for one request. Call exactly once, from any thread.
using Responder = std::function<void(HttpResponse&&)>;
using HttpRequestHeader = boost::beast::http::request_header<>;
// Handles one complete request; may answer before returning or later from another thread.
using RequestHandler = std::function<void(HttpRequest&& request, Responder respond)>;

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks an ephemeral port; see HttpServer::port()
  int threads = 1;
  std::size_t max_header_bytes = 16 * 1024;
  std::uint64_t max_body_bytes = 32ull << 20;
  // Body bytes held in memory by all connections together (their buffers' capacity).
  std::uint64_t max_inflight_bytes = 512ull << 20;
  // Connections open at once; one more is answered 503 and closed.
  std::size_t max_connections = 1024;
  // Bounds the reading of a request's header: from accept (first request) or from its first
  // byte (later requests on a kept-alive connection) to the blank line ending it.
  std::chrono::milliseconds header_timeout{30'000};
  // Bounds the body by progress, not by its total time: each body_window must bring at least
  // min_body_rate x body_window bytes (or the body's end); a window that does not closes the
  // connection. The window restarts each time its quota of bytes has arrived.
  std::chrono::milliseconds body_window{10'000};
  std::uint64_t min_body_rate = 1024;  // bytes per second
  // Bounds writing a response.
  std::chrono::milliseconds write_timeout{60'000};
  // Bounds the wait for the first byte of the next request on a kept-alive connection.
  std::chrono::milliseconds idle_timeout{60'000};
  // Decides from the header alone, before the body is read: returns the answer to send instead
  // of reading the body (the connection is then closed unless the request had no body), or
  // nullopt to read the body and call the handler. Null: every header passes.
  std::function<std::optional<HttpResponse>(const HttpRequestHeader& header)> screen;
  // Returns the body (JSON) of a protocol-level rejection; default {"error":"..."}.
  std::function<std::string(unsigned status, std::string_view message)> error_body;
  // Called once per protocol-level rejection (the handler never saw the request).
  std::function<void(std::string_view method, std::string_view target, unsigned status,
                     std::string_view message)>
      on_rejected;
};

class HttpServer {
 public:
  // Binds, listens and starts the threads. Errors: the address does not parse or bind fails.
  static boost::system::result<std::unique_ptr<HttpServer>> start(HttpServerConfig config,
                                                                  RequestHandler handler);
  ~HttpServer();  // NOLINT(bugprone-exception-escape): stop()s; terminates if that throws
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Returns the bound port (the real one when configured with port 0).
  std::uint16_t port() const;
  // Returns the bound address as text ("127.0.0.1").
  std::string address() const;

  // Stops accepting, closes idle connections, waits for in-flight requests to be answered and
  // joins the threads. Idempotent; safe from any thread except the server's own.
  void stop();

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace dsfill::net

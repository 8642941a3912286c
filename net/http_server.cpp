#include "net/http_server.h"

#include "net/body_budget.h"
#include "net/request_body.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace dsfill::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

// Bounds how long a rejected connection is drained before closing, so the client can finish
// sending and read our answer instead of a TCP reset.
constexpr std::chrono::seconds kLingerTimeout{2};

// Matches the largest read Beast's HTTP reader asks for (it caps each read at 64 KiB).
constexpr std::size_t kReadBufferBytes = 64 * 1024;

// Tells a client refused for a resource that should be free again soon when to retry.
constexpr const char* kRetryAfterSeconds = "1";

// How long accepting pauses when the process is out of file descriptors: without a pause the
// acceptor would be woken for the same pending connection at once, forever (a busy loop).
constexpr std::chrono::milliseconds kAcceptPause{50};

// The answer to a connection accepted on the reserve descriptor only to be closed.
constexpr std::string_view kNoDescriptorsAnswer =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 87\r\n\r\n"
    R"({"data":{"status":"error","message":"the server has no file descriptors; retry later"}})";

// Returns a descriptor held in reserve, so that at the descriptor limit one can be freed to
// accept a pending connection and answer it; -1 when none could be opened.
int open_reserve() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

std::string default_error_body(unsigned /*status*/, std::string_view message) {
  std::string out = R"({"error":")";
  for (char c : message) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += "\"}";
  return out;
}

// Returns true if the header block `head` (request line and fields, each ending in CRLF) holds
// an obs-fold: a line that starts with a space or a tab, continuing the field before it. RFC
// 9112 5.2 lets a server refuse it (400); Beast would join it into the field's value.
bool has_obs_fold(std::string_view head) {
  for (std::size_t at = head.find("\r\n"); at != std::string_view::npos;
       at = head.find("\r\n", at + 2)) {
    if (at + 2 < head.size() && (head[at + 2] == ' ' || head[at + 2] == '\t')) return true;
  }
  return false;
}

// Returns false when `raw` cannot begin an HTTP/1 request: its request line, as far as it has
// arrived, holds a byte no request line may hold (a TLS ClientHello starts with 0x16). Beast's
// parser then refuses it at once, instead of the wait for a header end that never comes.
bool may_start_request(std::string_view raw) {
  const std::string_view line = raw.substr(0, raw.find("\r\n"));
  return std::all_of(line.begin(), line.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == ' ' || (c > 0x20 && c < 0x7f);
  });
}

bool is_only_chunked(std::string_view te) {
  while (!te.empty() && (te.front() == ' ' || te.front() == '\t')) te.remove_prefix(1);
  while (!te.empty() && (te.back() == ' ' || te.back() == '\t')) te.remove_suffix(1);
  return beast::iequals(te, "chunked");
}

}  // namespace

class Session;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(HttpServerConfig c, RequestHandler h)
      : config(std::move(c)),
        handler(std::move(h)),
        ioc(config.threads),
        acceptor(asio::make_strand(ioc)),
        budget(config.max_inflight_bytes > 0 ? config.max_inflight_bytes : 1),
        accept_pause(acceptor.get_executor()),
        reserve_fd(open_reserve()) {}
  ~Impl() {
    if (reserve_fd >= 0) ::close(reserve_fd);
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void begin_stop();
  // At the descriptor limit: answers one pending connection 503 through the reserve
  // descriptor, then pauses accepting for kAcceptPause.
  void shed_and_pause();

  HttpServerConfig config;
  RequestHandler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  tcp::endpoint bound;
  std::vector<std::thread> threads;
  BodyBudget budget;
  std::atomic<std::size_t> connections{0};
  asio::steady_timer accept_pause;  // runs on the acceptor's strand
  int reserve_fd;                   // sessions alive, refused ones included
  std::atomic<bool> stop_requested{false};
  std::mutex mu;  // guards sessions and stopped
  std::vector<std::weak_ptr<Session>> sessions;
  bool stopped = false;
};

// One connection: read a request, hand it to the handler, write its response, repeat.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {
    server_->connections.fetch_add(1);
    // Beast sizes each socket read by the buffer's free capacity (at least 512 bytes, at most
    // 64 KiB), and the parser drains the buffer as it goes, so a small buffer means a body read
    // in ~1 KiB syscalls, each with its own timer and strand round trip. Start it at the cap.
    buffer_.reserve(kReadBufferBytes);
  }

  ~Session() { server_->connections.fetch_sub(1); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->do_read_header(); });
  }

  // Answers 503 without reading a request (the server has too many connections), then closes.
  void refuse() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->reject(http::status::service_unavailable,
                   "too many connections (limit " + std::to_string(self->config().max_connections) +
                       "); retry later",
                   true);
    });
  }

  // Asks the session to finish: idle connections close now, busy ones after their response.
  void stop() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      self->stopping_ = true;
      if (self->state_ == State::kReading) self->close();
    });
  }

 private:
  enum class State { kReading, kHandling, kWriting, kLingering, kClosed };

  const HttpServerConfig& config() const { return server_->config; }

  // Waits (up to idle_timeout) for the first byte of the next request on a kept-alive
  // connection, then reads its header under the header timeout.
  void do_wait_next() {
    if (stopping_) return close();
    state_ = State::kReading;
    if (buffer_.size() > 0) return do_read_header();  // pipelined: already here
    stream_.expires_after(config().idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadBufferBytes),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->close();
                              self->buffer_.commit(n);
                              self->do_read_header();
                            });
  }

  void do_read_header() {
    if (stopping_) return close();
    state_ = State::kReading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(config().max_header_bytes));
    parser_->body_limit(config().max_body_bytes);
    parser_->get().body().charge = BodyCharge(&server_->budget);
    stream_.expires_after(config().header_timeout);
    read_header_bytes();
  }

  // Reads until the whole header is in the buffer, so that its raw bytes can be checked for
  // obs-fold before Beast's parser (which joins folded lines) sees them; then parses it. A
  // header over the limit goes to the parser as it is, which refuses it (431).
  void read_header_bytes() {
    const auto bytes = buffer_.data();
    const std::string_view raw(static_cast<const char*>(bytes.data()), bytes.size());
    const std::size_t end = raw.find("\r\n\r\n");
    if (end != std::string_view::npos) {
      if (has_obs_fold(raw.substr(0, end + 2))) {
        return reject(http::status::bad_request,
                      "obs-fold (a header line that starts with a space or tab, continuing the "
                      "previous one) is not accepted (RFC 9112 5.2)");
      }
    } else if (raw.size() <= config().max_header_bytes && may_start_request(raw)) {
      // Up to kReadBufferBytes in all: the buffer keeps its capacity, which also bounds what a
      // chunked trailer can pile up between two checks (on_read_body_some).
      const std::size_t room = std::max<std::size_t>(512, kReadBufferBytes - raw.size());
      stream_.async_read_some(buffer_.prepare(room),
                              [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                if (ec) return self->on_read_error(ec);
                                self->buffer_.commit(n);
                                self->read_header_bytes();
                              });
      return;
    }
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              self->on_read_header(ec);
                            });
  }

  void on_read_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    const auto& req = parser_->get();
    if (auto te = req.find(http::field::transfer_encoding); te != req.end()) {
      if (!is_only_chunked(te->value())) {
        return reject(http::status::not_implemented,
                      "unsupported Transfer-Encoding (only chunked is accepted)");
      }
    } else if (!req.has_content_length() &&
               (req.method() == http::verb::post || req.method() == http::verb::put ||
                req.method() == http::verb::patch)) {
      return reject(http::status::length_required,
                    "a request body needs Content-Length or Transfer-Encoding: chunked");
    }
    // The body is not reserved from Content-Length: it grows as bytes arrive (RequestBody).
    if (config().screen) {
      if (std::optional<HttpResponse> answer = config().screen(parser_->get().base())) {
        return answer_without_body(std::move(*answer));
      }
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          if (wec) return self->close();
                          self->do_read_body();
                        });
      return;
    }
    do_read_body();
  }

  // Reads the body piece by piece, so its deadline follows progress (see body_window).
  void do_read_body() {
    window_bytes_ = 0;
    stream_.expires_after(config().body_window);
    read_body_some();
  }

  void read_body_some() {
    if (parser_->is_done()) return on_read({});
    http::async_read_some(stream_, buffer_, *parser_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            self->on_read_body_some(ec, n);
                          });
  }

  void on_read_body_some(beast::error_code ec, std::size_t bytes) {
    if (ec) return on_read_error(ec);
    // The parser takes chunk data as it arrives; what it leaves in the buffer of a chunked body
    // is an incomplete chunk header or trailer, which Beast would otherwise let grow without
    // bound (and throw on a field of 64 KiB). Both count against the header limit.
    if (parser_->chunked() && buffer_.size() > config().max_header_bytes) {
      return reject(http::status::request_header_fields_too_large,
                    "chunked trailer (or a chunk header) exceeds " +
                        std::to_string(config().max_header_bytes) + " bytes");
    }
    window_bytes_ += bytes;
    const auto window_ms = static_cast<std::uint64_t>(config().body_window.count());
    if (window_bytes_ * 1000 >= config().min_body_rate * window_ms) {
      window_bytes_ = 0;  // this window's quota arrived: a new window starts now
      stream_.expires_after(config().body_window);
    }
    read_body_some();
  }

  // Sends the screen's answer; the unread body (if any) is drained, not stored, and the
  // connection closed, as the next request's framing would start inside it.
  void answer_without_body(HttpResponse&& answer) {
    state_ = State::kHandling;
    keep_alive_ = parser_->get().keep_alive() && parser_->is_done();
    write(std::move(answer), !parser_->is_done());
  }

  void on_read_error(beast::error_code ec) {
    if (ec == boost::system::errc::no_buffer_space) {
      return reject(http::status::service_unavailable,
                    "the server holds its limit of request bodies in memory (" +
                        std::to_string(config().max_inflight_bytes) + " bytes); retry later",
                    true);
    }
    if (ec == boost::system::errc::not_enough_memory) {
      return reject(http::status::service_unavailable,
                    "the server is out of memory (while reading the request body); retry later",
                    true);
    }
    if (ec == http::error::body_limit) {
      return reject(http::status::payload_too_large,
                    "request body exceeds " + std::to_string(config().max_body_bytes) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return reject(
          http::status::request_header_fields_too_large,
          "request header exceeds " + std::to_string(config().max_header_bytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::body_limit).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return reject(http::status::bad_request, "malformed HTTP request: " + ec.message());
    }
    close();  // peer closed, timed out, or the socket failed: nobody to answer
  }

  void on_read(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    state_ = State::kHandling;
    ++requests_;
    keep_alive_ = parser_->get().keep_alive();
    auto message = parser_->release();
    // The body stays charged to the budget until its answer is being written.
    charge_ = std::move(message.body().charge);
    HttpRequest request(std::move(message.base()), std::move(message.body().text));
    // Keep the io_context running while the handler works elsewhere (stop() waits for it).
    asio::any_io_executor tracked =
        asio::prefer(stream_.get_executor(), asio::execution::outstanding_work.tracked);
    Responder respond = [self = shared_from_this(), tracked](HttpResponse&& response) {
      asio::post(tracked, [self, response = std::move(response)]() mutable {
        self->write(std::move(response), false);
      });
    };
    server_->handler(std::move(request), std::move(respond));
  }

  void reject(http::status status, const std::string& message, bool retry_after = false) {
    std::string method = "-";
    std::string target = "-";
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      target = std::string(parser_->get().target());
    }
    if (config().on_rejected) {
      config().on_rejected(method, target, static_cast<unsigned>(status), message);
    }
    HttpResponse response{status, 11};
    response.set(http::field::content_type, "application/json");
    if (retry_after) response.set(http::field::retry_after, kRetryAfterSeconds);
    response.body() = config().error_body
                          ? config().error_body(static_cast<unsigned>(status), message)
                          : default_error_body(static_cast<unsigned>(status), message);
    keep_alive_ = false;
    write(std::move(response), true);
  }

  void write(HttpResponse&& response, bool linger) {
    state_ = State::kWriting;
    charge_.reset();  // the request is answered: its body no longer counts
    parser_.reset();  // frees a body the screen answered or a rejection left unread
    const bool keep = keep_alive_ && !stopping_ && !linger;
    response.keep_alive(keep);
    response.prepare_payload();
    response_ = std::make_unique<HttpResponse>(std::move(response));
    stream_.expires_after(config().write_timeout);
    http::async_write(stream_, *response_,
                      [self = shared_from_this(), keep, linger](beast::error_code ec, std::size_t) {
                        self->on_write(ec, keep, linger);
                      });
  }

  void on_write(beast::error_code ec, bool keep, bool linger) {
    response_.reset();
    if (ec) return close();
    if (linger) return do_linger();
    if (!keep) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return close();
    }
    do_wait_next();
  }

  // Drains what the client still sends after a rejection, then closes.
  void do_linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTimeout);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->close();
                              self->drain();
                            });
  }

  void close() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  beast::tcp_stream stream_;
  std::shared_ptr<HttpServer::Impl> server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<RequestBody>> parser_;
  BodyCharge charge_;               // the budget held by the request being handled
  std::uint64_t requests_ = 0;      // requests read on this connection
  std::uint64_t window_bytes_ = 0;  // body bytes read in the current body window
  std::unique_ptr<HttpResponse> response_;
  std::array<char, 16 * 1024> scratch_{};
  State state_ = State::kReading;
  bool keep_alive_ = true;
  bool stopping_ = false;
};

void HttpServer::Impl::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          self->on_accept(ec, std::move(socket));
                        });
}

void HttpServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor.is_open()) return;
  if (ec == asio::error::no_descriptors ||
      ec == boost::system::errc::too_many_files_open_in_system) {
    return shed_and_pause();
  }
  if (!ec) {
    const bool over = connections.load() >= config.max_connections;
    auto session = std::make_shared<Session>(std::move(socket), shared_from_this());
    if (over) {
      session->refuse();  // not tracked: it closes by itself after its answer
      return do_accept();
    }
    {
      std::lock_guard lock(mu);
      if (stopped) return;
      // Forget finished sessions now and then, so the list tracks live connections.
      if (sessions.size() >= 64 && sessions.size() == sessions.capacity()) {
        std::erase_if(sessions, [](const auto& w) { return w.expired(); });
      }
      sessions.push_back(session);
    }
    session->run();
  }
  do_accept();
}

void HttpServer::Impl::shed_and_pause() {
  if (reserve_fd >= 0) {
    ::close(reserve_fd);
    // The listening socket is non-blocking (start()), so this never waits.
    const int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      // A fresh socket's send buffer takes these few bytes at once; MSG_DONTWAIT all the same.
      [[maybe_unused]] const ssize_t sent =
          ::send(fd, kNoDescriptorsAnswer.data(), kNoDescriptorsAnswer.size(),
                 MSG_NOSIGNAL | MSG_DONTWAIT);
      ::shutdown(fd, SHUT_WR);
      ::close(fd);
    }
    reserve_fd = open_reserve();
  }
  accept_pause.expires_after(kAcceptPause);
  accept_pause.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec && self->acceptor.is_open()) self->do_accept();
  });
}

void HttpServer::Impl::begin_stop() {
  asio::post(acceptor.get_executor(), [self = shared_from_this()] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
    self->accept_pause.cancel();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(self->mu);
      self->stopped = true;
      for (auto& w : self->sessions) {
        if (auto s = w.lock()) live.push_back(std::move(s));
      }
      self->sessions.clear();
    }
    for (auto& s : live) s->stop();
  });
}

boost::system::result<std::unique_ptr<HttpServer>> HttpServer::start(HttpServerConfig config,
                                                                     RequestHandler handler) {
  if (config.threads < 1) config.threads = 1;
  auto impl = std::make_shared<Impl>(std::move(config), std::move(handler));
  beast::error_code ec;
  auto address = asio::ip::make_address(impl->config.address, ec);
  if (ec) return ec;
  tcp::endpoint endpoint{address, impl->config.port};
  impl->acceptor.open(endpoint.protocol(), ec);
  if (ec) return ec;
  impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return ec;
  impl->acceptor.bind(endpoint, ec);
  if (ec) return ec;
  impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  impl->acceptor.native_non_blocking(true, ec);  // for shed_and_pause()'s accept4
  if (ec) return ec;
  impl->bound = impl->acceptor.local_endpoint(ec);
  if (ec) return ec;
  impl->do_accept();
  for (int i = 0; i < impl->config.threads; ++i) {
    impl->threads.emplace_back([raw = impl.get()] {
      // Keep serving if a handler throws (bad_alloc, say): one request fails, not the server.
      for (;;) {
        try {
          raw->ioc.run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "http server: handler threw: %s\n", e.what());
        }
      }
    });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

// Terminates if stop() throws: it throws only when it cannot post the stop (no memory) or join a
// thread, and a server whose threads may still be running cannot be destroyed safely.
HttpServer::~HttpServer() { stop(); }  // NOLINT(bugprone-exception-escape): see above

std::uint16_t HttpServer::port() const { return impl_->bound.port(); }

std::string HttpServer::address() const { return impl_->bound.address().to_string(); }

void HttpServer::stop() {
  if (!impl_->stop_requested.exchange(true)) impl_->begin_stop();
  for (auto& t : impl_->threads) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
}

}  // namespace dsfill::net

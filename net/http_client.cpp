#include "net/http_client.h"

#include <openssl/ssl.h>

#include <algorithm>

#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

#include "net/proxy.h"

namespace dsfill::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

namespace {

Error tls_setup_error(const std::string& what, const error_code& ec) {
  return make_error(ErrorCode::kBadArgument, what + ": " + ec.message());
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_tls_context(const TlsOptions& options) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  ::SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_verify_mode(options.insecure ? ssl::verify_none : ssl::verify_peer);
  error_code ec;
  if (!options.cacert.empty()) {
    ctx->load_verify_file(options.cacert, ec);
    if (ec) return tls_setup_error("cannot load CA certificates from " + options.cacert, ec);
  }
  if (!options.capath.empty()) {
    ctx->add_verify_path(options.capath, ec);
    if (ec) return tls_setup_error("cannot use the CA directory " + options.capath, ec);
  }
  if (options.cacert.empty() && options.capath.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return tls_setup_error("cannot load the system CA store", ec);
  }
  if (!options.key.empty() && options.cert.empty()) {
    return make_error(ErrorCode::kBadArgument, "--key needs --cert (the client certificate)");
  }
  if (!options.cert.empty()) {
    ctx->use_certificate_chain_file(options.cert, ec);
    if (ec) return tls_setup_error("cannot load the client certificate " + options.cert, ec);
    const std::string& key = options.key.empty() ? options.cert : options.key;
    ctx->use_private_key_file(key, ssl::context::pem, ec);
    if (ec) return tls_setup_error("cannot load the client key " + key, ec);
    if (::SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
      return make_error(
          ErrorCode::kBadArgument,
          "the client key " + key + " does not match the certificate " + options.cert);
    }
  }
  return ctx;
}

HttpConnection::HttpConnection(asio::io_context& io, ConnectionOptions options, ssl::context* tls)
    : io_(io), options_(std::move(options)), tls_context_(tls), resolver_(io) {}

beast::tcp_stream& HttpConnection::tcp() {
  return secure_ ? beast::get_lowest_layer(*secure_) : *plain_;
}

void HttpConnection::close() {
  resolver_.cancel();
  if (plain_ || secure_) {
    error_code ignored;
    tcp().socket().close(ignored);
  }
  open_ = false;
}

void HttpConnection::async_send(Request& request, Handler done, std::chrono::milliseconds timeout) {
  request_ = &request;
  done_ = std::move(done);
  resent_ = false;
  deadline_ = std::chrono::steady_clock::now() +
              (timeout > std::chrono::milliseconds::zero() ? timeout : options_.timeout);
  if (open_) {
    reused_ = true;
    do_write();
  } else {
    reused_ = false;
    do_resolve();
  }
}

void HttpConnection::fail(const error_code& ec, bool may_resend) {
  close();
  buffer_.clear();
  // A peer may close an idle kept-alive connection just as we reuse it: that is not the
  // server failing, so reconnect and send again once before reporting anything.
  const bool stale = ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::broken_pipe || ec == asio::error::eof;
  if (may_resend && reused_ && !resent_ && stale) {
    resent_ = true;
    reused_ = false;
    do_resolve();
    return;
  }
  finish(ec);
}

std::chrono::steady_clock::time_point HttpConnection::connect_deadline() const {
  return std::min(deadline_, connect_started_ + options_.connect_timeout);
}

void HttpConnection::do_resolve() {
  connect_started_ = std::chrono::steady_clock::now();
  phase_ = Phase::kConnect;
  if (endpoints_) {
    do_connect();
    return;
  }
  // Through a proxy, only the proxy's name is resolved here: the proxy resolves the server's.
  const bool via = options_.proxy.has_value();
  resolver_.async_resolve(
      via ? options_.proxy->host : options_.url.host,
      via ? options_.proxy->port : options_.url.port,
      [self = shared_from_this()](const error_code& ec,
                                  const asio::ip::tcp::resolver::results_type& results) {
        self->on_resolve(ec, results);
      });
}

void HttpConnection::on_resolve(const error_code& ec,
                                const asio::ip::tcp::resolver::results_type& results) {
  if (ec) return fail(ec, false);
  endpoints_ = results;
  do_connect();
}

void HttpConnection::do_connect() {
  // A fresh stream per connection: TLS state cannot be reused after a close.
  secure_.reset();
  plain_.reset();
  if (options_.url.tls) {
    secure_.emplace(io_, *tls_context_);
  } else {
    plain_.emplace(io_);
  }
  tcp().expires_at(connect_deadline());
  tcp().async_connect(*endpoints_, [self = shared_from_this()](const error_code& ec,
                                                               const asio::ip::tcp::endpoint&) {
    self->on_connect(ec);
  });
}

void HttpConnection::on_connect(const error_code& ec) {
  if (ec) return fail(ec, false);
  ++connects_;
  tcp().socket().set_option(asio::ip::tcp::no_delay(true));
  if (!secure_) {
    open_ = true;
    return do_write();
  }
  if (options_.proxy) return do_tunnel();
  start_tls();
}

void HttpConnection::do_tunnel() {
  phase_ = Phase::kTunnel;
  proxy_failure_.clear();
  const std::string authority = bracket_host(options_.url.host) + ":" + options_.url.port;
  tunnel_request_ = {};
  tunnel_request_.method(http::verb::connect);
  tunnel_request_.target(authority);
  tunnel_request_.version(11);
  tunnel_request_.set(http::field::host, authority);
  tunnel_request_.set(http::field::user_agent, "dsfill/0.1");
  if (!options_.proxy->authorization.empty()) {
    tunnel_request_.set(http::field::proxy_authorization, options_.proxy->authorization);
  }
  tcp().expires_at(connect_deadline());
  http::async_write(
      tcp(), tunnel_request_, [self = shared_from_this()](const error_code& wec, std::size_t) {
        if (wec) return self->fail(wec, false);
        self->tunnel_parser_.emplace();
        // The answer to a CONNECT has no body to read (RFC 9110 section 9.3.6).
        self->tunnel_parser_->skip(true);
        http::async_read(self->tcp(), self->buffer_, *self->tunnel_parser_,
                         [self](const error_code& rec, std::size_t) { self->on_tunnel_read(rec); });
      });
}

void HttpConnection::on_tunnel_read(const error_code& ec) {
  if (ec) return fail(ec, false);
  const auto& answer = tunnel_parser_->get();
  const unsigned status = answer.result_int();
  if (status / 100 != 2) {
    proxy_failure_ = "the proxy " + options_.proxy->display + " answered CONNECT " +
                     std::string(tunnel_request_.target()) + " with " + std::to_string(status) +
                     (answer.reason().empty() ? "" : " " + std::string(answer.reason()));
    return fail(make_error_code(proxy_errc_for_status(status)), false);
  }
  if (buffer_.size() != 0) {
    // The server speaks only after our ClientHello: bytes here are not the server's.
    proxy_failure_ = "the proxy " + options_.proxy->display +
                     " sent bytes after its answer to CONNECT, before TLS began";
    return fail(make_error_code(ProxyErrc::kBadAnswer), false);
  }
  start_tls();
}

void HttpConnection::start_tls() {
  phase_ = Phase::kHandshake;
  const std::string& host = options_.url.host;
  error_code addr_ec;
  asio::ip::make_address(host, addr_ec);
  // SNI carries names only, never IP literals (RFC 6066).
  if (addr_ec && !::SSL_set_tlsext_host_name(secure_->native_handle(), host.c_str())) {
    return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                false);
  }
  // The verify mode is the context's (peer verification, or none for --insecure). OpenSSL checks
  // the name (or the IP literal) against the certificate itself, so that a mismatch has its own
  // verification result to report.
  X509_VERIFY_PARAM* param = ::SSL_get0_param(secure_->native_handle());
  const int named = addr_ec ? ::X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size())
                            : ::X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  if (named != 1) {
    return fail(error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()),
                false);
  }
  tcp().expires_at(connect_deadline());
  secure_->async_handshake(
      ssl::stream_base::client,
      [self = shared_from_this()](const error_code& hec) { self->on_handshake(hec); });
}

void HttpConnection::on_handshake(const error_code& ec) {
  tls_failure_.clear();
  if (ec) {
    const long verified = ::SSL_get_verify_result(secure_->native_handle());
    if (verified != X509_V_OK) tls_failure_ = ::X509_verify_cert_error_string(verified);
    return fail(ec, false);
  }
  open_ = true;
  do_write();
}

void HttpConnection::do_write() {
  phase_ = Phase::kExchange;
  tcp().expires_at(deadline_);
  if (options_.proxy && !secure_) {
    // Through a proxy a plain request names its server: the absolute form (RFC 9112 3.2.2).
    origin_target_ = std::string(request_->target());
    request_->target("http://" + options_.url.host_header() + origin_target_);
    if (!options_.proxy->authorization.empty()) {
      request_->set(http::field::proxy_authorization, options_.proxy->authorization);
    }
  }
  auto handler = [self = shared_from_this()](const error_code& ec, std::size_t) {
    self->on_write(ec);
  };
  if (secure_) {
    http::async_write(*secure_, *request_, std::move(handler));
  } else {
    http::async_write(*plain_, *request_, std::move(handler));
  }
}

void HttpConnection::on_write(const error_code& ec) {
  if (!origin_target_.empty()) {  // the caller's request as it gave it
    request_->target(origin_target_);
    request_->erase(http::field::proxy_authorization);
    origin_target_.clear();
  }
  write_failure_ = {};
  if (ec) {
    // A proxy that refuses a request answers 407 at once and closes, cutting the body short:
    // read what it said before reporting the write's failure.
    const bool cut = ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
    if (!(cut && options_.proxy && !secure_)) return fail(ec, true);
    write_failure_ = ec;
  }
  read_response();
}

void HttpConnection::read_response() {
  parser_.emplace();
  // No limit: CappedBody bounds the memory, the deadline bounds the time.
  parser_->body_limit(boost::none);
  tcp().expires_at(deadline_);
  auto handler = [self = shared_from_this()](const error_code& rec, std::size_t) {
    self->on_read(rec);
  };
  if (secure_) {
    http::async_read(*secure_, buffer_, *parser_, std::move(handler));
  } else {
    http::async_read(*plain_, buffer_, *parser_, std::move(handler));
  }
}

bool HttpConnection::proxy_refused() {
  if (!options_.proxy || secure_ || !parser_ || !parser_->is_header_done() ||
      parser_->get().result_int() != 407) {
    return false;
  }
  // Only a proxy answers 407: it is the proxy's refusal, as a tunnel's would be. Its body may
  // end with the proxy's reset (HTTP/1.0, no length), so the header is enough.
  proxy_failure_ = "the proxy " + options_.proxy->display + " answered 407 " +
                   std::string(parser_->get().reason());
  close();
  finish(make_error_code(ProxyErrc::kAuthRequired));
  return true;
}

void HttpConnection::on_read(const error_code& ec) {
  if (proxy_refused()) return;
  if (ec || write_failure_) {
    // A close before any byte of the response on a reused connection is the stale case.
    return fail(write_failure_ ? write_failure_ : ec,
                write_failure_ || (parser_ && !parser_->got_some()));
  }
  tcp().expires_never();
  if (!parser_->get().keep_alive()) close();
  finish(ec);
}

std::string HttpConnection::describe_failure(const error_code& ec) const {
  if (ec.category() == proxy_category() && !proxy_failure_.empty()) return proxy_failure_;
  if (options_.proxy && phase_ == Phase::kConnect) {
    return "cannot reach the proxy " + options_.proxy->display + ": " + ec.message();
  }
  if (options_.proxy && phase_ == Phase::kTunnel) {
    return "the proxy " + options_.proxy->display + " failed to open a tunnel to " +
           options_.url.host + ":" + options_.url.port + ": " + ec.message();
  }
  if (options_.proxy) return ec.message() + " (through the proxy " + options_.proxy->display + ")";
  return ec.message();
}

void HttpConnection::finish(const error_code& ec) {
  Handler done = std::move(done_);
  done_ = nullptr;
  request_ = nullptr;
  Response empty;
  Response& response = (!ec && parser_) ? parser_->get() : empty;
  if (done) done(ec, response);
}

}  // namespace dsfill::net

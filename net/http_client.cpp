#include "net/http_client.h"

#include <openssl/ssl.h>

#include <algorithm>

#include <openssl/x509v3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>

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
  if (endpoints_) {
    do_connect();
    return;
  }
  resolver_.async_resolve(
      options_.url.host, options_.url.port,
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
  tcp().expires_at(deadline_);
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
  if (ec) return fail(ec, true);
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

void HttpConnection::on_read(const error_code& ec) {
  // A close before any byte of the response on a reused connection is the stale case.
  if (ec) return fail(ec, parser_ && !parser_->got_some());
  tcp().expires_never();
  if (!parser_->get().keep_alive()) close();
  finish(ec);
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

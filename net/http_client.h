// An async HTTP/1.1 client connection (Boost.Beast) over TCP or TLS, direct or through a forward
// proxy (a CONNECT tunnel for TLS, absolute-form requests for plain HTTP), kept alive across
// requests.
//
// One HttpConnection carries one request at a time; the loader's sender owns K of them on one
// io_context. A connection connects lazily, reconnects after the peer closes it, and bounds each
// request (resolve + connect + TLS handshake + write + read) by one deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "base/error.h"
#include "net/capped_body.h"
#include "net/url.h"

namespace dsfill::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
// Answers are read whole up to CappedBody::kKeepBytes, then counted and dropped: an answer's
// size never fails the read (see capped_body.h).
using Response = boost::beast::http::response<CappedBody>;

// How the client verifies servers and, for mTLS gateways, proves who it is.
struct TlsOptions {
  std::string cacert;  // PEM file of CAs to trust; empty (and no capath): the system store
  std::string capath;  // a directory of CA certificates in OpenSSL's hashed layout (c_rehash)
  std::string cert;    // PEM client certificate (chain) for servers that ask for one
  std::string key;     // its PEM private key; empty: read from `cert`
  // Accept any certificate and name: for test rigs only, never the default (the loader warns).
  bool insecure = false;
};

// Returns a client TLS context: TLS 1.2 or newer, peer verification on (unless insecure),
// trusting `cacert` and/or `capath` when given, else the system's default store, presenting
// the client certificate when given. Fails with kBadArgument, naming the file and OpenSSL's
// reason, when a file (or the store) is unusable or the key does not match the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsOptions& options);

// A forward proxy that requests go through: https through a CONNECT tunnel (TLS end to end with
// the server), http in absolute form.
struct ProxyRoute {
  std::string host;  // without brackets for IPv6 literals
  std::string port;
  std::string authorization;  // the Proxy-Authorization value ("Basic ..."), or "" for none
  std::string display;        // how messages name it, never with credentials
};

struct ConnectionOptions {
  Url url;
  std::optional<ProxyRoute> proxy;
  std::chrono::milliseconds timeout{60'000};  // per request, connect included
  // Resolve, TCP connect and TLS handshake of a new connection, within `timeout` (a route that
  // drops packets is found out in seconds, not at the request's deadline).
  std::chrono::milliseconds connect_timeout{10'000};
};

class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  // Called once per async_send with the transport error (or none) and the response
  // (meaningful only without error). Timeouts come back as boost::beast::error::timeout.
  using Handler = std::function<void(const boost::system::error_code&, Response&)>;

  // `tls` must be set (and outlive the connection) when options.url.tls.
  HttpConnection(boost::asio::io_context& io, ConnectionOptions options,
                 boost::asio::ssl::context* tls);

  // Sends `request` and reads the response. REQUIRES: no request in progress on this
  // connection; `request` stays alive and unchanged until `done` runs. A kept-alive connection
  // that the peer closed before answering is reopened and the request sent again once.
  // `timeout`: this request's deadline instead of options.timeout (zero: options.timeout).
  void async_send(Request& request, Handler done,
                  std::chrono::milliseconds timeout = std::chrono::milliseconds::zero());

  // Closes the socket; a request in progress completes with operation_aborted.
  void close();

  std::uint64_t connects() const { return connects_; }
  // Says what `ec` (a failure this connection reported) means where it happened: a failure to
  // reach the proxy names the proxy; a tunnel the proxy refused gives its answer's status line.
  std::string describe_failure(const boost::system::error_code& ec) const;
  // Why the last TLS handshake failed, in words (the certificate's verification result, e.g.
  // "certificate has expired", "Hostname mismatch"), or "" when it did not.
  const std::string& tls_failure() const { return tls_failure_; }

 private:
  boost::beast::tcp_stream& tcp();
  void fail(const boost::system::error_code& ec, bool may_resend);
  // When the connection being opened must be ready: connect_timeout after it began, or the
  // request's deadline if sooner.
  std::chrono::steady_clock::time_point connect_deadline() const;
  void do_resolve();
  void on_resolve(const boost::system::error_code& ec,
                  const boost::asio::ip::tcp::resolver::results_type& results);
  void do_connect();
  void on_connect(const boost::system::error_code& ec);
  void do_tunnel();
  void on_tunnel_read(const boost::system::error_code& ec);
  void start_tls();
  void on_handshake(const boost::system::error_code& ec);
  void do_write();
  void on_write(const boost::system::error_code& ec);
  void on_read(const boost::system::error_code& ec);
  void read_response();
  // True (and the connection closed with the proxy's failure) when the answer being read is a
  // plain proxy's 407, which may come before the request was sent whole.
  bool proxy_refused();
  void finish(const boost::system::error_code& ec);

  boost::asio::io_context& io_;
  ConnectionOptions options_;
  boost::asio::ssl::context* tls_context_;
  boost::asio::ip::tcp::resolver resolver_;
  std::optional<boost::asio::ip::tcp::resolver::results_type> endpoints_;
  std::optional<boost::beast::tcp_stream> plain_;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure_;
  boost::beast::flat_buffer buffer_;  // reused across requests on this connection
  std::optional<boost::beast::http::response_parser<CappedBody>> parser_;
  boost::beast::http::request<boost::beast::http::empty_body> tunnel_request_;
  std::optional<boost::beast::http::response_parser<boost::beast::http::empty_body>> tunnel_parser_;
  std::string origin_target_;  // a request's own target while it goes out in absolute form
  // A write through a plain proxy that the proxy cut short: its answer (a 407) may be waiting.
  boost::system::error_code write_failure_;
  Request* request_ = nullptr;
  Handler done_;
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point connect_started_;
  bool open_ = false;    // a connected (and handshaken) stream is ready
  bool reused_ = false;  // this request went out on a connection that served one before
  bool resent_ = false;  // the one transparent resend was used
  std::uint64_t connects_ = 0;
  // Where a connection being opened is, for describe_failure.
  enum class Phase : std::uint8_t { kConnect, kTunnel, kHandshake, kExchange };
  Phase phase_ = Phase::kConnect;
  std::string tls_failure_;
  std::string proxy_failure_;  // the proxy's refusal, in words
};

}  // namespace dsfill::net

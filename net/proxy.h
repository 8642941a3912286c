// Forward proxies as curl finds and uses them: which proxy (if any) a request to a URL goes
// through, from --proxy, --no-proxy and the environment (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
// NO_PROXY), and the errors a proxy answers with.
//
// The rules follow curl's (https://everything.curl.dev/usingcurl/proxies/env):
// - https URLs use https_proxy / HTTPS_PROXY, http URLs http_proxy / HTTP_PROXY, either falls back
//   to all_proxy / ALL_PROXY; the lowercase name wins; an empty value means no proxy.
// - --proxy URL overrides the environment; --no-proxy ignores every proxy setting.
// - no_proxy / NO_PROXY applies to every proxy (--proxy too): a list separated by commas or
//   spaces of host names (a name matches itself and its subdomains; a leading '.' or '*.' is
//   ignored; case and a trailing '.' do not matter), IP addresses, CIDR ranges (10.0.0.0/8,
//   fd00::/8), bracketed IPv6 literals, "*" (every host), and, as Go and Python's clients allow,
//   an entry with ":PORT" matching that port only. Loopback is not special: as in curl, it goes
//   through the proxy unless NO_PROXY names it.
// - A proxy URL is http://[user:password@]host[:port] ("http://" may be left out; the port
//   defaults to 1080, as curl's does). TLS to the proxy and SOCKS are refused with a clear error.
//   Credentials in the URL are percent-decoded; they never appear in a message.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/error_code.hpp>

#include "base/error.h"
#include "net/url.h"

namespace dsfill::net {

struct ProxyUrl {
  std::string host;  // without brackets for IPv6 literals
  std::string port;
  std::string user;  // decoded; empty with `password`: no credentials
  std::string password;

  bool has_credentials() const { return !user.empty() || !password.empty(); }
  // "http://host:port", never the credentials: for messages and summaries.
  std::string display() const;
};

// Parses a proxy URL (see above). Fails with kBadArgument, saying why, naming the URL without
// its credentials.
Result<ProxyUrl> parse_proxy_url(std::string_view text);

// Returns true when the NO_PROXY `list` says `host` (a name or IP literal, IPv6 without
// brackets) on `port` is reached directly.
bool no_proxy_matches(std::string_view list, std::string_view host, std::string_view port);

// Looks a variable up (getenv, or a map in tests): nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

struct ProxyChoice {
  std::optional<ProxyUrl> proxy;  // nullopt: connect directly
  // Where the proxy setting came from ("--proxy", "HTTPS_PROXY", ...), or "" when none was set.
  std::string source;
  // Set when a proxy was set but NO_PROXY matched the URL's host: the variable's name.
  std::string bypassed_by;
};

// Chooses the proxy for requests to `url`. `flag`: the --proxy value ("" when not given);
// `ignore_all`: --no-proxy. Fails (kBadArgument) when the chosen proxy URL is not one.
Result<ProxyChoice> choose_proxy(const Url& url, std::string_view flag, bool ignore_all,
                                 const EnvLookup& env);

// What a proxy answered instead of opening a tunnel (CONNECT) or forwarding a request.
enum class ProxyErrc {
  kAuthRequired = 1,  // 407 (or 401 to a CONNECT): credentials missing or refused; not retried
  kRefused,           // another 4xx (403 forbidden, 400, ...): not retried
  kUnavailable,       // 5xx (502 bad gateway: the proxy cannot reach the server, 503, 504)
  kBadAnswer,         // not an HTTP answer, or bytes after the tunnel's answer
};

const boost::system::error_category& proxy_category();
boost::system::error_code make_error_code(ProxyErrc e);

// Returns the error for a CONNECT answered with `status` (REQUIRES: not 2xx).
ProxyErrc proxy_errc_for_status(unsigned status);

}  // namespace dsfill::net

template <>
struct boost::system::is_error_code_enum<dsfill::net::ProxyErrc> : std::true_type {};

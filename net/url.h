// The parts of an http:// or https:// URL the client needs to connect and build request targets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace dsfill::net {

struct Url {
  bool tls = false;       // https
  std::string host;       // without brackets for IPv6 literals
  std::string port;       // always set: explicit, or 80 / 443
  std::string base_path;  // the path with no trailing '/', "" for the root
  // The URL named an endpoint ("/api/dataset-fill", as the API documentation prints it), which
  // was taken off to leave the base.
  std::string endpoint_given;

  // Returns base_path + "/" + endpoint (endpoint without a leading '/'), e.g. "/api/dataset-fill".
  std::string target(std::string_view endpoint) const;
  // Returns "host[:port]" for the Host header (port omitted when it is the scheme's default).
  std::string host_header() const;
};

// Returns `host` as it stands in an authority ("host:port", a Host header, a CONNECT target):
// an IPv6 literal in brackets ("[::1]"), any other host as it is.
std::string bracket_host(std::string_view host);

// Parses an absolute http or https URL: the API base (`https://host/api`, with or without a
// trailing '/'), or an endpoint URL under it (`https://host/api/dataset-fill` or
// `.../dataset-complete`), whose last segment is taken off to give the base. Fails with
// kBadArgument, naming the URL and the reason (no scheme, with the likely fix; other scheme, no
// host, user info, query or fragment), when it is not one.
Result<Url> parse_url(std::string_view text);

// Returns the request target (origin form: path and query) that a 307/308 answer's `location`
// points to, resolved against `target` on `from`'s origin (RFC 9110 section 10.2.2: it may be
// relative). Fails with kBadArgument, saying why, when it cannot be followed on the same
// connections: it is malformed, or another scheme, host or port (https to http above all).
Result<std::string> redirect_target(const Url& from, std::string_view target,
                                    std::string_view location);

}  // namespace dsfill::net

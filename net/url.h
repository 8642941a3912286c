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

  // Returns base_path + "/" + endpoint (endpoint without a leading '/'), e.g. "/api/dataset-fill".
  std::string target(std::string_view endpoint) const;
  // Returns "host[:port]" for the Host header (port omitted when it is the scheme's default).
  std::string host_header() const;
};

// Parses an absolute http or https URL. Fails with kBadArgument, naming the URL and the reason
// (other scheme, no host, user info, query or fragment), when it is not one.
Result<Url> parse_url(std::string_view text);

}  // namespace dsfill::net

// The forward proxy of a load: chosen from --proxy, --no-proxy and the environment the CLI read
// (net/proxy.h has the rules), with its Basic credentials, and the line the summary shows.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "base/error.h"
#include "net/http_client.h"
#include "net/url.h"

namespace dsfill::loader {

struct ProxySetting {
  std::optional<net::ProxyRoute> route;  // nullopt: requests go directly to the server
  std::string source;                    // "--proxy", "HTTPS_PROXY", ... or ""
  // For the summary, never with credentials: "http://host:port (from HTTPS_PROXY)",
  // "none: NO_PROXY matches host", or "" when no proxy was set at all.
  std::string summary;
};

// Chooses the proxy for `url`. `env` holds the proxy variables (https_proxy, HTTPS_PROXY, ...,
// no_proxy, NO_PROXY) and DSFILL_PROXY_USER ("user:password", which takes the place of the
// proxy URL's user info). Fails with kBadArgument when the proxy URL is not one, or
// credentials hold a character a header cannot carry; no message holds a credential.
Result<ProxySetting> proxy_setting(const net::Url& url, const std::string& flag, bool no_proxy,
                                   const std::map<std::string, std::string>& env);

}  // namespace dsfill::loader

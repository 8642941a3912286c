#include "loader/proxy_setting.h"

#include "codec/base64.h"
#include "net/field_rules.h"
#include "net/proxy.h"

namespace dsfill::loader {

Result<ProxySetting> proxy_setting(const net::Url& url, const std::string& flag, bool no_proxy,
                                   const std::map<std::string, std::string>& env) {
  auto choice = net::choose_proxy(url, flag, no_proxy,
                                  [&env](const std::string& name) -> std::optional<std::string> {
                                    auto it = env.find(name);
                                    if (it == env.end()) return std::nullopt;
                                    return it->second;
                                  });
  if (!choice) return choice.error();
  ProxySetting setting;
  setting.source = choice->source;
  if (!choice->bypassed_by.empty()) {
    setting.summary = "none: " + choice->bypassed_by + " matches " + url.host;
    return setting;
  }
  if (!choice->proxy) return setting;
  const net::ProxyUrl& proxy = *choice->proxy;
  std::string credentials;
  if (auto it = env.find("DSFILL_PROXY_USER"); it != env.end() && !it->second.empty()) {
    if (it->second.find(':') == std::string::npos) {
      return make_error(ErrorCode::kBadArgument,
                        "DSFILL_PROXY_USER must be user:password (it is never printed)");
    }
    credentials = it->second;
  } else if (proxy.has_credentials()) {
    credentials = proxy.user + ":" + proxy.password;
  }
  net::ProxyRoute route{
      .host = proxy.host, .port = proxy.port, .authorization = {}, .display = proxy.display()};
  if (!credentials.empty()) {
    if (!net::is_credential(credentials)) {
      return make_error(ErrorCode::kBadArgument,
                        "the proxy credentials hold a control character: refused");
    }
    // RFC 7617: user-id ":" password, base64; Basic over a plain connection to the proxy is
    // what every client does, so the proxy link is the user's to trust.
    std::string value = "Basic ";
    codec::base64_encode(credentials, value);
    route.authorization = std::move(value);
  }
  setting.summary = route.display + " (from " + setting.source + ")" +
                    (credentials.empty() ? "" : ", with credentials");
  setting.route = std::move(route);
  return setting;
}

}  // namespace dsfill::loader

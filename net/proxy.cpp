#include "net/proxy.h"

#include <array>
#include <cctype>
#include <charconv>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace dsfill::net {

namespace ip = boost::asio::ip;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The URL as a message may show it: user info replaced by "***".
std::string redacted(std::string_view text) {
  const std::size_t at = text.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  const std::size_t scheme = text.find("://");
  const std::size_t start = scheme == std::string_view::npos || scheme > at ? 0 : scheme + 3;
  return std::string(text.substr(0, start)) + "***" + std::string(text.substr(at));
}

Error bad_proxy(std::string_view text, const std::string& why) {
  return make_error(ErrorCode::kBadArgument, "invalid proxy URL '" + redacted(text) + "': " + why);
}

// A name as NO_PROXY compares it: lowercase, no trailing dot.
std::string normal_name(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return lower(name);
}

// Returns true when `entry` (one NO_PROXY item, its port already taken off) names `host`.
bool entry_matches_host(std::string_view entry, std::string_view host) {
  boost::system::error_code ec;
  const ip::address host_ip = ip::make_address(std::string(host), ec);
  const bool host_is_ip = !ec;
  const std::size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {
    if (!host_is_ip) return false;
    const std::string_view prefix_text = entry.substr(slash + 1);
    unsigned prefix = 0;
    const auto [end, err] =
        std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
    if (err != std::errc() || end != prefix_text.data() + prefix_text.size()) return false;
    const ip::address net_ip = ip::make_address(std::string(entry.substr(0, slash)), ec);
    if (ec) return false;
    if (net_ip.is_v4() && host_ip.is_v4() && prefix <= 32) {
      return ip::make_network_v4(host_ip.to_v4(), prefix).canonical() ==
             ip::make_network_v4(net_ip.to_v4(), prefix).canonical();
    }
    if (net_ip.is_v6() && host_ip.is_v6() && prefix <= 128) {
      return ip::make_network_v6(host_ip.to_v6(), prefix).canonical() ==
             ip::make_network_v6(net_ip.to_v6(), prefix).canonical();
    }
    return false;
  }
  const ip::address entry_ip = ip::make_address(std::string(entry), ec);
  if (!ec) return host_is_ip && entry_ip == host_ip;
  if (host_is_ip) return false;  // a name never matches an address
  while (!entry.empty() && (entry.front() == '.' || entry.front() == '*')) entry.remove_prefix(1);
  const std::string name = normal_name(entry);
  const std::string target = normal_name(host);
  if (name.empty()) return false;
  if (target == name) return true;
  return target.size() > name.size() && target.ends_with(name) &&
         target[target.size() - name.size() - 1] == '.';
}

}  // namespace

std::string ProxyUrl::display() const { return "http://" + bracket_host(host) + ":" + port; }

Result<ProxyUrl> parse_proxy_url(std::string_view text) {
  if (text.empty()) return bad_proxy(text, "empty");
  const std::size_t sep = text.find("://");
  if (sep != std::string_view::npos) {
    const std::string scheme = lower(text.substr(0, sep));
    if (scheme == "https") {
      return bad_proxy(text,
                       "TLS to the proxy (https://) is not supported: give an http:// proxy "
                       "(https requests still run TLS end to end with the server through it)");
    }
    if (scheme.starts_with("socks")) return bad_proxy(text, "SOCKS proxies are not supported");
    if (scheme != "http") return bad_proxy(text, "the scheme must be http");
  }
  const std::string full =
      sep == std::string_view::npos ? "http://" + std::string(text) : std::string(text);
  auto parsed = boost::urls::parse_absolute_uri(full);
  if (!parsed) return bad_proxy(text, "not a URL (expected http://host:port)");
  const boost::urls::url_view& u = *parsed;
  ProxyUrl proxy;
  proxy.host = u.encoded_host_address().decode();
  if (proxy.host.size() > 2 && proxy.host.front() == '[') {
    proxy.host = proxy.host.substr(1, proxy.host.size() - 2);
  }
  if (proxy.host.empty()) return bad_proxy(text, "no host");
  if (u.has_query() || u.has_fragment()) return bad_proxy(text, "no query or fragment allowed");
  proxy.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : "1080";
  unsigned port = 0;
  const auto [end, err] =
      std::from_chars(proxy.port.data(), proxy.port.data() + proxy.port.size(), port);
  if (err != std::errc() || end != proxy.port.data() + proxy.port.size() || port == 0 ||
      port > 65535) {
    return bad_proxy(text, "the port must be 1 to 65535");
  }
  if (u.has_userinfo()) {
    proxy.user = u.encoded_user().decode();
    proxy.password = u.encoded_password().decode();
  }
  return proxy;
}

bool no_proxy_matches(std::string_view list, std::string_view host, std::string_view port) {
  std::size_t pos = 0;
  while (pos < list.size()) {
    const std::size_t end = list.find_first_of(", \t", pos);
    std::string_view entry =
        list.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? list.size() : end + 1;
    if (entry.empty()) continue;
    if (entry == "*") return true;
    std::string_view entry_port;
    if (entry.front() == '[') {  // [v6] or [v6]:port
      const std::size_t close = entry.find(']');
      if (close == std::string_view::npos) continue;
      if (close + 1 < entry.size()) {
        if (entry[close + 1] != ':') continue;
        entry_port = entry.substr(close + 2);
      }
      entry = entry.substr(1, close - 1);
    } else if (const std::size_t colon = entry.rfind(':');
               colon != std::string_view::npos && entry.find(':') == colon) {
      entry_port = entry.substr(colon + 1);  // name:port or v4:port (a bare v6 has many ':')
      entry = entry.substr(0, colon);
    }
    if (!entry_port.empty() && entry_port != port) continue;
    if (entry_matches_host(entry, host)) return true;
  }
  return false;
}

Result<ProxyChoice> choose_proxy(const Url& url, std::string_view flag, bool ignore_all,
                                 const EnvLookup& env) {
  ProxyChoice choice;
  if (ignore_all) return choice;
  std::string value;
  if (!flag.empty()) {
    value = std::string(flag);
    choice.source = "--proxy";
  } else {
    using Names = std::array<std::string_view, 4>;
    static constexpr Names kHttps = {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
    static constexpr Names kHttp = {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"};
    for (std::string_view name : url.tls ? kHttps : kHttp) {
      if (auto v = env(std::string(name))) {  // set, even empty: the first one decides
        value = *v;
        choice.source = name;
        break;
      }
    }
  }
  if (value.empty()) {
    choice.source.clear();  // set but empty: no proxy, as curl reads it
    return choice;
  }
  for (const char* name : {"no_proxy", "NO_PROXY"}) {
    if (auto list = env(name)) {
      if (no_proxy_matches(*list, url.host, url.port)) {
        choice.bypassed_by = name;
        return choice;
      }
      break;  // the lowercase one, when set, is the list
    }
  }
  auto proxy = parse_proxy_url(value);
  if (!proxy) {
    return make_error(ErrorCode::kBadArgument,
                      proxy.error().message + " (from " + choice.source + ")");
  }
  choice.proxy = std::move(*proxy);
  return choice;
}

namespace {

class ProxyCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "proxy"; }
  std::string message(int ev) const override {
    switch (static_cast<ProxyErrc>(ev)) {
      case ProxyErrc::kAuthRequired:
        return "the proxy requires authentication (407)";
      case ProxyErrc::kRefused:
        return "the proxy refused the request";
      case ProxyErrc::kUnavailable:
        return "the proxy could not reach the server";
      case ProxyErrc::kBadAnswer:
        return "the proxy's answer is not HTTP";
    }
    return "proxy error";
  }
};

}  // namespace

const boost::system::error_category& proxy_category() {
  static const ProxyCategory category;
  return category;
}

boost::system::error_code make_error_code(ProxyErrc e) {
  return {static_cast<int>(e), proxy_category()};
}

ProxyErrc proxy_errc_for_status(unsigned status) {
  // tinyproxy answers a CONNECT with wrong credentials 401: from a proxy, it means the same.
  if (status == 407 || status == 401) return ProxyErrc::kAuthRequired;
  if (status >= 500) return ProxyErrc::kUnavailable;
  if (status >= 400) return ProxyErrc::kRefused;
  return ProxyErrc::kBadAnswer;  // 1xx or 3xx to a CONNECT
}

}  // namespace dsfill::net

#include "net/url.h"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace dsfill::net {

namespace {

Error bad_url(std::string_view text, const char* why) {
  return make_error(ErrorCode::kBadArgument, "invalid URL '" + std::string(text) + "': " + why);
}

}  // namespace

std::string Url::target(std::string_view endpoint) const {
  std::string out = base_path;
  out += '/';
  out += endpoint;
  return out;
}

std::string Url::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? "443" : "80")) out += ":" + port;
  return out;
}

Result<Url> parse_url(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return bad_url(text, "not an absolute URL");
  const boost::urls::url_view& u = *parsed;
  Url url;
  const auto scheme = u.scheme_id();
  if (scheme == boost::urls::scheme::https) {
    url.tls = true;
  } else if (scheme != boost::urls::scheme::http) {
    return bad_url(text, "the scheme must be http or https");
  }
  if (u.has_userinfo()) return bad_url(text, "user info is not supported (use DSFILL_TOKEN)");
  if (u.has_query() || u.has_fragment()) return bad_url(text, "no query or fragment allowed");
  url.host = u.encoded_host_address().decode();
  if (url.host.empty()) return bad_url(text, "no host");
  if (url.host.size() > 2 && url.host.front() == '[')
    url.host = url.host.substr(1, url.host.size() - 2);
  url.port = u.has_port() && !u.port().empty() ? std::string(u.port()) : (url.tls ? "443" : "80");
  std::string path(u.encoded_path());
  while (!path.empty() && path.back() == '/') path.pop_back();
  url.base_path = std::move(path);
  return url;
}

}  // namespace dsfill::net

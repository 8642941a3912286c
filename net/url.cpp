#include "net/url.h"

#include <cctype>

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

// The endpoints whose URL stands for the API base they are under.
constexpr std::string_view kEndpoints[] = {"dataset-fill", "dataset-complete"};

Result<Url> parse_url(std::string_view text) {
  const bool host_first = !text.empty() && std::isalnum(static_cast<unsigned char>(text[0])) != 0 &&
                          text.find_first_of(" \t") == std::string_view::npos;
  if (text.find("://") == std::string_view::npos && host_first) {
    // "localhost:28080" parses as a URL of scheme "localhost": say what was meant.
    return make_error(ErrorCode::kBadArgument,
                      "invalid URL '" + std::string(text) +
                          "': not an absolute URL (no scheme); did you mean 'http://" +
                          std::string(text) + "' (or https://)?");
  }
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
  const std::size_t slash = path.rfind('/');
  const std::string_view last =
      slash == std::string::npos ? std::string_view() : std::string_view(path).substr(slash + 1);
  for (std::string_view endpoint : kEndpoints) {
    if (last == endpoint) {
      url.endpoint_given = std::string(endpoint);
      path.resize(slash);
      break;
    }
  }
  url.base_path = std::move(path);
  return url;
}

}  // namespace dsfill::net

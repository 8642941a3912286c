#include "net/url.h"

#include <cctype>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
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

std::string bracket_host(std::string_view host) {
  return host.find(':') != std::string_view::npos ? "[" + std::string(host) + "]"
                                                  : std::string(host);
}

std::string Url::host_header() const {
  std::string out = bracket_host(host);
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

Result<std::string> redirect_target(const Url& from, std::string_view target,
                                    std::string_view location) {
  const auto refuse = [&](const std::string& why) -> Error {
    return make_error(ErrorCode::kBadArgument,
                      "the redirect to '" + std::string(location) + "' is not followed: " + why);
  };
  const std::string base_text =
      std::string(from.tls ? "https://" : "http://") + from.host_header() + std::string(target);
  auto base = boost::urls::parse_uri(base_text);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!base || !ref) return refuse("not a URL");
  boost::urls::url resolved;
  if (!boost::urls::resolve(*base, *ref, resolved)) return refuse("not a URL");
  const auto scheme = resolved.scheme_id();
  if (from.tls && scheme != boost::urls::scheme::https) {
    return refuse("it leaves https for an unencrypted scheme");
  }
  std::string host = resolved.encoded_host_address().decode();
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  const std::string port = resolved.has_port() && !resolved.port().empty()
                               ? std::string(resolved.port())
                               : (scheme == boost::urls::scheme::https ? "443" : "80");
  const bool same_scheme =
      (scheme == boost::urls::scheme::https) == from.tls &&
      (scheme == boost::urls::scheme::https || scheme == boost::urls::scheme::http);
  const auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  if (!same_scheme || resolved.has_userinfo() || lower(host) != lower(from.host) ||
      port != from.port) {
    return refuse("it points to another origin than " + from.host + ":" + from.port +
                  " (use that URL as --url)");
  }
  std::string out(resolved.encoded_path());
  if (out.empty()) out = "/";
  if (resolved.has_query()) out += "?" + std::string(resolved.encoded_query());
  return out;
}

}  // namespace dsfill::net

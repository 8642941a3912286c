#include "loader/api_answer.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "codec/utf8.h"

namespace dsfill::loader {

namespace {

namespace http = boost::beast::http;

constexpr std::size_t kMaxText = 160;  // of the excerpt; the status and type take the rest

// Returns `raw` as one printable line of at most kMaxText bytes: runs of whitespace and control
// characters become one space, invalid UTF-8 becomes U+FFFD, and a cut ends in "...".
std::string one_line(std::string_view raw) {
  // The line is short: what lies past 4 KiB cannot reach it.
  const std::string text = codec::utf8_replacing(raw.substr(0, 4096));
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text.size();
  std::string out;
  bool space = false;
  for (const unsigned char* p = begin; p < end;) {
    if (*p <= ' ' || *p == 0x7F) {
      space = !out.empty();
      ++p;
      continue;
    }
    std::size_t bad = 0;
    const std::size_t n =
        *p < 0x80 ? 1 : std::max<std::size_t>(1, codec::utf8_sequence(p, end, bad));
    if (out.size() + (space ? 1 : 0) + n > kMaxText) return out + "...";
    if (space) out += ' ';
    space = false;
    out.append(reinterpret_cast<const char*>(p), n);
    p += n;
  }
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Returns the text of an HTML page for a message: its <title>, else its text with tags dropped.
std::string html_text(std::string_view html) {
  const std::string low = lower(html.substr(0, 64 * 1024));
  if (auto open = low.find("<title"); open != std::string::npos) {
    const auto start = low.find('>', open);
    const auto end = low.find("</title", open);
    if (start != std::string::npos && end != std::string::npos && start < end) {
      std::string title = one_line(html.substr(start + 1, end - start - 1));
      if (!title.empty()) return title;
    }
  }
  std::string text;
  bool in_tag = false;
  for (char c : html.substr(0, 64 * 1024)) {
    if (c == '<') {
      in_tag = true;
      text += ' ';
    } else if (c == '>') {
      in_tag = false;
    } else if (!in_tag) {
      text += c;
    }
  }
  return one_line(text);
}

const boost::json::object* data_object(const boost::json::value& v) {
  if (!v.is_object()) return nullptr;
  const auto* data = v.as_object().if_contains("data");
  return data != nullptr && data->is_object() ? &data->as_object() : nullptr;
}

}  // namespace

Result<ApiAnswer> read_success_envelope(const net::Response& response) {
  const auto& body = response.body();
  if (body.truncated()) {
    return make_error(ErrorCode::kTooLarge,
                      "the answer is " + std::to_string(body.size) +
                          " bytes, too large to be the API's envelope (only the first " +
                          std::to_string(net::CappedBody::kKeepBytes >> 20) + " MiB were read)");
  }
  if (body.text.empty()) return make_error(ErrorCode::kBadJson, "the answer has an empty body");
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(body.text, ec);
  if (ec) return make_error(ErrorCode::kBadJson, "the answer is not JSON");
  const boost::json::object* data = data_object(v);
  if (data == nullptr) {
    return make_error(ErrorCode::kBadJson, "the answer is JSON but has no \"data\" object");
  }
  const auto* status = data->if_contains("status");
  if (status == nullptr || !status->is_string()) {
    return make_error(ErrorCode::kBadJson, "the answer has no data.status");
  }
  if (status->as_string() != "success") {
    return make_error(ErrorCode::kBadJson, R"(data.status is ")" + one_line(status->as_string()) +
                                               R"(", not "success")");
  }
  ApiAnswer answer;
  const auto* details = data->if_contains("details");
  if (details == nullptr || !details->is_object()) return answer;
  for (const char* key : {"rows-count", "rows-inserted"}) {
    const auto* n = details->as_object().if_contains(key);
    if (n == nullptr || n->is_null()) continue;
    std::optional<std::int64_t> value;
    if (n->is_int64() && n->as_int64() >= 0) value = n->as_int64();
    if (n->is_uint64() && n->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      value = static_cast<std::int64_t>(n->as_uint64());
    }
    if (!value) {
      return make_error(ErrorCode::kBadJson,
                        std::string("data.details.") + key + " is not a count of rows");
    }
    (std::string_view(key) == "rows-count" ? answer.rows_count : answer.rows_inserted) = value;
  }
  return answer;
}

std::string describe_answer(const net::Response& response) {
  std::string out = "HTTP " + std::to_string(response.result_int());
  const std::string type = one_line(response[http::field::content_type]).substr(0, 40);
  if (!type.empty()) out += " (" + type + ")";
  const auto& body = response.body();
  std::string text;
  if (body.text.empty()) {
    text = "empty body";
  } else {
    boost::system::error_code ec;
    const boost::json::value v =
        body.truncated() ? boost::json::value() : boost::json::parse(body.text, ec);
    const boost::json::object* data = ec ? nullptr : data_object(v);
    const auto* message = data != nullptr ? data->if_contains("message") : nullptr;
    const std::string_view start = std::string_view(body.text).substr(0, 4096);
    const bool html = lower(type).find("html") != std::string::npos ||
                      lower(start).find("<html") != std::string::npos ||
                      lower(start).find("<!doctype html") != std::string::npos;
    if (message != nullptr && message->is_string()) {
      text = one_line(message->as_string());
    } else if (html) {
      text = html_text(body.text);
    } else {
      const std::string_view first = start.substr(0, start.find('\n'));
      text = one_line(first.empty() ? start : first);
    }
    if (body.truncated()) text += " (" + std::to_string(body.size) + " bytes)";
  }
  if (!text.empty()) out += ": " + text;
  if (const unsigned status = response.result_int(); status >= 300 && status < 400) {
    // A redirect says where it points: the URL to load with instead.
    const std::string location = one_line(response[http::field::location]).substr(0, 200);
    out += location.empty()
               ? " (a redirect with no Location)"
               : " (redirects to " + location +
                     ": dsfill follows only 307 and 308 on the same host; use that URL as --url)";
  }
  return out;
}

std::string auth_hint(unsigned status, bool token_sent) {
  if (status != 401 && status != 403) return "";
  const std::string how =
      "set DSFILL_TOKEN to the tenant's token, or give --token-file FILE (never on the "
      "command line)";
  if (!token_sent) return "no token was sent: " + how;
  return std::string("a token was sent and refused") +
         (status == 403 ? " for this user or dataset" : "") + ": check that it is this tenant's (" +
         how + ")";
}

}  // namespace dsfill::loader

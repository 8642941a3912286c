#include "codec/column_names.h"

#include <algorithm>

#include "codec/utf8.h"

namespace dsfill::codec {

namespace {

bool is_hidden(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) || cp == 0x2060 ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

// Calls `on(cp, at, len)` for each character of valid UTF-8 `name`, and for each invalid byte
// with cp = U+FFFD and len 1.
template <typename F>
void for_each_character(std::string_view name, F on) {
  const auto* p = reinterpret_cast<const unsigned char*>(name.data());
  const auto* end = p + name.size();
  for (const auto* at = p; at < end;) {
    char32_t cp = *at;
    std::size_t len = 1;
    if (cp >= 0x80) {
      std::size_t bad = 0;
      len = utf8_sequence(at, end, bad);
      if (len == 0) {
        on(char32_t{0xFFFD}, static_cast<std::size_t>(at - p), std::size_t{0});
        ++at;
        continue;
      }
      cp = at[0] & (0x7F >> len);
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (at[k] & 0x3F);
    }
    on(cp, static_cast<std::size_t>(at - p), len);
    at += len;
  }
}

// Returns `name` cut to at most `bytes`, on a character boundary. REQUIRES: valid UTF-8.
std::string cut(std::string name, std::size_t bytes) {
  if (name.size() <= bytes) return name;
  std::size_t at = bytes;
  while (at > 0 && (static_cast<unsigned char>(name[at]) & 0xC0) == 0x80) --at;
  name.resize(at);
  return name;
}

// The key `load` matches header names by: surrounding spaces off, ASCII case folded.
std::string loose_key(std::string_view name) {
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return key;
}

std::string quoted(std::string_view name) {
  std::string out = "'";
  for (const char c : name.substr(0, 60)) {
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7F ? '?' : c;
  }
  return out + (name.size() > 60 ? "...'" : "'");
}

}  // namespace

std::optional<HiddenCharacter> first_hidden_character(std::string_view name) {
  std::optional<HiddenCharacter> found;
  for_each_character(name, [&](char32_t cp, std::size_t at, std::size_t len) {
    if (!found && len != 0 && is_hidden(cp)) found = HiddenCharacter{cp, at};
  });
  return found;
}

bool same_column_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string column_alias(std::string_view name) { return std::string(name); }

UsableNames usable_column_names(const std::vector<std::string>& header) {
  UsableNames out;
  std::vector<std::string> keys;  // loose_key of each name given out
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& given = header[i];
    const std::string label = "column " + std::to_string(i + 1);
    std::string name;
    bool dropped = false;
    for_each_character(given, [&](char32_t cp, std::size_t at, std::size_t len) {
      if (len == 0) {
        name += "\xEF\xBF\xBD";
      } else if (is_hidden(cp)) {
        dropped = true;
      } else {
        name.append(given, at, len);
      }
    });
    if (dropped) {
      out.notes.push_back(label + ": " + quoted(given) +
                          " holds control, bidirectional or zero-width characters; dropped");
    }
    if (name.find_first_not_of(' ') == std::string::npos) {
      name = "column_" + std::to_string(i + 1);
      out.notes.push_back(label + ": the header gives no name; named " + name);
    }
    if (name.size() > kMaxColumnNameBytes) {
      const std::size_t bytes = name.size();
      name = cut(std::move(name), kMaxColumnNameBytes);
      out.notes.push_back(label + ": a name of " + std::to_string(bytes) +
                          " bytes, over the server's " + std::to_string(kMaxColumnNameBytes) +
                          "; cut to " + quoted(name));
    }
    if (std::find(keys.begin(), keys.end(), loose_key(name)) != keys.end()) {
      std::string unique;
      for (std::size_t n = 2;; ++n) {
        const std::string suffix = "_" + std::to_string(n);
        unique = cut(name, kMaxColumnNameBytes - suffix.size()) + suffix;
        if (std::find(keys.begin(), keys.end(), loose_key(unique)) == keys.end()) break;
      }
      out.notes.push_back(label + ": " + quoted(name) +
                          " repeats an earlier name (ignoring case and surrounding spaces); "
                          "named " +
                          unique);
      name = std::move(unique);
    }
    keys.push_back(loose_key(name));
    out.names.push_back(std::move(name));
  }
  return out;
}

}  // namespace dsfill::codec

#include "loader/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <ctime>

#include <fmt/core.h>

#include "codec/json_text.h"

namespace dsfill::loader {

namespace {

std::atomic<LogFormat> g_format{LogFormat::kText};
std::string g_prefix = "dsfill";            // written only by set_log_format, before threads start
std::atomic<bool> g_progress_shown{false};  // a progress line is on the terminal

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

// JSON strings go through the one escaper, with the policy for text that is not data: invalid
// UTF-8 becomes U+FFFD, so a line always parses whatever a message or file name holds.
void append_json_string(std::string& out, std::string_view s) { codec::append_json_text(s, out); }

void append_value(std::string& out, const LogField& field, bool json) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (json) {
            append_json_string(out, v);
          } else {
            out += v;
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          // JSON has no NaN or infinity: a rate over zero seconds is written as null.
          if (json && !std::isfinite(v)) {
            out += "null";
          } else {
            out += fmt::format("{}", v);
          }
        } else {
          out += fmt::format("{}", v);
        }
      },
      field.value);
}

std::string now_iso() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", text, ms);
}

}  // namespace

void set_log_format(LogFormat format, std::string_view text_prefix) {
  g_format.store(format);
  g_prefix = text_prefix;
}
LogFormat log_format() { return g_format.load(); }

std::string format_log_line(LogFormat format, std::string_view text_prefix, LogLevel level,
                            std::string_view msg, std::initializer_list<LogField> fields,
                            std::string_view now) {
  std::string out;
  if (format == LogFormat::kJson) {
    out += "{\"ts\":";
    append_json_string(out, now);
    out += ",\"level\":";
    append_json_string(out, level_name(level));
    out += ",\"msg\":";
    append_json_string(out, msg);
    for (const LogField& f : fields) {
      out += ',';
      append_json_string(out, f.key);
      out += ':';
      append_value(out, f, true);
    }
    out += '}';
    return out;
  }
  // Text lines are for people: the message says it all, the fields are for machines.
  out += text_prefix;
  out += ": ";
  out += msg;
  return out;
}

void set_progress_line_shown(bool shown) { g_progress_shown.store(shown); }

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  std::string line = format_log_line(log_format(), g_prefix, level, msg, fields, now_iso());
  if (log_format() == LogFormat::kText && g_progress_shown.load()) line.insert(0, "\r\x1b[K");
  line += '\n';
  const char* p = line.data();
  std::size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // nowhere to report a failing stderr
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace dsfill::loader

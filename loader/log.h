// A tiny logger for messages on standard error: human lines ("dsfill load: message") or JSON
// lines ({"ts":..., "level":..., "msg":..., fields...}) for journald and log shippers.
//
// The format is process-wide and set once at start-up (before any thread runs), so messages
// from any stage look the same. Callers never pass secrets (the token) as messages or fields.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace dsfill::loader {

enum class LogFormat : std::uint8_t { kText, kJson };
enum class LogLevel : std::uint8_t { kInfo, kWarn, kError };

// One structured field of a JSON line (text lines show only the message, which must say it all).
struct LogField {
  std::string_view key;
  std::variant<std::string_view, std::int64_t, double, bool> value;
};

// Sets the format of every later message and the prefix of text lines ("dsfill load" gives
// "dsfill load: message"). Call before starting threads.
void set_log_format(LogFormat format, std::string_view text_prefix = "dsfill");
LogFormat log_format();

// Returns the line `log` would write (without the newline), for tests. `now` is the time
// stamp in ISO 8601 UTC with milliseconds.
std::string format_log_line(LogFormat format, std::string_view text_prefix, LogLevel level,
                            std::string_view msg, std::initializer_list<LogField> fields,
                            std::string_view now);

// Says whether a progress line is drawn on the terminal's current line (progress_ticker.h):
// text messages then clear that line first, so that they never trail after it; the ticker
// draws it again on its next tick.
void set_progress_line_shown(bool shown);

// Writes one line to standard error, whole (one write call, so lines from threads never mix).
void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

}  // namespace dsfill::loader

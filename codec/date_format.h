// Date formats of `date` columns: a format compiles once per request, then checks values with no
// allocation.
//
// Accepted format strings:
//   - empty: ISO 8601 / RFC 3339 dates: YYYY-MM-DD, optionally followed by 'T' or ' ' and
//     HH:MM, HH:MM:SS or HH:MM:SS.fraction, optionally followed by 'Z' or +HH:MM / -HH:MM / +HHMM.
//   - strftime-like, when the format holds '%': %Y (4-digit year), %m (01-12), %d (01-31, checked
//     against the month), %H (00-23), %M (00-59), %S (00-60), %f (1-9 fraction digits),
//     %z (Z, +HH:MM or +HHMM), %F (= %Y-%m-%d), %T (= %H:%M:%S), %% (a '%'); any other
//     character must appear as is. Other % directives are refused when the columns are checked.
//   - pattern-like, otherwise: YYYY or yyyy, MM, DD or dd, HH, mm, ss, and SSS (3 fraction
//     digits) stand for the fields above; any other character must appear as is
//     ("YYYY-MM-DD HH:mm:ss", "DD/MM/YYYY", "MM/dd/yyyy").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace dsfill::codec {

class DateFormat {
 public:
  // Returns the compiled format, or kBadArgument naming the unsupported directive.
  static Result<DateFormat> compile(std::string_view format);

  // Returns true if `s` is a valid date in this format (calendar-checked).
  bool matches(std::string_view s) const;

  // The longest text to_iso writes: "YYYY-MM-DDTHH:MM:SS.fffffffff+HH:MM".
  static constexpr std::size_t kMaxIsoBytes = 35;

  // Writes at `out` the ISO 8601 form of `s`, which sorts as text in time order (zones aside):
  // YYYY-MM-DD, then, when the format has an hour, 'T' and HH[:MM[:SS[.fraction]]] with the
  // fraction's digits as written, then the zone as 'Z' or +HH:MM. Returns its length, or 0
  // when the format lacks a year, month or day (such values have no ISO date to sort by).
  // REQUIRES: matches(s); kMaxIsoBytes of room at `out`.
  std::size_t to_iso(std::string_view s, char* out) const;

  // Returns the format text this was compiled from ("" for ISO 8601), for messages.
  const std::string& text() const { return text_; }

 private:
  enum class Part : std::uint8_t {
    kLiteral,
    kYear,
    kMonth,
    kDay,
    kHour,
    kMinute,
    kSecond,
    kFraction,
    kFraction3,
    kZone
  };
  struct Fields;
  // Reads `s` into `f`; returns true if it is a valid date in this format.
  bool parse(std::string_view s, Fields& f) const;
  static bool parse_iso(std::string_view s, Fields& f);
  struct Token {
    Part part;
    char literal;
  };
  bool iso_ = false;
  std::vector<Token> tokens_;
  std::string text_;
};

}  // namespace dsfill::codec

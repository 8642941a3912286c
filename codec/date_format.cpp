#include "codec/date_format.h"

#include <algorithm>
#include <string>

namespace dsfill::codec {

namespace {

bool digits(std::string_view s, std::size_t& i, std::size_t n, int& out) {
  if (i + n > s.size()) return false;
  int v = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  i += n;
  out = v;
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

bool zone(std::string_view s, std::size_t& i, std::string_view& zone_out) {
  const std::size_t begin = i;
  const auto done = [&] {
    zone_out = s.substr(begin, i - begin);
    return true;
  };
  if (i < s.size() && s[i] == 'Z') {
    ++i;
    return done();
  }
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  ++i;
  int h = 0, m = 0;
  if (!digits(s, i, 2, h)) return false;
  if (i < s.size() && s[i] == ':') ++i;
  if (!digits(s, i, 2, m)) return false;
  return h <= 23 && m <= 59 && done();
}

bool fraction(std::string_view s, std::size_t& i, std::size_t min, std::size_t max,
              std::string_view& digits_out) {
  const std::size_t begin = i;
  std::size_t n = 0;
  while (i < s.size() && n < max && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++n;
  }
  digits_out = s.substr(begin, n);
  return n >= min;
}

}  // namespace

// The fields of one date, and which of them the value (or its format) has.
struct DateFormat::Fields {
  int year = 2000, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  bool has_year = false, has_month = false, has_day = false, has_hour = false, has_minute = false,
       has_second = false;
  std::string_view fraction;  // its digits as written
  std::string_view zone;      // "Z", "+HH:MM" or "+HHMM" as written
  bool valid() const {
    return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month) &&
           hour <= 23 && minute <= 59 && second <= 60;
  }
};

bool DateFormat::parse_iso(std::string_view s, Fields& f) {
  std::size_t i = 0;
  if (!digits(s, i, 4, f.year) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, f.month) ||
      i >= s.size() || s[i++] != '-' || !digits(s, i, 2, f.day)) {
    return false;
  }
  f.has_year = f.has_month = f.has_day = true;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    if (!digits(s, i, 2, f.hour) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, f.minute)) {
      return false;
    }
    f.has_hour = f.has_minute = true;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, f.second)) return false;
      f.has_second = true;
      if (i < s.size() && s[i] == '.') {
        ++i;
        if (!fraction(s, i, 1, 9, f.fraction)) return false;
      }
    }
    if (i < s.size() && !zone(s, i, f.zone)) return false;
  }
  return i == s.size() && f.valid();
}

Result<DateFormat> DateFormat::compile(std::string_view format) {
  DateFormat out;
  out.text_ = format;
  if (format.empty()) {
    out.iso_ = true;
    return out;
  }
  auto lit = [&](char c) { out.tokens_.push_back({Part::kLiteral, c}); };
  auto part = [&](Part p) { out.tokens_.push_back({p, 0}); };
  if (format.find('%') != std::string_view::npos) {
    for (std::size_t i = 0; i < format.size(); ++i) {
      if (format[i] != '%') {
        lit(format[i]);
        continue;
      }
      if (++i >= format.size()) {
        return make_error(ErrorCode::kBadArgument, "date format ends with a lone '%'");
      }
      switch (format[i]) {
        case 'Y':
          part(Part::kYear);
          break;
        case 'm':
          part(Part::kMonth);
          break;
        case 'd':
          part(Part::kDay);
          break;
        case 'H':
          part(Part::kHour);
          break;
        case 'M':
          part(Part::kMinute);
          break;
        case 'S':
          part(Part::kSecond);
          break;
        case 'f':
          part(Part::kFraction);
          break;
        case 'z':
          part(Part::kZone);
          break;
        case 'F':
          part(Part::kYear), lit('-'), part(Part::kMonth), lit('-'), part(Part::kDay);
          break;
        case 'T':
          part(Part::kHour), lit(':'), part(Part::kMinute), lit(':'), part(Part::kSecond);
          break;
        case '%':
          lit('%');
          break;
        default:
          return make_error(ErrorCode::kBadArgument,
                            std::string("unsupported date directive %") + format[i] +
                                " (supported: %Y %m %d %H %M %S %f %z %F %T %%)");
      }
    }
    return out;
  }
  for (std::size_t i = 0; i < format.size();) {
    const std::string_view rest = format.substr(i);
    if (rest.starts_with("YYYY") || rest.starts_with("yyyy")) {
      part(Part::kYear), i += 4;
    } else if (rest.starts_with("SSS")) {
      part(Part::kFraction3), i += 3;
    } else if (rest.starts_with("MM")) {
      part(Part::kMonth), i += 2;
    } else if (rest.starts_with("DD") || rest.starts_with("dd")) {
      part(Part::kDay), i += 2;
    } else if (rest.starts_with("HH")) {
      part(Part::kHour), i += 2;
    } else if (rest.starts_with("mm")) {
      part(Part::kMinute), i += 2;
    } else if (rest.starts_with("ss")) {
      part(Part::kSecond), i += 2;
    } else {
      lit(format[i]), ++i;
    }
  }
  return out;
}

bool DateFormat::matches(std::string_view s) const {
  Fields f;
  return parse(s, f);
}

bool DateFormat::parse(std::string_view s, Fields& f) const {
  if (iso_) return parse_iso(s, f);
  std::size_t i = 0;
  for (const Token& t : tokens_) {
    bool ok = true;
    switch (t.part) {
      case Part::kLiteral:
        ok = i < s.size() && s[i++] == t.literal;
        break;
      case Part::kYear:
        ok = digits(s, i, 4, f.year);
        f.has_year = true;
        break;
      case Part::kMonth:
        ok = digits(s, i, 2, f.month);
        f.has_month = true;
        break;
      case Part::kDay:
        ok = digits(s, i, 2, f.day);
        f.has_day = true;
        break;
      case Part::kHour:
        ok = digits(s, i, 2, f.hour);
        f.has_hour = true;
        break;
      case Part::kMinute:
        ok = digits(s, i, 2, f.minute);
        f.has_minute = true;
        break;
      case Part::kSecond:
        ok = digits(s, i, 2, f.second);
        f.has_second = true;
        break;
      case Part::kFraction:
        ok = fraction(s, i, 1, 9, f.fraction);
        break;
      case Part::kFraction3:
        ok = fraction(s, i, 3, 3, f.fraction);
        break;
      case Part::kZone:
        ok = zone(s, i, f.zone);
        break;
    }
    if (!ok) return false;
  }
  return i == s.size() && f.valid();
}

namespace {

char* put2(char* o, int v) {
  *o++ = static_cast<char>('0' + v / 10 % 10);
  *o++ = static_cast<char>('0' + v % 10);
  return o;
}

}  // namespace

std::size_t DateFormat::to_iso(std::string_view s, char* out) const {
  Fields f;
  if (!parse(s, f) || !f.has_year || !f.has_month || !f.has_day) return 0;
  char* o = out;
  o = put2(put2(o, f.year / 100), f.year % 100);
  *o++ = '-';
  o = put2(o, f.month);
  *o++ = '-';
  o = put2(o, f.day);
  if (f.has_hour) {
    *o++ = 'T';
    o = put2(o, f.hour);
    if (f.has_minute || f.has_second) {
      *o++ = ':';
      o = put2(o, f.minute);
    }
    if (f.has_second) {
      *o++ = ':';
      o = put2(o, f.second);
      if (!f.fraction.empty()) {
        *o++ = '.';
        o = std::copy(f.fraction.begin(), f.fraction.end(), o);
      }
    }
  }
  if (f.zone == "Z") {
    *o++ = 'Z';
  } else if (!f.zone.empty()) {
    // "+HH:MM" or "+HHMM": write the colon form.
    *o++ = f.zone[0];
    *o++ = f.zone[1];
    *o++ = f.zone[2];
    *o++ = ':';
    const std::string_view minutes = f.zone.substr(f.zone.size() - 2);
    *o++ = minutes[0];
    *o++ = minutes[1];
  }
  return static_cast<std::size_t>(o - out);
}

}  // namespace dsfill::codec

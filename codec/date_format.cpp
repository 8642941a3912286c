#include "codec/date_format.h"

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

bool zone(std::string_view s, std::size_t& i) {
  if (i < s.size() && s[i] == 'Z') {
    ++i;
    return true;
  }
  if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return false;
  ++i;
  int h = 0, m = 0;
  if (!digits(s, i, 2, h)) return false;
  if (i < s.size() && s[i] == ':') ++i;
  if (!digits(s, i, 2, m)) return false;
  return h <= 23 && m <= 59;
}

bool fraction(std::string_view s, std::size_t& i, std::size_t min, std::size_t max) {
  std::size_t n = 0;
  while (i < s.size() && n < max && s[i] >= '0' && s[i] <= '9') {
    ++i;
    ++n;
  }
  return n >= min;
}

struct Fields {
  int year = 2000, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  bool valid() const {
    return month >= 1 && month <= 12 && day >= 1 && day <= days_in_month(year, month) &&
           hour <= 23 && minute <= 59 && second <= 60;
  }
};

bool iso_matches(std::string_view s) {
  Fields f;
  std::size_t i = 0;
  if (!digits(s, i, 4, f.year) || i >= s.size() || s[i++] != '-' || !digits(s, i, 2, f.month) ||
      i >= s.size() || s[i++] != '-' || !digits(s, i, 2, f.day)) {
    return false;
  }
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    ++i;
    if (!digits(s, i, 2, f.hour) || i >= s.size() || s[i++] != ':' || !digits(s, i, 2, f.minute)) {
      return false;
    }
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!digits(s, i, 2, f.second)) return false;
      if (i < s.size() && s[i] == '.') {
        ++i;
        if (!fraction(s, i, 1, 9)) return false;
      }
    }
    if (i < s.size() && !zone(s, i)) return false;
  }
  return i == s.size() && f.valid();
}

}  // namespace

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
  if (iso_) return iso_matches(s);
  Fields f;
  std::size_t i = 0;
  for (const Token& t : tokens_) {
    bool ok = true;
    switch (t.part) {
      case Part::kLiteral:
        ok = i < s.size() && s[i++] == t.literal;
        break;
      case Part::kYear:
        ok = digits(s, i, 4, f.year);
        break;
      case Part::kMonth:
        ok = digits(s, i, 2, f.month);
        break;
      case Part::kDay:
        ok = digits(s, i, 2, f.day);
        break;
      case Part::kHour:
        ok = digits(s, i, 2, f.hour);
        break;
      case Part::kMinute:
        ok = digits(s, i, 2, f.minute);
        break;
      case Part::kSecond:
        ok = digits(s, i, 2, f.second);
        break;
      case Part::kFraction:
        ok = fraction(s, i, 1, 9);
        break;
      case Part::kFraction3:
        ok = fraction(s, i, 3, 3);
        break;
      case Part::kZone:
        ok = zone(s, i);
        break;
    }
    if (!ok) return false;
  }
  return i == s.size() && f.valid();
}

}  // namespace dsfill::codec

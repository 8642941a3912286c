#include "server/validation.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

#include "codec/column_names.h"
#include "codec/exact_number.h"
#include "codec/json_text.h"
#include "server/envelope.h"
#include "server/failures.h"
#include "server/request.h"

namespace dsfill::server {

namespace od = simdjson::ondemand;
using od::raw_json_string;

namespace {

Error column_error(std::size_t i, std::string_view field, const std::string& what) {
  return make_error(ErrorCode::kBadJson,
                    "columns[" + std::to_string(i) + "]." + std::string(field) + ": " + what);
}

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_text(excerpt(s), out);
  return out;
}

const char* subtype_name(Subtype s) {
  switch (s) {
    case Subtype::kText:
      return "text";
    case Subtype::kNumeric:
      return "numeric";
    case Subtype::kDate:
      return "date";
  }
  return "?";
}

}  // namespace

bool is_numeric_text(std::string_view s) {
  std::size_t i = 0;
  const auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t mantissa = 0;
  while (digit(i)) ++i, ++mantissa;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (digit(i)) ++i, ++mantissa;
  }
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

Result<std::vector<ColumnRule>> check_columns(const codec::Columns& columns) {
  if (columns.empty()) return make_error(ErrorCode::kBadJson, "columns: at least one column");
  if (columns.size() > kMaxColumns) {
    // Refused here, before SQLite's own limit turns it into a storage failure.
    return make_error(ErrorCode::kBadJson, "columns: " + std::to_string(columns.size()) +
                                               " columns exceed the limit of " +
                                               std::to_string(kMaxColumns) +
                                               " (SQLite's column limit)");
  }
  std::vector<ColumnRule> rules(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const codec::ColumnSpec& c = columns[i];
    if (c.name.empty() || c.name.size() > codec::kMaxColumnNameBytes) {
      return column_error(i, "name", "must be 1 to 128 bytes");
    }
    if (auto bad = codec::first_hidden_character(c.name)) {
      return column_error(i, "name",
                          fmt::format("must not contain control, bidirectional or zero-width "
                                      "characters (U+{:04X} at byte {})",
                                      static_cast<std::uint32_t>(bad->code_point), bad->byte));
    }
    // A column named rowid, oid or _rowid_ is fine: SQLite lets a declared column shadow that
    // alias of the row id (docs/server.md says how to get insertion order then).
    for (std::size_t j = 0; j < i; ++j) {
      if (codec::same_column_name(columns[j].name, c.name)) {
        return column_error(
            i, "name", json_quoted(c.name) + " repeats columns[" + std::to_string(j) + "].name");
      }
    }
    ColumnRule& rule = rules[i];
    if (c.type == "measure") {
      rule.measure = true;
    } else if (c.type != "dimension") {
      return column_error(i, "type",
                          R"(expected "dimension" or "measure", got )" + json_quoted(c.type));
    }
    if (c.subtype == "text") {
      rule.subtype = Subtype::kText;
    } else if (c.subtype == "numeric") {
      rule.subtype = Subtype::kNumeric;
    } else if (c.subtype == "date") {
      rule.subtype = Subtype::kDate;
    } else {
      return column_error(i, "subtype",
                          R"(expected "text", "numeric" or "date", got )" + json_quoted(c.subtype));
    }
    if (rule.measure && rule.subtype != Subtype::kNumeric) {
      return column_error(i, "subtype",
                          "a measure must be \"numeric\", got " + json_quoted(c.subtype));
    }
    if (rule.subtype == Subtype::kDate) {
      auto format = codec::DateFormat::compile(c.format);
      if (!format) return column_error(i, "format", format.error().message);
      rule.date = std::move(*format);
    } else if (!c.format.empty()) {
      return column_error(i, "format", "only date columns take a format");
    }
  }
  return rules;
}

std::string columns_difference(const codec::Columns& stored, const codec::Columns& requested) {
  const std::size_t n = std::min(stored.size(), requested.size());
  for (std::size_t i = 0; i < n; ++i) {
    const codec::ColumnSpec& a = stored[i];
    const codec::ColumnSpec& b = requested[i];
    const auto diff = [&](const char* field, const std::string& x, const std::string& y) {
      return "columns[" + std::to_string(i) + "]." + field + ": the dataset has " + json_quoted(x) +
             ", the request has " + json_quoted(y);
    };
    if (a.name != b.name) return diff("name", a.name, b.name);
    if (a.alias != b.alias) return diff("alias", a.alias, b.alias);
    if (a.type != b.type) return diff("type", a.type, b.type);
    if (a.subtype != b.subtype) return diff("subtype", a.subtype, b.subtype);
    if (a.format != b.format) return diff("format", a.format, b.format);
  }
  if (stored.size() != requested.size()) {
    return "columns: the dataset has " + std::to_string(stored.size()) +
           " columns, the request has " + std::to_string(requested.size());
  }
  return "";
}

Result<void> validate_rows(od::parser& parser, std::string& json, const codec::Columns& columns,
                           const std::vector<ColumnRule>& rules, const Limits& limits,
                           RowBatch& out, std::int64_t first_file_row) {
  out.columns = columns.size();
  out.values.clear();
  out.text.clear();
  json.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  const auto bad = [](std::string what) {
    return make_error(ErrorCode::kBadJson, "insert-data: " + std::move(what));
  };
  od::document doc;
  if (auto err = parser.iterate(json.data(), json.size(), json.capacity()).get(doc)) {
    return json_parse_error("insert-data: rows JSON does not parse: ", err);
  }
  od::array rows;
  if (auto err = doc.get_array().get(rows)) {
    return bad(std::string("expected a JSON array of rows: ") + simdjson::error_message(err));
  }
  const std::size_t ncols = columns.size();
  // Most rows JSON holds no backslash at all: one memchr then spares every string its own check.
  const bool has_escapes = std::memchr(json.data(), '\\', json.size()) != nullptr;
  std::size_t r = 0;
  // Names row r of the request, and its row in the file when the request says where it starts.
  const auto row_name = [&](std::size_t row) {
    std::string name = "rows[" + std::to_string(row) + "]";
    if (first_file_row > 0) {
      name += " (row " + std::to_string(first_file_row + static_cast<std::int64_t>(row)) +
              " of the file)";
    }
    return name;
  };
  for (auto row_result : rows) {
    const auto where = [&](std::size_t c) {
      return row_name(r) + " column " + std::to_string(c) + " " + json_quoted(columns[c].name) +
             " (" + subtype_name(rules[c].subtype) + ")";
    };
    od::array row;
    if (auto err = row_result.get_array().get(row)) {
      return bad(row_name(r) + ": expected an array of values: " + simdjson::error_message(err));
    }
    if (r >= limits.max_rows) {
      return make_error(
          ErrorCode::kTooLarge,
          "insert-data: more than " + std::to_string(limits.max_rows) + " rows in one request");
    }
    std::size_t c = 0;
    for (auto value_result : row) {
      od::value v;
      if (auto err = value_result.get(v)) {
        return bad(row_name(r) + ": " + simdjson::error_message(err));
      }
      if (c >= ncols) {
        return bad(row_name(r) + ": more values than the " + std::to_string(ncols) + " columns");
      }
      // The token (the value and any whitespace after it) is where the type is read from too.
      const std::string_view token = v.raw_json_token();
      od::json_type type;
      switch (token[0]) {
        case '"':
          type = od::json_type::string;
          break;
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
          type = od::json_type::number;
          break;
        default:
          if (auto err = v.type().get(type)) {
            return bad(where(c) + ": " + simdjson::error_message(err));
          }
      }
      Value& out_value = out.values.emplace_back();
      const ColumnRule& rule = rules[c];
      switch (type) {
        case od::json_type::string: {
          std::string_view s;
          if (unescaped_string_text(token, s, has_escapes)) {
            // No escapes: the text is the bytes between the quotes (stage 1 has checked their
            // UTF-8), so bind them in place instead of copying them to the string buffer.
            raw_json_string ignored;
            if (auto err = v.get_raw_json_string().get(ignored)) {
              return bad(where(c) + ": " + simdjson::error_message(err));
            }
          } else if (auto err = v.get_string().get(s)) {
            return bad(where(c) + ": " + simdjson::error_message(err));
          }
          if (s.size() > limits.max_field_bytes) {
            return make_error(ErrorCode::kTooLarge, "insert-data: " + where(c) + ": value of " +
                                                        std::to_string(s.size()) +
                                                        " bytes exceeds " +
                                                        std::to_string(limits.max_field_bytes));
          }
          if (!s.empty() && rule.subtype == Subtype::kNumeric && !is_numeric_text(s)) {
            return make_error(ErrorCode::kBadNumber, "insert-data: " + where(c) + ": " +
                                                         json_quoted(s) + " is not a number");
          }
          if (!s.empty() && rule.subtype == Subtype::kDate && !rule.date.matches(s)) {
            return make_error(
                ErrorCode::kBadJson,
                "insert-data: " + where(c) + ": " + json_quoted(s) +
                    " is not a date in the format " +
                    json_quoted(columns[c].format.empty() ? "ISO 8601" : columns[c].format));
          }
          out_value.type = Value::Type::kText;
          out_value.data = s.data();
          out_value.size = static_cast<std::uint32_t>(s.size());
          if (!s.empty() && rule.subtype == Subtype::kDate) {
            // Stored in ISO 8601, so that dates sort as text. The text is written to out.text,
            // which may still move: the value keeps its offset until the rows are done.
            const std::size_t at = out.text.size();
            out.text.resize(at + codec::DateFormat::kMaxIsoBytes);
            const std::size_t n = rule.date.to_iso(s, out.text.data() + at);
            out.text.resize(at + n);
            if (n != 0) {
              out_value.data = nullptr;
              out_value.integer = static_cast<std::int64_t>(at);
              out_value.size = static_cast<std::uint32_t>(n);
            }
          }
          break;
        }
        case od::json_type::number: {
          std::string_view raw = token;
          while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' ||
                                  raw.back() == '\r')) {
            raw.remove_suffix(1);
          }
          if (!codec::is_json_number(raw)) {
            return bad(where(c) + ": " + json_quoted(raw) + " is not valid JSON");
          }
          if (rule.subtype == Subtype::kDate) {
            return bad(where(c) + ": a date must be a string, got the number " + json_quoted(raw));
          }
          out_value.data = raw.data();
          out_value.size = static_cast<std::uint32_t>(raw.size());
          if (rule.subtype == Subtype::kText) {
            out_value.type = Value::Type::kText;
            break;
          }
          // The client's transcoder refuses by the same rule (codec/json_text.h), so a batch it
          // sends is never refused here for a number's range.
          if (!codec::json_number_in_range(raw)) {
            return make_error(ErrorCode::kBadNumber, "insert-data: " + where(c) + ": " +
                                                         json_quoted(raw) + " is out of range");
          }
          // Stored without a lost digit: INTEGER, REAL when the double holds every digit, else
          // the literal as TEXT (codec/exact_number.h).
          const codec::ExactNumber exact = codec::exact_number(raw);
          switch (exact.kind) {
            case codec::ExactNumber::Kind::kInteger:
              out_value.type = Value::Type::kInteger;
              out_value.integer = exact.integer;
              break;
            case codec::ExactNumber::Kind::kReal:
              out_value.type = Value::Type::kReal;
              out_value.real = exact.real;
              break;
            case codec::ExactNumber::Kind::kText:
              out_value.type = Value::Type::kText;
              break;
          }
          break;
        }
        case od::json_type::null:
          if (bool is_null = false; v.is_null().get(is_null) || !is_null) {
            return bad(where(c) + ": malformed null");
          }
          out_value.type = Value::Type::kNull;
          break;
        case od::json_type::boolean:
          return bad(where(c) + ": expected a string, a number or null, got a boolean");
        case od::json_type::array:
          return bad(where(c) + ": expected a string, a number or null, got an array");
        case od::json_type::object:
          return bad(where(c) + ": expected a string, a number or null, got an object");
      }
      ++c;
    }
    if (c != ncols) {
      return bad(row_name(r) + ": " + std::to_string(c) + " values, expected " +
                 std::to_string(ncols) + " (one per column)");
    }
    ++r;
  }
  if (doc.current_location().error() == simdjson::SUCCESS)
    return bad("trailing content after the array of rows");
  if (!out.text.empty()) {
    for (Value& v : out.values) {
      if (v.type == Value::Type::kText && v.data == nullptr) {
        v.data = out.text.data() + v.integer;
      }
    }
  }
  return {};
}

}  // namespace dsfill::server

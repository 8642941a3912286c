#include "codec/columns.h"

#include <simdjson.h>

#include "codec/column_names.h"

namespace dsfill::codec {

namespace {

Error column_error(std::size_t index, std::string what) {
  return make_error(ErrorCode::kBadJson,
                    "column " + std::to_string(index) + ": " + std::move(what));
}

// Reads the string member `key` of `obj` into `out`; absent is an error only when `required`.
Result<void> read_string(simdjson::dom::object obj, std::size_t index, const char* key,
                         bool required, std::string& out) {
  simdjson::dom::element value;
  if (obj[key].get(value) != simdjson::SUCCESS) {
    if (!required) return {};
    return column_error(index, std::string("missing \"") + key + "\"");
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    return column_error(index, std::string("\"") + key + "\" is not a string");
  }
  out.assign(text);
  return {};
}

}  // namespace

Result<Columns> parse_columns_json(std::string_view json) {
  // Specs and requests are small and parsed once per load or request: a padded copy is fine.
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS) {
    return make_error(ErrorCode::kBadJson,
                      std::string("columns are not valid JSON: ") + simdjson::error_message(err));
  }
  simdjson::dom::array array;
  if (doc.get_array().get(array) != simdjson::SUCCESS) {
    return make_error(ErrorCode::kBadJson, "columns must be a JSON array of objects");
  }
  Columns columns;
  columns.reserve(array.size());
  std::size_t index = 0;
  for (simdjson::dom::element item : array) {
    simdjson::dom::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) {
      return column_error(index, "not a JSON object");
    }
    ColumnSpec& c = columns.emplace_back();
    if (auto r = read_string(obj, index, "name", true, c.name); !r) return r.error();
    if (auto r = read_string(obj, index, "alias", true, c.alias); !r) return r.error();
    if (auto r = read_string(obj, index, "type", true, c.type); !r) return r.error();
    if (auto r = read_string(obj, index, "subtype", true, c.subtype); !r) return r.error();
    if (auto r = read_string(obj, index, "format", false, c.format); !r) return r.error();
    ++index;
  }
  return columns;
}

void append_columns_json(const Columns& columns, std::string& out) {
  out += '[';
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& c = columns[i];
    if (i > 0) out += ',';
    out += "{\"name\":";
    append_json_string(c.name, out);
    out += ",\"alias\":";
    append_json_string(c.alias, out);
    out += ",\"type\":";
    append_json_string(c.type, out);
    out += ",\"subtype\":";
    append_json_string(c.subtype, out);
    if (!c.format.empty()) {
      out += ",\"format\":";
      append_json_string(c.format, out);
    }
    out += '}';
  }
  out += ']';
}

Columns columns_from_header(const std::vector<std::string>& names) {
  Columns columns;
  columns.reserve(names.size());
  for (const std::string& name : names) {
    columns.push_back(ColumnSpec{name, column_alias(name), "dimension", "text", ""});
  }
  return columns;
}

std::vector<ValueKind> value_kinds(const Columns& columns) {
  std::vector<ValueKind> kinds;
  kinds.reserve(columns.size());
  for (const ColumnSpec& c : columns) {
    if (c.type == "measure" && c.subtype == "numeric") {
      kinds.push_back(ValueKind::kNumber);
    } else if (c.subtype == "date") {
      kinds.push_back(ValueKind::kDate);
    } else {
      kinds.push_back(ValueKind::kString);
    }
  }
  return kinds;
}

Result<std::vector<DateFormat>> date_formats(const Columns& columns) {
  std::vector<DateFormat> formats;
  formats.reserve(columns.size());
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& c = columns[i];
    auto format = DateFormat::compile(c.subtype == "date" ? std::string_view(c.format) : "");
    if (!format) {
      return make_error(ErrorCode::kBadArgument, "column " + std::to_string(i + 1) + " \"" +
                                                     c.name + "\": date format \"" + c.format +
                                                     "\": " + format.error().message);
    }
    formats.push_back(std::move(*format));
  }
  return formats;
}

}  // namespace dsfill::codec

#include "tests/oracle/rows_json_reader.h"

#include <simdjson.h>

#include "codec/json_text.h"

namespace dsfill::codec {

namespace {

Error bad_rows(std::string what, std::size_t row, std::int64_t offset = -1) {
  return make_error(ErrorCode::kBadJson,
                    "rows JSON, row " + std::to_string(row + 1) + ": " + std::move(what), -1,
                    offset);
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<std::vector<JsonRow>> parse_rows_json(std::string_view json) {
  namespace od = simdjson::ondemand;
  const simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc;
  if (auto err = parser.iterate(padded).get(doc); err != simdjson::SUCCESS) {
    return make_error(ErrorCode::kBadJson,
                      std::string("rows JSON does not parse: ") + simdjson::error_message(err));
  }
  od::array rows;
  if (auto err = doc.get_array().get(rows); err != simdjson::SUCCESS) {
    return make_error(ErrorCode::kBadJson, "rows JSON is not an array");
  }
  const char* base = padded.data();
  std::vector<JsonRow> out;
  std::size_t index = 0;
  for (auto row_result : rows) {
    od::array row;
    if (auto err = row_result.get_array().get(row); err != simdjson::SUCCESS) {
      return bad_rows(std::string("not an array: ") + simdjson::error_message(err), index);
    }
    JsonRow& values = out.emplace_back();
    for (auto value_result : row) {
      od::value value;
      od::json_type type;
      if (auto err = value_result.get(value); err != simdjson::SUCCESS) {
        return bad_rows(simdjson::error_message(err), index);
      }
      if (auto err = value.type().get(type); err != simdjson::SUCCESS) {
        return bad_rows(simdjson::error_message(err), index);
      }
      const std::string_view token = trim_right(value.raw_json_token());
      const auto offset = static_cast<std::int64_t>(token.data() - base);
      switch (type) {
        case od::json_type::string: {
          std::string_view text;
          if (auto err = value.get_string().get(text); err != simdjson::SUCCESS) {
            return bad_rows(std::string("bad string: ") + simdjson::error_message(err), index,
                            offset);
          }
          values.push_back(JsonValue{std::string(text), true, false});
          break;
        }
        case od::json_type::number:
          // Keep the literal: a decoder must not round what the encoder wrote.
          if (!is_json_number(token)) {
            return bad_rows("bad number " + std::string(token.substr(0, 40)), index, offset);
          }
          values.push_back(JsonValue{std::string(token), false, false});
          break;
        case od::json_type::null: {
          bool is_null = false;
          if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) {
            return bad_rows("bad literal " + std::string(token.substr(0, 40)), index, offset);
          }
          values.push_back(JsonValue{std::string(), false, true});
          break;
        }
        default:
          return bad_rows("values must be strings, numbers or null", index, offset);
      }
    }
    ++index;
  }
  // Refuse anything after the array: on-demand parsing stops at its closing bracket otherwise.
  const char* end = nullptr;
  if (doc.current_location().get(end) != simdjson::OUT_OF_BOUNDS) {
    return make_error(ErrorCode::kBadJson, "unexpected content after the rows array", -1,
                      end != nullptr ? static_cast<std::int64_t>(end - base) : -1);
  }
  return out;
}

}  // namespace dsfill::codec

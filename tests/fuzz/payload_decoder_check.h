// The check behind payload_decoder_fuzz: the server's decoding of insert-data.
//
// decode_insert_data (base64 + gunzip under small caps) and parse_rows_json must never crash or
// allocate past the caps whatever the bytes (the fuzz target runs with -malloc_limit_mb), and:
// - a decoded payload never exceeds GunzipLimits::max_output;
// - a payload we encode ourselves (gzip + base64) decodes back to exactly its bytes, or is refused
//   as kTooLarge when it is over the caps;
// - parse_rows_json accepts exactly what simdjson's DOM parser reads as an array of arrays of
//   strings, numbers and null, with the same strings; and its rows, written back as JSON,
//   parse to the same rows.
//
// Input layout: [mode][bytes...]. mode & 3: 0 the bytes are insert-data as sent (compressed),
// 1 the bytes are gzip data (we base64 them), 2 the bytes are rows JSON (we gzip and base64
// them), 3 the bytes are uncompressed insert-data. (mode >> 2) & 3 picks the ratio cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "codec/payload_decoder.h"
#include "codec/rows_json.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/oracle/rows_json_reader.h"

namespace dsfill::fuzz {

inline constexpr std::size_t kFuzzDecodeCap = 1u << 20;

// Writes rows back as JSON text (strings escaped by the codec, numbers as their literal).
inline std::string rows_to_json(const std::vector<codec::JsonRow>& rows) {
  std::string out = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i != 0) out += ',';
    out += '[';
    for (std::size_t j = 0; j < rows[i].size(); ++j) {
      if (j != 0) out += ',';
      const codec::JsonValue& v = rows[i][j];
      if (v.is_null) {
        out += "null";
      } else if (v.is_string) {
        codec::append_json_string(v.text, out);
      } else {
        out += v.text;
      }
    }
    out += ']';
  }
  return out + "]";
}

// Checks parse_rows_json against simdjson's DOM reading of the same text.
inline void check_rows_parse(std::string_view json) {
  const auto got = codec::parse_rows_json(json);
  simdjson::dom::parser dom;
  simdjson::dom::element root;
  simdjson::dom::array rows;
  bool shape_ok = dom.parse(json.data(), json.size()).get(root) == simdjson::SUCCESS &&
                  root.get_array().get(rows) == simdjson::SUCCESS;
  std::vector<codec::JsonRow> want;
  if (shape_ok) {
    for (simdjson::dom::element row : rows) {
      simdjson::dom::array row_values;
      if (row.get_array().get(row_values) != simdjson::SUCCESS) {
        shape_ok = false;
        break;
      }
      codec::JsonRow& values = want.emplace_back();
      for (simdjson::dom::element v : row_values) {
        if (v.is_string()) {
          values.push_back({std::string(v.get_string().value_unsafe()), true, false});
        } else if (v.is_null()) {
          values.push_back({std::string(), false, true});
        } else if (v.is_number()) {
          values.push_back({std::string(), false, false});  // literal text: compared below
        } else {
          shape_ok = false;
          break;
        }
      }
      if (!shape_ok) break;
    }
  }
  const std::string context = "json " + show(json) +
                              "\nparse_rows_json: " + (got ? "ok" : describe(got.error())) +
                              "\nsimdjson DOM: " + (shape_ok ? "rows" : "not rows");
  if (!shape_ok) {
    // Numbers simdjson's DOM cannot represent (huge exponents) are the one thing the literal-
    // keeping decoder may accept beyond it.
    if (got) {
      for (const auto& row : *got) {
        for (const auto& v : row) {
          if (!v.is_string && !v.is_null) {
            FUZZ_CHECK(codec::is_json_number(v.text), "bad number kept; " + context);
          }
        }
      }
      FUZZ_CHECK(simdjson::validate_utf8(json.data(), json.size()),
                 "accepted invalid UTF-8; " + context);
      simdjson::dom::parser strict;
      const auto err = strict.parse(json.data(), json.size()).error();
      FUZZ_CHECK(err == simdjson::NUMBER_ERROR || err == simdjson::NUMBER_OUT_OF_RANGE,
                 "parse_rows_json accepts what is not rows JSON; " + context);
    }
    return;
  }
  FUZZ_CHECK(got.has_value(), "parse_rows_json rejects rows JSON; " + context);
  FUZZ_CHECK(got->size() == want.size(), "row counts differ; " + context);
  for (std::size_t i = 0; i < want.size(); ++i) {
    FUZZ_CHECK((*got)[i].size() == want[i].size(), "row widths differ; " + context);
    for (std::size_t j = 0; j < want[i].size(); ++j) {
      const codec::JsonValue& g = (*got)[i][j];
      const codec::JsonValue& w = want[i][j];
      FUZZ_CHECK(
          g.is_string == w.is_string && g.is_null == w.is_null,
          "value kinds differ at " + std::to_string(i) + "," + std::to_string(j) + "; " + context);
      if (w.is_string) FUZZ_CHECK(g.text == w.text, "strings differ; " + context);
      if (!w.is_string && !w.is_null) {
        FUZZ_CHECK(codec::is_json_number(g.text),
                   "number literal " + show(g.text) + "; " + context);
      }
    }
  }
  // Round trip: the rows written back parse to the same rows.
  const std::string again = rows_to_json(*got);
  const auto reparsed = codec::parse_rows_json(again);
  FUZZ_CHECK(reparsed && *reparsed == *got,
             "rows do not survive a round trip: " + show(again) + "; " + context);
}

inline void check_payload_decoder(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint8_t mode = in.byte();
  const std::string_view bytes = in.rest();
  static constexpr double kRatios[] = {1000.0, 200.0, 10.0, 1.5};
  const codec::GunzipLimits limits{kFuzzDecodeCap, kRatios[(mode >> 2) & 3]};

  std::string insert_data;
  bool compressed = true;
  switch (mode & 3) {
    case 0:
      insert_data.assign(bytes);
      break;
    case 1:
      codec::base64_encode(bytes, insert_data);
      break;
    case 2: {
      codec::GzipCompressor gz(((mode >> 4) % 13));
      std::string packed;
      gz.compress(bytes, packed);
      codec::base64_encode(packed, insert_data);
      break;
    }
    default:
      insert_data.assign(bytes);
      compressed = false;
      break;
  }

  std::string json = "stale";
  const auto r = codec::decode_insert_data(insert_data, compressed, limits, json);
  if (r) {
    FUZZ_CHECK(!compressed || json.size() <= limits.max_output,
               "decoded " + std::to_string(json.size()) + " bytes past the cap");
  }
  if ((mode & 3) == 2 || (mode & 3) == 3) {
    // We encoded these bytes ourselves: they come back, unless over the caps.
    if (r) {
      FUZZ_CHECK(json == bytes, "round trip changed the payload: " + show(json));
    } else {
      FUZZ_CHECK(r.error().code == ErrorCode::kTooLarge,
                 "own payload refused: " + describe(r.error()));
    }
  }
  if (!r) {
    const ErrorCode c = r.error().code;
    FUZZ_CHECK(c == ErrorCode::kBadBase64 || c == ErrorCode::kBadGzip || c == ErrorCode::kTooLarge,
               "unexpected error code: " + describe(r.error()));
    return;
  }
  check_rows_parse(json);
}

}  // namespace dsfill::fuzz

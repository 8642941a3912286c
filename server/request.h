// Parsing of the JSON request bodies (simdjson On-Demand, fields in any order, unknown fields
// ignored, duplicated fields refused).
//
//   POST /dataset-fill {"user-code","dataset-code","columns","insert-data","append","compressed"}
//                          all required; append and compressed are booleans
//   POST /dataset-complete {"user-code","dataset-code"}
//   POST /datasets         {"user-code","dataset-code","columns"}
//
// user-code and dataset-code: 1-128 characters from [A-Za-z0-9._~-] (they also appear in URLs).
#pragma once

#include <string>
#include <string_view>

#include <simdjson.h>
#include "codec/columns.h"

#include "codec/error.h"

namespace dsfill::server {

struct FillRequest {
  std::string user_code;
  std::string dataset_code;
  codec::Columns columns;
  std::string_view insert_data;  // unescaped; points into the parser's string buffer
  bool append = false;
  bool compressed = false;
};

struct DatasetRequest {  // /dataset-complete and /datasets (columns only for the latter)
  std::string user_code;
  std::string dataset_code;
  codec::Columns columns;
};

// Parses a /dataset-fill body. `body` capacity is grown for simdjson's padding; `parser` must
// outlive the returned insert_data view.
Result<FillRequest> parse_fill_request(simdjson::ondemand::parser& parser, std::string& body);

// Parses a /dataset-complete (`with_columns` false) or /datasets (true) body.
Result<DatasetRequest> parse_dataset_request(simdjson::ondemand::parser& parser, std::string& body,
                                             bool with_columns);

// Returns true if `code` is a valid user-code or dataset-code.
bool is_valid_code(std::string_view code);

}  // namespace dsfill::server

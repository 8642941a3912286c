#include "codec/request_body.h"

namespace dsfill::codec {

BodyTemplate make_body_template(std::string_view user_code, std::string_view dataset_code,
                                const Columns& columns, bool compressed) {
  BodyTemplate t;
  t.compressed = compressed;
  t.prefix = "{\"user-code\":";
  append_json_string(user_code, t.prefix);
  t.prefix += ",\"dataset-code\":";
  append_json_string(dataset_code, t.prefix);
  t.prefix += ",\"columns\":";
  append_columns_json(columns, t.prefix);
  t.prefix += R"(,"insert-data":")";
  const char* tail = compressed ? ",\"compressed\":true}" : ",\"compressed\":false}";
  t.suffix_append = std::string(R"(","append":true)") + tail;
  t.suffix_replace = std::string(R"(","append":false)") + tail;
  return t;
}

std::string make_complete_body(std::string_view user_code, std::string_view dataset_code) {
  std::string body = "{\"user-code\":";
  append_json_string(user_code, body);
  body += ",\"dataset-code\":";
  append_json_string(dataset_code, body);
  body += '}';
  return body;
}

}  // namespace dsfill::codec

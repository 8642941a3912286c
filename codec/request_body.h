// The complete POST /dataset-fill body, written once into one buffer:
//   {"user-code":U,"dataset-code":D,"columns":[...],"insert-data":"<payload>","append":A,"compressed":C}
// The fixed parts are rendered once per load (BodyTemplate); each batch writes its payload between.
#pragma once

#include <string>
#include <string_view>

#include "codec/columns.h"

namespace dsfill::codec {

struct BodyTemplate {
  std::string prefix;          // everything up to and including the opening quote of insert-data
  std::string suffix_append;   // closing quote, "append":true, "compressed":..., closing brace
  std::string suffix_replace;  // the same with "append":false
  bool compressed = true;
};

BodyTemplate make_body_template(std::string_view user_code, std::string_view dataset_code,
                                const Columns& columns, bool compressed);

// Appends the body of POST /dataset-complete.
std::string make_complete_body(std::string_view user_code, std::string_view dataset_code);

}  // namespace dsfill::codec

// How a JSON number literal is stored without losing a digit (the reference server's numeric
// columns): as an int64 when it is an integer literal that fits one, as a double when the double
// holds every significant digit of the literal, and otherwise as the literal's text.
//
// "Holds every digit" means the shortest text that reads back as the double (std::to_chars) has
// the same significant digits and decimal exponent as the literal, leading and trailing zeros
// aside: "100.00" (100), "0.1", "1e5" and "-2.50" are doubles; "12345678901234567890" (a double
// would read 1.2345678901234567e19) and "1.00000000000000000001" are text.
#pragma once

#include <cstdint>
#include <string_view>

namespace dsfill::codec {

struct ExactNumber {
  enum class Kind : std::uint8_t { kInteger, kReal, kText };
  Kind kind = Kind::kText;
  std::int64_t integer = 0;  // kInteger
  double real = 0;           // kReal
};

// Returns how to store `literal` exactly. REQUIRES: is_json_number(literal) and
// json_number_in_range(literal) (codec/json_text.h). No allocation.
ExactNumber exact_number(std::string_view literal);

}  // namespace dsfill::codec

#include "server/envelope.h"

#include "codec/json_text.h"

namespace dsfill::server {

// The one escaper (codec/json_text.h), with its policy for text that is not data.
void append_json_text(std::string_view text, std::string& out) {
  codec::append_json_text(text, out);
}

std::string excerpt(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t cut = max_bytes;
  // Back up over continuation bytes so the cut never splits a character.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

std::string error_envelope(std::string_view message) {
  std::string out = R"({"data":{"status":"error","message":)";
  append_json_text(message, out);
  out += "}}";
  return out;
}

std::string success_envelope(std::string_view details_json) {
  std::string out = R"({"data":{"status":"success","details":)";
  out += details_json;
  out += "}}";
  return out;
}

std::string fill_details(std::string_view dataset_code, std::uint64_t rows_count,
                         std::uint64_t rows_inserted) {
  std::string out = R"({"dataset-code":)";
  append_json_text(dataset_code, out);
  out += R"(,"rows-count":)";
  out += std::to_string(rows_count);
  out += R"(,"rows-inserted":)";
  out += std::to_string(rows_inserted);
  out += '}';
  return out;
}

}  // namespace dsfill::server

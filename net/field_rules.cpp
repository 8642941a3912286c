#include "net/field_rules.h"

namespace dsfill::net {

namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7F; }

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (!is_tchar(c)) return false;
  }
  return true;
}

bool is_field_value(std::string_view value) {
  for (unsigned char c : value) {
    if (is_control(c) && c != '\t') return false;
  }
  return true;
}

bool is_credential(std::string_view token) {
  if (token.empty()) return false;
  for (unsigned char c : token) {
    if (is_control(c)) return false;
  }
  return true;
}

}  // namespace dsfill::net

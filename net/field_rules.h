// What HTTP/1.1 allows in a header field (RFC 9110 section 5), checked before anything is sent:
// a CR or LF in a value would end the header early and let the rest of it inject fields of its
// own, and a NUL or another control character is refused or misread by servers and proxies.
#pragma once

#include <string_view>

namespace dsfill::net {

// Returns true when `name` is a field name: one or more tchar (letters, digits and
// !#$%&'*+-.^_`|~).
bool is_field_name(std::string_view name);

// Returns true when `value` may be sent as a field value: no control character (U+0000-U+001F,
// U+007F) other than horizontal tab. Bytes 0x80-0xFF (obs-text) are allowed.
bool is_field_value(std::string_view value);

// Returns true when `token` may be sent as a bearer credential: not empty, and no control
// character at all, tab included (RFC 6750's b64token is narrower still, but tenants' tokens are
// opaque to us; only what would break the header is refused).
bool is_credential(std::string_view token);

}  // namespace dsfill::net

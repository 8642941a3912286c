// Bearer-token authentication of the reference server (--tokens FILE).
//
// The file holds one `user-code token` pair per line (blank lines and lines starting with '#'
// are skipped). A request must carry `Authorization: Bearer TOKEN` with the token of the
// user-code it acts for: 401 when the header is missing or malformed, 403 when the token is not
// that user's. Tokens are compared as SHA-256 digests with CRYPTO_memcmp, so neither their
// content nor their length leaks through timing; they are never logged.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/error.h"
#include "server/store.h"

namespace dsfill::server {

class TokenTable {
 public:
  // Reads a tokens file; errors name the file and line.
  static Result<TokenTable> load(const std::string& path);
  // Adds one user's token (tests and tools).
  void add(std::string_view user_code, std::string_view token);

  bool empty() const { return digests_.empty(); }

  // Returns the bearer token of an Authorization header value, or false when it is malformed.
  static bool bearer_token(std::string_view header, std::string_view& token);

  // Returns true if `token` is `user_code`'s token (constant time in the token).
  bool allows(std::string_view user_code, std::string_view token) const;

  // Returns true if `token` is some user's token: what the header alone can tell, before the
  // body names the user-code (compares with every entry, in time independent of which).
  bool knows(std::string_view token) const;

 private:
  std::unordered_map<std::string, Sha256> digests_;
};

// Returns the SHA-256 of `data`.
Sha256 sha256(std::string_view data);

// Returns the SHA-256 of `parts`, each length-prefixed (so {"ab","c"} and {"a","bc"} differ).
Sha256 sha256_of_parts(std::initializer_list<std::string_view> parts);

}  // namespace dsfill::server

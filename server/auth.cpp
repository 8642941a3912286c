#include "server/auth.h"

#include <cstdint>
#include <fstream>
#include <sstream>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "server/request.h"

namespace dsfill::server {

Sha256 sha256(std::string_view data) {
  Sha256 out{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr);
  return out;
}

Sha256 sha256_of_parts(std::initializer_list<std::string_view> parts) {
  Sha256 out{};
  unsigned int n = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (std::string_view part : parts) {
    const std::uint64_t size = part.size();
    EVP_DigestUpdate(ctx, &size, sizeof size);
    EVP_DigestUpdate(ctx, part.data(), part.size());
  }
  EVP_DigestFinal_ex(ctx, out.data(), &n);
  EVP_MD_CTX_free(ctx);
  return out;
}

Result<TokenTable> TokenTable::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kIo, "cannot read tokens file " + path);
  TokenTable table;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream fields(line);
    std::string user, token, extra;
    if (!(fields >> user) || user.front() == '#') continue;
    if (!(fields >> token) || (fields >> extra) || !is_valid_code(user)) {
      return make_error(
          ErrorCode::kBadArgument,
          path + " line " + std::to_string(number) +
              ": expected `user-code token` (the line is not shown: it holds a token)");
    }
    table.add(user, token);
  }
  return table;
}

void TokenTable::add(std::string_view user_code, std::string_view token) {
  digests_[std::string(user_code)] = sha256(token);
}

bool TokenTable::bearer_token(std::string_view header, std::string_view& token) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return false;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return false;
  }
  token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return !token.empty() && token.find(' ') == std::string_view::npos;
}

bool TokenTable::allows(std::string_view user_code, std::string_view token) const {
  const Sha256 given = sha256(token);
  static const Sha256 kNobody = sha256("\x01 no user \x01");
  auto it = digests_.find(std::string(user_code));
  // Compare against a dummy digest for unknown users, so they take the same time.
  const Sha256& expected = it == digests_.end() ? kNobody : it->second;
  const bool equal = CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
  return equal && it != digests_.end();
}

bool TokenTable::knows(std::string_view token) const {
  const Sha256 given = sha256(token);
  bool found = false;
  for (const auto& [user, expected] : digests_) {  // every entry: the time says nothing
    found |= CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
  }
  return found;
}

}  // namespace dsfill::server

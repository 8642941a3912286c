#include "loader/prefix_hash.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace dsfill::loader {

namespace {

constexpr std::size_t kBufferBytes = 1 << 20;

std::string hex(const unsigned char* data, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

}  // namespace

struct PrefixHasher::State {
  int fd = -1;
  EVP_MD_CTX* ctx = nullptr;
  std::int64_t hashed = 0;
  std::vector<char> buffer;
  ~State() {
    if (fd >= 0) ::close(fd);
    EVP_MD_CTX_free(ctx);
  }
};

PrefixHasher::PrefixHasher(std::string path) : path_(std::move(path)) {}
PrefixHasher::~PrefixHasher() = default;

Result<std::string> PrefixHasher::hash_to(std::int64_t end) {
  if (!state_) {
    auto s = std::make_unique<State>();
    s->fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
      return make_error(ErrorCode::kIo, "cannot open " + path_ + ": " + std::strerror(errno));
    }
    s->ctx = EVP_MD_CTX_new();
    if (s->ctx == nullptr || EVP_DigestInit_ex(s->ctx, EVP_sha256(), nullptr) != 1) {
      return make_error(ErrorCode::kInternal, "cannot start a SHA-256");
    }
    s->buffer.resize(kBufferBytes);
    state_ = std::move(s);
  }
  State& s = *state_;
  if (end < s.hashed) {
    return make_error(ErrorCode::kInternal, "the acknowledged prefix of " + path_ + " went back");
  }
  while (s.hashed < end) {
    const auto want =
        static_cast<std::size_t>(std::min<std::int64_t>(end - s.hashed, kBufferBytes));
    const ssize_t n = ::pread(s.fd, s.buffer.data(), want, s.hashed);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return make_error(ErrorCode::kIo, "cannot read " + path_ + ": " + std::strerror(errno));
    }
    if (n == 0) {
      return make_error(ErrorCode::kIo, path_ + " ends at byte " + std::to_string(s.hashed) +
                                            ", before " + std::to_string(end));
    }
    EVP_DigestUpdate(s.ctx, s.buffer.data(), static_cast<std::size_t>(n));
    s.hashed += n;
  }
  // Finish a copy: the running hash goes on from here.
  EVP_MD_CTX* copy = EVP_MD_CTX_new();
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  const bool ok = copy != nullptr && EVP_MD_CTX_copy_ex(copy, s.ctx) == 1 &&
                  EVP_DigestFinal_ex(copy, digest.data(), &len) == 1;
  EVP_MD_CTX_free(copy);
  if (!ok) return make_error(ErrorCode::kInternal, "cannot finish a SHA-256");
  return hex(digest.data(), len);
}

Result<std::string> file_prefix_sha256(const std::string& path, std::int64_t bytes) {
  PrefixHasher hasher(path);
  return hasher.hash_to(bytes);
}

}  // namespace dsfill::loader

#include "loader/load_id.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace dsfill::loader {

namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string to_hex(const unsigned char* data, std::size_t n, std::size_t hex_digits) {
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  if (out.size() > hex_digits) out.resize(hex_digits);
  return out;
}

// Appends `field` with its length so that ("ab","c") and ("a","bc") hash differently.
void add_field(std::string& key, std::string_view field) {
  key += std::to_string(field.size());
  key += ':';
  key += field;
  key += ';';
}

}  // namespace

std::string sha256_hex(std::string_view data, std::size_t hex_digits) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return to_hex(digest.data(), len, hex_digits);
}

Result<std::string> make_load_id(const LoadOptions& options) {
  std::string key = "dsfill-load-v1;";
  std::array<unsigned char, 16> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return make_error(ErrorCode::kInternal, "no random bytes for the load id");
  }
  add_field(key, to_hex(random.data(), random.size(), 32));
  if (options.input == "-") return sha256_hex(key, 32);
  std::error_code ec;
  const auto absolute = std::filesystem::absolute(options.input, ec);
  struct stat st {};
  if (ec || ::stat(options.input.c_str(), &st) != 0) {
    return make_error(ErrorCode::kIo, "cannot stat " + options.input + ": " + std::strerror(errno));
  }
  add_field(key, absolute.string());
  add_field(key, std::to_string(st.st_size));
  add_field(key, std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  add_field(key, options.url);
  add_field(key, options.user_code);
  add_field(key, options.dataset_code);
  add_field(key, options.replace ? "replace" : "append");
  add_field(key, std::to_string(options.chunker.batch_rows));
  add_field(key, std::to_string(options.chunker.batch_bytes));
  add_field(key, !options.compress    ? "plain"
                 : options.auto_level ? "auto"
                                      : std::to_string(options.level));
  return sha256_hex(key, 32);
}

std::string file_key_id(std::string_view load_id, std::size_t index, const FileIdentity& file) {
  std::string key = "dsfill-file-v1;";
  add_field(key, load_id);
  add_field(key, std::to_string(index));
  add_field(key, file.path);
  add_field(key, std::to_string(file.size));
  add_field(key, file.mtime);
  return sha256_hex(key, 32);
}

std::string idempotency_key(std::string_view load_id, std::int64_t byte_begin,
                            std::int64_t byte_end) {
  std::string key(load_id);
  key += ':';
  key += std::to_string(byte_begin);
  key += '-';
  key += std::to_string(byte_end);
  return sha256_hex(key, 32);
}

}  // namespace dsfill::loader

// Replays fuzz inputs through the fuzz targets' check functions (a check failure aborts).
// Usage: fuzz_regressions TARGET PATH...   (TARGET: csv_scanner, rows_json, payload_decoder,
// server_request; each PATH is a file or a folder whose files are all replayed).
// Fails when a check fails or when no input was found, so a moved folder cannot pass silently.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fuzz/csv_scanner_check.h"
#include "tests/fuzz/payload_decoder_check.h"
#include "tests/fuzz/rows_json_check.h"
#include "tests/fuzz/server_request_check.h"

namespace {

using CheckFn = void (*)(const std::uint8_t*, std::size_t);

CheckFn find_check(std::string_view target) {
  if (target == "csv_scanner") return dsfill::fuzz::check_csv_scanner;
  if (target == "rows_json") return dsfill::fuzz::check_rows_json;
  if (target == "payload_decoder") return dsfill::fuzz::check_payload_decoder;
  if (target == "server_request") return dsfill::fuzz::check_server_request;
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s TARGET PATH...\n", argv[0]);
    return 2;
  }
  const CheckFn check = find_check(argv[1]);
  if (check == nullptr) {
    std::fprintf(stderr, "unknown target %s\n", argv[1]);
    return 2;
  }
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    const fs::path path(argv[i]);
    if (fs::is_directory(path)) {
      for (const auto& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') {
          files.push_back(entry.path());
        }
      }
    } else if (fs::is_regular_file(path)) {
      files.push_back(path);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no inputs found for %s\n", argv[1]);
    return 1;
  }
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "%s\n", file.c_str());  // names the input before a check can abort
    check(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs passed\n", argv[1], files.size());
  return 0;
}

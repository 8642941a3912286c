// libFuzzer entry point; the check itself lives in tests/fuzz/rows_json_check.h (shared with the
// regression runner).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/rows_json_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dsfill::fuzz::check_rows_json(data, size);
  return 0;
}

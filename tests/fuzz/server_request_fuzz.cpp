// libFuzzer entry point; the check itself lives in tests/fuzz/server_request_check.h (shared with
// the regression runner).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/server_request_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dsfill::fuzz::check_server_request(data, size);
  return 0;
}

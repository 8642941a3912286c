// libFuzzer entry point; the check itself lives in tests/fuzz/payload_decoder_check.h (shared with
// the regression runner).
#include <cstddef>
#include <cstdint>

#include "tests/fuzz/payload_decoder_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dsfill::fuzz::check_payload_decoder(data, size);
  return 0;
}

#include "codec/plain_records.h"

#include <initializer_list>

#include "codec/simd_dispatch.h"
#include "codec/utf8.h"

namespace dsfill::codec::detail {

bool plain_records_supported() { return active_kernels().write_plain_records != nullptr; }

bool utf8_valid_around(const char* block, const char* begin, const char* end) {
  // A sequence has at most three continuation bytes (10xxxxxx): step back to its lead byte and
  // on past the last one; any more and the window starts or ends inside an invalid run.
  const auto continuation = [](const char* c) {
    return (static_cast<unsigned char>(*c) & 0xC0) == 0x80;
  };
  const char* from = utf8_sequence_start(block, begin);
  const char* to = block + 64;
  for (int i = 0; i < 3 && to < end && continuation(to); ++i) ++to;
  return utf8_valid(std::string_view(from, static_cast<std::size_t>(to - from)));
}

PlainRun write_plain_records(const char*& p, const char* end, char*& o, const char* lim, bool first,
                             std::size_t& expected, std::size_t max_record, char delim, char quote,
                             bool utf8) {
  const PlainRecordsKernel kernel = active_kernels().write_plain_records;
  if (kernel == nullptr) return {};
  return kernel(p, end, o, lim, first, expected, max_record, delim, quote, utf8);
}

}  // namespace dsfill::codec::detail

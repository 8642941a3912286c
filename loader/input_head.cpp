#include "loader/input_head.h"

#include "loader/input_reader.h"

namespace dsfill::loader {

Result<InputHead> read_input_head(const std::string& path, std::size_t max_bytes) {
  auto reader = InputReader::open(path);
  if (!reader) return reader.error();
  InputHead head;
  head.compression = reader->compression();
  head.bytes.resize(max_bytes);
  std::size_t got = 0;
  while (got < max_bytes) {
    auto n = reader->read(head.bytes.data() + got, max_bytes - got);
    if (!n) return n.error();
    if (*n == 0) {
      head.whole = true;
      break;
    }
    got += *n;
  }
  head.bytes.resize(got);
  return head;
}

}  // namespace dsfill::loader

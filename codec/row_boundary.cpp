#include "codec/row_boundary.h"

#include "codec/simd_dispatch.h"

namespace dsfill::codec {

RecordCut find_record_cut(std::string_view block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect) {
  return active_kernels().find_record_cut(block, max_records, at_eof, dialect, false);
}

RecordCut find_record_cut(PaddedView block, std::size_t max_records, bool at_eof,
                          const CsvDialect& dialect) {
  return active_kernels().find_record_cut(block.bytes(), max_records, at_eof, dialect, true);
}

}  // namespace dsfill::codec

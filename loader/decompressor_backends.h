// The decoders behind make_decompressor, one file each (decompress_gzip.cpp, ...). Internal to
// loader/: callers use decompressor.h.
#pragma once

#include <memory>

#include "loader/decompressor.h"

namespace dsfill::loader::detail {

Result<std::unique_ptr<Decompressor>> make_gzip_decoder();
Result<std::unique_ptr<Decompressor>> make_zstd_decoder();
Result<std::unique_ptr<Decompressor>> make_bzip2_decoder();
Result<std::unique_ptr<Decompressor>> make_xz_decoder();
// UTF-16 after its byte order mark, to UTF-8 (decompress_utf16.cpp).
Result<std::unique_ptr<Decompressor>> make_utf16_decoder(bool big_endian);

// Returns the kBadCompressed error "corrupt <codec> data: <why>".
Error corrupt(const char* codec, std::string_view why);

}  // namespace dsfill::loader::detail

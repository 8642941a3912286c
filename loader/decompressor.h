// Compressed inputs: which codec a file's first bytes name (its magic bytes, never its
// extension), and a streaming decoder per codec that InputReader runs in the reader stage.
// UTF-16 text is decoded the same way (to UTF-8), told by its byte order mark (FF FE: little
// endian, FE FF: big endian); a compressed UTF-16 file is not (decompress it first).
//
// A decoder is a pure transform (no I/O, no threads): the reader hands it compressed bytes and
// an output buffer, so memory stays one input and one output buffer whatever the file's size.
// Concatenated streams decode as one: the gzip members pigz and bgzip write, several zstd
// frames, several bzip2 or xz streams.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/error.h"

namespace dsfill::loader {

enum class Compression : std::uint8_t { kNone, kGzip, kZstd, kBzip2, kXz, kUtf16Le, kUtf16Be };

// Returns whether `c` is UTF-16 text (transcoded, not compressed).
inline bool is_utf16(Compression c) {
  return c == Compression::kUtf16Le || c == Compression::kUtf16Be;
}

// The most leading bytes detect_compression looks at.
inline constexpr std::size_t kMagicBytes = 6;

// Returns the codec whose magic bytes start `head` (kNone for anything else, also when `head`
// is shorter than the codec's magic): gzip 1f 8b, zstd 28 b5 2f fd, bzip2 "BZh" and a level
// digit, xz fd "7zXZ" 00; UTF-16 FF FE or FE FF.
Compression detect_compression(std::string_view head);

// Returns "gzip", "zstd", "bzip2", "xz", "UTF-16LE", "UTF-16BE", or "" for kNone.
const char* compression_name(Compression c);

class Decompressor {
 public:
  struct Step {
    std::size_t consumed = 0;  // input bytes used
    std::size_t produced = 0;  // output bytes written
    bool stream_end = false;   // a whole stream (member, frame) ended at `consumed`
  };

  virtual ~Decompressor() = default;

  // Decodes from `in` into `out`. `last`: `in` holds all the input left (the file's end), so a
  // stream that does not end within it is truncated. Fails with kBadCompressed saying what
  // the codec found wrong (its offsets are the caller's to add).
  // REQUIRES: out_n > 0; after a stream_end step, reset() before the next step.
  virtual Result<Step> step(const char* in, std::size_t in_n, char* out, std::size_t out_n,
                            bool last) = 0;

  // Makes the next step start a new stream (the next gzip member, bzip2 stream, ...).
  virtual void reset() = 0;
};

// Returns a decoder for `c`. REQUIRES: c != kNone. Fails with kInternal when the codec's
// library cannot allocate its state.
Result<std::unique_ptr<Decompressor>> make_decompressor(Compression c);

}  // namespace dsfill::loader

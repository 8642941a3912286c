// Error values shared by every layer (codec, net, loader, server, cli): base/ depends on nothing
// of ours, so each layer can return them.
//
// Hot loops return plain enums; everything above them returns Result<T>, which carries either a
// value or an Error naming what went wrong and, where it applies, the row and byte offset.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <boost/system/result.hpp>

namespace dsfill {

enum class ErrorCode {
  kBadCsv,           // malformed CSV: unterminated quote, bare quote, ragged row
  kBadEncoding,      // invalid UTF-8 (or undecodable input encoding)
  kBadNumber,        // a value in a numeric column is not a number (or beyond double's range)
  kBadDate,          // a value in a date column is not a date in the column's format
  kBadGzip,          // corrupt, truncated or trailing-garbage gzip data
  kBadCompressed,    // a compressed input (gzip, zstd, bzip2, xz) is corrupt or truncated
  kBadBase64,        // characters or padding outside RFC 4648
  kBadJson,          // JSON that does not parse or has the wrong shape
  kTooLarge,         // a size or ratio limit was exceeded
  kBadArgument,      // a caller passed an option outside its range
  kIo,               // reading or writing a file failed
  kInternal,         // a bug: an invariant did not hold
  kNotFound,         // the named resource (a dataset, a route) does not exist
  kConflict,         // the resource exists in another state (other columns, a request in flight)
  kKeyReused,        // an idempotency key was already used with another request
  kStorage,          // the store failed to read or commit (a database error)
  kUnauthenticated,  // no credentials, or malformed ones
  kForbidden,        // the credentials do not allow the request
  kBadMethod,        // the resource exists but not with that method
  kBusy,             // too many requests at once; retry later
  kUnavailable,      // out of a shared resource (memory, the in-flight byte budget); retry later
  kDiskFull,         // the store has no space left; retry after space is freed
};

// Returns a short stable name for the code ("bad_csv", "too_large", ...).
const char* error_code_name(ErrorCode code);

// Describes one failure. row is 1-based (the file's physical record number, header included)
// and byte_offset is from the start of the input; both are -1 when they do not apply.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::int64_t row = -1;
  std::int64_t byte_offset = -1;

  // Returns the message followed by " (row R, byte B)" for the parts that are known.
  std::string describe() const;
};

template <class T>
using Result = boost::system::result<T, Error>;

inline Error make_error(ErrorCode code, std::string message, std::int64_t row = -1,
                        std::int64_t byte_offset = -1) {
  return Error{code, std::move(message), row, byte_offset};
}

// Thrown only by Result<T>::value() on an error; cli/ catches it at the edge.
struct ErrorException : std::exception {
  explicit ErrorException(Error e) : error(std::move(e)), what_(error.describe()) {}
  const char* what() const noexcept override { return what_.c_str(); }
  Error error;
  std::string what_;
};

// Lets boost::system::result<T, Error>::value() throw ErrorException (found by ADL).
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

}  // namespace dsfill

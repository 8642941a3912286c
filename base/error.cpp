#include "base/error.h"

namespace dsfill {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadCsv:
      return "bad_csv";
    case ErrorCode::kBadEncoding:
      return "bad_encoding";
    case ErrorCode::kBadNumber:
      return "bad_number";
    case ErrorCode::kBadDate:
      return "bad_date";
    case ErrorCode::kBadGzip:
      return "bad_gzip";
    case ErrorCode::kBadCompressed:
      return "bad_compressed";
    case ErrorCode::kBadBase64:
      return "bad_base64";
    case ErrorCode::kBadJson:
      return "bad_json";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kBadArgument:
      return "bad_argument";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kConflict:
      return "conflict";
    case ErrorCode::kKeyReused:
      return "key_reused";
    case ErrorCode::kStorage:
      return "storage";
    case ErrorCode::kUnauthenticated:
      return "unauthenticated";
    case ErrorCode::kForbidden:
      return "forbidden";
    case ErrorCode::kBadMethod:
      return "bad_method";
    case ErrorCode::kBusy:
      return "busy";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kDiskFull:
      return "disk_full";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out = message;
  if (row >= 0 || byte_offset >= 0) {
    out += " (";
    if (row >= 0) out += "row " + std::to_string(row);
    if (row >= 0 && byte_offset >= 0) out += ", ";
    if (byte_offset >= 0) out += "byte " + std::to_string(byte_offset);
    out += ")";
  }
  return out;
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace dsfill

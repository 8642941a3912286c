#include "loader/reject_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "codec/json_text.h"
#include "codec/utf8.h"

namespace dsfill::loader {

namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

// Opens `path` for writing at `length` (truncating it there), or fresh when `length` is 0.
Result<std::FILE*> open_at(const std::string& path, std::uint64_t length, bool resume) {
  const int fd =
      ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0644);
  if (fd < 0) return io_error("cannot create", path, errno);
  if (resume) {
    const off_t size = ::lseek(fd, 0, SEEK_END);
    if (size < 0 || static_cast<std::uint64_t>(size) < length) {
      ::close(fd);
      return make_error(ErrorCode::kBadArgument,
                        path + " is shorter than the checkpoint records (" +
                            std::to_string(length) +
                            " bytes): it was changed since, so the rejects cannot be continued");
    }
    if (::ftruncate(fd, static_cast<off_t>(length)) != 0 ||
        ::lseek(fd, static_cast<off_t>(length), SEEK_SET) < 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot truncate", path, err);
    }
  }
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    const int err = errno;
    ::close(fd);
    return io_error("cannot open", path, err);
  }
  return f;
}

Result<void> put(std::FILE* f, std::string_view bytes, const std::string& path) {
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
    return io_error("cannot write", path, errno);
  }
  return {};
}

Result<void> sync_file(std::FILE* f, const std::string& path) {
  if (f == nullptr) return {};
  if (std::fflush(f) != 0) return io_error("cannot write", path, errno);
  if (::fdatasync(::fileno(f)) != 0) return io_error("cannot fsync", path, errno);
  return {};
}

}  // namespace

std::uint64_t BadRowLimits::allowed(std::uint64_t records) const {
  const auto by_ratio =
      static_cast<std::uint64_t>(std::floor(max_ratio * static_cast<double>(records)));
  return std::max(max_rows, by_ratio);
}

bool RejectBudget::count(std::uint64_t rows, std::uint64_t rejects) {
  const std::uint64_t records = records_.fetch_add(rows + rejects) + rows + rejects;
  const std::uint64_t bad = rejects_.fetch_add(rejects) + rejects;
  return bad <= limits_.allowed(records);
}

Result<std::unique_ptr<RejectLog>> RejectLog::open(std::string path, std::string header_record,
                                                   const RejectTally* resume,
                                                   std::vector<std::string> field_names) {
  std::unique_ptr<RejectLog> log(new RejectLog());
  log->path_ = std::move(path);
  log->field_names_ = std::move(field_names);
  if (resume != nullptr) log->tally_ = *resume;
  if (log->path_.empty()) return log;
  auto rows = open_at(log->path_, log->tally_.file_bytes, resume != nullptr);
  if (!rows) return rows.error();
  log->rows_ = *rows;
  auto errors = open_at(log->errors_path(), log->tally_.errors_bytes, resume != nullptr);
  if (!errors) return errors.error();
  log->errors_ = *errors;
  if (resume == nullptr || log->tally_.file_bytes == 0) {
    // A header without its terminator (a file of one line) gets one, so rows start on a line.
    if (!header_record.empty() && header_record.back() != '\n' && header_record.back() != '\r') {
      header_record += '\n';
    }
    if (auto w = put(log->rows_, header_record, log->path_); !w) return w.error();
    log->tally_.file_bytes = header_record.size();
  }
  return log;
}

RejectLog::~RejectLog() {
  if (rows_ != nullptr) std::fclose(rows_);
  if (errors_ != nullptr) std::fclose(errors_);
}

void RejectLog::hold(std::uint64_t seq, std::vector<codec::RowReject> rejects) {
  if (rejects.empty()) return;
  auto& held = held_[seq];
  for (auto& r : rejects) held.push_back(std::move(r));
}

Result<void> RejectLog::write(codec::RowReject& reject) {
  const std::size_t field = reject.field;
  if (field >= 1 && field <= field_names_.size()) reject.column = field_names_[field - 1];
  if (rows_ != nullptr) {
    std::string record = reject.record;
    // The last record of a file may lack its terminator; the next reject must start a line.
    if (!record.empty() && record.back() != '\n' && record.back() != '\r') record += '\n';
    if (auto w = put(rows_, record, path_); !w) return w.error();
    const std::string line = reject_json_line(reject);
    if (auto w = put(errors_, line, errors_path()); !w) return w.error();
    tally_.file_bytes += record.size();
    tally_.errors_bytes += line.size();
  }
  ++tally_.rows;
  ++tally_.by_reason[static_cast<std::size_t>(reject.reason)];
  if (examples_.size() < example_cap_) examples_.push_back(reject);
  return {};
}

Result<void> RejectLog::write_through(std::uint64_t next_seq) {
  bool wrote = false;
  while (!held_.empty() && held_.begin()->first < next_seq) {
    for (auto& reject : held_.begin()->second) {
      if (auto w = write(reject); !w) return w.error();
    }
    held_.erase(held_.begin());
    wrote = true;
  }
  // Rejects are rare: flushed at once, so that the files can be read while the load runs.
  if (wrote && rows_ != nullptr && (std::fflush(rows_) != 0 || std::fflush(errors_) != 0)) {
    return io_error("cannot write", path_, errno);
  }
  return {};
}

Result<void> RejectLog::sync() {
  if (auto s = sync_file(rows_, path_); !s) return s;
  return sync_file(errors_, errors_path());
}

std::string reject_json_line(const codec::RowReject& r) {
  std::string out = "{\"row\":" + std::to_string(r.row) +
                    ",\"byte\":" + std::to_string(r.byte_offset) +
                    ",\"field\":" + std::to_string(r.field) + ",\"column\":";
  codec::append_json_text(r.column, out);
  out += ",\"value\":";
  codec::append_json_text(r.value, out);
  out += ",\"reason\":\"";
  out += codec::reject_reason_name(r.reason);
  out += "\",\"message\":";
  codec::append_json_text(r.message, out);
  out += "}\n";
  return out;
}

std::string describe_reject(const codec::RowReject& r) {
  std::string out = "row " + std::to_string(r.row) + ", byte " + std::to_string(r.byte_offset);
  if (r.field != 0) {
    out += ", field " + std::to_string(r.field);
    if (!r.column.empty()) out += " (" + codec::utf8_replacing(r.column) + ")";
  }
  out += ": ";
  out += codec::reject_reason_name(r.reason);
  out += ": " + r.message;
  return out;
}

boost::json::object reject_counts_json(const RejectTally& tally) {
  boost::json::object by_reason;
  for (int i = 0; i < codec::kRejectReasonCount; ++i) {
    const auto n = tally.by_reason[static_cast<std::size_t>(i)];
    if (n != 0) by_reason[codec::reject_reason_name(static_cast<codec::RejectReason>(i))] = n;
  }
  boost::json::object out;
  out["rows"] = tally.rows;
  out["by_reason"] = std::move(by_reason);
  return out;
}

std::string reject_counts_text(const RejectTally& tally) {
  std::string out;
  for (int i = 0; i < codec::kRejectReasonCount; ++i) {
    const auto n = tally.by_reason[static_cast<std::size_t>(i)];
    if (n == 0) continue;
    out += out.empty() ? "" : ", ";
    out += std::string(codec::reject_reason_name(static_cast<codec::RejectReason>(i))) + " " +
           std::to_string(n);
  }
  return out;
}

}  // namespace dsfill::loader

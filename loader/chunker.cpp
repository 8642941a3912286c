#include "loader/chunker.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "codec/row_boundary.h"

namespace dsfill::loader {

Chunker::Chunker(InputReader& reader, ChunkerOptions options, codec::InputPosition start)
    : reader_(reader), options_(options), pos_(start), bom_checked_(start.byte_offset != 0) {
  options_.batch_rows = std::max<std::size_t>(options_.batch_rows, 1);
  options_.batch_bytes = std::max<std::size_t>(options_.batch_bytes, 1);
  options_.read_size = std::max<std::size_t>(options_.read_size, 4096);
  options_.max_record_bytes = std::max(options_.max_record_bytes, options_.batch_bytes);
  lookahead_ = options_.batch_bytes;
  if (start.byte_offset == 0) skip_left_ = options_.skip_lines;
}

Result<bool> Chunker::drop_line() {
  for (;;) {
    const std::string_view avail(segment_.get() + begin_, size_ - begin_);
    const std::size_t lf = avail.find('\n');
    if (lf != std::string_view::npos || (eof_ && !avail.empty())) {
      const std::size_t n = lf != std::string_view::npos ? lf + 1 : avail.size();
      begin_ += n;
      pos_.byte_offset += static_cast<std::int64_t>(n);
      pos_.row += 1;
      return true;
    }
    if (eof_) return false;
    if (avail.size() > options_.max_record_bytes) {
      return make_error(
          ErrorCode::kBadCsv,
          "skipped line longer than " + std::to_string(options_.max_record_bytes) + " bytes",
          pos_.row, pos_.byte_offset);
    }
    auto more = fill();
    if (!more) return more.error();
  }
}

Result<void> Chunker::skip_lines() {
  if (skip_left_ == 0 && options_.comment == '\0') return {};
  if (!bom_checked_) {
    std::size_t none = 0;
    auto bom = cut(0, none);  // checks for the BOM once three bytes are buffered
    if (!bom) return bom.error();
  }
  for (;;) {
    if (skip_left_ == 0) {
      if (options_.comment == '\0') return {};
      if (begin_ == size_ && !eof_) {
        auto more = fill();
        if (!more) return more.error();
        continue;
      }
      if (begin_ == size_ || segment_.get()[begin_] != options_.comment) return {};
    }
    auto dropped = drop_line();
    if (!dropped) return dropped.error();
    if (!*dropped) return {};
    if (skip_left_ > 0) --skip_left_;
  }
}

void Chunker::stop_at_comment(std::size_t& end, std::size_t& records) const {
  if (options_.comment == '\0' || end == 0) return;
  const std::string_view cut(segment_.get() + begin_, end);
  const char mark[2] = {'\n', options_.comment};
  // Scans on from the last record boundary found, so "\n#" inside quoted fields costs a rescan
  // of the record that holds it, not of the batch.
  std::size_t from = 0;
  std::size_t counted = 0;
  for (std::size_t at = cut.find(std::string_view(mark, 2)); at != std::string_view::npos;
       at = cut.find(std::string_view(mark, 2), at + 1)) {
    // A comment only where a record starts: the LF before it must end a record, not sit in a
    // quoted field. The span ends with that LF, so a cut of it ends there exactly when it does.
    const std::string_view span = cut.substr(from, at + 1 - from);
    const codec::RecordCut found =
        codec::find_record_cut(codec::PaddedView(span), SIZE_MAX, false, options_.dialect);
    if (found.end == span.size()) {
      end = from + found.end;
      records = counted + found.records;
      return;
    }
    from += found.end;
    counted += found.records;
  }
}

Result<bool> Chunker::fill() {
  if (eof_) return false;
  if (size_ + options_.read_size > capacity_) {
    // A new segment: batches cut from the old one keep it alive, so it is never written again.
    // Only the bytes not yet cut move (a record longer than a batch grows the segment). One
    // batch_bytes and one read: every batch fits, and the two or three segments that batches in
    // flight keep alive stay small. Twice that size measured 70 instead of 46 MiB peak RSS and
    // 263-268 instead of 279-284 MB/s (`dsfill bench --level 1`, 200 MB, 2 encoders).
    const std::size_t kept = size_ - begin_;
    const std::size_t target = options_.batch_bytes + options_.read_size;
    const std::size_t capacity = std::max(target, 2 * kept + options_.read_size);
    // kKernelPadding bytes more than it holds: every batch and every view handed to the boundary
    // finder is padded (codec/padded.h).
    auto fresh = pool_.get(capacity + codec::kKernelPadding);
    if (kept > 0) std::memcpy(fresh.get(), segment_.get() + begin_, kept);
    segment_ = std::move(fresh);
    capacity_ = capacity;
    size_ = kept;
    begin_ = 0;
  }
  auto got = reader_.read(segment_.get() + size_, options_.read_size);
  if (!got) return got.error();
  size_ += *got;
  // The padding's contents are arbitrary by contract; zeroing the bytes just past the data keeps
  // kernels from reading memory never written (which memory checkers would report).
  std::memset(segment_.get() + size_, 0, codec::kKernelPadding);
  if (*got == 0) eof_ = true;
  return *got != 0;
}

Result<std::size_t> Chunker::cut(std::size_t max_rows, std::size_t& records) {
  for (;;) {
    std::string_view avail(segment_.get() + begin_, size_ - begin_);
    if (!bom_checked_ && (avail.size() >= 3 || eof_)) {
      const std::size_t bom = codec::utf8_bom_length(avail);
      begin_ += bom;
      pos_.byte_offset += static_cast<std::int64_t>(bom);
      avail.remove_prefix(bom);
      bom_checked_ = true;
    }
    if (max_rows == 0 && bom_checked_) return 0;  // skip_lines() asked for the BOM check only
    // Cut once the lookahead is buffered (or the input ended). A cut that finds fewer than
    // max_rows records in fewer than batch_bytes bytes waits for more input and scans again.
    if (bom_checked_ && (avail.size() >= lookahead_ || eof_)) {
      const bool limited = avail.size() >= options_.batch_bytes;
      std::string_view view = avail.substr(0, options_.batch_bytes);
      codec::RecordCut found = codec::find_record_cut(codec::PaddedView(view), max_rows,
                                                      eof_ && !limited, options_.dialect);
      scanned_ += view.size();
      bool long_record = false;
      if (found.end == 0 && limited) {
        // One record is longer than batch_bytes: look as far as max_record_bytes for its end.
        view = avail.substr(0, options_.max_record_bytes);
        const bool all = view.size() == avail.size();
        found = codec::find_record_cut(codec::PaddedView(view), 1, eof_ && all, options_.dialect);
        scanned_ += view.size();
        long_record = found.end == 0;
        if (found.end == 0 && !all && options_.resync_long_records) {
          const std::string_view head = avail.substr(0, options_.batch_bytes);
          const std::size_t lf = head.rfind('\n');
          if (lf != std::string_view::npos) {
            records =
                static_cast<std::size_t>(std::count(head.begin(), head.begin() + lf + 1, '\n'));
            return lf + 1;
          }
        }
        if (found.end == 0 && !all) {
          return make_error(ErrorCode::kBadCsv,
                            "record longer than " + std::to_string(options_.max_record_bytes) +
                                " bytes (unterminated quoted field?)",
                            pos_.row, pos_.byte_offset);
        }
      }
      if (found.end == 0 && eof_ && !avail.empty() && avail.size() <= options_.max_record_bytes) {
        // Whatever is left sits in an open quote: hand it on so the encoder names the error.
        found.end = avail.size();
        found.records = 1;
      }
      if ((found.end > 0 && (found.records >= max_rows || limited)) || eof_) {
        records = found.records;
        return found.end;
      }
      // Too few records buffered: wait for a read's worth more before scanning again. A record
      // longer than a batch is scanned again from its start only once the buffer has grown by a
      // quarter (up to just past max_record_bytes): finding its end then costs about five times
      // its length, not a scan of all of it after every read, and it is found at most a quarter
      // of its length late. On 30 MB records the reader went from 275-363 to 450-525 MB/s (peak
      // RSS 228-238 -> 252-287 MB); doubling reached ~600 MB/s with 320 MB.
      lookahead_ = long_record ? std::min(avail.size() + avail.size() / 4,
                                          options_.max_record_bytes + options_.read_size)
                               : std::min(options_.batch_bytes, avail.size() + options_.read_size);
    }
    auto more = fill();
    if (!more) return more.error();
  }
}

Result<std::optional<Batch>> Chunker::next(std::size_t max_rows) {
  std::size_t records = 0;
  if (left_ == 0) return std::optional<Batch>();
  std::size_t rows = max_rows != 0 ? max_rows : options_.batch_rows;
  if (left_ < rows) rows = static_cast<std::size_t>(left_);
  auto skipped = skip_lines();
  if (!skipped) return skipped.error();
  auto end = cut(rows, records);
  if (!end) return end.error();
  if (*end == 0) return std::optional<Batch>();
  stop_at_comment(*end, records);
  if (left_ != UINT64_MAX) left_ -= std::min<std::uint64_t>(left_, records);
  Batch batch;
  batch.seq = next_seq_++;
  batch.first_row = pos_.row;
  batch.physical_rows = records;
  batch.byte_begin = pos_.byte_offset;
  batch.byte_end = pos_.byte_offset + static_cast<std::int64_t>(*end);
  batch.records = std::string_view(segment_.get() + begin_, *end);
  batch.storage = segment_;
  begin_ += *end;
  lookahead_ = std::clamp<std::size_t>(2 * *end, 1, options_.batch_bytes);
  pos_.row += static_cast<std::int64_t>(records);
  pos_.byte_offset = batch.byte_end;
  return std::optional<Batch>(std::move(batch));
}

Result<std::string_view> Chunker::peek_record() {
  std::size_t records = 0;
  auto skipped = skip_lines();
  if (!skipped) return skipped.error();
  auto end = cut(1, records);
  if (!end) return end.error();
  return std::string_view(segment_.get() + begin_, *end);
}

}  // namespace dsfill::loader

#include "loader/report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <fmt/format.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "codec/utf8.h"

namespace dsfill::loader {

std::string LoadReport::bottleneck() const {
  const StageReport* best = nullptr;
  for (const auto& stage : stages) {
    if (best == nullptr || stage.utilization(wall_seconds) > best->utilization(wall_seconds)) {
      best = &stage;
    }
  }
  return best != nullptr && best->utilization(wall_seconds) > kBottleneckUtilization ? best->name
                                                                                     : "";
}

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000.0 && unit < 4) {
    bytes /= 1000.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} B", bytes) : fmt::format("{:.1f} {}", bytes, kUnits[unit]);
}

std::string format_count(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  const std::size_t first = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, first);
  for (std::size_t i = first; i < digits.size(); i += 3) {
    out += ',';
    out.append(digits, i, 3);
  }
  return out;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  if (seconds < 60) return fmt::format("{:.1f} s", seconds);
  const auto total = static_cast<std::uint64_t>(std::llround(seconds));
  return fmt::format("{}:{:02}:{:02}", total / 3600, (total / 60) % 60, total % 60);
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kBadInput:
      return "bad_input";
    case Outcome::kRejected:
      return "rejected";
    case Outcome::kNetwork:
      return "network";
    case Outcome::kCountMismatch:
      return "count_mismatch";
    case Outcome::kInterrupted:
      return "interrupted";
    case Outcome::kUsage:
      return "usage";
  }
  return "unknown";
}

namespace {

double rate(double amount, double seconds) { return seconds > 0 ? amount / seconds : 0; }

// The request bodies' size over the CSV's: under 1 when compression wins.
double body_input_ratio(const LoadReport& r) {
  return r.bytes_in > 0 ? static_cast<double>(r.bytes_sent) / static_cast<double>(r.bytes_in) : 0;
}

// The name of level_batches[index]: a step's ("isal 1") with --codec auto, else the level.
std::string level_name(const LoadReport& r, std::size_t index) {
  return index < r.level_names.size() ? r.level_names[index] : std::to_string(index);
}

}  // namespace

std::size_t display_columns(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

namespace {

// Returns the first `columns` code points of `text`.
std::string first_columns(std::string_view text, std::size_t columns) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && n++ == columns) {
      return std::string(text.substr(0, i));
    }
  }
  return std::string(text);
}

// One field of the progress line. Narrowing applies the steps in `kNarrowing` order: a field
// whose step has come is shortened (when it has a short form) or dropped.
struct ProgressField {
  std::string text;
  std::string short_text;  // "" : dropped at its step instead
  int step = 0;            // 0: never dropped nor shortened
};

std::string join_fields(const std::vector<ProgressField>& fields, int step) {
  std::string out;
  for (const auto& f : fields) {
    const bool narrowed = f.step != 0 && f.step <= step;
    if (narrowed && f.short_text.empty()) continue;
    if (!out.empty()) out += "  ";
    out += narrowed ? f.short_text : f.text;
  }
  return out;
}

}  // namespace

std::string format_progress(const ProgressSnapshot& s, std::size_t width) {
  const std::uint64_t run_bytes = s.bytes_done > s.bytes_start ? s.bytes_done - s.bytes_start : 0;
  const double mbps = rate(static_cast<double>(run_bytes), s.elapsed_seconds) / 1e6;
  const double rows_per_s = rate(static_cast<double>(s.rows_done), s.elapsed_seconds);
  const bool sized = s.bytes_total && *s.bytes_total > 0;
  // The narrowing steps, least useful first.
  enum : int { kRowRate = 1, kNoRetries, kByteRate, kTotal, kEta, kRetries, kRows, kBytes };
  std::vector<ProgressField> fields;
  if (s.completing) fields.push_back({"completing dataset...", "", 0});
  const std::string done = format_bytes(static_cast<double>(s.bytes_done));
  if (sized) {
    const auto total = static_cast<double>(*s.bytes_total);
    const std::string pct =
        fmt::format("{:.1f}%", std::min(100.0, 100.0 * static_cast<double>(s.bytes_done) / total));
    fields.push_back({fmt::format("{} / {} ({})", done, format_bytes(total), pct), pct,
                      s.completing ? kBytes : kTotal});
  } else {
    fields.push_back({done, "", s.completing ? kBytes : 0});
  }
  fields.push_back({format_count(s.rows_done) + " rows", "", kRows});
  // In the unit that fits (a slow link shows "9.0 kB/s", not "0.0 MB/s").
  fields.push_back({format_bytes(mbps * 1e6) + "/s", "", kByteRate});
  fields.push_back(
      {format_count(static_cast<std::uint64_t>(rows_per_s)) + " rows/s", "", kRowRate});
  if (sized && mbps > 0 && !s.completing) {
    const double left =
        std::max(0.0, static_cast<double>(*s.bytes_total) - static_cast<double>(s.bytes_done));
    const auto eta = static_cast<std::uint64_t>(std::llround(left / (mbps * 1e6)));
    fields.push_back(
        {fmt::format("ETA {}:{:02}:{:02}", eta / 3600, (eta / 60) % 60, eta % 60), "", kEta});
  }
  fields.push_back({fmt::format("retries {}", s.retries), "",
                    s.retries == 0 ? static_cast<int>(kNoRetries) : static_cast<int>(kRetries)});
  const std::size_t room = width == 0 ? SIZE_MAX : width - 1;
  std::string line;
  for (int step = 0; step <= kBytes; ++step) {
    line = join_fields(fields, step);
    if (display_columns(line) <= room) break;
  }
  if (display_columns(line) > room) return first_columns(line, room);
  // The latest retry's reason fills what room is left, when a retry is shown.
  if (s.retries > 0 && !s.retry_reason.empty() && line.ends_with(fields.back().text)) {
    const std::string reason = " (" + s.retry_reason + ")";
    const std::size_t left = room == SIZE_MAX ? SIZE_MAX : room - display_columns(line);
    if (display_columns(reason) <= left) {
      line += reason;
    } else if (left >= 12) {
      line += first_columns(reason, left - 4) + "...)";
    }
  }
  return line;
}

std::string format_summary(const LoadReport& r) {
  std::string out;
  const bool network = r.target == Target::kNetwork;
  const char* title = r.target == Target::kBench    ? "bench"
                      : r.target == Target::kDryRun ? "dry run (nothing sent)"
                      : r.target == Target::kCheck  ? "check"
                                                    : "load";
  // A failure's message is the error, printed once, on stderr (cli/load_report.h): the
  // summary names the outcome only.
  const bool note = r.outcome == Outcome::kOk && !r.message.empty();
  out += fmt::format("{}: {}{}\n", title, outcome_name(r.outcome), note ? " - " + r.message : "");
  const bool check = r.target == Target::kCheck;
  out += fmt::format("  {:<14}{}\n", check ? "good rows:" : "rows:", format_count(r.rows));
  out += fmt::format("  batches:      {}\n", format_count(r.batches));
  out += fmt::format("  bytes in:     {}\n", format_bytes(static_cast<double>(r.bytes_in)));
  if (!check) {
    // What went out per byte read: gzip shrinks it, base64 and JSON grow it (small files).
    const std::string ratio =
        r.bytes_in > 0 ? fmt::format(" (body/input size {:.2f})", body_input_ratio(r)) : "";
    out += fmt::format("  bytes {}   {}{}\n",
                       network ? "sent:" : "out: ", format_bytes(static_cast<double>(r.bytes_sent)),
                       ratio);
  }
  out += fmt::format("  wall time:    {}\n", format_duration(r.wall_seconds));
  out += fmt::format(
      "  throughput:   {:.1f} MB/s, {} rows/s\n",
      rate(static_cast<double>(r.bytes_in), r.wall_seconds) / 1e6,
      format_count(static_cast<std::uint64_t>(rate(static_cast<double>(r.rows), r.wall_seconds))));
  if (!r.files.empty()) {
    out += fmt::format("  files:        {} (rows, bytes in, time of this run; totals above)\n",
                       r.files.size());
    for (const auto& f : r.files) {
      out += fmt::format("    {}: {}, {} rows, {}, {}\n", f.path, f.state, format_count(f.rows),
                         format_bytes(static_cast<double>(f.bytes_in)), format_duration(f.seconds));
    }
  }
  if (network) {
    if (r.connects == 0 && r.requests > 0) {
      out += fmt::format("  requests:     {} tried ({} retries): the connection was never made\n",
                         format_count(r.requests), format_count(r.retries));
    } else {
      out += fmt::format("  requests:     {} ({} retries, {} connects)\n", format_count(r.requests),
                         format_count(r.retries), format_count(r.connects));
    }
    if (r.size_splits > 0) {
      out += fmt::format(
          "  body limit:   {} split{} for size{}; the largest body stored {} bytes\n",
          format_count(r.size_splits), r.size_splits == 1 ? "" : "s",
          r.smallest_body_refused > 0 ? fmt::format(" (the server refused {} bytes with HTTP 413)",
                                                    format_count(r.smallest_body_refused))
                                      : std::string(" (--max-body-bytes)"),
          format_count(r.largest_body_stored));
    }
    if (!r.proxy.empty()) out += fmt::format("  proxy:        {}\n", r.proxy);
    if (r.redirects > 0) {
      const std::string moved = r.moved_to.empty() ? std::string()
                                                   : " (moved permanently to " + r.moved_to +
                                                         ": change --url to save a round trip)";
      out += fmt::format("  redirects:    {} followed{}\n", format_count(r.redirects), moved);
    }
  }
  for (const auto& stage : r.stages) {
    const double per_thread = stage.threads > 0 ? stage.busy_seconds / stage.threads : 0;
    out += fmt::format("  stage {:<8} busy {:>6.2f} s x{} ({:4.0f}%)  {:8.1f} MB/s{}\n",
                       stage.name + ":", per_thread, stage.threads,
                       100 * stage.utilization(r.wall_seconds),
                       rate(static_cast<double>(r.bytes_in), per_thread) / 1e6,
                       stage.name == r.bottleneck() ? "  <- bottleneck" : "");
  }
  if (!r.level_batches.empty()) {
    std::string mix;
    for (std::size_t level = 0; level < r.level_batches.size(); ++level) {
      if (r.level_batches[level] == 0) continue;
      mix += fmt::format("{}{} x{}", mix.empty() ? "" : ", ", level_name(r, level),
                         r.level_batches[level]);
    }
    if (!mix.empty()) out += fmt::format("  level auto:   batches per level: {}\n", mix);
  }
  if (r.rejects.rows > 0 || !r.rejects_path.empty()) {
    out += fmt::format("  bad rows:     {} {}{}\n", format_count(r.rejects.rows),
                       check ? "found" : "left out",
                       r.rejects.rows > 0 ? " (" + reject_counts_text(r.rejects) + ")" : "");
    if (!r.rejects_path.empty()) {
      out += fmt::format("  rejects:      {} (and {}.errors.jsonl: why, row by row)\n",
                         r.rejects_path, r.rejects_path);
    }
  }
  if (r.validate_seconds > 0) {
    // The pass reads the whole input: its rate is the input's size over its time.
    const std::string rate =
        r.input_size ? fmt::format(" ({:.1f} MB/s)",
                                   static_cast<double>(*r.input_size) / r.validate_seconds / 1e6)
                     : std::string();
    out += fmt::format("  validated first: {}{}, before the first {}\n",
                       format_duration(r.validate_seconds), rate, network ? "request" : "batch");
  }
  if (!network && !r.kernels.transcoder.empty()) {
    out += fmt::format("  kernels:      {}\n", codec::describe(r.kernels));
  }
  if (network) {
    if (r.server_rows_count) {
      out += fmt::format("  server rows:  {}{}\n",
                         format_count(static_cast<std::uint64_t>(*r.server_rows_count)),
                         r.completed ? " (dataset completed)" : "");
    }
    if (r.server_rows_inserted) {
      out += fmt::format("  rows stored by this load: {}\n", format_count(*r.server_rows_inserted));
    }
    if (!r.row_check.empty()) out += fmt::format("  row check:    {}\n", r.row_check);
    if (r.outcome != Outcome::kOk) {
      // Row numbers count the header's line: the data rows are counted from the first one.
      const auto data_rows =
          static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.acked_row - r.first_data_row));
      out += fmt::format("  acknowledged prefix: bytes 0-{}, the first {} data row{}\n",
                         r.acked_offset, format_count(data_rows), data_rows == 1 ? "" : "s");
    }
    if (r.resumed && !r.already_finished) {
      out += fmt::format("  resumed:      from byte {} ({} rows stored by earlier runs)\n",
                         r.resumed_from, format_count(r.rows_before));
    }
    if (!r.checkpoint.empty()) {
      out += fmt::format("  checkpoint:   {}\n", r.checkpoint);
    }
    if (!r.checkpoint_error.empty()) {
      out += fmt::format("  checkpoint error: {}\n", r.checkpoint_error);
    }
    if (!r.resume_command.empty()) {
      out += fmt::format("  to resume:    {}\n", r.resume_command);
    }
  }
  return out;
}

// Boost.JSON copies strings as they are, so text that is not data gets the one policy
// (codec/json_text.h) first: invalid UTF-8 becomes U+FFFD and the summary always parses.
namespace {
std::string text(std::string_view s) { return codec::utf8_replacing(s); }
}  // namespace

std::string summary_json(const LoadReport& r) {
  boost::json::object o;
  o["outcome"] = outcome_name(r.outcome);
  o["message"] = text(r.message);
  o["target"] = r.target == Target::kNetwork ? "network"
                : r.target == Target::kBench ? "bench"
                : r.target == Target::kCheck ? "check"
                : r.target == Target::kFile  ? "file"
                                             : "dry-run";
  o["load_id"] = text(r.load_id);
  o["rows"] = r.rows;
  o["batches"] = r.batches;
  o["bytes_in"] = r.bytes_in;
  o["json_bytes"] = r.json_bytes;
  o["bytes_sent"] = r.bytes_sent;
  // input/body (kept for scripts that read it); body_input_ratio is the summary's figure.
  o["compression_ratio"] =
      r.bytes_sent > 0 ? static_cast<double>(r.bytes_in) / static_cast<double>(r.bytes_sent) : 0.0;
  o["body_input_ratio"] = body_input_ratio(r);
  o["wall_seconds"] = r.wall_seconds;
  o["mb_per_second"] = rate(static_cast<double>(r.bytes_in), r.wall_seconds) / 1e6;
  o["rows_per_second"] = rate(static_cast<double>(r.rows), r.wall_seconds);
  o["requests"] = r.requests;
  o["retries"] = r.retries;
  o["size_splits"] = r.size_splits;
  o["smallest_body_refused"] = r.smallest_body_refused;
  o["largest_body_stored"] = r.largest_body_stored;
  o["redirects"] = r.redirects;
  if (!r.moved_to.empty()) o["moved_to"] = r.moved_to;
  if (!r.proxy.empty()) o["proxy"] = r.proxy;
  o["connects"] = r.connects;
  if (r.input_size) o["input_size"] = *r.input_size;
  boost::json::array stages;
  for (const auto& stage : r.stages) {
    boost::json::object s;
    s["name"] = text(stage.name);
    s["threads"] = stage.threads;
    s["busy_seconds"] = stage.busy_seconds;
    s["utilization"] = stage.utilization(r.wall_seconds);
    const double per_thread = stage.threads > 0 ? stage.busy_seconds / stage.threads : 0;
    s["mb_per_second"] = rate(static_cast<double>(r.bytes_in), per_thread) / 1e6;
    stages.push_back(std::move(s));
  }
  o["stages"] = std::move(stages);
  if (!r.level_batches.empty()) {
    boost::json::object levels;  // --level auto: batches per gzip level
    for (std::size_t level = 0; level < r.level_batches.size(); ++level) {
      if (r.level_batches[level] != 0) levels[level_name(r, level)] = r.level_batches[level];
    }
    o["level_batches"] = std::move(levels);
  }
  if (!r.kernels.transcoder.empty()) {
    o["kernels"] = {{"transcoder", text(r.kernels.transcoder)},
                    {"boundary", text(r.kernels.boundary)},
                    {"base64", text(r.kernels.base64)}};
  }
  o["bottleneck"] = r.bottleneck();
  o["acked_offset"] = r.acked_offset;
  o["acked_row"] = r.acked_row;
  o["completed"] = r.completed;
  if (r.server_rows_count) {
    o["server_rows_count"] = *r.server_rows_count;
  } else {
    o["server_rows_count"] = nullptr;
  }
  if (r.server_rows_inserted) {
    o["server_rows_inserted"] = *r.server_rows_inserted;
  } else {
    o["server_rows_inserted"] = nullptr;
  }
  if (r.server_rows_before) o["server_rows_before"] = *r.server_rows_before;
  if (!r.row_check.empty()) o["row_check"] = r.row_check;
  if (r.signal != 0) o["signal"] = r.signal;
  if (!r.checkpoint.empty()) o["checkpoint"] = text(r.checkpoint);
  if (!r.checkpoint_error.empty()) o["checkpoint_error"] = text(r.checkpoint_error);
  if (!r.resume_command.empty()) o["resume_command"] = text(r.resume_command);
  o["resumed"] = r.resumed;
  if (r.resumed) o["resumed_from"] = r.resumed_from;
  o["rows_before"] = r.rows_before;
  o["already_finished"] = r.already_finished;
  boost::json::object rejects = reject_counts_json(r.rejects);
  if (!r.rejects_path.empty()) {
    rejects["file"] = text(r.rejects_path);
    rejects["errors_file"] = text(r.rejects_path + ".errors.jsonl");
  }
  if (r.target == Target::kCheck || !r.reject_examples.empty()) {
    // check: the problems listed (at most --max-errors); a load: the first few left out.
    boost::json::array listed;
    for (const auto& p : r.reject_examples) {
      listed.push_back({{"row", p.row},
                        {"byte", p.byte_offset},
                        {"field", p.field},
                        {"column", text(p.column)},
                        {"value", text(p.value)},
                        {"reason", codec::reject_reason_name(p.reason)},
                        {"message", text(p.message)}});
    }
    rejects[r.target == Target::kCheck ? "problems" : "first"] = std::move(listed);
  }
  o["rejects"] = std::move(rejects);
  if (r.validate_seconds > 0) o["validate_seconds"] = r.validate_seconds;
  if (!r.files.empty()) {
    boost::json::array files;
    for (const auto& f : r.files) {
      boost::json::object file{{"path", text(f.path)},
                               {"state", f.state},
                               {"rows", f.rows},
                               {"bytes_in", f.bytes_in},
                               {"seconds", f.seconds}};
      if (f.size) file["size"] = *f.size;
      files.push_back(std::move(file));
    }
    o["files"] = std::move(files);
  }
  return boost::json::serialize(o);
}

}  // namespace dsfill::loader

#include "loader/multi_load.h"

#include <algorithm>
#include <chrono>

#include "loader/chunker.h"
#include "loader/column_match.h"
#include "loader/input_reader.h"
#include "loader/load_id.h"
#include "loader/load_input.h"
#include "loader/pipeline.h"
#include "loader/resume_plan.h"
#include "loader/row_check.h"

namespace dsfill::loader {

namespace {

using Clock = std::chrono::steady_clock;

LoadReport failed(const LoadOptions& o, Outcome outcome, std::string message) {
  LoadReport r;
  r.outcome = outcome;
  r.message = std::move(message);
  r.target = o.target;
  return r;
}

LoadReport failed(const LoadOptions& o, const Error& e) {
  return failed(o, e.code == ErrorCode::kBadArgument ? Outcome::kUsage : Outcome::kBadInput,
                e.describe());
}

// Returns the header of the file at `path` as `o` reads it (decompressing its first bytes).
Result<std::vector<std::string>> read_header(const LoadOptions& o, const std::string& path) {
  auto reader = InputReader::open(path);
  if (!reader) return make_error(ErrorCode::kIo, reader.error().describe());
  Chunker chunker(*reader, o.chunker);
  SchemaOptions names = o.schema;
  names.columns.reset();  // the header's own names, whatever the spec
  auto schema = read_schema(chunker, names);
  if (!schema) {
    return make_error(schema.error().code == ErrorCode::kBadArgument ? ErrorCode::kBadArgument
                                                                     : ErrorCode::kBadCsv,
                      path + ": " + schema.error().describe());
  }
  return std::move(schema->header);
}

// Checks, before anything is sent, that every file's header names the first file's columns
// (in any order), and returns the schema options of every file's run: the first file's
// columns as the spec, so that each file maps its fields to them by name. Without a header
// fields go by position and nothing is checked. A mismatch is kBadCsv naming both headers.
Result<SchemaOptions> common_schema(const LoadOptions& o) {
  SchemaOptions out = o.schema;
  if (!o.schema.has_header) return out;
  auto first = read_header(o, o.inputs.front());
  if (!first) return first.error();
  std::vector<std::string> first_sorted = *first;
  std::sort(first_sorted.begin(), first_sorted.end());
  for (std::size_t i = 1; i < o.inputs.size(); ++i) {
    auto header = read_header(o, o.inputs[i]);
    if (!header) return header.error();
    std::vector<std::string> sorted = *header;
    std::sort(sorted.begin(), sorted.end());
    if (sorted != first_sorted) {
      return make_error(ErrorCode::kBadCsv,
                        o.inputs[i] + ": its header (" + listed_names(*header) +
                            ") does not name the same columns as the first file's, " +
                            o.inputs.front() + " (" + listed_names(*first) +
                            "): every file of one load must have the same columns, in any "
                            "order; nothing was sent");
    }
  }
  if (!out.columns) out.columns = codec::columns_from_header(*first);
  return out;
}

// Where a run of the load starts: the first file afresh, or the recorded file of a resume.
struct Start {
  std::size_t index = 0;
  bool resuming = false;
  Checkpoint recorded;  // when resuming
};

// Decides from the checkpoint whether this run resumes (as plan_load does for one file: --resume
// always, --auto-resume for an unfinished load or a finished one of this same list) and where.
// Refuses (kBadArgument) a resume whose list of files differs, naming the difference.
Result<Start> plan_start(const LoadOptions& o, const std::vector<FileIdentity>& files) {
  Start start;
  if (o.checkpoint.empty() || o.target != Target::kNetwork || files.empty()) return start;
  auto existing = read_checkpoint(o.checkpoint);
  if (!existing) return existing.error();
  const std::string diff =
      *existing ? file_list_difference(recorded_files(**existing), files) : std::string();
  start.resuming =
      !o.restart &&
      (o.resume || (o.auto_resume && *existing && (!(*existing)->finished || diff.empty())));
  if (!start.resuming) {
    if (*existing) {
      const std::string why = rerun_refusal(o, **existing, diff.empty());
      if (!why.empty()) return make_error(ErrorCode::kBadArgument, why);
    }
    return start;
  }
  if (!*existing) {
    return make_error(ErrorCode::kBadArgument, "no checkpoint at " + o.checkpoint +
                                                   ": nothing to resume (run without --resume "
                                                   "to start a new load)");
  }
  if (!diff.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "cannot resume from " + o.checkpoint +
                          ": the list of files differs from the recorded load: " + diff);
  }
  start.recorded = std::move(**existing);
  start.index = start.recorded.files.empty() ? 0 : start.recorded.file_index;
  return start;
}

// Returns the options of file `i`'s run.
LoadOptions file_options(const LoadOptions& base, const std::vector<std::string>& paths,
                         const FilePart& part) {
  LoadOptions f = base;
  f.input = paths[part.index];
  f.part = part;
  f.complete = base.complete && part.last();
  return f;
}

// Adds run `r` of one file to the load's totals.
void add_run(LoadReport& total, const LoadReport& r) {
  total.rows += r.rows;
  total.batches += r.batches;
  total.bytes_in += r.bytes_in;
  total.json_bytes += r.json_bytes;
  total.bytes_sent += r.bytes_sent;
  total.requests += r.requests;
  total.retries += r.retries;
  total.connects += r.connects;
  total.size_splits += r.size_splits;
  total.redirects += r.redirects;
  total.largest_body_stored = std::max(total.largest_body_stored, r.largest_body_stored);
  if (r.smallest_body_refused != 0 &&
      (total.smallest_body_refused == 0 || r.smallest_body_refused < total.smallest_body_refused)) {
    total.smallest_body_refused = r.smallest_body_refused;
  }
  if (!r.moved_to.empty()) total.moved_to = r.moved_to;
  if (total.stages.empty()) {
    total.stages = r.stages;
  } else {
    for (std::size_t i = 0; i < total.stages.size() && i < r.stages.size(); ++i) {
      total.stages[i].busy_seconds += r.stages[i].busy_seconds;
    }
  }
  if (total.level_batches.size() < r.level_batches.size()) {
    total.level_batches.resize(r.level_batches.size());
  }
  if (total.level_names.empty()) total.level_names = r.level_names;  // the same steps every file
  for (std::size_t i = 0; i < r.level_batches.size(); ++i) {
    total.level_batches[i] += r.level_batches[i];
  }
  if (r.server_rows_count_max) {
    total.server_rows_count_max =
        std::max(total.server_rows_count_max.value_or(0), *r.server_rows_count_max);
  }
  // What ends the load is the last run's: its outcome, completion and final count.
  total.outcome = r.outcome;
  total.message = r.message;
  total.signal = r.signal;
  total.completed = r.completed;
  total.server_rows_count = r.server_rows_count;
  total.row_check = r.row_check;
  total.kernels = r.kernels;
  total.acked_offset = r.acked_offset;
  total.acked_row = r.acked_row;
  total.first_data_row = r.first_data_row;
  total.checkpoint = r.checkpoint;
  if (!r.checkpoint_error.empty()) total.checkpoint_error = r.checkpoint_error;
  total.resume_command = r.resume_command;
  total.rejects = r.rejects;  // carried from file to file: the load's
  total.rejects_path = r.rejects_path;
  for (const auto& example : r.reject_examples) {
    if (total.reject_examples.size() < 10) total.reject_examples.push_back(example);
  }
}

}  // namespace

LoadReport run_files(const LoadOptions& o) {
  const auto started = Clock::now();
  auto schema = common_schema(o);
  if (!schema) return failed(o, schema.error());
  const std::vector<std::size_t> places =
      shard_files(o.inputs.size(), o.shard.index, o.shard.count);
  std::vector<std::string> paths;
  std::vector<FileIdentity> files;
  for (const std::size_t i : places) {
    auto id = identify_file(o.inputs[i]);
    if (!id) return failed(o, id.error());
    paths.push_back(o.inputs[i]);
    files.push_back(std::move(*id));
  }

  LoadOptions base = o;
  base.inputs.clear();
  base.schema = std::move(*schema);
  base.validate_first = false;  // done below, for every file before the first request
  base.resume = base.auto_resume = false;
  const bool sends = o.target == Target::kNetwork || o.target == Target::kBench;
  double validate_seconds = 0;
  if (o.validate_first && sends && !o.resume) {
    for (const auto& path : paths) {
      LoadOptions check = base;
      check.input = path;
      double seconds = 0;
      if (auto stop = validate_first(check, seconds)) return *stop;
      validate_seconds += seconds;
    }
  }

  auto start = plan_start(o, files);
  if (!start) return failed(o, start.error());
  LoadReport total;
  total.target = o.target;
  for (std::size_t i = 0; i < files.size(); ++i) {
    total.files.push_back({.path = paths[i],
                           .state = i < start->index ? "loaded earlier" : "not reached",
                           .size = files[i].size});
    total.input_size = total.input_size.value_or(0) + files[i].size;
  }
  if (files.empty()) {
    total.message = "shard " + std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count) +
                    " has no file of the " + std::to_string(o.inputs.size()) + ": nothing to send";
    total.row_check = "no rows sent: nothing to check";
    return total;
  }

  FilePart part;
  part.files = files;
  if (start->resuming && start->recorded.finished) {
    // A finished load of this list: nothing to do when the settings match too, as plan_load
    // decides for its last file (--resume refuses other settings; for --auto-resume a load
    // with other settings is a new load).
    part.index = start->index;
    LoadOptions probe = file_options(base, paths, part);
    probe.resume = o.resume;
    probe.auto_resume = o.auto_resume;
    auto opened = open_input(probe);
    if (!opened) return failed(o, opened.error());
    if ((*opened)->plan.already_finished) {
      LoadReport r = finished_report(o, (*opened)->plan);
      r.files = std::move(total.files);
      for (auto& f : r.files) f.state = "loaded earlier";
      return r;
    }
    *start = Start{};
    for (auto& f : total.files) f.state = "not reached";
  }
  if (start->resuming) {
    base.load_id = start->recorded.load_id;
    // The files after the resumed one carry on from its counts (the plan reads them).
    part.batches_before = start->recorded.batches_acked;
  } else {
    base.load_id = o.load_id;
    if (base.load_id.empty()) {
      LoadOptions first = base;
      first.input = paths.front();
      auto id = make_load_id(first);
      if (!id) return failed(o, id.error());
      base.load_id = *id;
    }
  }

  bool first_run = true;
  bool inserted_known = true;  // every run's answers gave the rows inserted
  std::uint64_t inserted = 0;
  for (std::size_t i = start->index; i < files.size(); ++i) {
    part.index = i;
    part.continues = !first_run;
    LoadOptions f = file_options(base, paths, part);
    f.resume = first_run && start->resuming;
    const LoadReport r = run_load(f);
    FileReport& file = total.files[i];
    file.rows = r.rows;
    file.bytes_in = r.bytes_in;
    file.seconds = r.wall_seconds;
    file.state = r.outcome == Outcome::kOk ? "loaded" : "failed";
    if (first_run) {
      total.load_id = r.load_id;
      total.resumed = r.resumed;
      total.resumed_from = r.resumed_from;
      total.rows_before = r.rows_before;
      total.server_rows_before = r.server_rows_before;
    }
    add_run(total, r);
    total.started = total.started || r.started;
    inserted_known = inserted_known && r.server_rows_inserted.has_value();
    inserted += r.server_rows_inserted.value_or(0);
    first_run = false;
    if (r.outcome != Outcome::kOk) break;
    // The next file carries on where this one ended.
    part.rows_before = r.rows_before + r.rows;
    part.batches_before += r.batches;
    part.truncated = o.replace;
    part.rejects = r.rejects;
  }
  if (inserted_known) {
    total.server_rows_inserted = inserted;
  } else {
    total.server_rows_inserted.reset();
  }
  total.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  total.validate_seconds = validate_seconds;
  if (total.outcome == Outcome::kOk) {
    // The row check over all the files (each file's run checked its own part).
    total.row_check.clear();
    check_rows(o, total);
  }
  return total;
}

}  // namespace dsfill::loader

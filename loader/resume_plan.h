// Where a run of a load starts: a fresh load, or the continuation of the one its checkpoint
// records (same file, same settings, same load id, from the acknowledged offset). Decided from
// the options and the checkpoint file alone, so it is testable without a server.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "base/error.h"
#include "codec/request_body.h"
#include "loader/ack_tracker.h"
#include "loader/checkpoint.h"
#include "loader/load_options.h"
#include "loader/prefix_hash.h"

namespace dsfill::loader {

struct Plan {
  Checkpoint checkpoint;  // the identity and load id; offset/row/counts where this run starts
  std::int64_t start_offset = 0;
  std::int64_t start_row = 1;
  bool replace = false;  // this run's first batch truncates
  bool resumed = false;
  bool already_finished = false;
  // What names this run's Idempotency-Keys: the load id, or for one of several files the
  // file's own key id (load_id.h: file_key_id).
  std::string key_id;
  // A later file of a load of several files (FilePart::continues): its counts carry on from
  // the earlier files', as a resume's do.
  bool continued = false;
  // Whether this file ends the load: its end finishes the checkpoint (false for all files of
  // several but the last).
  bool last_file = true;
};

// Returns the plan for `o`, whose data (after the header) starts at byte `data_start` and
// physical row `data_row`, with request bodies from `body`. Without --checkpoint (or without a
// network) a fresh load. With it, checks the recorded checkpoint: it exists for --resume and
// matches this file and these settings; for a fresh load, it is not an unfinished load that
// would be silently abandoned. Errors are kBadArgument (usage), or kIo for unreadable files.
// `rows` are the encoders' options (the schema's): their mapping and value rules are part of
// the load's identity. One of several files (o.part): the plan records the list of files,
// only file 0 may truncate, and a continuing file starts at its data with the counts carried.
Result<Plan> plan_load(const LoadOptions& o, const codec::BodyTemplate& body,
                       const codec::RowsJsonOptions& rows, std::int64_t data_start,
                       std::int64_t data_row);

// Returns why a new run of `o` must not start over the checkpoint `existing` holds (usage,
// exit 2), or "" when it may: the checkpoint is another load's (URL, user or dataset code
// differ: it is never overwritten); or it records an unfinished load (continue it with
// --resume, or discard it with --restart); or a finished append-mode load of these very files
// (`same_files`: loading them again would store every row twice). A finished replace-mode load
// may run again: it truncates first, nothing doubles. --restart skips the last two.
std::string rerun_refusal(const LoadOptions& o, const Checkpoint& existing, bool same_files);

// Returns the report of `--resume` for a load that already finished: nothing to send.
LoadReport finished_report(const LoadOptions& o, const Plan& plan);

// Returns the command that resumes this load, for the summary.
std::string resume_command(const LoadOptions& o);
// Returns the command that discards its checkpoint and loads the input again from the start.
std::string restart_command(const LoadOptions& o);

// Keeps the checkpoint file in step with the acknowledged prefix: rewrites it when the prefix
// grows, at most once a second (each write costs two fsyncs), and on demand at the end.
// Runs on the io thread (advance) and the main thread (write_now), never both at once.
class CheckpointKeeper {
 public:
  // `path` empty, or a plan without an identity (no checkpoint): inactive, writes nothing.
  // A plain file's prefix is hashed as it grows (prefix_hash.h); a compressed one's, or one
  // shard's of several, is not.
  CheckpointKeeper(std::string path, Checkpoint base, bool replace);
  bool active() const { return !path_.empty() && !base_.identity.path.empty(); }

  // Rewrites the checkpoint when a second has passed since the last write; a failure is logged
  // once and remembered (the load goes on).
  void advance(const AckTracker& acks);
  // Writes the checkpoint now: the prefix `acks`, finished or not.
  Result<bool> write_now(const AckTracker& acks, bool finished);
  // The first failure of advance(), empty when none.
  const std::string& error() const { return error_; }
  // Records `rejects`' tally (and syncs its files) in every checkpoint written from now on.
  void set_rejects(RejectLog* rejects) { rejects_ = rejects; }

 private:
  std::string path_;
  Checkpoint base_;
  bool replace_;
  std::chrono::steady_clock::time_point last_{};
  std::string error_;
  RejectLog* rejects_ = nullptr;
  std::unique_ptr<PrefixHasher> hasher_;  // null: no prefix hash recorded
};

}  // namespace dsfill::loader

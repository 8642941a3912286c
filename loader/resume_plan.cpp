#include "loader/resume_plan.h"

#include "loader/load_id.h"
#include "loader/log.h"

namespace dsfill::loader {

using Clock = std::chrono::steady_clock;

namespace {

// Returns the plan of a later file of a load of several files: it starts at its data, with the
// earlier files' counts, and never truncates (the load's first request did).
Result<Plan> continued_plan(const LoadOptions& o, const codec::BodyTemplate& body,
                            const codec::RowsJsonOptions& rows, std::int64_t data_start,
                            std::int64_t data_row) {
  const FilePart& part = *o.part;
  Plan plan;
  plan.start_offset = data_start;
  plan.start_row = data_row;
  plan.continued = true;
  Checkpoint& c = plan.checkpoint;
  if (!o.checkpoint.empty() && o.target == Target::kNetwork) {
    auto identity = identify_load(
        o, sha256_hex(body.prefix + '\n' + body.suffix_append + '\n' + body.suffix_replace), rows);
    if (!identity) return identity.error();
    c.identity = std::move(*identity);
  }
  c.load_id = o.load_id;
  c.offset = data_start;
  c.next_row = data_row;
  c.rows_acked = part.rows_before;
  c.batches_acked = part.batches_before;
  c.truncated = part.truncated;
  c.rejects = part.rejects;
  return plan;
}

// Returns whether `a` and `b` name the same file with the same contents as far as the identity
// tells (path, size, mtime, head, compression).
bool same_file(const LoadIdentity& a, const LoadIdentity& b) {
  return a.path == b.path && a.size == b.size && a.mtime == b.mtime &&
         a.head_sha256 == b.head_sha256 && a.compression == b.compression;
}

// Returns what --restart means for the rows `c` records as stored: in append mode they are
// stored again ("" in replace mode, which truncates first).
std::string twice_warning(const LoadOptions& o, const Checkpoint& c) {
  if (o.replace || c.rows_acked == 0) return "";
  return " (in append mode the " + std::to_string(c.rows_acked) +
         " rows already stored are then stored twice; --mode replace starts the dataset over)";
}

// Returns "" when the checkpoint `c` may be resumed by this run's `now`, else why not. A plain
// file changed since (size, mtime or head differ) may be resumed when its first `c.offset`
// bytes, which the server stored, hash as recorded: a bad row past them was fixed. `now`'s
// file fields are then what the checkpoint records from here on.
std::string resume_refusal(const LoadOptions& o, Checkpoint& c, const LoadIdentity& now) {
  const std::string diff = identity_mismatch(c.identity, now);
  if (diff.empty()) return "";
  LoadIdentity settings = now;  // this run's settings with the recorded file
  settings.size = c.identity.size;
  settings.mtime = c.identity.mtime;
  settings.head_sha256 = c.identity.head_sha256;
  const std::string head = "cannot resume from " + o.checkpoint + ": ";
  if (!identity_mismatch(c.identity, settings).empty() || c.identity.path != now.path) {
    return head + "the file or the settings differ from the recorded load: " + diff;
  }
  // Only the file's contents changed.
  if (!now.compression.empty() || c.prefix_sha256.empty()) {
    return head + "the file changed since (" + diff + ")" +
           (now.compression.empty()
                ? std::string(" and the checkpoint records no hash of its acknowledged prefix")
                : std::string(" and it is compressed: a compressed file must be unchanged to "
                              "resume (its offsets are of the decompressed data)"));
  }
  if (now.size < c.offset) {
    return head + "the file changed since and is now shorter (" + std::to_string(now.size) +
           " bytes) than its acknowledged prefix (" + std::to_string(c.offset) + " bytes)";
  }
  auto hash = file_prefix_sha256(now.path, c.offset);
  if (!hash) return head + hash.error().describe();
  if (*hash != c.prefix_sha256) {
    return head + "the file changed within its first " + std::to_string(c.offset) +
           " bytes, which the server already stored: the rows sent would not be the file's. "
           "Restore the file, or start over with " +
           restart_command(o) + twice_warning(o, c);
  }
  log(LogLevel::kInfo,
      o.input + " changed since the recorded run, but its first " + std::to_string(c.offset) +
          " bytes (the acknowledged prefix) are unchanged: resuming after them",
      {{"offset", c.offset}});
  c.identity.size = now.size;
  c.identity.mtime = now.mtime;
  c.identity.head_sha256 = now.head_sha256;
  return "";
}

Result<Plan> plan_one(const LoadOptions& o, const codec::BodyTemplate& body,
                      const codec::RowsJsonOptions& rows, std::int64_t data_start,
                      std::int64_t data_row) {
  if (o.part && o.part->continues) return continued_plan(o, body, rows, data_start, data_row);
  Plan plan;
  plan.start_offset = data_start;
  plan.start_row = data_row;
  plan.replace = o.replace;
  const bool checkpointed = !o.checkpoint.empty() && o.target == Target::kNetwork;
  if (!checkpointed) {
    auto id = o.load_id.empty() ? make_load_id(o) : Result<std::string>(o.load_id);
    if (!id) return id.error();
    plan.checkpoint.load_id = *id;
    return plan;
  }
  auto identity = identify_load(
      o, sha256_hex(body.prefix + '\n' + body.suffix_append + '\n' + body.suffix_replace), rows);
  if (!identity) return identity.error();
  auto existing = read_checkpoint(o.checkpoint);
  if (!existing) return existing.error();
  const bool resume =
      !o.restart && (o.resume || (o.auto_resume && *existing &&
                                  (!(*existing)->finished ||
                                   identity_mismatch((*existing)->identity, *identity).empty())));
  if (!resume) {
    // The first file of several: plan_start (multi_load.cpp) decided for the whole list.
    if (*existing && !o.part) {
      const std::string why =
          rerun_refusal(o, **existing, same_file((*existing)->identity, *identity));
      if (!why.empty()) return make_error(ErrorCode::kBadArgument, why);
    }
    auto id = o.load_id.empty() ? make_load_id(o) : Result<std::string>(o.load_id);
    if (!id) return id.error();
    plan.checkpoint.identity = std::move(*identity);
    plan.checkpoint.load_id = *id;
    plan.checkpoint.offset = data_start;
    plan.checkpoint.next_row = data_row;
    return plan;
  }
  if (!*existing) {
    return make_error(ErrorCode::kBadArgument, "no checkpoint at " + o.checkpoint +
                                                   ": nothing to resume (run without --resume "
                                                   "to start a new load)");
  }
  Checkpoint& c = **existing;
  if (const std::string why = resume_refusal(o, c, *identity); !why.empty()) {
    return make_error(ErrorCode::kBadArgument, why);
  }
  // A compressed file's offsets are of its decompressed data, which may be any size: a resume
  // past its end fails when decoding reaches the end first.
  const bool past_end = identity->compression.empty() && c.offset > identity->size;
  if (c.offset < data_start || past_end) {
    return make_error(ErrorCode::kBadArgument, "cannot resume from " + o.checkpoint +
                                                   ": its offset " + std::to_string(c.offset) +
                                                   " lies outside the data of " + o.input);
  }
  plan.resumed = true;
  plan.already_finished = c.finished;
  plan.start_offset = c.offset;
  plan.start_row = c.next_row;
  // Replace mode: once the truncating batch is acknowledged, the rest is appended. If the first
  // run died before that, this run truncates again with the very same first request (same key).
  plan.replace = o.replace && !c.truncated;
  plan.checkpoint = std::move(c);
  return plan;
}

}  // namespace

Result<Plan> plan_load(const LoadOptions& o, const codec::BodyTemplate& body,
                       const codec::RowsJsonOptions& rows, std::int64_t data_start,
                       std::int64_t data_row) {
  auto plan = plan_one(o, body, rows, data_start, data_row);
  if (!plan || !o.part) {
    if (plan) plan->key_id = plan->checkpoint.load_id;
    return plan;
  }
  const FilePart& part = *o.part;
  plan->checkpoint.files = part.files;
  plan->checkpoint.file_index = part.index;
  plan->key_id = file_key_id(plan->checkpoint.load_id, part.index, part.files[part.index]);
  plan->replace = plan->replace && part.index == 0;
  plan->last_file = part.last();
  return plan;
}

std::string rerun_refusal(const LoadOptions& o, const Checkpoint& existing, bool same_files) {
  const LoadIdentity& was = existing.identity;
  if (was.url != o.url || was.user_code != o.user_code || was.dataset_code != o.dataset_code) {
    if (o.restart) return "";
    return o.checkpoint + " is the checkpoint of another load (dataset \"" + was.dataset_code +
           "\" of user \"" + was.user_code + "\" at " + was.url + "), not of this one (dataset \"" +
           o.dataset_code + "\" of user \"" + o.user_code + "\" at " + o.url +
           "): it is left alone. Give this run its own --checkpoint FILE (or --no-checkpoint), "
           "or pass --restart to discard that load's state";
  }
  if (o.restart) return "";
  if (!existing.finished) {
    return o.checkpoint + " holds an unfinished load of " + o.input + " (bytes 0-" +
           std::to_string(existing.offset) + ", " + std::to_string(existing.rows_acked) +
           " rows acknowledged); a new load would send those rows again. Continue it:\n  " +
           resume_command(o) + "\nor discard it and load everything again" +
           twice_warning(o, existing) + ":\n  " + restart_command(o);
  }
  if (same_files && was.mode == "append" && !o.replace) {
    return o.checkpoint + " records that this load of " + o.input + " already finished (" +
           std::to_string(existing.rows_acked) +
           " rows appended); appending the same file again would store every row twice. "
           "Check it (nothing is sent):\n  " +
           resume_command(o) + "\nor load it again anyway:\n  " + restart_command(o);
  }
  return "";
}

LoadReport finished_report(const LoadOptions& o, const Plan& plan) {
  LoadReport r;
  r.outcome = Outcome::kOk;
  r.target = o.target;
  r.load_id = plan.checkpoint.load_id;
  r.message = "the load recorded in " + o.checkpoint + " already finished (" +
              std::to_string(plan.checkpoint.rows_acked) + " rows); nothing was sent";
  r.already_finished = true;
  r.started = true;  // its summary says what the earlier runs did
  r.resumed = true;
  r.resumed_from = plan.checkpoint.offset;
  r.rows_before = plan.checkpoint.rows_acked;
  r.acked_offset = plan.checkpoint.offset;
  r.acked_row = plan.checkpoint.next_row;
  r.checkpoint = o.checkpoint;
  return r;
}

CheckpointKeeper::CheckpointKeeper(std::string path, Checkpoint base, bool replace)
    : path_(std::move(path)), base_(std::move(base)), replace_(replace) {
  // Not for one shard of several: its prefix starts mid-file, and hashing the bytes before its
  // range (the other shards') would read up to the whole file.
  const bool one_shard = base_.identity.shard.empty() || base_.identity.shard == "0/1";
  if (active() && base_.identity.compression.empty() && one_shard) {
    hasher_ = std::make_unique<PrefixHasher>(base_.identity.path);
  }
}

void CheckpointKeeper::advance(const AckTracker& acks) {
  if (!active() || Clock::now() - last_ < std::chrono::seconds(1)) return;
  if (auto w = write_now(acks, false); !w && error_.empty()) {
    error_ = w.error().describe();
    log(LogLevel::kWarn, "cannot write the checkpoint: " + error_, {});
  }
}

Result<bool> CheckpointKeeper::write_now(const AckTracker& acks, bool finished) {
  Checkpoint c = base_;
  c.offset = acks.offset();
  c.next_row = acks.row();
  c.batches_acked += acks.next_seq();
  c.rows_acked += acks.rows();
  c.truncated = base_.truncated || (replace_ && acks.next_seq() > 0);
  c.finished = finished;
  c.prefix_sha256.clear();
  if (hasher_) {
    if (auto hash = hasher_->hash_to(c.offset)) {
      c.prefix_sha256 = std::move(*hash);
    } else {
      // The load goes on; a resume of a changed file is then refused (the strict check).
      log(LogLevel::kWarn, "cannot hash the acknowledged prefix: " + hash.error().describe(), {});
      hasher_.reset();
    }
  }
  if (rejects_ != nullptr) {
    // The checkpoint records the rejects files' lengths: they must be on disk first.
    if (auto s = rejects_->sync(); !s) return s.error();
    c.rejects = rejects_->tally();
  }
  last_ = Clock::now();
  return write_checkpoint(path_, c);
}

std::string resume_command(const LoadOptions& o) {
  if (!o.resume_command.empty()) return o.resume_command;
  return "dsfill load " + o.input + " ... --checkpoint " + o.checkpoint +
         " --resume (with this run's options)";
}

std::string restart_command(const LoadOptions& o) {
  if (!o.restart_command.empty()) return o.restart_command;
  return "dsfill load " + o.input + " ... --checkpoint " + o.checkpoint +
         " --restart (with this run's options)";
}

}  // namespace dsfill::loader

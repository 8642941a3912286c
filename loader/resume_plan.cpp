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
      o.resume ||
      (o.auto_resume && *existing &&
       (!(*existing)->finished || identity_mismatch((*existing)->identity, *identity).empty()));
  if (!resume) {
    if (*existing && !(*existing)->finished) {
      return make_error(ErrorCode::kBadArgument,
                        o.checkpoint + " holds the checkpoint of an unfinished load (bytes 0-" +
                            std::to_string((*existing)->offset) +
                            " acknowledged): pass --resume to continue it, or remove the file "
                            "to start a new load");
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
  if (const std::string diff = identity_mismatch(c.identity, *identity); !diff.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "cannot resume from " + o.checkpoint +
                          ": the file or the settings differ from the recorded load: " + diff);
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

}  // namespace dsfill::loader

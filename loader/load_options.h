// What a load is asked to do (LoadOptions) and what it did (LoadReport).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "codec/gzip.h"
#include "codec/kernels.h"
#include "loader/chunker.h"
#include "loader/file_list.h"
#include "loader/reject_log.h"
#include "loader/schema.h"
#include "loader/shard.h"
#include "net/retry_policy.h"

namespace dsfill::loader {

enum class Target : std::uint8_t {
  kNetwork,  // POST every batch to the server
  kDryRun,   // read, encode and count; send nothing
  kBench,    // the same as kDryRun, reported as a benchmark
  kFile,     // write every request body to `output`, one per line, in file order (encode)
  kCheck,    // read and check every value, compress and send nothing (check, --validate-first)
};

enum class ProgressMode : std::uint8_t { kAuto, kAlways, kNever };

// Where one file's run sits in a load of several files (multi_load.h sets it for each file).
struct FilePart {
  std::vector<FileIdentity> files;  // the load's files (this shard's), in load order
  std::size_t index = 0;            // this file's place in `files`
  // A file after the first this run loads: it starts at its data, after the earlier files,
  // whatever the checkpoint holds (the earlier file's run wrote it), with these carried over.
  bool continues = false;
  std::uint64_t rows_before = 0;     // rows acknowledged for the earlier files (all runs)
  std::uint64_t batches_before = 0;  // and their batches
  bool truncated = false;            // replace mode: the truncating request is acknowledged
  RejectTally rejects;               // the earlier files' rejects (and the rejects file's length)
  bool last() const { return index + 1 >= files.size(); }
};

struct LoadOptions {
  std::string input;  // a path or "-" for standard input; the first file when `inputs` is set
  // Several files loaded as one load (multi_load.h), in load order; empty for one file.
  std::vector<std::string> inputs;
  // Set by multi_load for the run of each of several files; nullopt for a one-file load.
  std::optional<FilePart> part;
  SchemaOptions schema;
  ChunkerOptions chunker;
  int level = 6;
  // --level auto: adapt the level per batch (see level_controller.h), starting at `level`.
  bool auto_level = false;
  codec::GzipBackend gzip_backend = codec::GzipBackend::kLibdeflate;
  // --codec auto: with auto_level, walk both backends' levels (codec::gzip_auto_steps) instead of
  // gzip_backend's alone; a fixed level uses gzip_backend.
  bool auto_backend = false;
  bool compress = true;
  int encoders = 2;

  Target target = Target::kNetwork;
  std::string output;  // Target::kFile: the file the bodies go to ("-": standard output)
  std::string url;     // the API base, e.g. https://app.graphite-note.com/api
  std::string user_code;
  std::string dataset_code;
  bool replace = false;  // the first request truncates (append: false)
  bool complete = true;  // POST /dataset-complete at the end
  int connections = 4;
  std::chrono::milliseconds timeout{120'000};
  std::chrono::milliseconds connect_timeout{10'000};    // --connect-timeout
  std::chrono::milliseconds complete_timeout{600'000};  // --complete-timeout
  net::RetryOptions retry;
  std::string token;        // sent as Authorization: Bearer; never printed
  std::string cacert;       // PEM file for https; empty (and no capath): the system store
  std::string capath;       // a hashed directory of CA certificates
  std::string client_cert;  // mTLS: PEM client certificate, and its key (empty: in the cert)
  std::string client_key;
  bool insecure = false;  // --insecure: no certificate or name verification (test rigs only)
  // --proxy URL (without credentials: those come from the environment), "" when not given;
  // --no-proxy ignores every proxy setting. See net/proxy.h for how the proxy is chosen.
  std::string proxy;
  bool no_proxy = false;
  // The environment's proxy settings (HTTPS_PROXY, NO_PROXY, ... and DSFILL_PROXY_USER, the
  // proxy's "user:password"), as the CLI read them; never printed.
  std::map<std::string, std::string> proxy_env;
  std::vector<std::pair<std::string, std::string>> headers;  // extra request headers
  // --max-body-bytes: request bodies over this are split before they are sent (as a 413 would
  // split them); 0: none until the server refuses one as too large.
  std::size_t max_body_bytes = 0;
  // --max-rate and --max-requests-per-second: request starts paced under them (send_pacer.h);
  // 0: no limit.
  double max_bytes_per_second = 0;
  double max_requests_per_second = 0;

  // Names this load in every Idempotency-Key; empty: a fresh id (see load_id.h). A resume
  // passes the id of the load it continues, so re-sent batches carry the same keys.
  std::string load_id;

  // --shard I/N: load only this byte range of the file (see shard.h); count 1 loads it all.
  // Of several files, shard I loads whole files: those at places i with i mod N == I.
  ShardSpec shard;
  // Returns whether this run cuts its file to a shard's byte range (a one-file load only).
  bool cuts_file() const { return shard.count > 1 && !part; }

  // --checkpoint FILE: record the acknowledged prefix there (see checkpoint.h); empty: none.
  // With `resume`, continue the load the checkpoint records instead of starting a new one.
  std::string checkpoint;
  bool resume = false;
  // For scheduled runs: continue an unfinished load, do nothing for a finished load of this
  // very file and settings, and start a new load otherwise (a new nightly file).
  bool auto_resume = false;
  // --restart: discard what the checkpoint records and start a new load (a new load id).
  bool restart = false;
  // The commands that resume this load and that restart it, for the summary and the
  // messages (the CLI fills them in); empty: a generic hint is printed.
  std::string resume_command;
  std::string restart_command;

  // Bad rows: how many may be left out (0: none, the first stops the load) and where they go
  // (--rejects FILE; see reject_log.h). The encoders' keep_going follows bad_rows.any().
  BadRowLimits bad_rows;
  std::string rejects_path;
  // --validate-first: read and check the whole file before the first request (see pipeline.h).
  bool validate_first = false;
  // Target::kCheck (`dsfill check`): the problems listed, at most this many (the rest counted).
  std::size_t max_errors = 100;

  ProgressMode progress = ProgressMode::kAuto;
  // --stats-interval: between plain progress lines when stderr is not a terminal.
  std::chrono::milliseconds stats_interval{60'000};
  bool handle_signals = true;  // SIGINT/SIGTERM stop reading and let in-flight requests finish
};

enum class Outcome : std::uint8_t {
  kOk,
  kBadInput,       // the CSV or its encoding is malformed, or the input is unreadable
  kRejected,       // the server answered a batch with a 4xx other than 408/409/429
  kNetwork,        // retries or budget exhausted
  kCountMismatch,  // the server's row count differs from the rows sent
  kInterrupted,    // SIGINT or SIGTERM
  kUsage,          // bad options found when starting (URL, CA file, columns)
};

// One file of a load of several files, in the summary.
struct FileReport {
  std::string path;
  std::string
      state;  // "loaded", "loaded earlier" (a resume started after it), "failed", "not reached"
  std::uint64_t rows = 0;            // data rows this run acknowledged from it
  std::uint64_t bytes_in = 0;        // its CSV bytes of those rows (decompressed)
  std::optional<std::int64_t> size;  // the file's size (compressed when compressed)
  double seconds = 0;
};

// Busy time of one stage: time its threads spent working, not waiting on a queue.
struct StageReport {
  std::string name;
  int threads = 1;
  double busy_seconds = 0;  // summed over the stage's threads
  // Returns the share of the wall time the stage's threads were busy (0..1).
  double utilization(double wall_seconds) const {
    return wall_seconds > 0 && threads > 0 ? busy_seconds / (wall_seconds * threads) : 0;
  }
};

struct LoadReport {
  Outcome outcome = Outcome::kOk;
  std::string message;  // why the load failed, or the count mismatch; empty when ok
  int signal = 0;       // SIGINT or SIGTERM when interrupted
  Target target = Target::kNetwork;
  std::string output;  // Target::kFile: the file the bodies go to ("-": standard output)
  std::string load_id;

  std::uint64_t rows = 0;                  // data records acknowledged (header excluded)
  std::uint64_t batches = 0;               // batches acknowledged
  std::uint64_t bytes_in = 0;              // CSV bytes of the acknowledged batches
  std::uint64_t json_bytes = 0;            // JSON rows text before compression
  std::uint64_t bytes_sent = 0;            // request bodies of the acknowledged batches
  std::optional<std::int64_t> input_size;  // the file's size when known
  std::uint64_t requests = 0;              // HTTP requests made, retries and completion included
  std::uint64_t retries = 0;
  std::uint64_t connects = 0;
  std::uint64_t size_splits = 0;            // batches or parts split for their body's size
  std::uint64_t smallest_body_refused = 0;  // bytes; 0: the server refused none as too large
  std::uint64_t largest_body_stored = 0;    // bytes
  std::uint64_t redirects = 0;              // 307/308 answers followed
  std::string moved_to;                     // where a 308 moved an endpoint to, or ""
  // The proxy requests went through ("http://host:port (from HTTPS_PROXY)", never with its
  // credentials), or why none was ("direct: NO_PROXY matches host"); "" when none was set.
  std::string proxy;
  double wall_seconds = 0;
  std::vector<StageReport> stages;  // reader, encoder, sender
  // --level auto: batches encoded at each gzip level (index: level), or with --codec auto at each
  // step of codec::gzip_auto_steps (index: step, named by level_names); empty otherwise.
  std::vector<std::uint64_t> level_batches;
  std::vector<std::string> level_names;  // empty: the index is the level
  codec::KernelsInUse kernels;           // the SIMD kernels the encoders and the chunker ran

  // The acknowledged contiguous prefix: every batch before this offset and row is stored.
  std::int64_t acked_offset = 0;
  std::int64_t acked_row = 1;
  // The row number of the file's first data record: data rows in the prefix are
  // acked_row - first_data_row (row numbers count the header's line; the summary never does).
  std::int64_t first_data_row = 1;
  // The load read its input (the stages ran): false for usage and input errors found before
  // the first read, whose report is the error alone (no summary of zeros).
  bool started = false;

  bool completed = false;                             // POST /dataset-complete acknowledged
  std::optional<std::int64_t> server_rows_count;      // "rows-count" of the last answer
  std::optional<std::uint64_t> server_rows_inserted;  // sum of "rows-inserted", when reported
  // The largest "rows-count" of the fill answers, and the dataset's rows before this run as the
  // answers that carry both counts tell it (see Sender).
  std::optional<std::int64_t> server_rows_count_max;
  std::optional<std::int64_t> server_rows_before;
  // The final row check in words: what was compared, or why nothing could be ("the server did
  // not report inserted rows: count not checked"). Empty when the load did not reach it.
  std::string row_check;

  // Checkpoint and resume (empty/zero without --checkpoint).
  std::string checkpoint;         // the checkpoint file
  std::string resume_command;     // how to resume; empty when there is nothing left to do
  bool resumed = false;           // this run continued a checkpoint
  std::int64_t resumed_from = 0;  // the byte offset it continued from
  bool already_finished = false;  // --resume of a finished load: nothing was sent
  std::uint64_t rows_before = 0;  // rows acknowledged by earlier runs of this load
  std::string checkpoint_error;   // the checkpoint could not be written (the load went on)

  // Bad rows left out: counts by reason over all runs of the load, the rejects file ("" without
  // one), and the first few (Target::kCheck: the first max_errors), in file order.
  RejectTally rejects;
  std::string rejects_path;
  std::vector<codec::RowReject> reject_examples;
  // --validate-first: how long the validation pass took (0 when there was none).
  double validate_seconds = 0;

  // A load of several files: each file, in load order (rows, bytes and time of this run);
  // the fields above are the totals. Empty for a one-file load.
  std::vector<FileReport> files;

  // Returns the stage with the highest utilization, when it was busy more than
  // kBottleneckUtilization of the time ("" otherwise: a load that waited on nothing of its own,
  // e.g. one that failed at once or paced by --max-rate, has no bottleneck to speak of).
  std::string bottleneck() const;
  static constexpr double kBottleneckUtilization = 0.05;
};

}  // namespace dsfill::loader

// The checkpoint of a load (`--checkpoint FILE`): how far every batch is acknowledged, and what
// identifies the load, so that `--resume` continues exactly where the server's stored prefix
// ends, re-sending later batches with the same Idempotency-Keys as before.
//
// A load of several files (multi_load.h) also records the ordered list of its files with their
// identities and the place in it of the file the offset is in ("files", "file_index"); a
// checkpoint without them is of a one-file load, as before.
//
// The file is one JSON object (version 1), replaced atomically: written to FILE.tmp, fsynced,
// renamed over FILE, and the directory fsynced, so a crash (even kill -9 or power loss) leaves
// either the previous checkpoint or the new one, never a torn file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "loader/file_list.h"
#include "loader/load_options.h"
#include "loader/reject_log.h"

namespace dsfill::loader {

inline constexpr int kCheckpointVersion = 1;

// What must be equal for a resume to cut the same batches with the same bodies and keys.
struct LoadIdentity {
  std::string path;         // absolute path of the input
  std::int64_t size = 0;    // bytes
  std::string mtime;        // "seconds.nanoseconds"
  std::string head_sha256;  // SHA-256 (hex) of the first MiB (the whole file if smaller)
  // "gzip", "zstd", "bzip2", "xz" for a compressed file, whose size, mtime and head are the
  // compressed file's while every offset of the checkpoint is of the decompressed data; "" for
  // a plain file (and in checkpoints written before compressed inputs were read).
  std::string compression;
  std::string url;
  std::string user_code;
  std::string dataset_code;
  std::uint64_t batch_rows = 0;
  std::uint64_t batch_bytes = 0;
  int level = 0;  // 0 when not compressed, -1 for --level auto
  bool compress = true;
  std::string mode;     // "append" or "replace"
  std::string dialect;  // e.g. "delimiter=44,quote=34,header=1,encoding=0,utf8=0"
  std::string shard;    // "I/N"
  // SHA-256 (hex) of the body template (user and dataset codes, columns spec, compression).
  std::string columns_sha256;
  // What else shapes the bodies: the header-to-column mapping and the null and number rules
  // (e.g. "source=2,0,1;null=NULL|\\N;empty_as_null=0;decimal_comma=0;thousands=0").
  // Absent in checkpoints written before these rules existed: "".
  std::string rules;
  std::string rejects_path;  // --rejects FILE; "" without one
};

struct Checkpoint {
  int version = kCheckpointVersion;
  LoadIdentity identity;
  std::string load_id;              // names every Idempotency-Key of the load
  std::int64_t offset = 0;          // every batch before this byte offset is acknowledged
  std::int64_t next_row = 1;        // the physical row (1-based, header included) at `offset`
  std::uint64_t batches_acked = 0;  // batches in the acknowledged prefix, over all runs
  std::uint64_t rows_acked = 0;     // data rows in the acknowledged prefix, over all runs
  // Replace mode: the truncating first batch is acknowledged, so the rest is appended.
  bool truncated = false;
  bool finished = false;  // every batch acknowledged (and the dataset completed, if asked)
  // The rejects of the acknowledged prefix, over all runs, and the rejects files' lengths.
  RejectTally rejects;
  // A load of several files: all of them in load order, and the place in `files` of the one
  // `identity`, `offset` and `next_row` are of (earlier files are acknowledged whole). Counts
  // (rows_acked, batches_acked, rejects) are over all the files. Empty for a one-file load.
  std::vector<FileIdentity> files;
  std::size_t file_index = 0;
  // SHA-256 (hex) of the first `offset` bytes of the file `identity` names (prefix_hash.h), so
  // a resume accepts a file changed only past them (a bad row fixed after the failure). Empty
  // for compressed files (their offsets are of decompressed data) and in older checkpoints:
  // their resume needs the file unchanged.
  std::string prefix_sha256;
};

// Returns the list of files `c` records: its `files`, or its one file for a one-file load.
std::vector<FileIdentity> recorded_files(const Checkpoint& c);

// Returns the identity of the load `options` describes, with `columns_sha256` and the rows
// options `rows` given by the caller (they depend on the schema read from the file). Fails with
// kBadArgument for standard input (it cannot be resumed) and kIo when the file cannot be read.
Result<LoadIdentity> identify_load(const LoadOptions& options, std::string columns_sha256,
                                   const codec::RowsJsonOptions& rows);

// Returns the text LoadIdentity::rules records for `rows`.
std::string body_rules(const codec::RowsJsonOptions& rows);

// Returns "" when `now` may resume `recorded`, else a message naming each field that differs
// with both values (e.g. "size: the checkpoint has 1200, the file has 1300").
std::string identity_mismatch(const LoadIdentity& recorded, const LoadIdentity& now);

// Returns the checkpoint as JSON text (one object, a trailing newline).
std::string checkpoint_json(const Checkpoint& checkpoint);

// Parses checkpoint JSON. Fails with kBadArgument naming the missing or malformed field, or an
// unknown version.
Result<Checkpoint> parse_checkpoint(std::string_view json);

// Writes `checkpoint` to `path` atomically (temp file, fsync, rename, fsync of the directory).
// Fails with kIo naming the path and the system's reason.
Result<bool> write_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Reads and parses the checkpoint at `path`; nullopt when there is no such file.
Result<std::optional<Checkpoint>> read_checkpoint(const std::string& path);

}  // namespace dsfill::loader

#include "loader/checkpoint.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "loader/atomic_file.h"

namespace dsfill::loader {

namespace {

Error io_error(const std::string& what, const std::string& path, int err) {
  return make_error(ErrorCode::kIo, what + " " + path + ": " + std::strerror(err));
}

}  // namespace

std::string body_rules(const codec::RowsJsonOptions& rows) {
  std::string out = "source=";
  for (std::size_t i = 0; i < rows.source.size(); ++i) {
    if (i != 0) out += ',';
    out += rows.source[i] == codec::kNoField ? std::string("null") : std::to_string(rows.source[i]);
  }
  out += ";null=";
  for (std::size_t i = 0; i < rows.nulls.markers.size(); ++i) {
    if (i != 0) out += '|';
    out += rows.nulls.markers[i];
  }
  out += ";empty_as_null=" + std::to_string(static_cast<int>(rows.nulls.empty_as_null)) +
         ";decimal_comma=" + std::to_string(static_cast<int>(rows.numbers.decimal_comma)) +
         ";thousands=" + std::to_string(static_cast<int>(rows.numbers.thousands_separator)) +
         ";keep_going=" + std::to_string(static_cast<int>(rows.keep_going));
  return out;
}

Result<LoadIdentity> identify_load(const LoadOptions& o, std::string columns_sha256,
                                   const codec::RowsJsonOptions& schema_rows) {
  if (o.input == "-") {
    return make_error(ErrorCode::kBadArgument,
                      "standard input cannot be resumed: --checkpoint needs a FILE");
  }
  auto file = identify_file(o.input);
  if (!file) {
    if (file.error().code != ErrorCode::kBadArgument) return file.error();
    return make_error(ErrorCode::kBadArgument,
                      file.error().message + ": --checkpoint needs a file to resume");
  }
  LoadIdentity id;
  id.path = std::move(file->path);
  id.size = file->size;
  id.mtime = std::move(file->mtime);
  id.head_sha256 = std::move(file->head_sha256);
  id.compression = std::move(file->compression);
  id.url = o.url;
  id.user_code = o.user_code;
  id.dataset_code = o.dataset_code;
  id.batch_rows = o.chunker.batch_rows;
  id.batch_bytes = o.chunker.batch_bytes;
  id.compress = o.compress;
  id.level = !o.compress ? 0 : o.auto_level ? -1 : o.level;
  id.mode = o.replace ? "replace" : "append";
  const auto& rows = o.schema.rows;
  id.dialect = "delimiter=" + std::to_string(static_cast<int>(o.chunker.dialect.delimiter)) +
               ",quote=" + std::to_string(static_cast<int>(o.chunker.dialect.quote)) +
               ",header=" + (o.schema.has_header ? "1" : "0") +
               ",encoding=" + std::to_string(static_cast<int>(rows.encoding)) +
               ",utf8=" + std::to_string(static_cast<int>(rows.utf8));
  // Only when set, so that checkpoints written before --limit existed still match.
  if (o.chunker.limit_records > 0)
    id.dialect += ",limit=" + std::to_string(o.chunker.limit_records);
  if (o.chunker.skip_lines > 0) id.dialect += ",skip_lines=" + std::to_string(o.chunker.skip_lines);
  if (o.chunker.comment != '\0')
    id.dialect += ",comment=" + std::to_string(static_cast<int>(o.chunker.comment));
  id.shard = std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count);
  id.columns_sha256 = std::move(columns_sha256);
  id.rules = body_rules(schema_rows);
  // A body cap decides how batches are split, and so the parts' keys: a resume must keep it.
  if (o.max_body_bytes != 0) id.rules += ";max_body=" + std::to_string(o.max_body_bytes);
  id.rejects_path = o.rejects_path;
  return id;
}

std::vector<FileIdentity> recorded_files(const Checkpoint& c) {
  if (!c.files.empty()) return c.files;
  const LoadIdentity& id = c.identity;
  return {{.path = id.path,
           .size = id.size,
           .mtime = id.mtime,
           .head_sha256 = id.head_sha256,
           .compression = id.compression}};
}

std::string identity_mismatch(const LoadIdentity& recorded, const LoadIdentity& now) {
  std::string out;
  auto check = [&](const char* name, const auto& was, const auto& is) {
    if (was == is) return;
    std::ostringstream s;
    s << name << ": the checkpoint has \"" << was << "\", this run has \"" << is << "\"";
    out += out.empty() ? "" : "; ";
    out += s.str();
  };
  check("file", recorded.path, now.path);
  check("size", recorded.size, now.size);
  check("mtime", recorded.mtime, now.mtime);
  check("sha256 of the first MiB", recorded.head_sha256, now.head_sha256);
  check("compression", recorded.compression, now.compression);
  check("url", recorded.url, now.url);
  check("user-code", recorded.user_code, now.user_code);
  check("dataset-code", recorded.dataset_code, now.dataset_code);
  check("batch-rows", recorded.batch_rows, now.batch_rows);
  check("batch-bytes", recorded.batch_bytes, now.batch_bytes);
  check("compress", recorded.compress, now.compress);
  const auto level_name = [](int level) {
    return level < 0 ? std::string("auto") : std::to_string(level);
  };
  check("level", level_name(recorded.level), level_name(now.level));
  check("mode", recorded.mode, now.mode);
  check("dialect", recorded.dialect, now.dialect);
  check("shard", recorded.shard, now.shard);
  check("columns (sha256 of the request envelope)", recorded.columns_sha256, now.columns_sha256);
  check("column mapping and value rules", recorded.rules, now.rules);
  check("rejects file", recorded.rejects_path, now.rejects_path);
  return out;
}

std::string checkpoint_json(const Checkpoint& c) {
  boost::json::object id;
  id["path"] = c.identity.path;
  id["size"] = c.identity.size;
  id["mtime"] = c.identity.mtime;
  id["head_sha256"] = c.identity.head_sha256;
  id["compression"] = c.identity.compression;
  id["url"] = c.identity.url;
  id["user_code"] = c.identity.user_code;
  id["dataset_code"] = c.identity.dataset_code;
  id["batch_rows"] = c.identity.batch_rows;
  id["batch_bytes"] = c.identity.batch_bytes;
  id["compress"] = c.identity.compress;
  id["level"] = c.identity.level;
  id["mode"] = c.identity.mode;
  id["dialect"] = c.identity.dialect;
  id["shard"] = c.identity.shard;
  id["columns_sha256"] = c.identity.columns_sha256;
  id["rules"] = c.identity.rules;
  id["rejects_path"] = c.identity.rejects_path;
  boost::json::object rejects = reject_counts_json(c.rejects);
  rejects["file_bytes"] = c.rejects.file_bytes;
  rejects["errors_bytes"] = c.rejects.errors_bytes;
  boost::json::object o;
  o["version"] = c.version;
  o["load_id"] = c.load_id;
  o["offset"] = c.offset;
  o["next_row"] = c.next_row;
  o["batches_acked"] = c.batches_acked;
  o["rows_acked"] = c.rows_acked;
  o["truncated"] = c.truncated;
  o["finished"] = c.finished;
  o["identity"] = std::move(id);
  if (!c.prefix_sha256.empty()) o["prefix_sha256"] = c.prefix_sha256;
  o["rejects"] = std::move(rejects);
  if (!c.files.empty()) {
    boost::json::array files;
    for (const auto& f : c.files) {
      files.push_back({{"path", f.path},
                       {"size", f.size},
                       {"mtime", f.mtime},
                       {"head_sha256", f.head_sha256},
                       {"compression", f.compression}});
    }
    o["files"] = std::move(files);
    o["file_index"] = c.file_index;
  }
  return boost::json::serialize(o) + "\n";
}

Result<Checkpoint> parse_checkpoint(std::string_view json) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) {
    return make_error(ErrorCode::kBadArgument, "the checkpoint is not a JSON object");
  }
  std::string missing;
  auto field = [&](const boost::json::object& o, const char* key) -> const boost::json::value* {
    const auto* f = o.if_contains(key);
    if (f == nullptr && missing.empty()) missing = key;
    return f;
  };
  auto str = [&](const boost::json::object& o, const char* key) -> std::string {
    const auto* f = field(o, key);
    if (f == nullptr || !f->is_string()) {
      if (missing.empty()) missing = key;
      return {};
    }
    return std::string(f->as_string());
  };
  auto num = [&](const boost::json::object& o, const char* key) -> std::int64_t {
    const auto* f = field(o, key);
    if (f != nullptr && f->is_int64()) return f->as_int64();
    if (f != nullptr && f->is_uint64()) return static_cast<std::int64_t>(f->as_uint64());
    if (missing.empty()) missing = key;
    return 0;
  };
  auto flag = [&](const boost::json::object& o, const char* key) -> bool {
    const auto* f = field(o, key);
    if (f != nullptr && f->is_bool()) return f->as_bool();
    if (missing.empty()) missing = key;
    return false;
  };
  const auto& o = v.as_object();
  Checkpoint c;
  c.version = static_cast<int>(num(o, "version"));
  if (missing.empty() && c.version != kCheckpointVersion) {
    return make_error(ErrorCode::kBadArgument,
                      "checkpoint version " + std::to_string(c.version) + " is not supported");
  }
  c.load_id = str(o, "load_id");
  c.offset = num(o, "offset");
  c.next_row = num(o, "next_row");
  c.batches_acked = static_cast<std::uint64_t>(num(o, "batches_acked"));
  c.rows_acked = static_cast<std::uint64_t>(num(o, "rows_acked"));
  c.truncated = flag(o, "truncated");
  c.finished = flag(o, "finished");
  const auto* idv = field(o, "identity");
  if (idv != nullptr && idv->is_object()) {
    const auto& id = idv->as_object();
    c.identity.path = str(id, "path");
    c.identity.size = num(id, "size");
    c.identity.mtime = str(id, "mtime");
    c.identity.head_sha256 = str(id, "head_sha256");
    c.identity.url = str(id, "url");
    c.identity.user_code = str(id, "user_code");
    c.identity.dataset_code = str(id, "dataset_code");
    c.identity.batch_rows = static_cast<std::uint64_t>(num(id, "batch_rows"));
    c.identity.batch_bytes = static_cast<std::uint64_t>(num(id, "batch_bytes"));
    c.identity.compress = flag(id, "compress");
    c.identity.level = static_cast<int>(num(id, "level"));
    c.identity.mode = str(id, "mode");
    c.identity.dialect = str(id, "dialect");
    c.identity.shard = str(id, "shard");
    c.identity.columns_sha256 = str(id, "columns_sha256");
    // Optional: checkpoints from before the value rules and rejects existed lack them.
    if (const auto* rules = id.if_contains("rules"); rules != nullptr && rules->is_string()) {
      c.identity.rules = std::string(rules->as_string());
    } else {
      c.identity.rules = body_rules({});
    }
    if (const auto* z = id.if_contains("compression"); z != nullptr && z->is_string()) {
      c.identity.compression = std::string(z->as_string());
    }
    if (const auto* r = id.if_contains("rejects_path"); r != nullptr && r->is_string()) {
      c.identity.rejects_path = std::string(r->as_string());
    }
  } else if (missing.empty()) {
    missing = "identity";
  }
  if (const auto* rv = o.if_contains("rejects"); rv != nullptr && rv->is_object()) {
    const auto& r = rv->as_object();
    c.rejects.rows = static_cast<std::uint64_t>(num(r, "rows"));
    c.rejects.file_bytes = static_cast<std::uint64_t>(num(r, "file_bytes"));
    c.rejects.errors_bytes = static_cast<std::uint64_t>(num(r, "errors_bytes"));
    if (const auto* b = r.if_contains("by_reason"); b != nullptr && b->is_object()) {
      for (int i = 0; i < codec::kRejectReasonCount; ++i) {
        const char* name = codec::reject_reason_name(static_cast<codec::RejectReason>(i));
        if (b->as_object().contains(name)) {
          c.rejects.by_reason[static_cast<std::size_t>(i)] =
              static_cast<std::uint64_t>(num(b->as_object(), name));
        }
      }
    }
  }
  // Optional: absent for compressed files and in checkpoints written before it existed.
  if (const auto* pv = o.if_contains("prefix_sha256"); pv != nullptr && pv->is_string()) {
    c.prefix_sha256 = std::string(pv->as_string());
  }
  // Optional: a one-file load records no list.
  if (const auto* fv = o.if_contains("files"); fv != nullptr) {
    if (!fv->is_array()) {
      if (missing.empty()) missing = "files";
    } else {
      for (const auto& item : fv->as_array()) {
        if (!item.is_object()) {
          if (missing.empty()) missing = "files";
          continue;
        }
        const auto& f = item.as_object();
        c.files.push_back({.path = str(f, "path"),
                           .size = num(f, "size"),
                           .mtime = str(f, "mtime"),
                           .head_sha256 = str(f, "head_sha256"),
                           .compression = str(f, "compression")});
      }
      c.file_index = static_cast<std::size_t>(num(o, "file_index"));
    }
  }
  if (!missing.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "the checkpoint lacks a valid \"" + missing + "\" field");
  }
  if (!c.files.empty() && c.file_index >= c.files.size()) {
    return make_error(ErrorCode::kBadArgument, "the checkpoint's file_index is outside its files");
  }
  if (c.load_id.empty() || c.offset < 0 || c.next_row < 1) {
    return make_error(ErrorCode::kBadArgument,
                      "the checkpoint's load_id, offset or row is invalid");
  }
  return c;
}

Result<bool> write_checkpoint(const std::string& path, const Checkpoint& checkpoint) {
  return write_file_atomically(path, checkpoint_json(checkpoint));
}

Result<std::optional<Checkpoint>> read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::optional<Checkpoint>();
    return io_error("cannot read", path, errno);
  }
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = parse_checkpoint(text.str());
  if (!parsed) {
    return make_error(ErrorCode::kBadArgument,
                      "checkpoint " + path + ": " + parsed.error().message);
  }
  return std::optional<Checkpoint>(std::move(*parsed));
}

}  // namespace dsfill::loader

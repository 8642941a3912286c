// Helpers for the loader's end-to-end tests: CSV files with the hard cases, the Python csv
// oracle, the in-process reference server and reading back what it stored.
#pragma once

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include "loader/load_options.h"
#include "server/server.h"
#include "tests/loader/temp_dir.h"

namespace dsfill::testing {

using Rows = std::vector<std::vector<std::string>>;

inline std::string csv_quote(const std::string& field) {
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Returns a CSV with a header and `rows` rows full of the hard cases: quoted newlines (LF and
// CRLF), doubled quotes, delimiters in quotes, non-ASCII, empty fields, CRLF and LF record ends.
inline std::string hard_csv(int rows, unsigned seed = 1) {
  static const std::vector<std::string> kPool = {"plain",
                                                 "Crème brûlée, large",
                                                 "naïve \"quoted\" text",
                                                 "line one\nline two",
                                                 "windows\r\nnewline",
                                                 "",
                                                 "a,b,c",
                                                 "\"",
                                                 "日本語のテキスト",
                                                 "emoji 🎉 ok",
                                                 "tab\there",
                                                 " lead and trail ",
                                                 "Ελληνικά",
                                                 "12.50",
                                                 "-3",
                                                 "back\\slash",
                                                 "ctl\x01"
                                                 "char"};
  std::mt19937 rng(seed);
  std::string out = "Id,Name,Note,Qty,Country\r\n";
  for (int r = 0; r < rows; ++r) {
    out += std::to_string(r + 1);
    for (int c = 0; c < 4; ++c) {
      out += ',';
      out += csv_quote(kPool[rng() % kPool.size()]);
    }
    out += (rng() % 3 == 0) ? "\r\n" : "\n";
  }
  return out;
}

// Returns the data rows Python's csv module reads from `path` (the oracle).
inline Rows python_rows(const std::string& path) {
  const std::string cmd = "python3 " DSFILL_CSV_ROWS_PY " '" + path + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(cmd.c_str(), "r"), &::pclose);
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << cmd;
    return {};
  }
  std::string json;
  char buf[65536];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) json.append(buf, n);
  Rows rows;
  const boost::json::value parsed = boost::json::parse(json);
  for (const auto& row : parsed.as_array()) {
    auto& out = rows.emplace_back();
    for (const auto& v : row.as_array()) out.emplace_back(v.as_string());
  }
  return rows;
}

// Returns the rows stored for user/dataset in the server's SQLite file, in insertion order
// (NULL reads as "<null>"). Empty when the dataset does not exist.
inline Rows stored_rows(const std::string& db_path, const std::string& user,
                        const std::string& dataset) {
  sqlite3* db = nullptr;
  Rows rows;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    ADD_FAILURE() << "cannot open " << db_path;
    return rows;
  }
  std::string table;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT table_name FROM datasets WHERE user_code=? AND dataset_code=?", -1,
                     &st, nullptr);
  sqlite3_bind_text(st, 1, user.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, dataset.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(st) == SQLITE_ROW) {
    table = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  }
  sqlite3_finalize(st);
  if (!table.empty()) {
    const std::string sql = "SELECT * FROM " + table + " ORDER BY rowid";
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) {
      auto& row = rows.emplace_back();
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
          row.emplace_back("<null>");
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, i)),
                           static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
        }
      }
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return rows;
}

// The reference server, in process, on 127.0.0.1 and an ephemeral port. `log` receives its
// per-request lines (default: dropped).
class ReferenceServer {
 public:
  explicit ReferenceServer(const std::string& db_path, server::TokenTable tokens = {},
                           std::function<void(std::string_view)> log = {})
      : db_(db_path) {
    server::ServeOptions o;
    o.db_path = db_path;
    o.address = "127.0.0.1";
    o.port = 0;
    o.auto_create = true;
    o.tokens = std::move(tokens);
    o.log = log ? std::move(log) : [](std::string_view) {};
    auto started = server::DatasetServer::start(std::move(o));
    if (!started) {
      ADD_FAILURE() << "server: " << started.error().describe();
      return;
    }
    server_ = std::move(*started);
  }
  std::string url() const {
    return server_ ? "http://127.0.0.1:" + std::to_string(server_->port()) : "http://127.0.0.1:1";
  }
  const std::string& db() const { return db_; }

 private:
  std::string db_;
  std::unique_ptr<server::DatasetServer> server_;
};

// Load options for tests: quiet, no signal handling, fast seeded retries.
inline loader::LoadOptions test_options(const std::string& input, const std::string& url) {
  loader::LoadOptions o;
  o.input = input;
  o.url = url;
  o.user_code = "u1";
  o.dataset_code = "d1";
  o.encoders = 2;
  o.connections = 2;
  o.timeout = std::chrono::milliseconds(10'000);
  o.progress = loader::ProgressMode::kNever;
  o.handle_signals = false;
  o.retry.seed = 1;
  o.retry.base_delay = std::chrono::milliseconds(5);
  o.retry.max_delay = std::chrono::milliseconds(50);
  o.retry.conflict_pause = std::chrono::milliseconds(20);
  return o;
}

}  // namespace dsfill::testing

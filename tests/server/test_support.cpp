#include "tests/server/test_support.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>

#include <sqlite3.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "server/envelope.h"

namespace dsfill::server::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

void set_timeouts(tcp::socket& socket) {
  timeval tv{};
  tv.tv_sec = 20;
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Reads one response from `socket`, keeping what follows it in `buffer` (kept-alive reads).
ClientResponse read_response(tcp::socket& socket, beast::flat_buffer& buffer) {
  ClientResponse out;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 30);
  beast::error_code ec;
  http::read(socket, buffer, parser, ec);
  if (ec) return out;
  auto res = parser.release();
  out.status = res.result_int();
  out.body = std::move(res.body());
  for (const auto& f : res) out.headers.set(f.name_string(), f.value());
  return out;
}

ClientResponse read_response(tcp::socket& socket) {
  beast::flat_buffer buffer;
  return read_response(socket, buffer);
}

}  // namespace

ClientResponse http_request(std::uint16_t port, std::string_view method, std::string_view target,
                            std::string_view body, const Headers& headers) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  set_timeouts(socket);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  if (method != "GET" || !body.empty()) req.prepare_payload();
  beast::error_code ec;
  http::write(socket, req, ec);
  // A server that rejects early may close while we write; still try to read its answer.
  return read_response(socket);
}

ClientResponse raw_request(std::uint16_t port, std::string_view raw) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  set_timeouts(socket);
  beast::error_code ec;
  asio::write(socket, asio::buffer(raw.data(), raw.size()), ec);
  return read_response(socket);
}

std::string compress_payload(std::string_view json) {
  codec::GzipCompressor gz;
  std::string compressed;
  gz.compress(json, compressed);
  std::string out;
  codec::base64_encode(compressed, out);
  return out;
}

std::string fill_body(std::string_view user, std::string_view dataset, std::string_view columns,
                      std::string_view insert_data, bool append, bool compressed) {
  std::string out = R"({"user-code":)";
  append_json_text(user, out);
  out += R"(,"dataset-code":)";
  append_json_text(dataset, out);
  out += R"(,"columns":)";
  out += columns;
  out += R"(,"insert-data":)";
  append_json_text(insert_data, out);
  out += R"(,"append":)";
  out += append ? "true" : "false";
  out += R"(,"compressed":)";
  out += compressed ? "true" : "false";
  out += '}';
  return out;
}

std::vector<std::string> query(const std::string& path, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return {"<cannot open>"};
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    rows.push_back(std::string("<error: ") + sqlite3_errmsg(db) + ">");
  } else {
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i > 0) row += '|';
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
        row += text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, i)))
                    : "NULL";
      }
      rows.push_back(std::move(row));
    }
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

std::string temp_dir(std::string_view name) {
  static std::atomic<int> counter{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("dsfill_server_test_" + std::to_string(getpid()) + "_" + std::string(name) + "_" +
              std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

struct RawConnection::State {
  asio::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
};

RawConnection::RawConnection(std::uint16_t port, int timeout_ms)
    : state_(std::make_unique<State>()) {
  state_->socket.connect({asio::ip::make_address("127.0.0.1"), port});
  timeval tv{};
  tv.tv_sec = timeout_ms / 1000;
  tv.tv_usec = (timeout_ms % 1000) * 1000;
  setsockopt(state_->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(state_->socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

RawConnection::~RawConnection() = default;

bool RawConnection::send(std::string_view raw) {
  beast::error_code ec;
  asio::write(state_->socket, asio::buffer(raw.data(), raw.size()), ec);
  return !ec;
}

ClientResponse RawConnection::read() { return read_response(state_->socket, state_->buffer); }

bool RawConnection::closed_by_peer() {
  char scratch[4096];
  for (;;) {
    const ssize_t n = ::recv(state_->socket.native_handle(), scratch, sizeof scratch, 0);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;  // EAGAIN: the timeout passed with it open
  }
}

}  // namespace dsfill::server::testing

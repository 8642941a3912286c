// Throughput of the reference server: requests/s and rows/s stored for batches of 1k, 10k and
// 100k rows, with SQLite and with --discard (decode + validate only). In-process server on an
// ephemeral 127.0.0.1 port; one keep-alive client connection sending prebuilt gzip bodies, as
// the loader does, so the figures are the server's.
//
// usage: bench_server [total_rows_per_case (default 1000000)]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "server/envelope.h"
#include "server/server.h"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

constexpr const char* kColumns =
    R"([{"name":"InvoiceNo","alias":"InvoiceNo","type":"dimension","subtype":"text"},)"
    R"({"name":"StockCode","alias":"StockCode","type":"dimension","subtype":"text"},)"
    R"({"name":"Description","alias":"Description","type":"dimension","subtype":"text"},)"
    R"({"name":"Quantity","alias":"Quantity","type":"measure","subtype":"numeric"},)"
    R"({"name":"InvoiceDate","alias":"InvoiceDate","type":"dimension","subtype":"date","format":"%Y-%m-%d %H:%M:%S"},)"
    R"({"name":"UnitPrice","alias":"UnitPrice","type":"measure","subtype":"numeric"},)"
    R"({"name":"CustomerID","alias":"CustomerID","type":"dimension","subtype":"text"}])";

std::string make_body(std::size_t rows, bool append) {
  std::string json = "[";
  char buf[256];
  for (std::size_t i = 0; i < rows; ++i) {
    std::snprintf(buf, sizeof buf,
                  R"(%s["%zu","85123A","WHITE HANGING HEART T-LIGHT HOLDER %zu","%zu",)"
                  R"("2010-12-%02zu 08:26:00","%zu.55","%zu"])",
                  i ? "," : "", 536365 + i, i % 97, i % 50, 1 + i % 28, i % 10, 17850 + i % 300);
    json += buf;
  }
  json += "]";
  dsfill::codec::GzipCompressor gz;
  std::string compressed, encoded;
  gz.compress(json, compressed);
  dsfill::codec::base64_encode(compressed, encoded);
  std::string body = R"({"user-code":"bench","dataset-code":"d","columns":)";
  body += kColumns;
  body += R"(,"insert-data":")" + encoded + R"(","append":)";
  body += append ? "true" : "false";
  body += R"(,"compressed":true})";
  return body;
}

void run_case(bool discard, std::size_t batch_rows, std::size_t total_rows,
              const std::string& dir) {
  dsfill::server::ServeOptions options;
  options.db_path = dir + "/bench_" + std::to_string(batch_rows) + ".db";
  options.port = 0;
  options.discard = discard;
  options.auto_create = true;
  options.log = [](std::string_view) {};
  auto server = dsfill::server::DatasetServer::start(std::move(options));
  if (!server) {
    std::fprintf(stderr, "start: %s\n", server.error().describe().c_str());
    std::exit(1);
  }
  const std::string body = make_body(batch_rows, true);
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect({asio::ip::make_address("127.0.0.1"), (*server)->port()});
  http::request<http::string_body> req{http::verb::post, "/dataset-fill", 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  const std::size_t requests = std::max<std::size_t>(3, total_rows / batch_rows);
  boost::beast::flat_buffer buffer;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < requests; ++i) {
    http::write(socket, req);
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    if (res.result_int() != 200) {
      std::fprintf(stderr, "request failed: %u %s\n", res.result_int(), res.body().c_str());
      std::exit(1);
    }
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto n = static_cast<double>(requests);
  std::printf("%-8s %7zu rows/batch %5zu requests  %8.1f req/s  %10.0f rows/s  %7.1f MB/s body\n",
              discard ? "discard" : "sqlite", batch_rows, requests, n / s,
              n * static_cast<double>(batch_rows) / s,
              n * static_cast<double>(body.size()) / s / 1e6);
  std::fflush(stdout);
}

}  // namespace

// Ends in std::terminate, which prints the exception's what(), when a socket or file step throws.
int main(int argc, char** argv) {  // NOLINT(bugprone-exception-escape): see above
  const std::size_t total = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const auto dir = std::filesystem::temp_directory_path() / "dsfill_server_bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (bool discard : {false, true}) {
    for (std::size_t rows : {1000u, 10000u, 100000u}) run_case(discard, rows, total, dir.string());
  }
  std::filesystem::remove_all(dir);
}

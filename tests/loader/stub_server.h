// A scripted HTTP server for client tests: answers each request with whatever the test's
// function returns, records what it received, and stops by itself when destroyed.
// Synchronous Beast on 127.0.0.1, one thread per connection; bounded by socket timeouts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace dsfill::testing {

struct Seen {
  std::string target;
  std::string idempotency_key;
  std::string authorization;
  std::string body;
  std::chrono::steady_clock::time_point at;
};

using StubResponse = boost::beast::http::response<boost::beast::http::string_body>;

inline StubResponse reply(unsigned status, std::string body) {
  StubResponse r{static_cast<boost::beast::http::status>(status), 11};
  r.set(boost::beast::http::field::content_type, "application/json");
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

inline std::string ok_body(long long rows_count, long long rows_inserted) {
  return R"({"data":{"status":"success","details":{"dataset-code":"d","rows-count":)" +
         std::to_string(rows_count) + R"(,"rows-inserted":)" + std::to_string(rows_inserted) +
         "}}}";
}

// The success envelope of a server that reports no counts (the loader cannot check rows).
inline std::string ok_envelope() {
  return R"({"data":{"status":"success","details":{"dataset-code":"d"}}})";
}

class StubServer {
 public:
  // `answer(n, seen)` returns the response to request number n (0-based).
  using Answer = std::function<StubResponse(int n, const Seen& seen)>;

  explicit StubServer(Answer answer)
      : answer_(std::move(answer)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    acceptor_.non_blocking(true);
    accept_thread_ = std::thread([this] { accept_loop(); });
  }
  ~StubServer() {
    stop_ = true;
    accept_thread_.join();
    for (auto& t : sessions_) t.join();
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<Seen> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  void accept_loop() {
    while (!stop_) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      socket.non_blocking(false);
      // Bound every read so that a session ends even if the client never closes.
      timeval tv{5, 0};
      ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      sessions_.emplace_back([this, s = std::move(socket)]() mutable { session(std::move(s)); });
    }
  }
  void session(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::beast::flat_buffer buffer;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256u << 20);
      boost::system::error_code ec;
      http::read(socket, buffer, parser, ec);
      if (ec) return;
      const auto& req = parser.get();
      Seen seen{std::string(req.target()), std::string(req["Idempotency-Key"]),
                std::string(req[http::field::authorization]), req.body(),
                std::chrono::steady_clock::now()};
      int n = 0;
      {
        std::lock_guard lock(mutex_);
        n = static_cast<int>(seen_.size());
        seen_.push_back(seen);
      }
      StubResponse response = answer_(n, seen);
      http::write(socket, response, ec);
      if (ec || !response.keep_alive()) return;
    }
  }

  Answer answer_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stop_{false};
  std::thread accept_thread_;
  std::vector<std::thread> sessions_;  // touched only by the accept thread until joined
  mutable std::mutex mutex_;
  std::vector<Seen> seen_;
};

}  // namespace dsfill::testing

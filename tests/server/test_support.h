// Helpers shared by the server tests: a blocking HTTP client on 127.0.0.1 with a receive
// timeout (so a hung server fails the test instead of hanging it), request-body builders, and
// SQLite read-back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/fields.hpp>

namespace dsfill::server::testing {

struct ClientResponse {
  unsigned status = 0;  // 0: no response (connection closed or timed out)
  std::string body;
  boost::beast::http::fields headers;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends one request on a new connection and reads the response.
ClientResponse http_request(std::uint16_t port, std::string_view method, std::string_view target,
                            std::string_view body = "", const Headers& headers = {});

// Writes `raw` bytes as they are on a new connection and reads one response.
ClientResponse raw_request(std::uint16_t port, std::string_view raw);

// Returns gzip(json) base64-encoded: the seed client's payload.
std::string compress_payload(std::string_view json);

// Returns a /dataset-fill body; `insert_data` is put in a JSON string as is (escaped).
std::string fill_body(std::string_view user, std::string_view dataset, std::string_view columns,
                      std::string_view insert_data, bool append, bool compressed);

// Returns the rows of `sql` on the database at `path`, each row's values joined by '|'
// (NULL as "NULL").
std::vector<std::string> query(const std::string& path, const std::string& sql);

// Returns a fresh, empty directory for one test.
std::string temp_dir(std::string_view name);

// A client connection held open across calls, for tests of connection limits and timeouts.
class RawConnection {
 public:
  // Connects to 127.0.0.1:`port`; reads and writes give up after `timeout_ms`.
  explicit RawConnection(std::uint16_t port, int timeout_ms = 20'000);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Writes `raw` as it is; returns false if the write failed.
  bool send(std::string_view raw);
  // Reads one response (status 0: closed or timed out first).
  ClientResponse read();
  // Returns true if the server closed the connection (EOF or reset) before the timeout; bytes
  // received before the close are skipped.
  bool closed_by_peer();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace dsfill::server::testing

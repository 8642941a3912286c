// Rows stored by Idempotency-Key, as an API with an idempotency cache stores them: a request
// whose key was stored before is answered as it was and stores nothing again. For stub servers
// (stub_server.h) that misbehave on purpose in some other way first (refuse rows, refuse large
// bodies) and store the rest. Thread-safe: the stub answers on one thread per connection.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <boost/json/parse.hpp>

#include "tests/loader/stub_server.h"

namespace dsfill::testing {

class KeyedStore {
 public:
  // Answers a fill (rows counted by their first field, the id) or a completion.
  StubResponse store(const Seen& seen) {
    std::lock_guard lock(mutex_);
    const auto count = static_cast<long long>(ids_.size());
    if (seen.target.find("dataset-complete") != std::string::npos) {
      return reply(200, ok_body(count, 0));
    }
    if (auto it = stored_.find(seen.idempotency_key); it != stored_.end()) {
      return reply(200, ok_body(count, it->second));
    }
    const auto body = boost::json::parse(seen.body).as_object();
    const auto rows = boost::json::parse(body.at("insert-data").as_string()).as_array();
    for (const auto& row : rows) ++ids_[std::string(row.as_array().at(0).as_string())];
    stored_[seen.idempotency_key] = static_cast<long long>(rows.size());
    return reply(200,
                 ok_body(static_cast<long long>(ids_.size()), static_cast<long long>(rows.size())));
  }

  // Each stored id and how many times it was stored.
  std::map<std::string, int> ids() const {
    std::lock_guard lock(mutex_);
    return ids_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, long long> stored_;  // key -> rows it stored
  std::map<std::string, int> ids_;
};

}  // namespace dsfill::testing

// A Beast body type for reading answers of any size in bounded memory: keeps the first
// kKeepBytes bytes and counts (but drops) the rest.
//
// Why: a response body larger than a parser's body limit makes Beast fail the read, which a
// client can only take for a broken connection, and re-sending a request the server already
// acknowledged is worse than any large answer. With this body the read always completes (within
// the request's deadline), and the caller decides what an answer it could not keep whole means.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>

namespace dsfill::net {

struct CappedBody {
  // The bytes kept; generous, so an API answer is never cut (its envelope is a few hundred bytes).
  static constexpr std::size_t kKeepBytes = std::size_t{16} << 20;

  // Beast's Body concept names these two members: value_type and reader.
  struct value_type {        // NOLINT(readability-identifier-naming)
    std::string text;        // the first kKeepBytes bytes of the body
    std::uint64_t size = 0;  // the body's whole size, dropped bytes included
    // Returns true when bytes were dropped: `text` is not the whole body.
    bool truncated() const { return size > text.size(); }
  };

  static std::uint64_t size(const value_type& body) { return body.text.size(); }

  class reader {  // NOLINT(readability-identifier-naming)
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
      body_.text.clear();
      body_.size = 0;
      if (length)
        body_.text.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*length, kKeepBytes)));
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      std::size_t n = 0;
      for (const auto b : boost::beast::buffers_range_ref(buffers)) {
        const std::size_t room = kKeepBytes - body_.text.size();
        body_.text.append(static_cast<const char*>(b.data()), std::min(room, b.size()));
        n += b.size();
      }
      body_.size += n;
      ec = {};
      return n;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

}  // namespace dsfill::net

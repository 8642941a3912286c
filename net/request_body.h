// The Beast body of requests the server reads: a std::string that grows only as bytes arrive
// (the declared Content-Length is never reserved up front, so a header that declares 60 MB and
// sends nothing costs nothing) and is charged to a BodyBudget before each growth, so a spent
// budget stops the read instead of the memory growing.
//
// Growth is geometric (amortised O(1) per byte), capped at the declared length plus
// kBodySpareBytes: a body of known length ends with room for simdjson's padding, so the
// handler never copies it to pad it.
//
// Errors from put(): boost::system::errc::no_buffer_space when the budget is spent,
// errc::not_enough_memory when the allocation fails; the session answers both with 503.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional/optional.hpp>
#include <boost/system/error_code.hpp>

#include "net/body_budget.h"

namespace dsfill::net {

// Spare capacity after a body of known length, for parsers that read past the end of their
// input (simdjson needs 64 bytes).
constexpr std::size_t kBodySpareBytes = 64;

struct RequestBody {
  struct value_type {
    std::string text;
    BodyCharge charge;  // bound to the server's budget before the body is read; holds capacity
  };

  static std::uint64_t size(const value_type& body) { return body.text.size(); }

  class reader {
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>& /*header*/, value_type& body)
        : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::system::error_code& ec) {
      declared_ = length ? *length : 0;
      ec = {};
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
      const std::size_t extra = boost::asio::buffer_size(buffers);
      std::string& text = body_.text;
      const std::size_t need = text.size() + extra;
      if (need > text.capacity() && !grow(need, ec)) return 0;
      for (auto b : boost::beast::buffers_range_ref(buffers)) {
        text.append(static_cast<const char*>(b.data()), b.size());
      }
      ec = {};
      return extra;
    }

    void finish(boost::system::error_code& ec) { ec = {}; }

   private:
    // Makes room for `need` bytes, charging the budget for the capacity added.
    bool grow(std::size_t need, boost::system::error_code& ec) {
      std::string& text = body_.text;
      std::uint64_t want =
          std::max<std::uint64_t>(need, 2 * static_cast<std::uint64_t>(text.capacity()));
      const std::uint64_t cap = declared_ > 0 ? declared_ + kBodySpareBytes : 0;
      if (cap > 0) want = std::max<std::uint64_t>(need, std::min(want, cap));
      const std::uint64_t charged = body_.charge.bytes();
      if (want > charged && !body_.charge.grow(want - charged)) {
        ec = boost::system::errc::make_error_code(boost::system::errc::no_buffer_space);
        return false;
      }
      try {
        text.reserve(static_cast<std::size_t>(want));
      } catch (const std::bad_alloc&) {
        ec = boost::system::errc::make_error_code(boost::system::errc::not_enough_memory);
        return false;
      }
      return true;
    }

    value_type& body_;
    std::uint64_t declared_ = 0;
  };
};

}  // namespace dsfill::net

// Checks that BatchEncoder reaches an allocation-free steady state: after a warm-up batch, encoding
// batches no larger than it allocates nothing. Counts every operator new in this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "codec/batch_encoder.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

// g++ 12 pairs the replaced operator delete with the malloc inside operator new and warns about a
// mismatch that cannot happen: both are replaced together here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace dsfill::codec {
namespace {

std::string make_batch(int rows, int salt) {
  std::string csv;
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i * salt) + ",\"quoted, \"\"text\"\"\",caf\xc3\xa9," +
           std::to_string(i % 97) + ".5\n";
  }
  return csv;
}

TEST(BatchEncoderAllocations, SteadyStateAllocatesNothing) {
  for (bool compressed : {true, false}) {
    SCOPED_TRACE(compressed ? "compressed" : "plain");
    RowsJsonOptions rows;
    rows.kinds = {ValueKind::kNumber, ValueKind::kString, ValueKind::kString, ValueKind::kNumber};
    BatchEncoder encoder(make_body_template("U", "D", {}, compressed), rows, 1);
    const std::string warm = make_batch(3000, 7);
    const std::string a = make_batch(2500, 3);
    const std::string b = make_batch(1000, 11);
    std::string body;
    ASSERT_TRUE(encoder.encode(warm, {}, false, body));
    ASSERT_TRUE(encoder.encode(warm, {}, true, body));
    long before = g_allocations.load();
    // The counter sees allocations at all (else the check below would pass vacuously).
    std::string probe(1000, 'x');
    ASSERT_GT(g_allocations.load(), before);
    before = g_allocations.load();
    for (const std::string* csv : {&a, &b, &warm, &a}) {
      auto stats = encoder.encode(*csv, {}, true, body);
      ASSERT_TRUE(stats);
    }
    EXPECT_EQ(g_allocations.load() - before, 0);
  }
}

}  // namespace
}  // namespace dsfill::codec

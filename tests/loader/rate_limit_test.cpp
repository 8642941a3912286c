// Rate limits: --max-rate (body bytes per second) and --max-requests-per-second pace request
// starts across all connections. The pacer's arithmetic on a fake clock; end to end, the
// spacing of request arrivals at a stub, as lower bounds over spans of several requests with
// 100 ms of slack for the lag between a start and its arrival (a loaded machine, sanitizers):
// a slow machine only makes spans longer, and unpaced, 21 requests on 4 connections arrive
// within a few milliseconds.
#include <chrono>

#include <gtest/gtest.h>
#include "loader/pipeline.h"
#include "loader/send_pacer.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/keyed_store.h"
#include "tests/loader/stub_server.h"

namespace dsfill::testing {
namespace {

using loader::Outcome;
using loader::SendPacer;
using std::chrono::milliseconds;

SendPacer::Clock::time_point at(int ms) {
  return SendPacer::Clock::time_point{} + milliseconds(1'000'000 + ms);
}

TEST(SendPacer, ABodyLargerThanTheBurstGoesOutAndTheNextWaitsForItsDebt) {
  SendPacer pacer(1000, 0);  // 1000 bytes a second
  ASSERT_TRUE(pacer.active());
  EXPECT_EQ(pacer.wait(at(0)), SendPacer::Clock::duration::zero());
  pacer.charge(5000, at(0));  // five seconds' worth
  const auto wait = pacer.wait(at(0));
  EXPECT_GE(wait, milliseconds(4999));
  EXPECT_LE(wait, milliseconds(5001));
  EXPECT_GT(pacer.wait(at(4000)), milliseconds(999));
  EXPECT_EQ(pacer.wait(at(5001)), SendPacer::Clock::duration::zero());
}

TEST(SendPacer, AnIdleSpellSavesUpATenthOfASecondOnly) {
  SendPacer pacer(1000, 0);
  EXPECT_EQ(pacer.wait(at(0)), SendPacer::Clock::duration::zero());
  // An hour idle: at most 100 bytes saved, so 600 bytes put it 500 in debt.
  pacer.charge(600, at(3'600'000));
  EXPECT_GE(pacer.wait(at(3'600'000)), milliseconds(499));
}

TEST(SendPacer, RequestsPerSecondSpaceStartsEvenly) {
  SendPacer pacer(0, 4);  // one start every 250 ms, no burst
  EXPECT_EQ(pacer.wait(at(0)), SendPacer::Clock::duration::zero());
  pacer.charge(1, at(0));
  EXPECT_GE(pacer.wait(at(0)), milliseconds(249));
  EXPECT_GE(pacer.wait(at(200)), milliseconds(49));
  EXPECT_EQ(pacer.wait(at(251)), SendPacer::Clock::duration::zero());
  pacer.charge(1, at(251));
  // Saved-up time does not add a burst: after a long pause one start, then 250 ms again.
  EXPECT_EQ(pacer.wait(at(10'000)), SendPacer::Clock::duration::zero());
  pacer.charge(1, at(10'000));
  EXPECT_GE(pacer.wait(at(10'000)), milliseconds(249));
  EXPECT_FALSE(SendPacer(0, 0).active());
}

// 2,000 rows in 20 batches of 100, uncompressed, over four connections.
class RateLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string csv = "id,name\n";
    for (int i = 0; i < 2000; ++i) csv += std::to_string(i) + ",row " + std::to_string(i) + "\n";
    write_file(dir_.file("in.csv"), csv);
  }
  loader::LoadOptions options(const StubServer& stub) const {
    auto o = test_options(dir_.file("in.csv"), stub.url());
    o.compress = false;
    o.chunker.batch_rows = 100;
    o.connections = 4;
    return o;
  }
  // The shortest time from one arrival to the arrival `k` requests later.
  static milliseconds shortest_span(const std::vector<Seen>& seen, std::size_t k) {
    auto span = milliseconds::max();
    for (std::size_t i = 0; i + k < seen.size(); ++i) {
      span = std::min(span, std::chrono::duration_cast<milliseconds>(seen[i + k].at - seen[i].at));
    }
    return span;
  }

  TempDir dir_;
};

TEST_F(RateLimit, RequestsPerSecondSpacesRequestStartsOverAllConnections) {
  KeyedStore store;
  StubServer stub([&](int, const Seen& seen) { return store.store(seen); });
  auto o = options(stub);
  o.max_requests_per_second = 40;  // 25 ms apart
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(store.ids().size(), 2000u);
  const auto seen = stub.seen();
  ASSERT_EQ(seen.size(), 21u);  // 20 fills and the completion
  EXPECT_GE(shortest_span(seen, 8), milliseconds(8 * 25 - 100));
  EXPECT_GE(seen.back().at - seen.front().at, milliseconds(20 * 25 - 100));
}

TEST_F(RateLimit, MaxRatePacesTheBytesSent) {
  std::uint64_t body = 0;
  {
    KeyedStore store;
    StubServer stub([&](int, const Seen& seen) { return store.store(seen); });
    const auto unpaced = loader::run_load(options(stub));
    ASSERT_EQ(unpaced.outcome, Outcome::kOk) << unpaced.message;
    body = stub.seen().front().body.size();
  }
  KeyedStore store;
  StubServer stub([&](int, const Seen& seen) { return store.store(seen); });
  auto o = options(stub);
  o.max_bytes_per_second = static_cast<double>(body) * 40;  // one body every 25 ms
  const auto report = loader::run_load(o);
  ASSERT_EQ(report.outcome, Outcome::kOk) << report.message;
  EXPECT_EQ(store.ids().size(), 2000u);
  const auto seen = stub.seen();
  ASSERT_EQ(seen.size(), 21u);
  // 19 bodies' worth of debt paid back at 40 bodies a second before the 20th fill starts (the
  // first body, with the shortest ids, is the smallest: later ones only take longer).
  EXPECT_GE(seen[19].at - seen[0].at, milliseconds(19 * 25 - 100));
  EXPECT_GE(shortest_span({seen.begin(), seen.begin() + 20}, 8), milliseconds(8 * 25 - 100));
}

}  // namespace
}  // namespace dsfill::testing

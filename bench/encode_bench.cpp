// Throughput of the encode half of the pipeline: deflate per level, base64 both ways, gunzip,
// and the whole BatchEncoder::encode of a 10,000-row batch. Every benchmark reports bytes/second
// of its input (the rows JSON for deflate, the CSV for BatchEncoder).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>

#include "codec/base64.h"
#include "codec/batch_encoder.h"
#include "codec/gzip.h"
#include "codec/payload_decoder.h"
#include "codec/rows_json.h"

namespace dsfill::codec {
namespace {

constexpr std::size_t kRowsJsonTarget = 16u << 20;
constexpr std::size_t kBatchRows = 10000;

// Returns `rows` CSV records shaped like the Online Retail data set the API documents
// (invoice, stock code, description, quantity, date, price, customer, country).
std::string make_csv(std::size_t rows, unsigned seed = 12345) {
  static const char* const kDescriptions[] = {
      "WHITE HANGING HEART T-LIGHT HOLDER",  "WHITE METAL LANTERN",
      "CREAM CUPID HEARTS COAT HANGER",      "KNITTED UNION FLAG HOT WATER BOTTLE",
      "\"RED WOOLLY HOTTIE, WHITE HEART.\"", "SET 7 BABUSHKA NESTING BOXES",
      "GLASS STAR FROSTED T-LIGHT HOLDER",   "HAND WARMER UNION JACK",
      R"("POPPY'S PLAYHOUSE ""BEDROOM""")",  "ASSORTED COLOUR BIRD ORNAMENT"};
  static const char* const kCountries[] = {"United Kingdom", "France", "Australia", "Netherlands",
                                           "Germany",        "Norway", "EIRE",      "Switzerland",
                                           "Spain",          "Poland"};
  std::mt19937 rng(seed);
  const auto pick = [&rng](unsigned m) { return static_cast<unsigned>(rng() % m); };
  std::string csv;
  char line[256];
  for (std::size_t i = 0; i < rows; ++i) {
    const int n =
        std::snprintf(line, sizeof line, "%u,%u%c,%s,%d,2010-12-%02u %02u:%02u:00,%u.%02u,%u,%s\n",
                      536365 + static_cast<unsigned>(i / 7), 10000 + pick(90000),
                      static_cast<char>('A' + pick(3)), kDescriptions[pick(10)],
                      static_cast<int>(pick(48)) - 4, 1 + pick(28), pick(24), pick(60), pick(20),
                      pick(100), 12346 + pick(6000), kCountries[pick(10)]);
    csv.append(line, static_cast<std::size_t>(n));
  }
  return csv;
}

// Returns about 16 MB of rows JSON transcoded from generated CSV (all strings).
const std::string& rows_json() {
  static const std::string kJson = [] {
    const std::string csv = make_csv(kRowsJsonTarget / 120);
    std::string out;
    if (!append_rows_json(csv, RowsJsonOptions{}, {}, out)) std::abort();
    return out;
  }();
  return kJson;
}

const std::string& gzipped_rows_json() {
  static const std::string kGz = [] {
    GzipCompressor c(6);
    std::string out;
    c.compress(rows_json(), out);
    return out;
  }();
  return kGz;
}

void BM_Deflate(benchmark::State& state) {
  const std::string& json = rows_json();
  GzipCompressor c(static_cast<int>(state.range(0)));
  std::string out(c.bound(json.size()), '\0');
  std::size_t n = 0;
  for (auto _ : state) {
    n = c.compress_into(json, out.data(), out.size());
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * json.size()));
  state.counters["ratio"] = static_cast<double>(json.size()) / static_cast<double>(n);
}
BENCHMARK(BM_Deflate)->Arg(1)->Arg(6)->Arg(9)->Arg(12)->Unit(benchmark::kMillisecond);

void BM_Gunzip(benchmark::State& state) {
  const std::string& gz = gzipped_rows_json();
  std::string out;
  for (auto _ : state) {
    if (!gunzip(gz, {}, out)) state.SkipWithError("gunzip failed");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * rows_json().size()));
}
BENCHMARK(BM_Gunzip)->Unit(benchmark::kMillisecond);

void BM_Base64Encode(benchmark::State& state) {
  const std::string& in = gzipped_rows_json();
  std::string out(base64_encoded_size(in.size()), '\0');
  for (auto _ : state) {
    benchmark::DoNotOptimize(base64_encode_into(in, out.data()));
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * in.size()));
}
BENCHMARK(BM_Base64Encode)->Unit(benchmark::kMicrosecond);

void BM_Base64Decode(benchmark::State& state) {
  std::string coded;
  base64_encode(gzipped_rows_json(), coded);
  std::string out;
  for (auto _ : state) {
    if (!base64_decode(coded, out)) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(out.data());
  }
  // Bytes of base64 text consumed.
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * coded.size()));
}
BENCHMARK(BM_Base64Decode)->Unit(benchmark::kMicrosecond);

void BM_BatchEncode(benchmark::State& state, bool compressed) {
  static const std::string kCsv = make_csv(kBatchRows, 777);
  Columns columns;
  for (const char* name : {"InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
                           "UnitPrice", "CustomerID", "Country"}) {
    columns.push_back({name, name, "dimension", "text", ""});
  }
  BatchEncoder encoder(make_body_template("0f02b4d4f9ae", "eca2ad3940e3", columns, compressed),
                       RowsJsonOptions{}, static_cast<int>(state.range(0)));
  std::string body;
  BatchStats stats;
  for (auto _ : state) {
    auto r = encoder.encode(kCsv, {}, true, body);
    if (!r) state.SkipWithError("encode failed");
    stats = *r;
    benchmark::DoNotOptimize(body.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kCsv.size()));
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kBatchRows), benchmark::Counter::kIsRate);
  state.counters["body/csv"] =
      static_cast<double>(stats.body_bytes) / static_cast<double>(kCsv.size());
}
BENCHMARK_CAPTURE(BM_BatchEncode, gzip, true)->Arg(1)->Arg(6)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_BatchEncode, plain, false)->Arg(0)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dsfill::codec

// Throughput of the CSV hot paths on a generated ~32 MB "typical" CSV (ints, decimals, dates,
// short text, some quoted text with commas), with fast-cpp-csv-parser's line reader as a
// baseline over the same bytes. BM_RowsJsonQuoted transcodes quote-heavy files of
// bench/bench_data.h instead. Each benchmark reports bytes/second of CSV input.
#include <benchmark/benchmark.h>

// fccp's own file-name copy trips g++ 12's truncation warning; the header is not ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench_data.h"
#include "codec/date_format.h"
#include "codec/plain_records.h"
#include "codec/row_boundary.h"
#include "codec/rows_json.h"
#include "codec/simd_dispatch.h"
#include "tests/oracle/csv_scanner.h"

namespace dsfill::codec {
namespace {

constexpr std::size_t kTargetBytes = 32u << 20;
constexpr std::size_t kBatchRows = 10000;

// Returns the shared input: a header and records of 8 columns, about 32 MB.
const std::string& typical_csv() {
  static const std::string kCsv = [] {
    std::mt19937_64 rng(42);
    static const char* const kWords[] = {"WHITE", "HANGING", "HEART",  "T-LIGHT", "HOLDER",
                                         "RED",   "WOOLLY",  "HOTTIE", "CREAM",   "CUPID"};
    static const char* const kCountries[] = {"United Kingdom", "France", "Germany",
                                             "EIRE",           "Spain",  "Netherlands"};
    std::string out =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,"
        "CustomerID,Country\n";
    out.reserve(kTargetBytes + 1024);
    char buf[64];
    std::uint64_t invoice = 536365;
    while (out.size() < kTargetBytes) {
      if (rng() % 4 == 0) ++invoice;
      out += std::to_string(invoice);
      out += ',';
      out += std::to_string(10000 + rng() % 90000);
      if (rng() % 5 == 0) out += 'A';
      out += ',';
      const bool quoted = rng() % 5 == 0;  // some descriptions hold a comma
      if (quoted) out += '"';
      for (int w = 0, n = 2 + static_cast<int>(rng() % 4); w < n; ++w) {
        if (w != 0) out += quoted && w == 1 ? ", " : " ";
        out += kWords[rng() % 10];
      }
      if (quoted) out += '"';
      out += ',';
      out += std::to_string(static_cast<int>(rng() % 48) - 4);
      const int n = std::snprintf(buf, sizeof buf, ",2010-12-%02d %02d:%02d:00,%d.%02d,",
                                  static_cast<int>(1 + rng() % 28), static_cast<int>(rng() % 24),
                                  static_cast<int>(rng() % 60), static_cast<int>(rng() % 20),
                                  static_cast<int>(rng() % 100));
      out.append(buf, static_cast<std::size_t>(n));
      out += std::to_string(12000 + rng() % 6000);
      out += ',';
      out += kCountries[rng() % 6];
      out += '\n';
    }
    return out;
  }();
  return kCsv;
}

// `csv` cut into batches of kBatchRows records, as the chunker cuts (about 1 MB each here).
std::vector<std::string_view> cut_batches(std::string_view csv) {
  std::vector<std::string_view> out;
  while (!csv.empty()) {
    const RecordCut cut = find_record_cut(csv, kBatchRows, true, CsvDialect{});
    out.push_back(csv.substr(0, cut.end));
    csv.remove_prefix(cut.end);
  }
  return out;
}

// Batches of kBatchRows records, cut once, for the transcoder benchmarks.
const std::vector<std::string_view>& typical_batches() {
  static const std::vector<std::string_view> kBatches = cut_batches(typical_csv());
  return kBatches;
}

// A quote-heavy file of bench/bench_data.h, ~32 MB, and its batches.
struct KindInput {
  std::string csv;
  std::vector<std::string_view> batches;
};

const KindInput& kind_input(bench::CsvKind kind) {
  const auto make = [](bench::CsvKind k) {
    auto in = std::make_unique<KindInput>();
    in->csv = bench::generate_csv(k, kTargetBytes);
    in->batches = cut_batches(in->csv);
    return in;
  };
  // One static per kind, so a filtered run generates only what it reads.
  if (kind == bench::CsvKind::kQuoteAll) {
    static const auto kInput = make(bench::CsvKind::kQuoteAll);
    return *kInput;
  }
  static const auto kInput = make(bench::CsvKind::kTransactional);
  return *kInput;
}

void BM_FindRecordCut(benchmark::State& state) {
  const std::string& csv = typical_csv();
  std::size_t records = 0;
  for (auto _ : state) {
    std::string_view rest = csv;
    while (!rest.empty()) {
      const RecordCut cut = find_record_cut(rest, kBatchRows, true, CsvDialect{});
      records += cut.records;
      rest.remove_prefix(cut.end);
    }
  }
  benchmark::DoNotOptimize(records);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_FindRecordCut)->Unit(benchmark::kMillisecond);

class CountingSink final : public CsvSink {
 public:
  void on_field_data(std::string_view piece) override { bytes_ += piece.size(); }
  void on_field_end() override { ++fields_; }
  void on_record_end(std::int64_t, std::int64_t) override { ++records_; }
  std::size_t bytes_ = 0, fields_ = 0, records_ = 0;
};

void BM_CsvScanner(benchmark::State& state) {
  const std::string& csv = typical_csv();
  const std::size_t chunk = 1u << 20;  // the reader's read size
  CountingSink sink;
  for (auto _ : state) {
    CsvScanner scanner(CsvDialect{});
    for (std::size_t at = 0; at < csv.size(); at += chunk) {
      if (!scanner.feed(std::string_view(csv).substr(at, chunk), sink)) state.SkipWithError("bad");
    }
    if (!scanner.finish(sink)) state.SkipWithError("bad");
  }
  benchmark::DoNotOptimize(sink.fields_);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_CsvScanner)->Unit(benchmark::kMillisecond);

// Transcodes `batches` (the whole file `csv_bytes` long, header included) with append_rows_json.
void rows_json(benchmark::State& state, const RowsJsonOptions& options,
               const std::vector<std::string_view>& batches, std::size_t csv_bytes) {
  std::string out;
  std::size_t json_bytes = 0;
  for (auto _ : state) {
    json_bytes = 0;
    InputPosition pos;
    for (std::string_view batch : batches) {
      out.clear();
      auto stats = append_rows_json(batch, options, pos, out);
      if (!stats) {
        state.SkipWithError(stats.error().describe().c_str());
        return;
      }
      pos.row += static_cast<std::int64_t>(stats->physical_rows);
      pos.byte_offset += static_cast<std::int64_t>(batch.size());
      json_bytes += out.size();
    }
  }
  state.counters["json_bytes"] = static_cast<double>(json_bytes);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv_bytes));
}

// Argument: the kernel set (codec/simd_dispatch.h; 0 portable: the general path alone, 1 ssse3,
// 2 avx512).
void BM_RowsJsonStrings(benchmark::State& state) {
  const KernelSet& chosen = active_kernels();
  const KernelSet& set = kernel_set(static_cast<KernelSetId>(state.range(0)));
  if (!use_kernel_set(set)) {
    state.SkipWithError("this CPU cannot run that kernel set");
    return;
  }
  state.SetLabel(set.name);
  rows_json(state, RowsJsonOptions{}, typical_batches(), typical_csv().size());
  use_kernel_set(chosen);
}
BENCHMARK(BM_RowsJsonStrings)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

// BM_RowsJsonStrings's path (all columns strings, the kernel set the CPU picks) on records where
// quotes are the rule rather than the exception: every field opens and closes a quote, and
// escaped quotes and newlines inside quotes take the transcoder off its fast run of plain bytes.
// Arg: 0 quote-all (every field quoted), 1 transactional (a quoted city with a comma, a note in
// about half the rows with doubled quotes, LF and CRLF inside quotes).
void BM_RowsJsonQuoted(benchmark::State& state) {
  const auto kind =
      state.range(0) == 0 ? bench::CsvKind::kQuoteAll : bench::CsvKind::kTransactional;
  const KindInput& input = kind_input(kind);
  state.SetLabel(std::string(bench::csv_kind_name(kind)) + ", " + active_kernels().name);
  rows_json(state, RowsJsonOptions{}, input.batches, input.csv.size());
}
BENCHMARK(BM_RowsJsonQuoted)->ArgName("kind")->DenseRange(0, 1)->Unit(benchmark::kMillisecond);

// Transcodes the typical batches' records by `options`, the header left out: typed columns would
// refuse it. (The header is the first batch's first record: the run starts at the second.)
void rows_json_records(benchmark::State& state, const RowsJsonOptions& options) {
  const auto& batches = typical_batches();
  std::string out;
  const std::string_view first = batches.front();
  const std::size_t header = first.find('\n') + 1;
  for (auto _ : state) {
    InputPosition pos{2, static_cast<std::int64_t>(header)};
    for (std::size_t i = 0; i < batches.size(); ++i) {
      const std::string_view batch = i == 0 ? first.substr(header) : batches[i];
      out.clear();
      auto stats = append_rows_json(batch, options, pos, out);
      if (!stats) {
        state.SkipWithError(stats.error().describe().c_str());
        return;
      }
      pos.row += static_cast<std::int64_t>(stats->physical_rows);
      pos.byte_offset += static_cast<std::int64_t>(batch.size());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * typical_csv().size()));
}

void BM_RowsJsonNumbers(benchmark::State& state) {
  RowsJsonOptions options;
  options.kinds = {ValueKind::kString, ValueKind::kString, ValueKind::kString, ValueKind::kNumber,
                   ValueKind::kString, ValueKind::kNumber, ValueKind::kNumber, ValueKind::kString};
  rows_json_records(state, options);
}
BENCHMARK(BM_RowsJsonNumbers)->Unit(benchmark::kMillisecond);

// The checked path (codec/checked_rows.h) on the same batches: how much a mapping by name, null
// markers and typed checks cost beside BM_RowsJsonStrings. Argument: 0 the columns in order with a
// null marker (the cheapest way into the checked path), 1 the columns reversed (a client export
// in another order), 2 reversed with the spec's types (numbers, a date) and a null marker.
void BM_RowsJsonChecked(benchmark::State& state) {
  RowsJsonOptions options;
  options.expected_fields = 8;
  const int variant = static_cast<int>(state.range(0));
  for (std::uint32_t j = 0; j < 8; ++j) options.source.push_back(variant == 0 ? j : 7 - j);
  if (variant != 1) options.nulls.markers = {"NULL"};
  if (variant == 2) {
    // Quantity, InvoiceDate, UnitPrice, CustomerID in the file; their places once reversed.
    options.kinds = {ValueKind::kString, ValueKind::kNumber, ValueKind::kNumber,
                     ValueKind::kDate,   ValueKind::kNumber, ValueKind::kString,
                     ValueKind::kString, ValueKind::kString};
    options.dates.assign(8, *DateFormat::compile(""));
  }
  state.SetLabel(variant == 0   ? "in order, null marker"
                 : variant == 1 ? "reversed"
                                : "reversed, typed");
  rows_json_records(state, options);
}
BENCHMARK(BM_RowsJsonChecked)->DenseRange(0, 2)->Unit(benchmark::kMillisecond);

void BM_FccpLineReader(benchmark::State& state) {
  const std::string& csv = typical_csv();
  std::size_t lines = 0;
  for (auto _ : state) {
    io::LineReader reader("typical.csv", csv.data(), csv.data() + csv.size());
    while (reader.next_line() != nullptr) ++lines;
  }
  benchmark::DoNotOptimize(lines);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * csv.size()));
}
BENCHMARK(BM_FccpLineReader)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace dsfill::codec

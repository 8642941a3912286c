// Throughput of the loader's own stages, on top of the codec kernels that bench_codec measures:
// the input reader, the chunker, the reader stage with its queue hand-off, the encoder stage
// with its window, and the level controller's bookkeeping. Every stage benchmark reports
// bytes/second of CSV input; the controller reports calls/second.
//
// The input is a ~64 MB CSV file shaped like scripts/gen_csv.py's output, written once into a
// temporary directory under /tmp (removed at exit) and read once before timing, so the file
// benchmarks measure the page cache, not the disk. BM_ReaderStageByKind reads one more such file
// per kind of bench/bench_data.h (plain, hard, quote-all, transactional). Each benchmark sets its
// own minimum time (which takes precedence over --benchmark_min_time), so a whole run takes about
// 15 s.
#include <benchmark/benchmark.h>
#include <cstdlib>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_data.h"
#include "codec/batch_encoder.h"
#include "codec/gzip.h"
#include "codec/request_body.h"
#include "codec/row_boundary.h"
#include "codec/rows_json.h"
#include "codec/simd_dispatch.h"
#include "loader/bounded_queue.h"
#include "loader/chunker.h"
#include "loader/heap_tuning.h"
#include "loader/input_reader.h"
#include "loader/level_controller.h"
#include "loader/schema.h"
#include "loader/seq_window.h"
#include "loader/stages.h"

namespace dsfill::loader {
namespace {

// The allocator settings dsfill runs with, before any benchmark allocates.
const bool kHeapTuned = (keep_freed_blocks_warm(), true);

constexpr std::size_t kFileBytes = 64u << 20;
constexpr std::size_t kReadSize = 1u << 20;
// The encoder benchmarks encode this many batches of the file (about 1 MB each), not all of it,
// so that one iteration at level 6 stays well under a second.
constexpr std::size_t kEncodeBatches = 24;

// Appends one data row shaped like scripts/gen_csv.py (without --hard): 2-6 description words,
// ~5% empty customer ids, ~10% "Côte d'Ivoire"; plus ~2% descriptions quoted with a comma, so
// that the quote-aware cut has quotes to track.
void append_row(std::mt19937& rng, std::uint64_t row, std::string& out) {
  static const char* const kCountries[] = {"United Kingdom", "France",   "Germany",
                                           "EIRE",           "Spain",    "Netherlands",
                                           "Norway",         "Portugal", "Australia"};
  const auto pick = [&rng](unsigned m) { return static_cast<unsigned>(rng() % m); };
  // Every draw is its own statement: the order of evaluation of function arguments is
  // unspecified, and the same seed must give the same file with any compiler.
  const unsigned stock = 10000 + pick(90000);
  const unsigned suffix = pick(3);
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "%llu,%llu,%u%s,", static_cast<unsigned long long>(row),
                        536365 + static_cast<unsigned long long>(row) / 7, stock,
                        suffix == 0 ? "" : (suffix == 1 ? "A" : "B"));
  out.append(buf, static_cast<std::size_t>(n));
  const bool quoted = pick(50) == 0;
  if (quoted) out += '"';
  const unsigned words = 2 + pick(5);
  for (unsigned w = 0; w < words; ++w) {
    if (w != 0) out += quoted && w == 1 ? ", " : " ";
    out += bench::kInvoiceWords[pick(sizeof bench::kInvoiceWords / sizeof bench::kInvoiceWords[0])];
  }
  if (quoted) out += '"';
  const int quantity = static_cast<int>(pick(54)) - 5;
  const unsigned day = 1 + pick(28);
  const unsigned hour = 8 + pick(11);
  const unsigned minute = pick(60);
  const unsigned cents = pick(5001);
  n = std::snprintf(buf, sizeof buf, ",%d,2010-12-%02u %02u:%02u:00,%u.%02u,", quantity, day, hour,
                    minute, cents / 100, cents % 100);
  out.append(buf, static_cast<std::size_t>(n));
  if (pick(20) != 0) out += std::to_string(12346 + pick(5942));
  out += ',';
  if (pick(10) == 0) {
    out += "C\xc3\xb4te d'Ivoire";
  } else {
    out += kCountries[pick(9)];
  }
  out += '\n';
}

// The retail-like input of most benchmarks here.
std::string retail_csv() {
  std::mt19937 rng(20240601);
  std::string csv =
      "RowId,InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,"
      "Country\n";
  csv.reserve(kFileBytes + 256);
  for (std::uint64_t row = 1; csv.size() < kFileBytes; ++row) append_row(rng, row, csv);
  return csv;
}

// A generated input file, `csv` written as `name` in its own directory; removes the directory at
// exit.
class DataFile {
 public:
  DataFile(const std::string& name, const std::string& csv) {
    char tmpl[] = "/tmp/dsfill_loader_bench.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    dir_ = tmpl;
    path_ = dir_ + "/" + name;
    std::FILE* f = std::fopen(path_.c_str(), "wb");
    if (f == nullptr || std::fwrite(csv.data(), 1, csv.size(), f) != csv.size() ||
        std::fclose(f) != 0) {
      std::abort();
    }
    size_ = csv.size();
    // Warm the page cache through the code under test.
    auto reader = InputReader::open(path_);
    if (!reader) std::abort();
    std::string buf(kReadSize, '\0');
    for (;;) {
      auto n = reader->read(buf.data(), buf.size());
      if (!n || *n == 0) break;
    }
  }
  ~DataFile() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  const std::string& path() const { return path_; }
  std::size_t size() const { return size_; }

 private:
  std::string dir_;
  std::string path_;
  std::size_t size_ = 0;
};

const DataFile& data_file() {
  static const DataFile kFile("retail.csv", retail_csv());
  return kFile;
}

// The file of one kind (bench/bench_data.h), ~64 MB, generated on first use. Each is its own
// function-local static so that a filtered run writes only the files it reads.
const DataFile& kind_file(bench::CsvKind kind) {
  const auto make = [](bench::CsvKind k) {
    return std::make_unique<DataFile>(std::string(bench::csv_kind_name(k)) + ".csv",
                                      bench::generate_csv(k, kFileBytes));
  };
  switch (kind) {
    case bench::CsvKind::kPlain: {
      static const auto kFile = make(kind);
      return *kFile;
    }
    case bench::CsvKind::kHard: {
      static const auto kFile = make(kind);
      return *kFile;
    }
    case bench::CsvKind::kQuoteAll: {
      static const auto kFile = make(kind);
      return *kFile;
    }
    case bench::CsvKind::kTransactional:
      break;
  }
  static const auto kFile = make(bench::CsvKind::kTransactional);
  return *kFile;
}

// Opens the data file, or marks the benchmark skipped and returns nullopt.
std::optional<InputReader> open_input(benchmark::State& state, const DataFile& file) {
  auto reader = InputReader::open(file.path());
  if (!reader) {
    state.SkipWithError("cannot open the input");
    return std::nullopt;
  }
  return std::move(*reader);
}

void BM_InputReader(benchmark::State& state) {
  const DataFile& file = data_file();
  std::string buf(kReadSize, '\0');
  for (auto _ : state) {
    auto reader = open_input(state, file);
    if (!reader) break;
    std::size_t total = 0;
    for (;;) {
      auto n = reader->read(buf.data(), buf.size());
      if (!n) {
        state.SkipWithError("read failed");
        break;
      }
      if (*n == 0) break;
      total += *n;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}
BENCHMARK(BM_InputReader)->Unit(benchmark::kMillisecond)->MinTime(0.5);

// The file's 10,000-row batches, in memory (the chunker's cuts).
const std::vector<std::string>& file_batches() {
  static const std::vector<std::string> kBatches = [] {
    std::vector<std::string> out;
    auto reader = InputReader::open(data_file().path());
    if (!reader) std::abort();
    Chunker chunker(*reader, ChunkerOptions{});
    for (;;) {
      auto next = chunker.next();
      if (!next) std::abort();
      if (!next->has_value()) break;
      out.emplace_back((*next)->records);
    }
    return out;
  }();
  return kBatches;
}

// What the reader and an encoder do per CSV byte besides deflate, one batch at a time as the
// pipeline does (each ~0.9 MB batch is warm in cache, as after its read): find its boundary,
// then write its JSON. Arg: the kernel set (codec/simd_dispatch.h; 1 ssse3, 2 avx512), which
// serves both the boundary finder and the transcoder.
void BM_CutAndTranscode(benchmark::State& state) {
  const auto& batches = file_batches();
  const codec::KernelSet& chosen = codec::active_kernels();
  const codec::KernelSet& set = codec::kernel_set(static_cast<codec::KernelSetId>(state.range(0)));
  if (!codec::use_kernel_set(set)) {
    state.SkipWithError("this CPU cannot run that kernel set");
    return;
  }
  state.SetLabel(set.name);
  const codec::CsvDialect dialect;
  std::string json;
  std::size_t length = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const std::string& batch : batches) {
      const codec::RecordCut cut = codec::find_record_cut(batch, SIZE_MAX, true, dialect);
      if (!codec::write_rows_json(std::string_view(batch).substr(0, cut.end), {}, {}, json,
                                  length)) {
        state.SkipWithError("transcoding failed");
        break;
      }
      bytes += batch.size();
    }
  }
  codec::use_kernel_set(chosen);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_CutAndTranscode)->DenseRange(1, 2)->Unit(benchmark::kMillisecond)->MinTime(0.5);

// Reports the file's bytes per second and the batches cut per second.
void report_file_rate(benchmark::State& state, const DataFile& file, std::uint64_t batches) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(batches), benchmark::Counter::kIsRate);
}

// Arg: batch_rows. 10000 is the default; 1000000 lets batch_bytes (8 MiB) cut instead.
void BM_Chunker(benchmark::State& state) {
  const DataFile& file = data_file();
  ChunkerOptions options;
  options.batch_rows = static_cast<std::size_t>(state.range(0));
  std::uint64_t batches = 0;
  for (auto _ : state) {
    auto reader = open_input(state, file);
    if (!reader) break;
    Chunker chunker(*reader, options);
    for (;;) {
      auto next = chunker.next();
      if (!next) {
        state.SkipWithError("chunker failed");
        break;
      }
      if (!next->has_value()) break;
      benchmark::DoNotOptimize((*next)->records.data());
      ++batches;
    }
  }
  report_file_rate(state, file, batches);
}
BENCHMARK(BM_Chunker)
    ->ArgName("batch_rows")
    ->Arg(10000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// run_reader on one thread, a consumer draining the queue on another (as an encoder would, but
// doing nothing with the batch): the chunker's cost plus the queue hand-off, over `file` with a
// queue of `capacity` slots. Shared by BM_ReaderStage and BM_ReaderStageByKind, so that the
// per-kind figures are comparable with the retail one.
void reader_stage(benchmark::State& state, const DataFile& file, std::size_t capacity) {
  std::uint64_t batches = 0;
  for (auto _ : state) {
    auto reader = open_input(state, file);
    if (!reader) break;
    Chunker chunker(*reader, ChunkerOptions{});
    BoundedQueue<Batch> queue(capacity);
    std::uint64_t consumed = 0;
    std::thread consumer([&] {
      while (auto batch = queue.pop()) {
        benchmark::DoNotOptimize(batch->records.data());
        ++consumed;
      }
    });
    const StageResult r = run_reader(chunker, 1, false, queue);
    consumer.join();
    if (r.error || consumed != r.items) {
      state.SkipWithError("reader stage failed");
      break;
    }
    batches += consumed;
  }
  report_file_rate(state, file, batches);
}

// Arg: queue capacity (the pipeline uses one slot per encoder).
void BM_ReaderStage(benchmark::State& state) {
  reader_stage(state, data_file(), static_cast<std::size_t>(state.range(0)));
}
BENCHMARK(BM_ReaderStage)
    ->ArgName("queue")
    ->Arg(1)
    ->Arg(2)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// The reader stage (queue of 2: two encoders) on each file kind of bench/bench_data.h: how much
// the quote-aware cut costs as quotes get denser, from none (plain) to every field (quote-all),
// and with newlines inside quotes (hard, transactional), which rule out cutting at a bare LF.
// Arg: the kind (0 plain, 1 hard, 2 quote-all, 3 transactional), named in the label.
void BM_ReaderStageByKind(benchmark::State& state) {
  const auto kind = static_cast<bench::CsvKind>(state.range(0));
  state.SetLabel(bench::csv_kind_name(kind));
  reader_stage(state, kind_file(kind), 2);
}
BENCHMARK(BM_ReaderStageByKind)
    ->ArgName("kind")
    ->DenseRange(0, bench::kCsvKinds - 1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.5);

// The schema and the first kEncodeBatches data batches of the file, cut as the pipeline cuts them.
struct EncodeInput {
  Schema schema;
  codec::BodyTemplate body;
  std::vector<Batch> batches;
  std::size_t csv_bytes = 0;
};

const EncodeInput& encode_input() {
  static const EncodeInput kInput = [] {
    EncodeInput in;
    auto reader = InputReader::open(data_file().path());
    if (!reader) std::abort();
    Chunker chunker(*reader, ChunkerOptions{});
    auto schema = read_schema(chunker, SchemaOptions{});
    if (!schema) std::abort();
    in.schema = std::move(*schema);
    in.body = codec::make_body_template("0f02b4d4f9ae", "eca2ad3940e3", in.schema.columns, true);
    while (in.batches.size() < kEncodeBatches) {
      auto next = chunker.next();
      if (!next) std::abort();
      if (!next->has_value()) break;
      Batch batch = std::move(**next);
      batch.seq = in.batches.size();
      in.csv_bytes += batch.records.size();
      in.batches.push_back(std::move(batch));
    }
    return in;
  }();
  return kInput;
}

// run_encoder on `threads` threads over batches queued in memory (the queue is filled and closed
// before the clock starts); the deliver callback releases the window at once, so encoders never
// wait for a sender. Args: encoder threads, gzip level (libdeflate). Wall time: the threads'
// CPU is not the main thread's.
void BM_EncoderStage(benchmark::State& state) {
  const EncodeInput& input = encode_input();
  const auto threads = static_cast<std::size_t>(state.range(0));
  const int level = static_cast<int>(state.range(1));
  std::vector<std::unique_ptr<codec::BatchEncoder>> encoders;
  for (std::size_t i = 0; i < threads; ++i) {
    encoders.push_back(std::make_unique<codec::BatchEncoder>(input.body, input.schema.rows, level,
                                                             codec::GzipBackend::kLibdeflate));
  }
  const std::string load_id = "bench-loader-0001";
  std::atomic<std::uint64_t> body_bytes{0};
  std::atomic<std::uint64_t> delivered{0};
  for (auto _ : state) {
    state.PauseTiming();
    BoundedQueue<Batch> queue(input.batches.size());
    for (const Batch& b : input.batches) queue.push(b);
    queue.close();
    SeqWindow window(threads + 1);
    state.ResumeTiming();
    const auto deliver = [&](const EncodedBatch& b) {
      body_bytes.fetch_add(b.body.size(), std::memory_order_relaxed);
      delivered.fetch_add(1, std::memory_order_relaxed);
      window.release();
    };
    std::vector<StageResult> results(threads);
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < threads; ++i) {
      workers.emplace_back([&, i] {
        results[i] = run_encoder(queue, window, *encoders[i], false, load_id, deliver);
      });
    }
    for (auto& t : workers) t.join();
    for (const auto& r : results) {
      if (r.error) state.SkipWithError(r.error->describe().c_str());
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.csv_bytes));
  state.counters["batches/s"] =
      benchmark::Counter(static_cast<double>(delivered.load()), benchmark::Counter::kIsRate);
  const auto csv_total = static_cast<double>(state.iterations() * input.csv_bytes);
  if (csv_total > 0)
    state.counters["body/csv"] = static_cast<double>(body_bytes.load()) / csv_total;
}
BENCHMARK(BM_EncoderStage)
    ->ArgNames({"threads", "level"})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Args({1, 6})
    ->Args({2, 6})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(1.0);

// The bookkeeping every encoded batch pays under --level auto: one report() (a mutex, a
// decision every kBatchesPerDecision calls). The idle share alternates so the level moves.
void BM_LevelController(benchmark::State& state) {
  LevelController levels(6, 1, 12);
  std::uint64_t i = 0;
  for (auto _ : state) {
    const double idle = (i++ & 32) != 0 ? 0.004 : 0.0;
    levels.report(levels.level(), 1u << 20, 0.010, idle);
  }
  benchmark::DoNotOptimize(levels.level());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_LevelController)->MinTime(0.2);

}  // namespace
}  // namespace dsfill::loader

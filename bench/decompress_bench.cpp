// Decompression rate of InputReader per codec (MB/s of decompressed output, one thread): the
// reader stage's cost for a compressed input. The CSV comes from $DSFILL_BENCH_CSV (e.g.
// `python3 scripts/gen_csv.py --size 100MB -o /tmp/x.csv`); it is compressed once with the
// command-line tools at their default levels (gzip -6, zstd -3, bzip2 -9, xz -6).
//
//   DSFILL_BENCH_CSV=/tmp/x.csv build/bench/bench_decompress
#include <cstdlib>
#include <filesystem>
#include <string>

#include <benchmark/benchmark.h>

#include "loader/input_reader.h"

namespace {

using dsfill::loader::InputReader;

// Returns the path of the CSV in `codec` form ("plain" is the file itself), made on first use.
std::string input(const std::string& codec) {
  const char* csv = std::getenv("DSFILL_BENCH_CSV");
  if (csv == nullptr) return "";
  if (codec == "plain") return csv;
  static const std::string dir = [] {
    char tmpl[] = "/tmp/dsfill_decompress_bench.XXXXXX";
    return std::string(::mkdtemp(tmpl) != nullptr ? tmpl : "/tmp");
  }();
  const std::string out = dir + "/in." + codec;
  if (!std::filesystem::exists(out)) {
    const std::string tool = codec == "gz"    ? "gzip"
                             : codec == "zst" ? "zstd -q"
                             : codec == "bz2" ? "bzip2"
                                              : "xz";
    const std::string cmd = tool + " -c '" + csv + "' > '" + out + "'";
    if (std::system(cmd.c_str()) != 0) return "";
  }
  return out;
}

void read_all(benchmark::State& state, const std::string& codec) {
  const std::string path = input(codec);
  if (path.empty()) {
    state.SkipWithError("set DSFILL_BENCH_CSV to a CSV file");
    return;
  }
  std::string buf(1u << 20, '\0');
  std::int64_t total = 0;
  for (auto _ : state) {
    auto reader = InputReader::open(path);
    if (!reader) {
      state.SkipWithError("cannot open the input");
      return;
    }
    for (;;) {
      auto n = reader->read(buf.data(), buf.size());
      if (!n) {
        state.SkipWithError(n.error().message.c_str());
        return;
      }
      if (*n == 0) break;
      total += static_cast<std::int64_t>(*n);
    }
  }
  state.SetBytesProcessed(total);
}

void BM_Decompress(benchmark::State& state, const char* codec) { read_all(state, codec); }

BENCHMARK_CAPTURE(BM_Decompress, plain, "plain")->Unit(benchmark::kMillisecond)->MinTime(1);
BENCHMARK_CAPTURE(BM_Decompress, gzip, "gz")->Unit(benchmark::kMillisecond)->MinTime(1);
BENCHMARK_CAPTURE(BM_Decompress, zstd, "zst")->Unit(benchmark::kMillisecond)->MinTime(1);
BENCHMARK_CAPTURE(BM_Decompress, bzip2, "bz2")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_Decompress, xz, "xz")->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

// bench_baseline: the single-thread yardstick for `dsfill bench`. Cuts FILE into the same
// batches the loader cuts (same chunker, same options), and times each step of the encode on one
// thread: cutting, CSV -> JSON transcoding, deflate alone (the compressor called directly on the
// very JSON bytes of each batch), and base64. The deflate rate, doubled, is what two encoder
// threads could reach if everything else vanished beside the compressor.
//
//   bench_baseline FILE [--level N] [--codec libdeflate|isal] [--batch-rows N] [--batch-bytes B]
//
// Prints one line of JSON (rates in MB/s of CSV input per CPU second, so they compare with
// `dsfill bench`; *_seconds are CPU seconds of this one thread).
#include <ctime>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "codec/base64.h"
#include "codec/gzip.h"
#include "codec/rows_json.h"
#include "loader/chunker.h"
#include "loader/heap_tuning.h"
#include "loader/input_reader.h"
#include "loader/schema.h"

namespace {

// Times steps in this thread's CPU time, not wall time: on a shared machine another process can
// take the core mid-step, and the yardstick must measure the work, not the wait.
struct Clock {
  using TimePoint = double;
  static double now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  }
};

double since(double t) { return Clock::now() - t; }

int usage() {
  std::fputs(
      "usage: bench_baseline FILE [--level N] [--codec libdeflate|isal] [--batch-rows N] "
      "[--batch-bytes BYTES]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dsfill;
  loader::keep_freed_blocks_warm();  // as dsfill runs
  std::string path;
  int level = codec::kDefaultGzipLevel;
  std::string codec_name = "libdeflate";
  loader::ChunkerOptions chunking;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--level" && has_value) {
      level = std::atoi(argv[++i]);
    } else if (a == "--codec" && has_value) {
      codec_name = argv[++i];
    } else if (a == "--batch-rows" && has_value) {
      chunking.batch_rows = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--batch-bytes" && has_value) {
      chunking.batch_bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      return usage();
    }
  }
  if (path.empty()) return usage();
  const auto backend = codec::parse_gzip_backend(codec_name);
  if (!backend) {
    std::fprintf(stderr, "bench_baseline: %s\n", backend.error().describe().c_str());
    return 2;
  }

  auto reader = loader::InputReader::open(path);
  if (!reader) {
    std::fprintf(stderr, "bench_baseline: %s\n", reader.error().describe().c_str());
    return 1;
  }
  loader::Chunker chunker(*reader, chunking);
  auto schema = loader::read_schema(chunker, loader::SchemaOptions{});
  if (!schema) {
    std::fprintf(stderr, "bench_baseline: %s\n", schema.error().describe().c_str());
    return 1;
  }
  codec::GzipCompressor gzip(level, *backend);
  std::string json;
  std::string gz;
  std::string b64;
  double t_cut = 0, t_json = 0, t_deflate = 0, t_b64 = 0;
  std::uint64_t csv_bytes = 0, json_bytes = 0, gz_bytes = 0, rows = 0, batches = 0;
  for (;;) {
    auto t = Clock::now();
    auto batch = chunker.next();
    t_cut += since(t);
    if (!batch) {
      std::fprintf(stderr, "bench_baseline: %s\n", batch.error().describe().c_str());
      return 1;
    }
    if (!batch->has_value()) break;
    const std::string_view records = (*batch)->records;
    t = Clock::now();
    std::size_t json_size = 0;
    auto stats =
        codec::write_rows_json(records, schema->rows, {(*batch)->first_row, 0}, json, json_size);
    t_json += since(t);
    if (!stats) {
      std::fprintf(stderr, "bench_baseline: %s\n", stats.error().describe().c_str());
      return 1;
    }
    const std::string_view json_view(json.data(), json_size);
    if (gz.size() < gzip.bound(json_size)) gz.resize(gzip.bound(json_size));
    t = Clock::now();
    const std::size_t n = gzip.compress_into(json_view, gz.data(), gz.size());
    t_deflate += since(t);
    if (b64.size() < codec::base64_encoded_size(n)) b64.resize(codec::base64_encoded_size(n));
    t = Clock::now();
    codec::base64_encode_into(std::string_view(gz.data(), n), b64.data());
    t_b64 += since(t);
    csv_bytes += records.size();
    json_bytes += json_size;
    gz_bytes += n;
    rows += stats->rows;
    ++batches;
  }
  const auto mbps = [&](double s) { return s > 0 ? static_cast<double>(csv_bytes) / s / 1e6 : 0; };
  std::printf(
      "{\"codec\":\"%s\",\"level\":%d,\"batches\":%llu,\"rows\":%llu,\"csv_bytes\":%llu,"
      "\"json_bytes\":%llu,\"gzip_bytes\":%llu,\"cut_mb_s\":%.1f,\"transcode_mb_s\":%.1f,"
      "\"deflate_mb_s\":%.1f,\"deflate_json_mb_s\":%.1f,\"base64_mb_s\":%.1f,"
      "\"deflate_seconds\":%.3f}\n",
      codec_name.c_str(), level, static_cast<unsigned long long>(batches),
      static_cast<unsigned long long>(rows), static_cast<unsigned long long>(csv_bytes),
      static_cast<unsigned long long>(json_bytes), static_cast<unsigned long long>(gz_bytes),
      mbps(t_cut), mbps(t_json), mbps(t_deflate),
      t_deflate > 0 ? static_cast<double>(json_bytes) / t_deflate / 1e6 : 0, mbps(t_b64),
      t_deflate);
  return 0;
}

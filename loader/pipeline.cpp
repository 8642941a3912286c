// run_load() wires the stages; each stage lives in its own file:
//
//   open_input (load_input.h) ─► reader+chunker (1 thread) ─► BoundedQueue<Batch> ─►
//   encoders (N threads) ─► SeqWindow slots ─► sink on the io thread (sink.h: HTTP sender,
//   discard, or file) ─► acknowledgements, progress, checkpoint, summary
#include "loader/pipeline.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iterator>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include "codec/batch_encoder.h"
#include "codec/kernels.h"
#include "loader/bounded_queue.h"
#include "loader/heap_tuning.h"
#include "loader/load_input.h"
#include "loader/local_sink.h"
#include "loader/log.h"
#include "loader/multi_load.h"
#include "loader/progress_ticker.h"
#include "loader/proxy_setting.h"
#include "loader/resume_plan.h"
#include "loader/row_check.h"
#include "loader/sender.h"
#include "loader/seq_window.h"
#include "loader/stages.h"
#include "net/field_rules.h"

namespace dsfill::loader {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

LoadReport failed(const LoadOptions& o, Outcome outcome, std::string message) {
  LoadReport report;
  report.outcome = outcome;
  report.message = std::move(message);
  report.target = o.target;  // so that `bench` reports a failure as a bench, not a load
  return report;
}

// Returns the network sink's settings, or a usage error (bad URL, unusable CA file, a token or
// header that would inject fields). `tls` receives the TLS context for https.
Result<SenderConfig> sender_config(const LoadOptions& o, const Plan& plan, Chunker& batches,
                                   std::shared_ptr<asio::ssl::context>& tls) {
  // The CLI refuses these first, with the source named; this guards every other caller.
  if (!o.token.empty() && !net::is_credential(o.token)) {
    return make_error(ErrorCode::kBadArgument,
                      "the token holds a control character (CR, LF, NUL, ...): refused");
  }
  for (const auto& [name, value] : o.headers) {
    if (!net::is_field_name(name) || !net::is_field_value(value)) {
      return make_error(ErrorCode::kBadArgument,
                        "the request header '" + (net::is_field_name(name) ? name : "?") +
                            "' holds a character HTTP does not allow: refused");
    }
  }
  auto url = net::parse_url(o.url);
  if (!url) return url.error();
  if (url->tls) {
    if (o.insecure) {
      log(LogLevel::kWarn,
          "--insecure: the server's certificate and name are NOT verified; anyone on the path "
          "can read and change this load. For test rigs only: use --cacert for a private CA");
    }
    auto context = net::make_tls_context({.cacert = o.cacert,
                                          .capath = o.capath,
                                          .cert = o.client_cert,
                                          .key = o.client_key,
                                          .insecure = o.insecure});
    if (!context) return context.error();
    tls = std::move(*context);
  }
  auto proxy = proxy_setting(*url, o.proxy, o.no_proxy, o.proxy_env);
  if (!proxy) return proxy.error();
  if (!proxy->summary.empty()) log(LogLevel::kInfo, "proxy: " + proxy->summary);
  return SenderConfig{.url = *url,
                      .tls = tls.get(),
                      .proxy = proxy->route,
                      .proxy_source = proxy->source,
                      .proxy_summary = proxy->summary,
                      .connections = o.connections,
                      .timeout = o.timeout,
                      .connect_timeout = o.connect_timeout,
                      .complete_timeout = o.complete_timeout,
                      .retry = o.retry,
                      .token = o.token,
                      .headers = o.headers,
                      .complete_body = o.complete
                                           ? codec::make_complete_body(o.user_code, o.dataset_code)
                                           : std::string(),
                      .replace = plan.replace,
                      .start_offset = batches.offset(),
                      .start_row = plan.start_row,
                      // make_sink sets these where refused batches are split (bad rows allowed)
                      .encode_part = nullptr,
                      .on_refused = nullptr,
                      .max_body_bytes = o.max_body_bytes,
                      .max_bytes_per_second = o.max_bytes_per_second,
                      .max_requests_per_second = o.max_requests_per_second,
                      .load_id = plan.key_id,
                      .dialect = o.chunker.dialect};
}

// Returns the names that fields of the file's records have: the header's, else the columns'.
std::vector<std::string> field_names(const Schema& schema) {
  if (!schema.header.empty()) return schema.header;
  std::vector<std::string> names;
  names.reserve(schema.columns.size());
  for (const auto& c : schema.columns) names.push_back(c.name);
  return names;
}

// The sink of `o.target` and what it owns (a TLS context, an output file, the encoder of the
// parts of refused batches).
struct SinkParts {
  std::unique_ptr<BatchSink> sink;
  std::shared_ptr<asio::ssl::context> tls;
  std::unique_ptr<codec::BatchEncoder> part_encoder;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{nullptr, &std::fclose};
};

// Bad rows, as the pipeline keeps them: the rejects file and the limit they count against.
// (Pointers: a RejectBudget holds atomics and cannot move.)
struct BadRows {
  std::unique_ptr<RejectLog> log;
  std::unique_ptr<RejectBudget> budget;
};

Result<BadRows> open_bad_rows(const LoadOptions& o, const LoadInput& in) {
  const bool checking = o.target == Target::kCheck;  // check lists problems; it writes no file
  const Checkpoint& before = in.plan.checkpoint;
  // A resume, or a later file of several, carries on with the rejects so far.
  const bool carried = in.plan.resumed || in.plan.continued;
  auto log = RejectLog::open(checking ? std::string() : o.rejects_path, in.schema.header_record,
                             carried ? &before.rejects : nullptr, field_names(in.schema));
  if (!log) return log.error();
  if (checking) (*log)->set_example_cap(o.max_errors);
  return BadRows{std::move(*log),
                 std::make_unique<RejectBudget>(o.bad_rows, before.rows_acked,
                                                carried ? before.rejects.rows : 0)};
}

// Whether batches keep their CSV for the sender to split: over the network, a batch may be
// refused as too large (413) or, with bad rows allowed, for a row.
bool splits_batches(const LoadOptions& o) { return o.target == Target::kNetwork; }

// Returns the sink for `o.target`: the HTTP sender, a file of bodies, or discard. The sender
// splits batches too large for the server; with bad rows allowed, also those it refuses for a
// row, and it hands those rows to `bad`.
Result<SinkParts> make_sink(const LoadOptions& o, LoadInput& in, asio::io_context& io,
                            SinkCallbacks callbacks, BadRows& bad) {
  SinkParts parts;
  Chunker& batches = in.batches();
  if (o.target == Target::kNetwork) {
    auto config = sender_config(o, in.plan, batches, parts.tls);
    if (!config) return config.error();
    if (splits_batches(o)) {
      parts.part_encoder = std::make_unique<codec::BatchEncoder>(
          in.body, in.schema.rows, o.compress ? o.level : 0, o.gzip_backend);
      codec::BatchEncoder& encoder = *parts.part_encoder;
      config->encode_part = [&encoder](std::string_view csv, codec::InputPosition start,
                                       bool append) -> Result<PartBody> {
        PartBody part;
        auto stats = encoder.encode(csv, start, append, part.body);
        if (!stats) return stats.error();
        part.rows = stats->rows;  // its own rejects were counted with the batch: not again
        return part;
      };
      if (in.schema.rows.keep_going) {
        config->on_refused = [&bad](std::uint64_t seq, std::vector<codec::RowReject> refused) {
          const std::uint64_t n = refused.size();
          bad.log->hold(seq, std::move(refused));
          return bad.budget->count(0, n);
        };
      }
    }
    parts.sink = std::make_unique<HttpSender>(io, std::move(*config), std::move(callbacks));
    return parts;
  }
  LocalSink::Writer write;
  if (o.target == Target::kFile) {
    std::FILE* out = stdout;
    if (o.output != "-") {
      parts.file.reset(std::fopen(o.output.c_str(), "wb"));
      if (!parts.file) return make_error(ErrorCode::kIo, "cannot write " + o.output);
      out = parts.file.get();
    }
    write = [out, name = o.output](const EncodedBatch& b) -> Result<void> {
      if (std::fwrite(b.body.data(), 1, b.body.size(), out) != b.body.size() ||
          std::fputc('\n', out) == EOF) {
        return make_error(ErrorCode::kIo, "write to " + name + " failed");
      }
      return {};
    };
  }
  parts.sink = std::make_unique<LocalSink>(io, std::move(callbacks), std::move(write),
                                           batches.offset(), in.plan.start_row);
  return parts;
}

// --level auto: one level for all encoders, moved by how much they wait (level_controller.h).
// Emplaced, as the controller cannot move.
void make_levels(const LoadOptions& o, std::size_t window, std::optional<LevelController>& out) {
  if (!o.auto_level || !o.compress) return;
  const bool network = o.target == Target::kNetwork;
  if (o.auto_backend && codec::gzip_backend_available(codec::GzipBackend::kIsal)) {
    // One frontier over both backends. On a network it starts at libdeflate's `level`, as a
    // one-backend load does; without one, at the fastest step.
    std::vector<codec::GzipSetting> steps = codec::gzip_auto_steps();
    std::ptrdiff_t start = 0;
    if (network) {
      const auto at = std::find_if(steps.begin(), steps.end(), [&](const codec::GzipSetting& s) {
        return s.backend == codec::GzipBackend::kLibdeflate && s.level >= o.level;
      });
      start = at == steps.end() ? std::ssize(steps) - 1 : at - steps.begin();
    }
    out.emplace(std::move(steps), static_cast<int>(start), static_cast<int>(window),
                network ? std::max(1, o.connections) : 0);
    return;
  }
  const codec::GzipLevelRange range = codec::gzip_level_range(o.gzip_backend);
  // Without a network (bench) nothing ever waits for the sender: the fastest level wins, so
  // start there rather than step down to it batch by batch.
  out.emplace(network ? o.level : range.fastest, range.fastest, range.smallest,
              static_cast<int>(window), network ? std::max(1, o.connections) : 0);
}

// Returns the earliest failing stage (the reader or an encoder), or nullptr when every batch
// was handed over; `delivered` receives the batches the encoders handed over.
const StageResult* first_failure(const StageResult& read, const std::vector<StageResult>& encoded,
                                 std::uint64_t& delivered) {
  const StageResult* failed = read.error ? &read : nullptr;
  delivered = 0;
  for (const auto& r : encoded) {
    delivered += r.items;
    if (r.error && (failed == nullptr || r.error_seq < failed->error_seq)) failed = &r;
  }
  return failed;
}

// Assembles the report from the sink and the stages, checks the rows, and leaves a valid
// checkpoint whatever the outcome: the prefix is what the server acknowledged.
LoadReport finish_report(const LoadOptions& o, const LoadInput& in, const BatchSink& sink,
                         const StageResult& read, const std::vector<StageResult>& encoded,
                         const std::optional<LevelController>& levels, CheckpointKeeper& keeper,
                         RejectLog& rejects, Clock::time_point started) {
  const SinkState& s = sink.state();
  LoadReport r;
  r.outcome = s.outcome;
  r.message = s.message;
  if (auto w = rejects.write_through(sink.acks().next_seq()); !w && r.outcome == Outcome::kOk) {
    r.outcome = Outcome::kBadInput;
    r.message = w.error().describe();
  }
  r.rejects = rejects.tally();
  r.rejects_path = rejects.path();
  r.reject_examples = rejects.examples();
  r.signal = s.signal;
  r.target = o.target;
  r.load_id = in.plan.checkpoint.load_id;
  r.rows = s.rows;
  r.batches = s.batches;
  r.bytes_in = s.bytes_in;
  r.json_bytes = s.json_bytes;
  r.bytes_sent = s.bytes_sent;
  r.requests = s.requests;
  r.retries = s.retries;
  r.size_splits = s.size_splits;
  r.smallest_body_refused = s.smallest_body_refused;
  r.largest_body_stored = s.largest_body_stored;
  r.redirects = s.redirects;
  r.moved_to = s.moved_to;
  r.proxy = s.proxy;
  r.connects = sink.connects();
  r.acked_offset = sink.acks().offset();
  r.acked_row = sink.acks().row();
  r.first_data_row = in.first_data_row;
  r.started = true;
  r.completed = s.completed;
  r.server_rows_count = s.server_rows_count;
  if (!s.rows_inserted_missing) r.server_rows_inserted = s.server_rows_inserted;
  r.server_rows_count_max = s.server_rows_count_max;
  r.server_rows_before = s.server_rows_before;
  r.input_size = in.size;
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  double encode_busy = 0;
  for (const auto& e : encoded) encode_busy += e.busy_seconds;
  r.stages = {{"reader", 1, read.busy_seconds},
              {"encoder", static_cast<int>(encoded.size()), encode_busy}};
  if (o.target == Target::kNetwork) {
    // K connections: the sender's busy time is their in-flight time (the state's is per K).
    const int k = std::max(1, o.connections);
    r.stages.push_back({"sender", k, s.busy_seconds * k});
  }
  if (levels) {
    r.level_batches = levels->batches_per_level();
    r.level_names = levels->step_names();
  }
  r.kernels = codec::kernels_in_use();
  r.rows_before = in.plan.checkpoint.rows_acked;
  r.resumed = in.plan.resumed;
  r.resumed_from = in.plan.resumed ? in.plan.start_offset : 0;
  if (o.target == Target::kCheck && r.outcome == Outcome::kOk && r.rejects.rows > 0) {
    r.outcome = Outcome::kBadInput;
    r.message = std::to_string(r.rejects.rows) + " bad row" + (r.rejects.rows == 1 ? "" : "s") +
                " (" + reject_counts_text(r.rejects) + ")";
  }
  check_rows(o, r);
  if (keeper.active()) {
    const bool ended = r.outcome == Outcome::kOk || r.outcome == Outcome::kCountMismatch;
    // Of several files, only the last one's end finishes the load.
    const bool finished = ended && in.plan.last_file;
    r.checkpoint = o.checkpoint;
    if (auto w = keeper.write_now(sink.acks(), finished); !w) {
      r.checkpoint_error = w.error().describe();
    } else if (!keeper.error().empty()) {
      r.checkpoint_error = keeper.error();
    }
    if (!ended) r.resume_command = resume_command(o);
  }
  return r;
}

}  // namespace

std::optional<LoadReport> validate_first(const LoadOptions& o, double& seconds) {
  LoadOptions check = o;
  check.target = Target::kCheck;
  check.checkpoint.clear();
  check.resume = check.auto_resume = false;
  check.rejects_path.clear();
  check.validate_first = false;
  LoadReport v = run_load(check);
  seconds = v.wall_seconds;
  const std::uint64_t records = v.rows + v.rejects.rows;
  if (v.outcome == Outcome::kBadInput && v.rejects.rows > 0 &&
      v.rejects.rows <= o.bad_rows.allowed(records)) {
    return std::nullopt;  // within the limit: the load leaves them out
  }
  if (v.outcome == Outcome::kOk) return std::nullopt;
  v.target = o.target;
  if (v.outcome == Outcome::kBadInput) {
    std::string why = v.message;
    if (v.rejects.rows > 0) {
      why += o.bad_rows.any() ? ", more than the limit allows"
                              : " and --max-bad-rows is 0 (it lets up to N be left out)";
      if (!v.reject_examples.empty()) {
        const codec::RowReject& first = v.reject_examples.front();
        why += "; the first: " + std::string(o.input == "-" ? "standard input" : o.input) + ": " +
               first.message + " (row " + std::to_string(first.row) + ", byte " +
               std::to_string(first.byte_offset) + ")";
      }
    }
    v.message = "--validate-first: nothing was sent: " + why;
  }
  v.validate_seconds = seconds;
  return v;
}

namespace {

// The pipeline's shared parts: the queues between the stages and the io thread's context with
// what runs on it beside the sink. Memory bound, whatever the input size (B = --batch-bytes,
// N = encoders, K = connections): the chunker's window ~2B + one read; the queue N raw batches
// and N being encoded, each encoder's scratch (JSON ~1.2B, gzip) and one finished body; the
// window N + K bodies; a compressed input adds one 256 KiB read and its decoder's state (at
// most a few MiB, for xz and bzip2). So peak memory is O((N + K) x B): a slow server stalls the
// reader, it never grows memory.
struct Stages {
  Stages(const LoadOptions& o, const LoadInput& in)
      : encoders(std::max(1, o.encoders)),
        window(static_cast<std::size_t>(encoders + std::max(1, o.connections))),
        batches(static_cast<std::size_t>(encoders)),
        slots(window),
        work(asio::make_work_guard(io)),
        signals(io),
        ticker(io, in.size, progress_settings(o), in.compressed_read) {}

  static ProgressSettings progress_settings(const LoadOptions& o) {
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    return {.enabled = o.progress == ProgressMode::kAlways ||
                       (o.progress == ProgressMode::kAuto && terminal),
            .terminal = terminal,
            .plain_interval = o.stats_interval};
  }

  const int encoders;
  const std::size_t window;
  BoundedQueue<Batch> batches;
  SeqWindow slots;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::signal_set signals;
  ProgressTicker ticker;
};

// What the sink tells the stages: a free window place, stop early, done, a longer prefix
// (which moves the rejects file and the checkpoint on). `sink` is set once it exists.
SinkCallbacks sink_callbacks(Stages& s, const std::unique_ptr<BatchSink>& sink, RejectLog& rejects,
                             CheckpointKeeper& keeper) {
  return {.release_slot = [&s] { s.slots.release(); },
          .on_stop =
              [&s] {
                s.batches.close_and_clear();
                s.slots.close();
              },
          .on_finished =
              [&s] {
                s.ticker.stop();
                s.signals.cancel();
                s.work.reset();
              },
          .on_prefix_advance =
              [&sink, &rejects, &keeper] {
                const AckTracker& acks = sink->acks();
                if (auto w = rejects.write_through(acks.next_seq()); !w) {
                  sink->stop(Outcome::kBadInput, w.error().describe());
                  return;
                }
                keeper.advance(acks);
              }};
}

// SIGINT and SIGTERM stop the sink (a second one takes its default action: Ctrl-C twice ends).
void stop_on_signals(Stages& s, BatchSink& sink) {
  s.signals.add(SIGINT);
  s.signals.add(SIGTERM);
  s.signals.async_wait([&s, &sink](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    boost::system::error_code ignored;
    s.signals.clear(ignored);
    sink.stop(Outcome::kInterrupted,
              signo == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM", signo);
  });
}

// Runs the encoder threads until the queue is drained or closed; each hands its bodies to the
// sink on the io thread, and its rejects to the rejects file, held until the batch is stored.
std::vector<StageResult> run_encoders(const LoadOptions& o, const LoadInput& in, Stages& s,
                                      BatchSink& sink, BadRows& bad, LevelController* levels) {
  const bool checking = o.target == Target::kCheck;
  std::vector<StageResult> results(static_cast<std::size_t>(s.encoders));
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (StageResult& result : results) {
    threads.emplace_back([&, out = &result] {
      advise_thread_heap_huge_pages();  // before the encoder allocates its buffers
      codec::BatchEncoder encoder(in.body, in.schema.rows, o.compress ? o.level : 0,
                                  o.gzip_backend);
      encoder.set_check_only(checking);
      RejectLog& rejects = *bad.log;
      *out = run_encoder(
          s.batches, s.slots, encoder, in.plan.replace, in.plan.key_id,
          [&](EncodedBatch b) {
            asio::post(s.io, [&sink, &rejects, b = std::move(b)]() mutable {
              rejects.hold(b.seq, std::move(b.rejects));
              sink.submit(std::move(b));
            });
          },
          levels, in.schema.rows.keep_going && !checking ? bad.budget.get() : nullptr,
          splits_batches(o));
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

// Tells the sink how the input ended: every batch handed over, or the earliest failure.
void end_input(const LoadOptions& o, Stages& s, BatchSink& sink, const StageResult& read,
               const std::vector<StageResult>& encoded) {
  std::uint64_t delivered = 0;
  const StageResult* failure = first_failure(read, encoded, delivered);
  std::string why;
  if (failure != nullptr) {
    why = (o.input == "-" ? std::string("standard input") : o.input) + ": " +
          failure->error->describe();
  }
  asio::post(s.io, [&sink, failed = failure != nullptr, why = std::move(why), delivered] {
    if (failed) {
      sink.stop(Outcome::kBadInput, why);
    } else {
      sink.input_done(delivered);
    }
  });
}

}  // namespace

LoadReport run_load(const LoadOptions& options) {
  if (!options.inputs.empty()) return run_files(options);
  const auto started = Clock::now();
  double validate_seconds = 0;
  // (bench too, so that the pass's cost can be measured without a server)
  const bool sends = options.target == Target::kNetwork || options.target == Target::kBench;
  if (options.validate_first && sends && !options.resume) {
    if (auto stop = validate_first(options, validate_seconds)) return *stop;
  }
  auto input = open_input(options);
  if (!input) {
    const bool usage = input.error().code == ErrorCode::kBadArgument;
    return failed(options, usage ? Outcome::kUsage : Outcome::kBadInput, input.error().message);
  }
  LoadInput& in = **input;
  if (in.plan.already_finished) return finished_report(options, in.plan);
  CheckpointKeeper keeper(options.checkpoint, in.plan.checkpoint, in.plan.replace);
  auto opened = open_bad_rows(options, in);
  if (!opened) return failed(options, Outcome::kUsage, opened.error().describe());
  BadRows& bad = *opened;
  keeper.set_rejects(bad.log.get());

  Stages stages(options, in);
  SinkParts parts;
  auto made =
      make_sink(options, in, stages.io, sink_callbacks(stages, parts.sink, *bad.log, keeper), bad);
  if (!made) return failed(options, Outcome::kUsage, made.error().message);
  parts = std::move(*made);
  BatchSink& sink = *parts.sink;
  if (keeper.active()) {
    // Write it before sending, so even a kill -9 before the first acknowledgement can resume.
    if (auto w = keeper.write_now(sink.acks(), false); !w) {
      return failed(options, Outcome::kUsage, w.error().describe());
    }
  }
  if (options.handle_signals) stop_on_signals(stages, sink);
  stages.ticker.start(sink);
  std::thread io_thread([&] { stages.io.run(); });

  StageResult read_result;
  std::thread reader_thread([&] {
    read_result = run_reader(in.batches(), in.plan.start_row, in.plan.replace, stages.batches);
  });
  std::optional<LevelController> levels;
  make_levels(options, stages.window, levels);
  const std::vector<StageResult> encode_results =
      run_encoders(options, in, stages, sink, bad, levels ? &*levels : nullptr);
  reader_thread.join();
  end_input(options, stages, sink, read_result, encode_results);
  io_thread.join();
  LoadReport report = finish_report(options, in, sink, read_result, encode_results, levels, keeper,
                                    *bad.log, started);
  report.validate_seconds = validate_seconds;
  return report;
}

}  // namespace dsfill::loader

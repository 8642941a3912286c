// run_load() wires the stages; each stage lives in its own file:
//
//   reader+chunker (1 thread) ─► BoundedQueue<Batch> ─► encoders (N threads) ─► window slots ─►
//   sender (io_context thread, K connections) ─► acknowledgements, progress, summary
#include "loader/pipeline.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "codec/batch_encoder.h"
#include "codec/kernels.h"
#include "codec/request_body.h"
#include "loader/bounded_queue.h"
#include "loader/checkpoint.h"
#include "loader/input_reader.h"
#include "loader/load_id.h"
#include "loader/log.h"
#include "loader/report.h"
#include "loader/row_check.h"
#include "loader/sender.h"
#include "loader/seq_window.h"
#include "loader/shard.h"
#include "loader/stages.h"
#include "net/field_rules.h"

namespace dsfill::loader {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// An error in the input's data, with the input named first: "data.csv: ragged row: expected 9
// fields, found 8 (row 12, byte 1044)".
std::string input_error(const LoadOptions& o, const Error& e) {
  return (o.input == "-" ? std::string("standard input") : o.input) + ": " + e.describe();
}

LoadReport failed(const LoadOptions& o, Outcome outcome, std::string message) {
  LoadReport report;
  report.outcome = outcome;
  report.message = std::move(message);
  report.target = o.target;  // so that `bench` reports a failure as a bench, not a load
  return report;
}

// Prints the progress line every 250 ms on the io thread until the sender finishes.
class ProgressTicker {
 public:
  ProgressTicker(asio::io_context& io, const Sender& sender, std::optional<std::int64_t> total,
                 bool enabled)
      : timer_(io), sender_(sender), total_(total), enabled_(enabled), start_(Clock::now()) {}
  void start() {
    if (!enabled_) return;
    timer_.expires_after(std::chrono::milliseconds(250));
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      print();
      start();
    });
  }
  void stop() {
    timer_.cancel();
    if (enabled_ && log_format() == LogFormat::kText) std::fputs("\r\x1b[K", stderr);
  }

 private:
  void print() {
    const SenderState& s = sender_.state();
    if (log_format() == LogFormat::kJson) {
      // A log line per 10 s, not per tick: JSON logs go to journals, not to a terminal.
      if (++ticks_ % 40 != 0) return;
      log(LogLevel::kInfo, "progress",
          {{"bytes", static_cast<std::int64_t>(s.bytes_in)},
           {"rows", static_cast<std::int64_t>(s.rows)},
           {"retries", static_cast<std::int64_t>(s.retries)},
           {"seconds", std::chrono::duration<double>(Clock::now() - start_).count()}});
      return;
    }
    ProgressSnapshot snap{s.bytes_in, total_, s.rows, s.retries,
                          std::chrono::duration<double>(Clock::now() - start_).count()};
    std::fprintf(stderr, "\r%s\x1b[K", format_progress(snap).c_str());
    std::fflush(stderr);
  }
  asio::steady_timer timer_;
  const Sender& sender_;
  std::optional<std::int64_t> total_;
  bool enabled_;
  Clock::time_point start_;
  std::uint64_t ticks_ = 0;
};

// Returns the sender's settings, or a usage error (bad URL, unusable CA file).
Result<SenderConfig> sender_config(const LoadOptions& o, const codec::Columns&,
                                   std::shared_ptr<asio::ssl::context>& tls) {
  SenderConfig c;
  c.target = o.target;
  c.connections = o.connections;
  c.timeout = o.timeout;
  c.retry = o.retry;
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
  c.token = o.token;
  c.headers = o.headers;
  c.replace = o.replace;
  if (o.complete) c.complete_body = codec::make_complete_body(o.user_code, o.dataset_code);
  if (o.target != Target::kNetwork) return c;
  std::string error;
  auto url = net::parse_url(o.url, error);
  if (!url) return make_error(ErrorCode::kBadArgument, error);
  c.url = *url;
  if (c.url.tls) {
    tls = net::make_tls_context(o.cacert, error);
    if (!tls) return make_error(ErrorCode::kBadArgument, error);
    c.tls = tls.get();
  }
  return c;
}

void fill_report(const Sender& sender, LoadReport& report) {
  const SenderState& s = sender.state();
  report.outcome = s.outcome;
  report.message = s.message;
  report.signal = s.signal;
  report.rows = s.rows;
  report.batches = s.batches;
  report.bytes_in = s.bytes_in;
  report.json_bytes = s.json_bytes;
  report.bytes_sent = s.bytes_sent;
  report.requests = s.requests;
  report.retries = s.retries;
  report.connects = sender.connects();
  report.acked_offset = sender.acks().offset();
  report.acked_row = sender.acks().row();
  report.completed = s.completed;
  report.server_rows_count = s.server_rows_count;
  if (!s.rows_inserted_missing) report.server_rows_inserted = s.server_rows_inserted;
  report.server_rows_count_max = s.server_rows_count_max;
  report.server_rows_before = s.server_rows_before;
}

// Where this run starts and under which load id: a fresh load, or the continuation of the one
// its checkpoint records.
struct Plan {
  Checkpoint checkpoint;  // the identity and load id; offset/row/counts where this run starts
  std::int64_t start_offset = 0;
  std::int64_t start_row = 1;
  bool replace = false;  // this run's first batch truncates
  bool resumed = false;
  bool already_finished = false;
};

// Returns the plan for `o`: without --checkpoint a fresh load; with it, checks the recorded
// checkpoint (exists for --resume and matches this file and these settings; for a fresh load,
// is not an unfinished load that would be silently abandoned).
Result<Plan> plan_load(const LoadOptions& o, const codec::BodyTemplate& tmpl,
                       std::int64_t data_start, std::int64_t data_row) {
  Plan plan;
  plan.start_offset = data_start;
  plan.start_row = data_row;
  plan.replace = o.replace;
  const bool checkpointed = !o.checkpoint.empty() && o.target == Target::kNetwork;
  if (!checkpointed) {
    auto id = o.load_id.empty() ? make_load_id(o) : Result<std::string>(o.load_id);
    if (!id) return id.error();
    plan.checkpoint.load_id = *id;
    return plan;
  }
  auto identity = identify_load(
      o, sha256_hex(tmpl.prefix + '\n' + tmpl.suffix_append + '\n' + tmpl.suffix_replace));
  if (!identity) return identity.error();
  auto existing = read_checkpoint(o.checkpoint);
  if (!existing) return existing.error();
  const bool resume =
      o.resume ||
      (o.auto_resume && *existing &&
       (!(*existing)->finished || identity_mismatch((*existing)->identity, *identity).empty()));
  if (!resume) {
    if (*existing && !(*existing)->finished) {
      return make_error(ErrorCode::kBadArgument,
                        o.checkpoint + " holds the checkpoint of an unfinished load (bytes 0-" +
                            std::to_string((*existing)->offset) +
                            " acknowledged): pass --resume to continue it, or remove the file "
                            "to start a new load");
    }
    auto id = o.load_id.empty() ? make_load_id(o) : Result<std::string>(o.load_id);
    if (!id) return id.error();
    plan.checkpoint.identity = std::move(*identity);
    plan.checkpoint.load_id = *id;
    plan.checkpoint.offset = data_start;
    plan.checkpoint.next_row = data_row;
    return plan;
  }
  if (!*existing) {
    return make_error(ErrorCode::kBadArgument, "no checkpoint at " + o.checkpoint +
                                                   ": nothing to resume (run without --resume "
                                                   "to start a new load)");
  }
  Checkpoint& c = **existing;
  if (const std::string diff = identity_mismatch(c.identity, *identity); !diff.empty()) {
    return make_error(ErrorCode::kBadArgument,
                      "cannot resume from " + o.checkpoint +
                          ": the file or the settings differ from the recorded load: " + diff);
  }
  if (c.offset < data_start || c.offset > identity->size) {
    return make_error(ErrorCode::kBadArgument, "cannot resume from " + o.checkpoint +
                                                   ": its offset " + std::to_string(c.offset) +
                                                   " lies outside the data of " + o.input);
  }
  plan.resumed = true;
  plan.already_finished = c.finished;
  plan.start_offset = c.offset;
  plan.start_row = c.next_row;
  // Replace mode: once the truncating batch is acknowledged, the rest is appended. If the first
  // run died before that, this run truncates again with the very same first request (same key).
  plan.replace = o.replace && !c.truncated;
  plan.checkpoint = std::move(c);
  return plan;
}

// The report of `--resume` for a load that already finished: nothing to send.
LoadReport finished_report(const LoadOptions& o, const Plan& plan) {
  LoadReport r;
  r.outcome = Outcome::kOk;
  r.target = o.target;
  r.load_id = plan.checkpoint.load_id;
  r.message = "the load recorded in " + o.checkpoint + " already finished (" +
              std::to_string(plan.checkpoint.rows_acked) + " rows); nothing was sent";
  r.already_finished = true;
  r.resumed = true;
  r.resumed_from = plan.checkpoint.offset;
  r.rows_before = plan.checkpoint.rows_acked;
  r.acked_offset = plan.checkpoint.offset;
  r.acked_row = plan.checkpoint.next_row;
  r.checkpoint = o.checkpoint;
  return r;
}

struct Tail {
  InputReader reader;
  codec::InputPosition start;
};

// Opens the part of the input this run reads when it is not simply "after the header": a
// shard's byte range, and/or the unacknowledged rest of a resumed load.
Result<Tail> open_tail(const LoadOptions& o, std::int64_t data_start, const Plan& plan) {
  std::int64_t begin = plan.start_offset;
  std::int64_t row = plan.start_row;
  std::int64_t end = -1;
  if (o.shard.count > 1) {
    auto shard = open_shard(o.input, data_start, o.shard, o.chunker.dialect);
    if (!shard) return shard.error();
    end = shard->range.end;
    if (!plan.resumed) {
      // A shard does not know its first row number; rows count from 1 within it.
      return Tail{std::move(shard->reader), codec::InputPosition{1, shard->range.begin}};
    }
  }
  auto reader = InputReader::open(o.input, begin);
  if (!reader) return reader.error();
  if (end >= 0) reader->set_end(end);
  return Tail{std::move(*reader), codec::InputPosition{row, begin}};
}

// Keeps the checkpoint file in step with the acknowledged prefix: rewrites it when the prefix
// grows, at most once a second (each write costs two fsyncs), and on demand at the end.
// Runs on the io thread (advance) and the main thread (write_now), never both at once.
class CheckpointKeeper {
 public:
  CheckpointKeeper(std::string path, Checkpoint base, bool replace)
      : path_(std::move(path)), base_(std::move(base)), replace_(replace) {}
  bool active() const { return !path_.empty() && !base_.identity.path.empty(); }

  void advance(const AckTracker& acks) {
    if (!active() || Clock::now() - last_ < std::chrono::seconds(1)) return;
    if (auto w = write_now(acks, false); !w && error_.empty()) {
      error_ = w.error().describe();
      log(LogLevel::kWarn, "cannot write the checkpoint: " + error_, {});
    }
  }

  Result<bool> write_now(const AckTracker& acks, bool finished) {
    Checkpoint c = base_;
    c.offset = acks.offset();
    c.next_row = acks.row();
    c.batches_acked += acks.next_seq();
    c.rows_acked += acks.rows();
    c.truncated = base_.truncated || (replace_ && acks.next_seq() > 0);
    c.finished = finished;
    last_ = Clock::now();
    return write_checkpoint(path_, c);
  }
  const std::string& error() const { return error_; }

 private:
  std::string path_;
  Checkpoint base_;
  bool replace_;
  Clock::time_point last_{};
  std::string error_;
};

std::string resume_command(const LoadOptions& o) {
  if (!o.resume_command.empty()) return o.resume_command;
  return "dsfill load " + o.input + " ... --checkpoint " + o.checkpoint +
         " --resume (with this run's options)";
}

}  // namespace

LoadReport run_load(const LoadOptions& options) {
  const auto started = Clock::now();
  auto reader = InputReader::open(options.input);
  if (!reader) return failed(options, Outcome::kBadInput, reader.error().describe());
  Chunker chunker(*reader, options.chunker);
  auto schema = read_schema(chunker, options.schema);
  if (!schema) {
    return failed(options,
                  schema.error().code == ErrorCode::kBadArgument ? Outcome::kUsage
                                                                 : Outcome::kBadInput,
                  input_error(options, schema.error()));
  }
  const auto tmpl = codec::make_body_template(options.user_code, options.dataset_code,
                                              schema->columns, options.compress);
  // A checkpointed load may continue an earlier run: its load id, its offset, its mode.
  auto plan = plan_load(options, tmpl, chunker.offset(), schema->header.empty() ? 1 : 2);
  if (!plan)
    return failed(options,
                  plan.error().code == ErrorCode::kIo ? Outcome::kBadInput : Outcome::kUsage,
                  plan.error().describe());
  if (plan->already_finished) return finished_report(options, *plan);
  // A shard or a resume reads from its own offset; the header above came from byte 0.
  std::optional<InputReader> tail_reader;
  std::optional<Chunker> tail_chunker;
  Chunker* input = &chunker;
  if (options.shard.count > 1 || plan->start_offset != chunker.offset()) {
    auto tail = open_tail(options, chunker.offset(), *plan);
    if (!tail) return failed(options, Outcome::kBadInput, tail.error().describe());
    tail_reader.emplace(std::move(tail->reader));
    tail_chunker.emplace(*tail_reader, options.chunker, tail->start);
    input = &*tail_chunker;
  }
  std::shared_ptr<asio::ssl::context> tls;
  auto config = sender_config(options, schema->columns, tls);
  if (!config) return failed(options, Outcome::kUsage, config.error().message);
  config->replace = plan->replace;
  config->start_offset = input->offset();
  config->start_row = plan->start_row;
  const std::string& load_id = plan->checkpoint.load_id;
  CheckpointKeeper keeper(options.checkpoint, plan->checkpoint, plan->replace);
  if (keeper.active()) {
    // Write it before sending, so even a kill -9 before the first acknowledgement can resume.
    if (auto w = keeper.write_now(AckTracker(config->start_offset, config->start_row), false); !w) {
      return failed(options, Outcome::kUsage, w.error().describe());
    }
  }

  // Memory bound, whatever the input size (B = --batch-bytes, N = encoders, K = connections):
  //   chunker window ~2B + read size; queue N raw batches (B each) + N being encoded;
  //   each encoder's scratch (JSON ~1.2B, gzip) and one finished body; window N + K bodies.
  // So peak memory is O((N + K) x B): a slow server stalls the reader, it never grows memory.
  const int encoders = std::max(1, options.encoders);
  const std::size_t window = static_cast<std::size_t>(encoders + std::max(1, options.connections));
  BoundedQueue<Batch> batches(static_cast<std::size_t>(encoders));
  SeqWindow slots(window);

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  asio::signal_set signals(io);
  std::unique_ptr<ProgressTicker> ticker;
  Sender sender(
      io, *config, [&] { slots.release(); },
      [&] {
        batches.close_and_clear();
        slots.close();
      },
      [&] {
        ticker->stop();
        signals.cancel();
        work.reset();
      });
  sender.on_prefix_advance([&] { keeper.advance(sender.acks()); });
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  ticker = std::make_unique<ProgressTicker>(io, sender, reader->size(),
                                            options.progress == ProgressMode::kAlways ||
                                                (options.progress == ProgressMode::kAuto && tty));
  if (options.handle_signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (!ec) {
        // Give the next signal its default action, so a second Ctrl-C ends at once.
        boost::system::error_code ignored;
        signals.clear(ignored);
        sender.stop(Outcome::kInterrupted,
                    signo == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM", signo);
      }
    });
  }
  ticker->start();
  std::thread io_thread([&] { io.run(); });

  StageResult read_result;
  std::thread reader_thread(
      [&] { read_result = run_reader(*input, config->start_row, plan->replace, batches); });
  std::vector<StageResult> encode_results(static_cast<std::size_t>(encoders));
  // --level auto: one level for all encoders, moved by how much they wait (level_controller.h).
  const bool isal = options.gzip_backend == codec::GzipBackend::kIsal;
  std::optional<LevelController> levels;
  if (options.auto_level && options.compress) {
    // Without a network (bench) nothing ever waits for the sender: the fastest level wins, so
    // start there rather than step down to it batch by batch.
    const int lowest = isal ? 0 : 1;
    const bool network = options.target == Target::kNetwork;
    levels.emplace(network ? options.level : lowest, lowest, isal ? 3 : 12,
                   static_cast<int>(window), network ? std::max(1, options.connections) : 0);
  }
  std::vector<std::thread> encoder_threads;
  for (int i = 0; i < encoders; ++i) {
    encoder_threads.emplace_back([&, i] {
      codec::BatchEncoder encoder(tmpl, schema->rows, options.compress ? options.level : 0,
                                  options.gzip_backend);
      encode_results[static_cast<std::size_t>(i)] = run_encoder(
          batches, slots, encoder, plan->replace, load_id,
          [&](EncodedBatch b) {
            asio::post(io, [&sender, b = std::move(b)]() mutable { sender.submit(std::move(b)); });
          },
          levels ? &*levels : nullptr);
    });
  }
  reader_thread.join();
  for (auto& t : encoder_threads) t.join();

  // The earliest failing batch names the error; else every batch was handed over.
  const StageResult* failed_stage = read_result.error ? &read_result : nullptr;
  std::uint64_t delivered = 0;
  for (const auto& r : encode_results) {
    delivered += r.items;
    if (r.error && (failed_stage == nullptr || r.error_seq < failed_stage->error_seq)) {
      failed_stage = &r;
    }
  }
  asio::post(io, [&] {
    if (failed_stage != nullptr) {
      sender.stop(Outcome::kBadInput, input_error(options, *failed_stage->error));
    } else {
      sender.input_done(delivered);
    }
  });
  io_thread.join();

  LoadReport report;
  fill_report(sender, report);
  report.target = options.target;
  report.load_id = load_id;
  report.input_size = reader->size();
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  double encode_busy = 0;
  for (const auto& r : encode_results) encode_busy += r.busy_seconds;
  report.stages = {{"reader", 1, read_result.busy_seconds}, {"encoder", encoders, encode_busy}};
  if (options.target == Target::kNetwork) {
    report.stages.push_back({"sender", 1, sender.state().busy_seconds});
  }
  if (levels) report.level_batches = levels->batches_per_level();
  report.kernels = codec::kernels_in_use();
  report.rows_before = plan->checkpoint.rows_acked;
  report.resumed = plan->resumed;
  report.resumed_from = plan->resumed ? plan->start_offset : 0;
  check_rows(options, report);
  if (keeper.active()) {
    // Every outcome leaves a valid checkpoint: the prefix is what the server acknowledged.
    const bool finished =
        report.outcome == Outcome::kOk || report.outcome == Outcome::kCountMismatch;
    report.checkpoint = options.checkpoint;
    if (auto w = keeper.write_now(sender.acks(), finished); !w) {
      report.checkpoint_error = w.error().describe();
    } else if (!keeper.error().empty()) {
      report.checkpoint_error = keeper.error();
    }
    if (!finished) report.resume_command = resume_command(options);
  }
  return report;
}

}  // namespace dsfill::loader

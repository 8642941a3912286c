// run_load() wires the stages; each stage lives in its own file:
//
//   reader+chunker (1 thread) ─► BoundedQueue<Batch> ─► encoders (N threads) ─► window slots ─►
//   sender (io_context thread, K connections) ─► acknowledgements, progress, summary
#include "loader/pipeline.h"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "codec/batch_encoder.h"
#include "codec/request_body.h"
#include "loader/bounded_queue.h"
#include "loader/input_reader.h"
#include "loader/load_id.h"
#include "loader/log.h"
#include "loader/report.h"
#include "loader/sender.h"
#include "loader/shard.h"
#include "loader/stages.h"

namespace dsfill::loader {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

LoadReport failed(Outcome outcome, std::string message) {
  LoadReport report;
  report.outcome = outcome;
  report.message = std::move(message);
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

// Compares what the server says it stored with what this load sent. Replace mode: the dataset
// holds exactly this load's rows, so its rows-count must equal them. Append mode: the dataset's
// count includes earlier rows, so compare the rows-inserted of this load's requests instead.
void check_counts(const LoadOptions& o, LoadReport& r) {
  if (o.target != Target::kNetwork || r.outcome != Outcome::kOk) return;
  const auto sent = static_cast<std::int64_t>(r.rows);
  if (o.replace && r.server_rows_count && *r.server_rows_count != sent) {
    r.outcome = Outcome::kCountMismatch;
    r.message = "the server reports " + std::to_string(*r.server_rows_count) +
                " rows in the dataset, but this load sent " + std::to_string(sent);
  } else if (!o.replace && r.server_rows_inserted &&
             static_cast<std::int64_t>(*r.server_rows_inserted) != sent) {
    r.outcome = Outcome::kCountMismatch;
    r.message = "the server stored " + std::to_string(*r.server_rows_inserted) +
                " rows from this load, but it sent " + std::to_string(sent);
  }
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
}

}  // namespace

LoadReport run_load(const LoadOptions& options) {
  const auto started = Clock::now();
  auto reader = InputReader::open(options.input);
  if (!reader) return failed(Outcome::kBadInput, reader.error().describe());
  Chunker chunker(*reader, options.chunker);
  auto schema = read_schema(chunker, options.schema);
  if (!schema) return failed(Outcome::kBadInput, schema.error().describe());
  // A shard reads only its byte range; the header above came from byte 0, for the columns.
  std::optional<InputReader> shard_reader;
  std::optional<Chunker> shard_chunker;
  Chunker* input = &chunker;
  if (options.shard.count > 1) {
    auto shard =
        open_shard(options.input, chunker.offset(), options.shard, options.chunker.dialect);
    if (!shard) return failed(Outcome::kBadInput, shard.error().describe());
    shard_reader.emplace(std::move(shard->reader));
    shard_chunker.emplace(*shard_reader, options.chunker,
                          codec::InputPosition{1, shard->range.begin});
    input = &*shard_chunker;
  }
  auto load_id =
      options.load_id.empty() ? make_load_id(options) : Result<std::string>(options.load_id);
  if (!load_id) return failed(Outcome::kBadInput, load_id.error().describe());
  std::shared_ptr<asio::ssl::context> tls;
  auto config = sender_config(options, schema->columns, tls);
  if (!config) return failed(Outcome::kUsage, config.error().message);
  config->start_offset = input->offset();
  config->start_row = schema->header.empty() ? 1 : 2;

  // Memory bound, whatever the input size (B = --batch-bytes, N = encoders, K = connections):
  //   chunker window ~2B + read size; queue N raw batches (B each) + N being encoded;
  //   each encoder's scratch (JSON ~1.2B, gzip) and one finished body; window N + K bodies.
  // So peak memory is O((N + K) x B): a slow server stalls the reader, it never grows memory.
  const int encoders = std::max(1, options.encoders);
  const std::size_t window = static_cast<std::size_t>(encoders + std::max(1, options.connections));
  BoundedQueue<Batch> batches(static_cast<std::size_t>(encoders));
  BoundedQueue<char> slots(window);
  for (std::size_t i = 0; i < window; ++i) slots.try_push(1);

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  asio::signal_set signals(io);
  std::unique_ptr<ProgressTicker> ticker;
  Sender sender(
      io, *config, [&] { slots.try_push(1); },
      [&] {
        batches.close_and_clear();
        slots.close_and_clear();
      },
      [&] {
        ticker->stop();
        signals.cancel();
        work.reset();
      });
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
      [&] { read_result = run_reader(*input, config->start_row, options.replace, batches); });
  const auto tmpl = codec::make_body_template(options.user_code, options.dataset_code,
                                              schema->columns, options.compress);
  std::vector<StageResult> encode_results(static_cast<std::size_t>(encoders));
  std::vector<std::thread> encoder_threads;
  for (int i = 0; i < encoders; ++i) {
    encoder_threads.emplace_back([&, i] {
      codec::BatchEncoder encoder(tmpl, schema->rows, options.compress ? options.level : 0);
      encode_results[static_cast<std::size_t>(i)] =
          run_encoder(batches, slots, encoder, options.replace, *load_id, [&](EncodedBatch b) {
            asio::post(io, [&sender, b = std::move(b)]() mutable { sender.submit(std::move(b)); });
          });
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
      sender.stop(Outcome::kBadInput, failed_stage->error->describe());
    } else {
      sender.input_done(delivered);
    }
  });
  io_thread.join();

  LoadReport report;
  fill_report(sender, report);
  report.target = options.target;
  report.load_id = *load_id;
  report.input_size = reader->size();
  report.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  double encode_busy = 0;
  for (const auto& r : encode_results) encode_busy += r.busy_seconds;
  report.stages = {{"reader", 1, read_result.busy_seconds}, {"encoder", encoders, encode_busy}};
  if (options.target == Target::kNetwork) {
    report.stages.push_back({"sender", 1, sender.state().busy_seconds});
  }
  check_counts(options, report);
  return report;
}

}  // namespace dsfill::loader

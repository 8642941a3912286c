// `dsfill serve`: the reference dataset-fill server (SQLite storage, strict validation,
// idempotency). Prints "listening on http://ADDR:PORT" on stdout once bound (port 0 picks a free
// port and prints it), one line per request on stderr, and on SIGINT/SIGTERM stops accepting,
// finishes in-flight requests, closes the database and exits 0.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include <pthread.h>
#include <sys/resource.h>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "server/server.h"

namespace dsfill::cli {

namespace {

struct ServeFlags {
  std::string db;
  std::string listen = "127.0.0.1:8080";
  int threads = 2;
  std::string tokens;
  bool auto_create = false;
  bool discard = false;
  std::string create;
  std::string columns;
  server::Limits limits;
  double idle_timeout_s = 60;
  double idempotency_ttl_s = 7 * 24 * 3600;
  double header_timeout_s = 30;
  double body_window_s = 10;
};

int fail(const std::string& what) {
  std::fprintf(stderr, "dsfill serve: %s\n", what.c_str());
  return kExitUsage;
}

// Raises the soft limit on open files to the hard one: the soft default (1024 under systemd)
// caps connections long before memory does, and the hard limit is what the admin allows.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    std::fprintf(stderr, "dsfill serve: cannot raise the open-files limit; keeping it\n");
  }
}

int run_serve(ServeFlags& flags) {
  server::ServeOptions options;
  options.db_path = flags.db;
  options.threads = flags.threads;
  options.limits = flags.limits;
  options.idempotency_ttl =
      std::chrono::seconds(static_cast<std::int64_t>(flags.idempotency_ttl_s));
  options.limits.idle_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.idle_timeout_s * 1000));
  options.limits.header_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.header_timeout_s * 1000));
  options.limits.body_window =
      std::chrono::milliseconds(static_cast<std::int64_t>(flags.body_window_s * 1000));
  options.auto_create = flags.auto_create;
  options.discard = flags.discard;
  auto listen = server::parse_listen(flags.listen);
  if (!listen) return fail(listen.error().message);
  options.address = listen->first;
  options.port = listen->second;
  if (flags.db.empty() && !flags.discard) return fail("--db PATH is required (or --discard)");
  if (!flags.tokens.empty()) {
    auto tokens = server::TokenTable::load(flags.tokens);
    if (!tokens) return fail(tokens.error().message);
    options.tokens = std::move(*tokens);
  }
  if (flags.create.empty() != flags.columns.empty()) {
    return fail("--create USER/DATASET and --columns FILE go together");
  }
  if (!flags.create.empty()) {
    const std::size_t slash = flags.create.find('/');
    if (slash == std::string::npos) return fail("--create expects USER/DATASET");
    std::ifstream in(flags.columns, std::ios::binary);
    if (!in) return fail("cannot read " + flags.columns);
    const std::string json{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto columns = codec::parse_columns_json(json);
    if (!columns) return fail(flags.columns + ": " + columns.error().message);
    options.create.push_back(
        {flags.create.substr(0, slash), flags.create.substr(slash + 1), std::move(*columns)});
  }

  // Block the stop signals before any thread starts, so only sigwait() below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  raise_file_limit();

  auto started = server::DatasetServer::start(std::move(options));
  if (!started) {
    std::fprintf(stderr, "dsfill serve: %s\n", started.error().describe().c_str());
    return started.error().code == ErrorCode::kIo ? kExitInternal : kExitUsage;
  }
  auto& srv = *started;
  std::string address = srv->address();
  if (address.find(':') != std::string::npos) address = "[" + address + "]";
  std::printf("listening on http://%s:%u\n", address.c_str(), static_cast<unsigned>(srv->port()));
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  std::fprintf(stderr, "dsfill serve: %s received, finishing in-flight requests\n",
               signal == SIGINT ? "SIGINT" : "SIGTERM");
  srv->stop();
  std::fprintf(stderr, "dsfill serve: stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, CommandAction& action) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the reference dataset-fill server (POST /dataset-fill, /dataset-complete, /datasets;\n"
      "GET /datasets/USER/DATASET) on SQLite. Failures that a retry can mend are 429/503 (with\n"
      "Retry-After: too busy, out of memory) and 507 (disk full); invalid requests are 4xx (more\n"
      "than 2000 columns: 400). See docs/server.md.");
  cmd->add_option("--db", flags->db, "SQLite database file (created if missing)");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "HTTP threads (they also decode and validate)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--tokens", flags->tokens,
                  "file of `user-code token` lines; requests then need Authorization: Bearer");
  cmd->add_flag("--auto-create", flags->auto_create,
                "let the first fill of an unknown dataset create it with its columns");
  cmd->add_flag("--discard", flags->discard,
                "decode and validate everything, store nothing (for client benchmarks)");
  cmd->add_option("--create", flags->create, "create USER/DATASET at start (with --columns)");
  cmd->add_option("--columns", flags->columns, "columns spec JSON file for --create");
  server::Limits& l = flags->limits;
  const auto size = CLI::AsSizeValue(false);
  cmd->add_option("--max-body-bytes", l.max_body_bytes, "request body limit (413)")
      ->capture_default_str()
      ->transform(size);
  cmd->add_option("--max-decoded-bytes", l.max_decoded_bytes,
                  "rows JSON size limit after base64 and gunzip (413)")
      ->capture_default_str()
      ->transform(size);
  cmd->add_option("--max-ratio", l.max_ratio,
                  "gzip decompression ratio limit (413); 0: none, the default, as "
                  "--max-decoded-bytes bounds decoding")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-rows", l.max_rows, "rows per request limit (413)")->capture_default_str();
  cmd->add_option("--max-field-bytes", l.max_field_bytes, "bytes per value limit (413)")
      ->capture_default_str()
      ->transform(size);
  cmd->add_option("--max-header-bytes", l.max_header_bytes, "request header limit (431)")
      ->capture_default_str()
      ->transform(size);
  cmd->add_option("--max-concurrent", l.max_concurrent,
                  "requests handled at once; more get 429 with Retry-After")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  cmd->add_option("--max-inflight-bytes", l.max_inflight_bytes,
                  "request-body bytes held in memory by all connections together; a read past "
                  "it gets 503 with Retry-After")
      ->capture_default_str()
      ->transform(size)
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-connections", l.max_connections,
                  "connections open at once; one more gets 503 with Retry-After and is closed")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cmd->add_option("--idempotency-ttl", flags->idempotency_ttl_s,
                  "seconds an Idempotency-Key's record is kept (0: forever); older ones are "
                  "deleted at start and as fills add records")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--idle-timeout", flags->idle_timeout_s,
                  "seconds a kept-alive connection may wait for the first byte of its next "
                  "request")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--header-timeout", flags->header_timeout_s,
                  "seconds a request's whole header may take to arrive (from accept, or from "
                  "its first byte on a kept-alive connection); slower is closed")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--min-body-rate", l.min_body_rate,
                  "bytes per second a body must keep arriving at: each --body-window must bring "
                  "at least rate x window bytes, or the connection is closed; the deadline "
                  "restarts whenever a window's quota has arrived (so a slow, steady upload "
                  "of any size completes)")
      ->capture_default_str()
      ->transform(size)
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--body-window", flags->body_window_s,
                  "seconds of the window --min-body-rate is measured over")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0));
  cmd->callback([flags, &action] { action = [flags] { return run_serve(*flags); }; });
}

}  // namespace dsfill::cli

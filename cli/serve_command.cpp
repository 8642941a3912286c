// `dsfill serve`: the reference dataset-fill server (SQLite storage, strict validation,
// idempotency). Prints "listening on http://ADDR:PORT" on stdout once bound (port 0 picks a free
// port and prints it), one line per request on stderr, and on SIGINT/SIGTERM stops accepting,
// finishes in-flight requests, closes the database and exits 0.
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <pthread.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "net/url.h"
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

// `dsfill serve`'s exit codes: it has none of the load's outcomes.
constexpr const char* kServeExitCodesHelp =
    "Exit codes: 0 stopped by SIGINT/SIGTERM after finishing in-flight requests, 1 internal\n"
    "error (the database cannot be opened or written, the address cannot be bound), 2 usage\n"
    "(bad flags, an unreadable --tokens or --columns file, --db in a missing directory).";

// Returns `bytes` the way --help shows a size: in the largest binary unit that divides it.
std::string size_text(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (const auto& [unit, shift] : {std::pair{"GiB", 30}, {"MiB", 20}, {"KiB", 10}}) {
    const std::uint64_t one = std::uint64_t{1} << shift;
    if (bytes % one == 0) return std::to_string(bytes / one) + unit;
  }
  return std::to_string(bytes);
}

// Adds a SIZE option (8MiB, 512KiB, 1MB, 1000000: the units `dsfill load` reads) whose default
// --help shows with its unit. `zero` allows 0 (a limit that is off).
template <class Int>
void add_size_option(CLI::App& cmd, const std::string& name, Int& value, const std::string& help,
                     bool zero = false) {
  cmd.add_option_function<std::string>(
         name,
         [&value, name, zero](const std::string& text) {
           try {
             value = zero && text == "0" ? 0 : static_cast<Int>(parse_size(text));
           } catch (const UsageError& e) {
             throw CLI::ValidationError(name, e.what());
           }
         },
         help)
      ->type_name("SIZE")
      ->default_str(size_text(value));
}

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
  if (!flags.db.empty()) {
    // SQLite's "unable to open database file" does not say that the folder is what is missing.
    const std::filesystem::path dir = std::filesystem::path(flags.db).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
      return fail("--db " + flags.db + ": the directory " + dir.string() +
                  " does not exist (create it first: mkdir -p " + dir.string() + ")");
    }
  }
  if (!flags.tokens.empty()) {
    auto tokens = server::TokenTable::load(flags.tokens);
    if (!tokens) return fail(tokens.error().message);
    options.tokens = std::move(*tokens);
  }
  if (!flags.create.empty() && flags.columns.empty()) {
    return fail("--create " + flags.create +
                " needs --columns FILE, the JSON columns spec of the dataset to create");
  }
  if (flags.create.empty() && !flags.columns.empty()) {
    return fail("--columns " + flags.columns +
                " is only read with --create USER/DATASET, which names the dataset to create");
  }
  if (!flags.create.empty()) {
    const std::size_t slash = flags.create.find('/');
    if (slash == std::string::npos) {
      return fail("--create expects USER/DATASET (a user code, a slash, a dataset code), not " +
                  flags.create);
    }
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
  const std::string address = net::bracket_host(srv->address());
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
  cmd->footer(kServeExitCodesHelp);
  cmd->add_option("--db", flags->db, "SQLite database file (created if missing)")
      ->type_name("FILE");
  cmd->add_option("--listen", flags->listen, "HOST:PORT to listen on; port 0 picks a free port")
      ->type_name("HOST:PORT")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "HTTP threads (they also decode and validate)")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_option("--tokens", flags->tokens,
                  "file of `user-code token` lines; requests then need Authorization: Bearer")
      ->type_name("FILE");
  cmd->add_flag("--auto-create", flags->auto_create,
                "let the first fill of an unknown dataset create it with its columns");
  cmd->add_flag("--discard", flags->discard,
                "decode and validate everything, store nothing (for client benchmarks)");
  cmd->add_option("--create", flags->create, "create USER/DATASET at start (with --columns)")
      ->type_name("USER/DATASET");
  cmd->add_option("--columns", flags->columns, "columns spec JSON file for --create")
      ->type_name("FILE");
  server::Limits& l = flags->limits;
  add_size_option(*cmd, "--max-body-bytes", l.max_body_bytes, "request body limit (413)");
  add_size_option(*cmd, "--max-decoded-bytes", l.max_decoded_bytes,
                  "rows JSON size limit after base64 and gunzip (413)");
  cmd->add_option("--max-ratio", l.max_ratio,
                  "gzip decompression ratio limit (413); 0: none, the default, as "
                  "--max-decoded-bytes bounds decoding")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--max-rows", l.max_rows, "rows per request limit (413)")->capture_default_str();
  add_size_option(*cmd, "--max-field-bytes", l.max_field_bytes, "bytes per value limit (413)");
  add_size_option(*cmd, "--max-header-bytes", l.max_header_bytes, "request header limit (431)");
  cmd->add_option("--max-concurrent", l.max_concurrent,
                  "requests handled at once; more get 429 with Retry-After")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  add_size_option(*cmd, "--max-inflight-bytes", l.max_inflight_bytes,
                  "request-body bytes held in memory by all connections together; a read past "
                  "it gets 503 with Retry-After");
  cmd->add_option("--max-connections", l.max_connections,
                  "connections open at once; one more gets 503 with Retry-After and is closed")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  cmd->add_option("--idempotency-ttl", flags->idempotency_ttl_s,
                  "seconds an Idempotency-Key's record is kept (0: forever); older ones are "
                  "deleted at start and as fills add records")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber.description(""));
  cmd->add_option("--idle-timeout", flags->idle_timeout_s,
                  "seconds a kept-alive connection may wait for the first byte of its next "
                  "request")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0).description(""));
  cmd->add_option("--header-timeout", flags->header_timeout_s,
                  "seconds a request's whole header may take to arrive (from accept, or from "
                  "its first byte on a kept-alive connection); slower is closed")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0).description(""));
  add_size_option(*cmd, "--min-body-rate", l.min_body_rate,
                  "bytes per second a body must keep arriving at: each --body-window must bring "
                  "at least rate x window bytes, or the connection is closed; the deadline "
                  "restarts whenever a window's quota has arrived (so a slow, steady upload "
                  "of any size completes; 0: no minimum)",
                  true);
  cmd->add_option("--body-window", flags->body_window_s,
                  "seconds of the window --min-body-rate is measured over")
      ->type_name("SECONDS")
      ->capture_default_str()
      ->check(CLI::Range(0.001, 86400.0).description(""));
  cmd->callback([flags, &action] { action = [flags] { return run_serve(*flags); }; });
}

}  // namespace dsfill::cli

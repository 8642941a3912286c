// `dsfill load`: streams a CSV file (or standard input) into a dataset through POST /dataset-fill.
// Parses the flags into loader::LoadOptions, runs the pipeline, prints the summary and turns the
// outcome into the documented exit code.
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/inferred_spec.h"
#include "cli/input_flags.h"
#include "cli/job_file.h"
#include "cli/load_report.h"
#include "cli/lock_file.h"
#include "cli/state_dir.h"
#include "loader/file_list.h"
#include "loader/log.h"
#include "loader/metrics_file.h"
#include "loader/pipeline.h"
#include "loader/report.h"
#include "loader/shard.h"
#include "net/field_rules.h"

namespace dsfill::cli {

namespace {

struct LoadFlags {
  std::vector<std::string> args;                  // FILE...: files, folders, quoted globs, or "-"
  std::string pattern = loader::kDefaultPattern;  // --pattern: a folder's files to load
  std::string input;                              // the first file the arguments name
  std::vector<std::string> files;                 // all of them, when more than one
  std::string url;
  std::string user_code;
  std::string dataset_code;
  std::string mode = "append";
  int encoders = 0;
  int connections = 4;
  double timeout_seconds = 120;
  int retries = 10;
  double retry_budget = 50;
  double connect_timeout_seconds = 10;
  double complete_timeout_seconds = 600;
  double retry_max_time_seconds = 60;
  std::vector<std::string> headers;
  std::string token_file;
  std::string cacert;
  std::string capath;
  std::string cert;
  std::string key;
  bool insecure = false;
  std::string proxy;
  bool no_proxy = false;
  std::string max_body_bytes;  // SIZE; empty: none
  std::string max_rate;        // SIZE/s; empty: none
  double max_requests_per_second = 0;
  bool no_complete = false;
  std::string progress = "auto";
  double stats_interval_seconds = 60;
  std::string summary_json;
  std::string metrics_file;  // --metrics-file: Prometheus text, written at the end of every run
  bool dry_run = false;
  bool validate_first = false;
  bool no_validate_first = false;
  InputFlags in;
  // Scheduled and scaled-out loads (docs/scheduling.md, docs/scale-out.md).
  std::string job;
  std::string lock;
  std::string log_format = "text";
  std::string shard = "0/1";
  bool infer = false;
  std::size_t infer_rows = 10000;
  bool complete_only = false;
  // Checkpoint and resume (README "Nothing lost, nothing doubled").
  std::string checkpoint;  // --checkpoint, else the state directory's (state_dir.h)
  bool no_checkpoint = false;
  bool resume = false;
  bool auto_resume = false;
  bool restart = false;
};

// Quotes `arg` for a POSIX shell when it needs it.
std::string shell_quote(const std::string& arg) {
  if (!arg.empty() && arg.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789-_./:=@%+,") == std::string::npos) {
    return arg;
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Returns this process's command line with `flag` (--resume or --restart) in place of any
// --resume, --auto-resume or --restart it had: the command that continues this load, or that
// starts it over. Header values are replaced by "..." (they may hold secrets; the token is
// never a flag).
std::string command_line_with(const std::string& flag) {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string all = text.str();
  std::vector<std::string> args;
  for (std::size_t i = 0; i < all.size();) {
    const std::size_t end = std::min(all.find('\0', i), all.size());
    args.push_back(all.substr(i, end - i));
    i = end + 1;
  }
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--resume" || arg == "--auto-resume" || arg == "--restart") continue;
    // Masks a header's value (it may be a secret), given as `-H V`, `--header V` or `--header=V`.
    const bool header_value = i > 0 && (args[i - 1] == "-H" || args[i - 1] == "--header");
    if (header_value || arg.rfind("--header=", 0) == 0) {
      arg = arg.substr(0, arg.find(':')) + ": ...";
    }
    out += (out.empty() ? "" : " ") + shell_quote(arg);
  }
  if (out.empty()) return "";
  return out + " " + flag;
}

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  const auto last = s.find_last_not_of(" \t\r\n");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

std::string trim_spaces(std::string_view s) {
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? "" : std::string(s.substr(first, last - first + 1));
}

// Reads the tenant token from --token-file, else DSFILL_TOKEN. Never echoes it. A token with a
// control character is refused: a CR or LF would inject headers of its own into every request.
// A file may end in one newline (editors add it).
std::string read_token(const std::string& token_file) {
  constexpr const char* kControl = " holds a control character (CR, LF, tab, NUL, ...)";
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in) throw UsageError("cannot read the token file " + token_file);
    std::stringstream text;
    text << in.rdbuf();
    std::string_view raw = text.view();
    if (raw.ends_with('\n')) raw.remove_suffix(1);
    if (raw.ends_with('\r')) raw.remove_suffix(1);
    std::string token = trim_spaces(raw);
    if (token.empty()) throw UsageError("the token file " + token_file + " is empty");
    if (!net::is_credential(token)) {
      throw UsageError("the token file " + token_file + kControl +
                       " besides one final newline: refused (it is never printed)");
    }
    return token;
  }
  const char* env = std::getenv("DSFILL_TOKEN");
  std::string token = env != nullptr ? trim_spaces(env) : std::string();
  if (!token.empty() && !net::is_credential(token)) {
    throw UsageError(std::string("DSFILL_TOKEN") + kControl + ": refused (it is never printed)");
  }
  return token;
}

std::vector<std::pair<std::string, std::string>> parse_headers(const std::vector<std::string>& in) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& h : in) {
    const auto colon = h.find(':');
    std::string name = colon == std::string::npos ? "" : trim(h.substr(0, colon));
    if (!net::is_field_name(name)) {
      // The value may be a secret: name only the header's name part, and only when it is one.
      throw UsageError(
          "--header must be NAME:VALUE with a NAME of letters, digits and !#$%&'*+-.^_`|~ (got " +
          (colon == std::string::npos
               ? std::string("a header without ':' between its name and its value")
               : "the name '" + (net::is_field_value(name) ? name : "?") + "'") +
          ")");
    }
    std::string value = trim(h.substr(colon + 1));
    if (!net::is_field_value(h.substr(colon + 1))) {
      throw UsageError("--header " + name +
                       ": the value holds a control character (CR, LF, NUL, ...): refused");
    }
    out.emplace_back(std::move(name), std::move(value));
  }
  return out;
}

loader::LoadOptions load_options(const LoadFlags& f) {
  loader::LoadOptions o = input_load_options(f.input, f.in, f.encoders);
  if (f.files.size() > 1) o.inputs = f.files;
  o.target = f.dry_run ? loader::Target::kDryRun : loader::Target::kNetwork;
  o.url = f.url;
  o.user_code = f.user_code;
  o.dataset_code = f.dataset_code;
  o.replace = f.mode == "replace";
  o.complete = !f.no_complete;
  o.connections = f.connections;
  o.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(f.timeout_seconds * 1000));
  o.retry.max_retries = f.retries;
  o.retry.budget_initial = f.retry_budget;
  o.connect_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.connect_timeout_seconds * 1000));
  o.complete_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.complete_timeout_seconds * 1000));
  o.retry.max_retry_time =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.retry_max_time_seconds * 1000));
  if (const char* seed = std::getenv("DSFILL_RETRY_SEED"))
    o.retry.seed = std::strtoull(seed, nullptr, 10);
  o.headers = parse_headers(f.headers);
  o.cacert = f.cacert;
  o.capath = f.capath;
  o.client_cert = f.cert;
  o.client_key = f.key;
  o.insecure = f.insecure;
  if (f.proxy.find('@') != std::string::npos) {
    // Never echo it: what precedes the '@' is a password.
    throw UsageError(
        "--proxy holds credentials (user:password@): refused, as the command line is visible "
        "to every user of this machine; give them in DSFILL_PROXY_USER=user:password, or in the "
        "proxy URL of HTTPS_PROXY / HTTP_PROXY");
  }
  o.proxy = f.proxy;
  o.no_proxy = f.no_proxy;
  for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy",
                           "ALL_PROXY", "no_proxy", "NO_PROXY", "DSFILL_PROXY_USER"}) {
    if (const char* value = std::getenv(name)) o.proxy_env[name] = value;
  }
  if (!f.max_body_bytes.empty()) {
    o.max_body_bytes = parse_size(f.max_body_bytes);
    // Batches of at most that many CSV bytes make bodies about that size or less (gzip shrinks
    // CSV more than base64 and JSON grow it); the sender splits any that are still over.
    o.chunker.batch_bytes = std::min(o.chunker.batch_bytes, o.max_body_bytes);
  }
  if (!f.max_rate.empty()) {
    std::string size = f.max_rate;
    if (size.ends_with("/s")) size.resize(size.size() - 2);
    o.max_bytes_per_second = static_cast<double>(parse_size(size));
    if (o.max_bytes_per_second <= 0) throw UsageError("--max-rate must be above 0");
    // Requests are paced whole: batches of about a quarter second's bytes keep the rate
    // smooth (CSV bytes: a body is smaller than its batch's CSV).
    const auto quarter = static_cast<std::size_t>(o.max_bytes_per_second / 4);
    o.chunker.batch_bytes =
        std::min(o.chunker.batch_bytes, std::max<std::size_t>(quarter, 64 * 1024));
  }
  o.max_requests_per_second = f.max_requests_per_second;
  auto shard = loader::parse_shard(f.shard);
  if (!shard) throw UsageError(shard.error().message);
  o.shard = *shard;
  if (o.shard.count > 1) {
    if (o.replace) {
      throw UsageError(
          "--mode replace cannot be sharded: each shard's first request would truncate the "
          "others' rows. Truncate once first (e.g. a replace load of the header only), then run "
          "the shards with --mode append");
    }
    // No shard knows when the others finish: complete once, after all of them (--complete-only).
    o.complete = false;
  }
  if (f.complete_only) {
    // Send no rows, only the completion: the pipeline on an empty input does exactly that.
    o.input = "/dev/null";
    o.inputs.clear();
    o.schema.has_header = false;
    o.schema.columns.reset();
    o.shard = {};
    o.replace = false;
    o.complete = true;
  }
  if (f.infer && !f.in.columns_path.empty()) {
    throw UsageError("--infer and --columns exclude each other");
  }
  if (f.infer && !f.complete_only) {
    auto inferred = loader::infer_file_columns(f.input, o.chunker, o.schema, f.infer_rows);
    if (!inferred) {
      if (inferred.error().code == ErrorCode::kBadArgument)
        throw UsageError(inferred.error().message);
      throw ErrorException(inferred.error());
    }
    // With a checkpoint every run of this load sends the spec the first one inferred.
    o.schema.columns = f.checkpoint.empty() || f.dry_run
                           ? std::move(*inferred)
                           : settle_inferred_spec(inferred_spec_path(f.checkpoint),
                                                  std::move(*inferred), f.restart);
    o.schema.spec_from_header = true;  // renamed header names are matched by position
  }
  if ((f.resume || f.auto_resume || f.restart) && f.checkpoint.empty()) {
    throw UsageError(std::string(f.resume    ? "--resume"
                                 : f.restart ? "--restart"
                                             : "--auto-resume") +
                     " needs a checkpoint: standard input and --no-checkpoint keep none");
  }
  if (!f.checkpoint.empty()) {
    if (f.input == "-") {
      throw UsageError("standard input cannot be resumed: --checkpoint needs a FILE");
    }
    o.checkpoint = f.checkpoint;
    o.resume = f.resume;
    o.auto_resume = f.auto_resume;
    o.restart = f.restart;
    o.resume_command = command_line_with("--resume");
    o.restart_command = command_line_with("--restart");
  }
  // Replace truncates: a file that would fail halfway must never empty a dataset, so a replace
  // load of a regular file checks it all first. Standard input cannot be read twice.
  struct stat st {};
  const bool regular = f.input != "-" && ::stat(f.input.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  o.validate_first = !f.no_validate_first && (f.validate_first || (o.replace && regular));
  if (f.validate_first && !regular) {
    throw UsageError(
        "--validate-first needs a regular file: standard input or a pipe cannot be "
        "read twice");
  }
  o.progress = f.progress == "always"  ? loader::ProgressMode::kAlways
               : f.progress == "never" ? loader::ProgressMode::kNever
                                       : loader::ProgressMode::kAuto;
  o.stats_interval =
      std::chrono::milliseconds(static_cast<std::int64_t>(f.stats_interval_seconds * 1000));
  if (!f.dry_run) {
    if (f.url.empty()) throw UsageError("--url is required (or use --dry-run)");
    if (f.user_code.empty()) throw UsageError("--user-code is required (or use --dry-run)");
    if (f.dataset_code.empty()) throw UsageError("--dataset-code is required (or use --dry-run)");
    o.token = read_token(f.token_file);
  }
  return o;
}

}  // namespace

int exit_code(const loader::LoadReport& report) {
  switch (report.outcome) {
    case loader::Outcome::kOk:
      return kExitOk;
    case loader::Outcome::kBadInput:
      return kExitBadInput;
    case loader::Outcome::kRejected:
      return kExitRejected;
    case loader::Outcome::kNetwork:
      return kExitNetwork;
    case loader::Outcome::kCountMismatch:
      return kExitCountMismatch;
    case loader::Outcome::kUsage:
      return kExitUsage;
    case loader::Outcome::kInterrupted:
      return report.signal == SIGTERM ? kExitSigterm : kExitSigint;
  }
  return kExitInternal;
}

void print_report(const char* command, const loader::LoadReport& report,
                  const std::string& summary_json) {
  // A load that never read its input (a usage or input error) has no summary, only its error.
  if (report.started) {
    std::fputs(loader::format_summary(report).c_str(), stdout);
    std::fflush(stdout);
  }
  if (loader::log_format() == loader::LogFormat::kJson) {
    // One line with the summary's figures, for log shippers; never the token.
    const std::string outcome = loader::outcome_name(report.outcome);
    loader::log(
        report.outcome == loader::Outcome::kOk ? loader::LogLevel::kInfo : loader::LogLevel::kError,
        report.outcome == loader::Outcome::kOk ? "load finished" : report.message,
        {{"command", command},
         {"outcome", outcome},
         {"exit_code", static_cast<std::int64_t>(exit_code(report))},
         {"load_id", report.load_id},
         {"rows", static_cast<std::int64_t>(report.rows)},
         {"batches", static_cast<std::int64_t>(report.batches)},
         {"bytes_in", static_cast<std::int64_t>(report.bytes_in)},
         {"bytes_sent", static_cast<std::int64_t>(report.bytes_sent)},
         {"requests", static_cast<std::int64_t>(report.requests)},
         {"retries", static_cast<std::int64_t>(report.retries)},
         {"acked_offset", report.acked_offset},
         {"completed", report.completed},
         {"resume_command", report.resume_command},
         {"seconds", report.wall_seconds}});
  } else if (report.outcome != loader::Outcome::kOk) {
    std::fprintf(stderr, "dsfill %s: %s\n", command, report.message.c_str());
    const bool stopped = report.outcome == loader::Outcome::kNetwork ||
                         report.outcome == loader::Outcome::kInterrupted;
    if (!report.resume_command.empty()) {
      std::fprintf(stderr, "dsfill %s: to resume: %s\n", command, report.resume_command.c_str());
    } else if (stopped && report.target == loader::Target::kNetwork) {
      // Only a checkpoint makes a resume possible: say so rather than let exit 5 promise one.
      std::fprintf(stderr,
                   "dsfill %s: no checkpoint was kept (--no-checkpoint, or standard input): "
                   "this load cannot be resumed; the rows the server acknowledged stay stored\n",
                   command);
    }
  }
  if (summary_json == "-") {
    // The last line of stdout (Airflow's XCom takes it), after the human summary.
    std::fputs((loader::summary_json(report) + '\n').c_str(), stdout);
    std::fflush(stdout);
  } else if (!summary_json.empty()) {
    std::ofstream out(summary_json, std::ios::binary | std::ios::trunc);
    out << loader::summary_json(report) << '\n';
    if (!out) std::fprintf(stderr, "dsfill %s: cannot write %s\n", command, summary_json.c_str());
  }
}

namespace {

// Returns what names this load's files in the state directory (state_dir.h): the arguments as
// given, made absolute (a folder or a glob, not tonight's files in it, so a nightly load of a
// folder keeps one checkpoint).
LoadKey load_key(const LoadFlags& flags) {
  LoadKey key;
  key.url = flags.url;
  key.user_code = flags.user_code;
  key.dataset_code = flags.dataset_code;
  if (auto shard = loader::parse_shard(flags.shard); shard && shard->count > 1) {
    key.shard = std::to_string(shard->index) + "/" + std::to_string(shard->count);
  }
  for (const std::string& arg : flags.args) {
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(arg, ec);
    key.paths.push_back(ec ? arg : absolute.lexically_normal().string());
  }
  return key;
}

// Settles where this load keeps its state (README "Nothing lost, nothing doubled") and returns
// the lock to hold ("" for none). The checkpoint: --checkpoint's, else, for a load of regular
// files that sends, the state directory's <dataset>-<hash16>.ckpt unless --no-checkpoint. The
// lock: --lock, else CHECKPOINT.lock beside an explicit checkpoint, else the state directory's
// <dataset>-<hash16>.lock for a job, or a load of files that sends and keeps a checkpoint (not
// for a plain load of standard input: two such streams are two loads).
std::string settle_state(LoadFlags& flags) {
  if (flags.no_checkpoint && !flags.checkpoint.empty()) {
    throw UsageError("--no-checkpoint and --checkpoint exclude each other");
  }
  if (flags.restart && flags.resume) throw UsageError("--restart and --resume exclude each other");
  if (flags.restart) flags.auto_resume = false;  // a job's auto-resume yields to --restart
  if (!flags.checkpoint.empty())
    return flags.lock.empty() ? flags.checkpoint + ".lock" : flags.lock;
  const bool sends = !flags.dry_run && !flags.complete_only;
  struct stat st {};
  const bool files = !flags.input.empty() && flags.input != "-" &&
                     ::stat(flags.input.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  const bool derive_checkpoint = sends && files && !flags.no_checkpoint;
  // A job is locked whatever it reads (its runs must never overlap); a load of files when it
  // sends and keeps state (--no-checkpoint leaves the state directory alone).
  const bool derive_lock =
      flags.lock.empty() && (!flags.job.empty() || (sends && files && !flags.no_checkpoint));
  if (!derive_checkpoint && !derive_lock) return flags.lock;
  const std::string base = state_directory() + "/" + state_name(load_key(flags));
  if (derive_checkpoint) flags.checkpoint = base + ".ckpt";
  return flags.lock.empty() ? base + ".lock" : flags.lock;
}

int run_load(LoadFlags& flags, std::optional<loader::LoadReport>& report);

// Writes --metrics-file for a run that ended with `exit` (report: nullptr when the load never
// started). A metrics file that cannot be written is a warning: the load's own outcome stands.
void record_metrics(const LoadFlags& flags, const loader::LoadReport* report, int exit) {
  // A run that found the lock held did not load: the holder's outcome is the one to report.
  if (flags.metrics_file.empty() || exit == kExitLocked) return;
  auto written = loader::write_metrics_file(flags.metrics_file, report, exit,
                                            {flags.user_code, flags.dataset_code});
  if (!written) {
    loader::log(loader::LogLevel::kWarn,
                "cannot write the metrics file: " + written.error().message,
                {{"metrics_file", flags.metrics_file}});
  }
}

int run(LoadFlags& flags, CLI::App& cmd) {
  // The job file fills every option the command line left unset. The command line wins here
  // too: its --no-checkpoint over the job's `checkpoint`, its --checkpoint over the job's
  // `no-checkpoint` (a manual run of a job must be able to keep off the job's state).
  const bool cli_no_checkpoint = flags.no_checkpoint;
  const bool cli_checkpoint = !flags.checkpoint.empty();
  if (!flags.job.empty()) apply_job_file(cmd, flags.job);
  if (cli_no_checkpoint) flags.checkpoint.clear();
  if (cli_checkpoint) flags.no_checkpoint = false;
  std::optional<loader::LoadReport> report;
  int exit = kExitInternal;
  try {
    exit = run_load(flags, report);
  } catch (const UsageError&) {
    record_metrics(flags, nullptr, kExitUsage);
    throw;
  } catch (const ErrorException&) {
    record_metrics(flags, nullptr, kExitBadInput);
    throw;
  } catch (...) {
    record_metrics(flags, nullptr, kExitInternal);
    throw;
  }
  record_metrics(flags, report ? &*report : nullptr, exit);
  return exit;
}

// Runs the load the flags describe; `report` receives its outcome once it ran.
int run_load(LoadFlags& flags, std::optional<loader::LoadReport>& report) {
  if (flags.args.empty() && !flags.complete_only)
    throw UsageError("load needs a FILE (or `input = \"...\"` in the job file)");
  if (!flags.args.empty()) {
    auto files = loader::expand_inputs(flags.args, flags.pattern);
    if (!files) {
      if (files.error().code == ErrorCode::kBadArgument) throw UsageError(files.error().message);
      throw ErrorException(files.error());
    }
    flags.input = files->front();
    flags.files = std::move(*files);
  }
  loader::set_log_format(
      flags.log_format == "json" ? loader::LogFormat::kJson : loader::LogFormat::kText,
      "dsfill load");
  const std::string lock_path = settle_state(flags);
  // A scheduled run continues an unfinished load by itself (docs/scheduling.md).
  if (!flags.job.empty() && !flags.checkpoint.empty() && !flags.resume && !flags.restart) {
    flags.auto_resume = true;
  }
  std::optional<LockFile> lock;
  if (!lock_path.empty()) {
    const std::string& path = lock_path;
    long holder = 0;
    lock = LockFile::try_acquire(path, holder);
    if (!lock) {
      loader::log(loader::LogLevel::kError,
                  "another dsfill load holds " + path + " (pid " + std::to_string(holder) + ")",
                  {{"lock", path}, {"pid", static_cast<std::int64_t>(holder)}});
      return kExitLocked;
    }
  }
  const loader::LoadOptions options = load_options(flags);
  if (options.shard.count > 1) {
    loader::log(loader::LogLevel::kInfo,
                "shard " + flags.shard +
                    (options.inputs.empty() ? ": loading its byte range only"
                                            : ": loading its files only (file i of the sorted "
                                              "list goes to shard i mod N)") +
                    "; POST /dataset-complete is left for `dsfill load --complete-only` once "
                    "every shard has finished",
                {{"shard", flags.shard}});
  }
  report = loader::run_load(options);
  print_report("load", *report, flags.summary_json);
  return exit_code(*report);
}

}  // namespace

void add_load_command(CLI::App& app, CommandAction& action) {
  auto f = std::make_shared<LoadFlags>();
  CLI::App* cmd =
      app.add_subcommand("load",
                         "Stream a CSV file into a dataset through POST /dataset-fill.\n"
                         "The tenant token comes from DSFILL_TOKEN or --token-file and is sent as "
                         "'Authorization: Bearer'.");
  cmd->add_option("FILE", f->args,
                  "CSV file(s) to load ('-' for standard input), plain or compressed (gzip, also "
                  "multi-member; zstd; bzip2; xz: recognised by its first bytes, whatever its "
                  "name); required, here or as `input` in the job file. Several files, a folder "
                  "(its regular files matching --pattern, sorted by name) or a quoted glob "
                  "('data/*.csv.gz', expanded by dsfill) are one load: every header must name "
                  "the first file's columns (any order, mapped by name; else exit 3 before "
                  "anything is sent), replace truncates once, one /dataset-complete at the end, "
                  "one checkpoint recording the list");
  cmd->add_option("--pattern", f->pattern,
                  "Which files of a FILE that is a folder are loaded (a shell glob on the name)")
      ->capture_default_str();
  cmd->add_option(
      "--url", f->url,
      "The API: its base URL (https://host/api, POSTs go to {base}/dataset-fill and "
      "{base}/dataset-complete) or its fill endpoint's URL as the API documentation prints it "
      "(https://host/api/dataset-fill: the base is what comes before); http:// or https://");
  cmd->add_option("--user-code", f->user_code, "The user-code of the dataset's owner");
  cmd->add_option("--dataset-code", f->dataset_code, "The dataset-code to fill");
  cmd->add_option("--mode", f->mode,
                  "append: add rows; replace: the first request truncates the dataset")
      ->check(CLI::IsMember({"append", "replace"}))
      ->capture_default_str();
  cmd->add_option("--encoders", f->encoders, "Encoder threads (0: one per core)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  cmd->add_option("--connections", f->connections, "Concurrent keep-alive connections (K)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--timeout", f->timeout_seconds,
                  "Seconds allowed per request (connect, send and answer)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--max-body-bytes", f->max_body_bytes,
                  "Largest request body to send (e.g. 1MB, under a proxy's limit such as nginx's "
                  "client_max_body_size): batches are cut to it and any body still over it is "
                  "split by rows. Without it a 413 answer splits the batch and sets the limit")
      ->type_name("SIZE");
  cmd->add_option("--max-rate", f->max_rate,
                  "Most request-body bytes sent per second, all connections together (e.g. "
                  "2MB/s, 500KiB/s), for shared links: request starts are paced (token bucket) "
                  "and batches are cut to about a quarter second's bytes. Default: no limit")
      ->type_name("SIZE/s");
  cmd->add_option("--max-requests-per-second", f->max_requests_per_second,
                  "Most requests started per second, all connections together (retries and "
                  "the completion count), for quota'd APIs; 0: no limit")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--complete-timeout", f->complete_timeout_seconds,
                  "Seconds allowed for POST /dataset-complete, instead of --timeout (a server may "
                  "compute the dataset's shape then); retried like any request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--connect-timeout", f->connect_timeout_seconds,
                  "Seconds allowed to open a connection (resolve, TCP connect, TLS handshake), "
                  "within --timeout")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--retry-max-time", f->retry_max_time_seconds,
                  "Seconds after a request's first failure past which it is not retried again "
                  "(exit 5; 0: no bound). Worst case for a dead route: about this plus "
                  "--connect-timeout")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--retries", f->retries, "Retries of one request before giving up (exit 5)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  cmd->add_option("--retry-budget", f->retry_budget,
                  "Retries the whole load may spend (each success earns back 0.2)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("-H,--header", f->headers, "Extra HTTP header NAME:VALUE (repeatable)");
  cmd->add_option("--token-file", f->token_file,
                  "File holding the tenant token (default: the DSFILL_TOKEN variable)");
  cmd->add_option("--cacert", f->cacert,
                  "PEM file of CA certificates to trust for https (default: the system store)");
  cmd->add_option("--capath", f->capath,
                  "Directory of CA certificates to trust for https, in OpenSSL's hashed layout "
                  "(openssl rehash DIR)");
  cmd->add_option("--cert", f->cert,
                  "PEM client certificate for servers that require one (mTLS gateways)");
  cmd->add_option("--key", f->key,
                  "PEM private key of --cert (default: read from the --cert file)");
  cmd->add_flag("--insecure", f->insecure,
                "Do not verify the server's certificate or name (test rigs only: anyone on the "
                "path can read and change the load; a warning is printed)");
  auto* proxy = cmd->add_option(
      "--proxy", f->proxy,
      "Forward proxy for the requests, http://host[:port] (port 1080 when left out): https goes "
      "through a CONNECT tunnel, TLS end to end with the server. Default: HTTPS_PROXY or "
      "HTTP_PROXY (by the URL's scheme), else ALL_PROXY, from the environment; NO_PROXY (hosts, "
      "domain suffixes, IPs, CIDR ranges, host:port, '*') lists hosts reached directly, as curl "
      "reads them. Credentials: DSFILL_PROXY_USER=user:password or the user info of the "
      "variable's URL, never on the command line");
  cmd->add_flag("--no-proxy", f->no_proxy,
                "Connect directly, ignoring --proxy and the proxy variables")
      ->excludes(proxy);
  cmd->add_flag("--no-complete", f->no_complete, "Do not POST /dataset-complete at the end");
  cmd->add_option("--progress", f->progress,
                  "Progress line on stderr: auto (when a TTY), always, never. On a terminal it "
                  "is redrawn in place, fitted to its width; otherwise (always) one plain line "
                  "every --stats-interval seconds")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--stats-interval", f->stats_interval_seconds,
                  "Seconds between progress lines when stderr is not a terminal (a file, a "
                  "journal) and --progress is always")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--summary-json", f->summary_json,
                  "Also write the summary as JSON to this file; '-': as one line, the last of "
                  "stdout (after the human summary), for schedulers that read it (Airflow's XCom)");
  cmd->add_option("--metrics-file", f->metrics_file,
                  "Write the run's outcome to this file in Prometheus' text format (rows, bytes, "
                  "batches, requests, retries, rejects, duration, exit code, "
                  "dsfill_last_success_timestamp_seconds carried over from failed runs), replaced "
                  "atomically at the end of every run, for node_exporter's textfile collector "
                  "(docs/scheduling.md)")
      ->type_name("FILE.prom");
  cmd->add_flag("--dry-run", f->dry_run, "Read, encode and count; send nothing");
  auto* validate = cmd->add_flag(
      "--validate-first", f->validate_first,
      "Read and check the whole file before the first request (within --max-bad-rows), so a "
      "file that would fail sends nothing. On by default for --mode replace on a regular file");
  cmd->add_flag("--no-validate-first", f->no_validate_first,
                "Do not check the whole file first, even in --mode replace")
      ->excludes(validate);
  add_input_flags(*cmd, f->in, LevelDefault::kAuto);
  cmd->add_option("--job", f->job,
                  "TOML job file giving any of these options (keys: the long flags without "
                  "dashes, `input` for FILE; ${VAR} expands from the environment); flags on the "
                  "command line win");
  cmd->add_option("--lock", f->lock,
                  "Lock file (flock) so two runs of one load never overlap; a second run exits 7 "
                  "naming the holder's pid (default: CHECKPOINT.lock with --checkpoint, else "
                  "<dataset>-<hash16>.lock in the state directory for a load of files or a "
                  "--job; none for standard input)");
  cmd->add_option("--log-format", f->log_format,
                  "Messages on stderr: text, or json (one JSON object per line: ts, level, msg, "
                  "fields; includes the final summary)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--shard", f->shard,
                  "Load only shard I of N (I/N, 0-based): of one file, a byte range cut at record "
                  "boundaries every shard computes alike; of several files, whole files (file i "
                  "of the list goes to shard i mod N, compressed or not); skips "
                  "/dataset-complete when N > 1. Not for one compressed file (exit 2): split it "
                  "into files first")
      ->capture_default_str();
  cmd->add_flag("--infer", f->infer,
                "Without --columns: infer the columns spec from a sample, as `dsfill infer` does. "
                "With a checkpoint the spec is kept in CHECKPOINT.columns.json and later runs of "
                "the load send that one (one warning line when their sample infers another; "
                "--restart infers again)");
  cmd->add_flag("--complete-only", f->complete_only,
                "Send only POST /dataset-complete (after all shards finished); FILE is not read");
  auto* checkpoint = cmd->add_option(
      "--checkpoint", f->checkpoint,
      "Record the acknowledged prefix in this file (atomically, about once a second and at the "
      "end) so an interrupted or failed load can be resumed. Default for a load of files: "
      "<dataset>-<hash16>.ckpt in the state directory ($STATE_DIRECTORY, else "
      "$XDG_STATE_HOME/dsfill, else ~/.local/state/dsfill; created 0700), named from the URL, "
      "user and dataset codes and the files' absolute paths. Standard input keeps none");
  cmd->add_flag("--no-checkpoint", f->no_checkpoint,
                "Keep no checkpoint: an interrupted or failed load cannot be resumed, a re-run "
                "appends every row again, and nothing is written into the state directory (no "
                "lock either, but for a --job, whose lock stays there)")
      ->excludes(checkpoint);
  auto* resume = cmd->add_flag(
      "--resume", f->resume,
      "Continue the load recorded in the checkpoint (same file, or list of files, and settings; "
      "exit 2 naming what differs), from the recorded file and offset, re-sending "
      "unacknowledged batches with the same Idempotency-Keys. A file changed since is accepted "
      "when its acknowledged prefix is unchanged (its SHA-256 is recorded; plain files only)");
  cmd->add_flag("--restart", f->restart,
                "Discard what the checkpoint records and load the file(s) again from the start "
                "(a new load id). Without --resume or --restart a run refuses (exit 2, printing "
                "both commands) to start over an unfinished load, or to append again a file "
                "whose append load finished")
      ->excludes(resume);
  cmd->add_flag("--auto-resume", f->auto_resume,
                "For scheduled runs (the default with --job): resume an unfinished load in the "
                "checkpoint, do nothing if it records a finished load of this same file (or list "
                "of files), else start a new load");
  cmd->add_option("--infer-rows", f->infer_rows, "Data rows sampled by --infer")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  cmd->callback([f, cmd, &action] { action = [f, cmd] { return run(*f, *cmd); }; });
}

}  // namespace dsfill::cli

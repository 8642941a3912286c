// `dsfill encode`: writes the dataset-fill request bodies for a CSV file, one JSON object per
// line, without sending them. With one batch it is the API documentation's sample client, done
// right: streaming, row-aligned batches, exact escaping.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/command.h"
#include "cli/exit_codes.h"
#include "cli/input_flags.h"
#include "codec/batch_encoder.h"
#include "codec/request_body.h"
#include "loader/chunker.h"
#include "loader/input_reader.h"
#include "loader/schema.h"

namespace dsfill::cli {

namespace {

struct EncodeFlags {
  std::string input;
  std::string output = "-";
  std::string user_code = "user";
  std::string dataset_code = "dataset";
  std::string mode = "append";
  InputFlags in;
};

int fail(const std::string& input, const Error& error) {
  std::fprintf(stderr, "dsfill encode: %s: %s\n", input.c_str(), error.describe().c_str());
  if (error.code == ErrorCode::kBadArgument) return kExitUsage;  // e.g. a header against --columns
  return error.code == ErrorCode::kInternal ? kExitInternal : kExitBadInput;
}

int run_encode(const EncodeFlags& flags) {
  if (flags.in.auto_level) {
    // There is no network to adapt to: the bodies go to a file.
    throw UsageError(
        "--level auto adapts to the network while loading; encode writes bodies "
        "at one level: pass 0 to 12");
  }
  loader::ChunkerOptions chunking = chunker_options(flags.in);
  loader::SchemaOptions schema_opts = schema_options(flags.in);

  auto reader = loader::InputReader::open(flags.input);
  if (!reader) return fail(flags.input, reader.error());
  loader::Chunker chunker(*reader, chunking);
  auto schema = loader::read_schema(chunker, schema_opts);
  if (!schema) return fail(flags.input, schema.error());

  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> owned(nullptr, &std::fclose);
  if (flags.output != "-") {
    owned.reset(std::fopen(flags.output.c_str(), "wb"));
    if (!owned) {
      std::fprintf(stderr, "dsfill encode: cannot write %s\n", flags.output.c_str());
      return kExitBadInput;
    }
    out = owned.get();
  }

  const bool compressed = !flags.in.no_compress;
  codec::BatchEncoder encoder(
      codec::make_body_template(flags.user_code, flags.dataset_code, schema->columns, compressed),
      schema->rows, flags.in.level, gzip_backend(flags.in));
  std::string body;
  std::uint64_t rows = 0, batches = 0, body_bytes = 0;
  bool first = true;
  for (;;) {
    auto batch = chunker.next();
    if (!batch) return fail(flags.input, batch.error());
    // Replace mode truncates with its first request, so an empty input still gets one body.
    if (!*batch && !(first && flags.mode == "replace")) break;
    std::string_view records = *batch ? (*batch)->records : std::string_view();
    codec::InputPosition start{*batch ? (*batch)->first_row : 1,
                               *batch ? (*batch)->byte_begin : chunker.offset()};
    const bool append = !(first && flags.mode == "replace");
    auto stats = encoder.encode(records, start, append, body);
    if (!stats) return fail(flags.input, stats.error());
    body.push_back('\n');
    if (std::fwrite(body.data(), 1, body.size(), out) != body.size()) {
      std::fprintf(stderr, "dsfill encode: write to %s failed\n", flags.output.c_str());
      return kExitBadInput;
    }
    rows += stats->rows;
    body_bytes += body.size();
    ++batches;
    first = false;
    if (!*batch) break;
  }
  if (std::fflush(out) != 0) {
    std::fprintf(stderr, "dsfill encode: write to %s failed\n", flags.output.c_str());
    return kExitBadInput;
  }
  std::fprintf(
      stderr, "dsfill encode: %llu rows in %llu bodies, %lld CSV bytes -> %llu body bytes\n",
      static_cast<unsigned long long>(rows), static_cast<unsigned long long>(batches),
      static_cast<long long>(chunker.offset()), static_cast<unsigned long long>(body_bytes));
  return kExitOk;
}

}  // namespace

void add_encode_command(CLI::App& app, CommandAction& action) {
  auto flags = std::make_shared<EncodeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "encode",
      "Write the POST /dataset-fill request bodies for a CSV file, one JSON object per line, "
      "without sending them");
  cmd->add_option("FILE", flags->input, "CSV file to encode ('-' for standard input)")->required();
  cmd->add_option("-o,--output", flags->output,
                  "Where to write the bodies ('-' for standard output)")
      ->capture_default_str();
  cmd->add_option("--user-code", flags->user_code, "user-code written in each body")
      ->capture_default_str();
  cmd->add_option("--dataset-code", flags->dataset_code, "dataset-code written in each body")
      ->capture_default_str();
  cmd->add_option("--mode", flags->mode,
                  "append: every body appends; replace: the first body truncates (append: false)")
      ->check(CLI::IsMember({"append", "replace"}))
      ->capture_default_str();
  add_input_flags(*cmd, flags->in);
  cmd->callback([flags, &action] { action = [flags] { return run_encode(*flags); }; });
}

}  // namespace dsfill::cli

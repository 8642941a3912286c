#include "cli/inferred_spec.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/input_flags.h"

namespace dsfill::cli {

namespace {

std::string spec_text(const codec::Columns& columns) {
  std::string out;
  codec::append_columns_json(columns, out);
  return out;
}

}  // namespace

std::string inferred_spec_path(const std::string& checkpoint) {
  return checkpoint + ".columns.json";
}

codec::Columns settle_inferred_spec(const std::string& path, codec::Columns inferred, bool fresh) {
  std::error_code ec;
  if (!fresh && std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto saved = codec::parse_columns_json(text.str());
    if (!in || !saved) {
      throw UsageError("the columns spec kept for this load, " + path + ", cannot be read: " +
                       (saved ? std::string("I/O error") : saved.error().describe()) +
                       " (remove it, or pass --restart, to infer the spec again)");
    }
    if (spec_text(*saved) != spec_text(inferred)) {
      std::fprintf(stderr,
                   "dsfill load: warning: this sample infers another columns spec than the one "
                   "kept in %s; loading with the kept one (--restart infers again)\n",
                   path.c_str());
    }
    return std::move(*saved);
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << spec_text(inferred) << '\n';
    if (!out) throw UsageError("cannot write the inferred columns spec to " + tmp);
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw UsageError("cannot rename " + tmp + " onto " + path + ": " + ec.message());
  return inferred;
}

}  // namespace dsfill::cli

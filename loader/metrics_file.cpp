#include "loader/metrics_file.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "loader/atomic_file.h"

namespace dsfill::loader {

namespace {

constexpr std::string_view kLastSuccess = "dsfill_last_success_timestamp_seconds";

// A label value as the exposition format quotes it: backslash, double quote and newline escaped.
std::string label_value(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

class Exposition {
 public:
  explicit Exposition(std::string labels) : labels_(std::move(labels)) {}
  void gauge(std::string_view name, std::string_view help, double value) {
    text_ += fmt::format("# HELP {} {}\n# TYPE {} gauge\n{}{} {}\n", name, help, name, name,
                         labels_, value);
  }
  std::string text() && { return std::move(text_); }

 private:
  std::string labels_;
  std::string text_;
};

}  // namespace

std::string metrics_text(const LoadReport* report, int exit_code, const MetricsLabels& labels,
                         double now_seconds, std::optional<double> last_success_before) {
  Exposition out("{user_code=\"" + label_value(labels.user_code) + "\",dataset_code=\"" +
                 label_value(labels.dataset_code) + "\"}");
  const LoadReport empty;
  const LoadReport& r = report != nullptr ? *report : empty;
  const auto n = [](std::uint64_t v) { return static_cast<double>(v); };
  out.gauge("dsfill_exit_code", "Exit code of the last run (0: ok; see dsfill --help).", exit_code);
  out.gauge("dsfill_rows", "Data rows the server acknowledged in the last run.", n(r.rows));
  out.gauge("dsfill_input_bytes", "CSV bytes of the batches acknowledged in the last run.",
            n(r.bytes_in));
  out.gauge("dsfill_sent_bytes", "Request body bytes acknowledged in the last run.",
            n(r.bytes_sent));
  out.gauge("dsfill_batches", "Batches acknowledged in the last run.", n(r.batches));
  out.gauge("dsfill_requests", "HTTP requests made in the last run, retries included.",
            n(r.requests));
  out.gauge("dsfill_retries", "Requests retried in the last run.", n(r.retries));
  out.gauge("dsfill_rejected_rows", "Bad rows left out of the load, over all its runs.",
            n(r.rejects.rows));
  out.gauge("dsfill_completed", "1 when POST /dataset-complete was acknowledged in the last run.",
            r.completed ? 1 : 0);
  out.gauge("dsfill_duration_seconds", "Wall time of the last run.", r.wall_seconds);
  out.gauge("dsfill_last_run_timestamp_seconds", "When the last run ended (Unix time).",
            now_seconds);
  const std::optional<double> last_success = exit_code == 0 ? now_seconds : last_success_before;
  if (last_success) {
    out.gauge(kLastSuccess, "When a run last ended with exit code 0 (Unix time).", *last_success);
  }
  return std::move(out).text();
}

std::optional<double> last_success_in(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(kLastSuccess)) continue;
    const std::size_t space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    const std::string value(line.substr(space + 1));
    char* stop = nullptr;
    const double seconds = std::strtod(value.c_str(), &stop);
    if (stop != value.c_str() && *stop == '\0' && seconds > 0) return seconds;
  }
  return std::nullopt;
}

Result<bool> write_metrics_file(const std::string& path, const LoadReport* report, int exit_code,
                                const MetricsLabels& labels) {
  std::optional<double> before;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::stringstream text;
    text << in.rdbuf();
    before = last_success_in(text.view());
  }
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  return write_file_atomically(path, metrics_text(report, exit_code, labels, now, before));
}

}  // namespace dsfill::loader

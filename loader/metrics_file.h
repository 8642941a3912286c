// `--metrics-file FILE.prom`: the outcome of a load in Prometheus' text exposition format, for
// node_exporter's textfile collector, so a scheduler's failures and stale loads raise alerts
// (docs/scheduling.md shows the rules).
//
// The file is replaced atomically at the end of every run (the collector never reads half of
// it). `dsfill_last_success_timestamp_seconds` carries over from the previous file when this run
// failed: "no success for 26 hours" is the alert that catches a job that stopped running at all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "loader/load_options.h"

namespace dsfill::loader {

// What identifies the series (Prometheus labels).
struct MetricsLabels {
  std::string user_code;
  std::string dataset_code;
};

// Returns the exposition text for one run: `report` (nullptr when the load never started, e.g.
// a usage error), its exit code, the run's end time, and the last success's time before this run
// (nullopt: none known).
std::string metrics_text(const LoadReport* report, int exit_code, const MetricsLabels& labels,
                         double now_seconds, std::optional<double> last_success_before);

// Returns the value of `dsfill_last_success_timestamp_seconds` in an earlier metrics file's
// text; nullopt when it holds none.
std::optional<double> last_success_in(std::string_view metrics_text);

// Writes the metrics of this run to `path` atomically, carrying the last success time over from
// the file already there. Fails with kIo naming the path.
Result<bool> write_metrics_file(const std::string& path, const LoadReport* report, int exit_code,
                                const MetricsLabels& labels);

}  // namespace dsfill::loader

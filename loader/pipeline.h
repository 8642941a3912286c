// The loader's one entry point: runs a whole load (or dry run, or bench) and reports it.
#pragma once

#include <optional>

#include "loader/load_options.h"

namespace dsfill::loader {

// Reads options.input, encodes it and sends it per `options` (see load_options.h), printing the
// progress line to stderr when asked. Never throws for bad input or network trouble: the
// report's outcome says what happened, with a message naming the row, byte or batch.
// With `options.inputs`, loads those files as one load (multi_load.h).
LoadReport run_load(const LoadOptions& options);

// --validate-first: checks the whole input of `o` as it would be loaded, sending nothing.
// Returns the report to give instead of loading (bad input, or more bad rows than allowed), or
// nullopt to go on; `seconds` receives how long the pass took.
std::optional<LoadReport> validate_first(const LoadOptions& o, double& seconds);

}  // namespace dsfill::loader

// The loader's one entry point: runs a whole load (or dry run, or bench) and reports it.
#pragma once

#include "loader/load_options.h"

namespace dsfill::loader {

// Reads options.input, encodes it and sends it per `options` (see load_options.h), printing the
// progress line to stderr when asked. Never throws for bad input or network trouble: the
// report's outcome says what happened, with a message naming the row, byte or batch.
LoadReport run_load(const LoadOptions& options);

}  // namespace dsfill::loader

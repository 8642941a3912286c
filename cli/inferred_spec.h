// The columns spec an `--infer` load inferred, kept beside its checkpoint (CHECKPOINT.columns.json)
// so that every later run of the same load sends the same spec: a nightly sample whose types
// drift (a column of digits one night, of words the next) no longer changes the dataset's
// columns, and the run says so instead.
#pragma once

#include <string>

#include "codec/columns.h"

namespace dsfill::cli {

// Returns the path of the spec kept for the checkpoint `checkpoint`.
std::string inferred_spec_path(const std::string& checkpoint);

// Returns the spec this run sends: the one saved at `path` when there is one (with one warning
// line on stderr when `inferred`, tonight's sample, differs from it), else `inferred`, which is
// saved there (atomically). `fresh` (--restart): `inferred` replaces the saved spec. Throws
// UsageError (exit 2) when the saved spec cannot be read or parsed, or this one not written.
codec::Columns settle_inferred_spec(const std::string& path, codec::Columns inferred, bool fresh);

}  // namespace dsfill::cli

// Several files loaded as one load: `dsfill load a.csv b.csv.gz`, a folder, a glob.
//
// One load: every file's header names the first file's columns (in any order: each file maps
// to them by name, column_match.h), checked for all files before anything is sent; the first
// request of the first file truncates in replace mode, and only it; one /dataset-complete after
// the last file; the row check over the total of all files. Each file runs through the one
// pipeline (run_load) in turn, keyed by its own key id (load_id.h: file_key_id), and the
// checkpoint records the list of files and the file and offset the load has reached
// (checkpoint.h), so --resume continues there and refuses a changed list. A shard takes whole
// files (file_list.h: file i goes to shard i mod N).
#pragma once

#include "loader/load_options.h"

namespace dsfill::loader {

// Loads `options.inputs` (two or more files, in load order) as one load; the other options
// apply to every file. Never throws: the report's outcome says what happened, the message
// naming the file (and row and byte); `files` gives each file's rows, bytes and time.
LoadReport run_files(const LoadOptions& options);

}  // namespace dsfill::loader

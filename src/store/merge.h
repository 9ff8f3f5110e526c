#pragma once
// Combining results files, e.g. from several machines, into one.

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "store/record.h"

namespace dnnroof {

struct MergeResult {
  ResultsFile results;
  // One line per record that replaced an earlier one with the same key,
  // naming the key and both files. For stderr.
  std::vector<std::string> warnings;
};

// Merges already loaded files, given with their names (for the warnings), in
// order. Records keep the order in which their key first appears; when a key
// appears again the later record wins (replacing the earlier one in place)
// and a warning says so. Throws Error naming the file when a file's
// schema_version is not kResultsSchemaVersion.
MergeResult merge_results(const std::vector<std::pair<std::string, ResultsFile>>& files);

// Loads each path (load_results: a malformed file or another schema version
// is an Error naming it) and merges them as above.
MergeResult merge_result_files(const std::vector<std::filesystem::path>& paths);

}  // namespace dnnroof

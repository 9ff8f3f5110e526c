#include "store/merge.h"

#include <fmt/format.h>

#include <map>

#include "core/error.h"
#include "store/results_file.h"

namespace dnnroof {

MergeResult merge_results(const std::vector<std::pair<std::string, ResultsFile>>& files) {
  MergeResult out;
  std::map<ConfigKey, std::pair<std::size_t, std::string>> seen;  // key -> (index, file)
  for (const auto& [name, file] : files) {
    if (file.schema_version != kResultsSchemaVersion) {
      fail("cannot merge results file '{}': schema version {}, expected {}", name,
           file.schema_version, kResultsSchemaVersion);
    }
    for (const ResultRecord& r : file.records) {
      const auto it = seen.find(r.key());
      if (it == seen.end()) {
        seen.emplace(r.key(), std::pair{out.results.records.size(), name});
        out.results.records.push_back(r);
        continue;
      }
      out.warnings.push_back(fmt::format("{}: the record from '{}' replaces the one from '{}'",
                                         describe(r.key()), name, it->second.second));
      out.results.records[it->second.first] = r;
      it->second.second = name;
    }
  }
  return out;
}

MergeResult merge_result_files(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::pair<std::string, ResultsFile>> files;
  files.reserve(paths.size());
  for (const auto& p : paths) files.emplace_back(p.string(), load_results(p));
  return merge_results(files);
}

}  // namespace dnnroof

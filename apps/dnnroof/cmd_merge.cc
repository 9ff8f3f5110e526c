// `dnnroof merge`: combine results files (e.g. from several machines) into
// one, one record per configuration, and print what they hold.

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "core/table.h"
#include "store/export.h"
#include "store/merge.h"
#include "store/results_file.h"

namespace dnnroof::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string format = "table";
};

void run_merge(const MergeOptions& o) {
  const OutputFormat format = parse_output_format(o.format);
  const std::vector<std::filesystem::path> paths(o.inputs.begin(), o.inputs.end());
  const MergeResult merged = merge_result_files(paths);
  for (const std::string& w : merged.warnings) {
    fmt::print(stderr, "dnnroof merge: warning: {}\n", w);
  }
  if (!o.out.empty()) {
    save_results(o.out, merged.results);
    fmt::print(stderr, "dnnroof merge: wrote {} records from {} files to {}\n",
               merged.results.records.size(), paths.size(), o.out);
  }
  // People get the short view; programs every field, flat.
  const Table t = format == OutputFormat::table ? results_summary_table(merged.results)
                                                : results_table(merged.results);
  fmt::print("{}", t.render(format));
}

void register_merge(CLI::App& app, Context& /*ctx*/) {
  auto o = std::make_shared<MergeOptions>();
  auto* sub = app.add_subcommand("merge", "Combine results files into one and print them");
  sub->add_option("files", o->inputs, "Results files (JSON) to merge, in order; later ones win")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--out,-o", o->out, "Write the merged results file here (atomically)");
  add_format_option(*sub, o->format);
  sub->footer(
      "Records are keyed by model, device, mode, batch, dtype, threads and the\n"
      "campaign partition (docs/campaign.md); when two files hold the same key the\n"
      "later file's record wins and a warning goes to\n"
      "stderr. Files with another schema_version are refused (docs/results-schema.md).\n"
      "--format csv|json prints every field flat, one row per record (pandas-ready).\n"
      "Example:\n"
      "  dnnroof merge h100.json a100.json cpu.json --out all.json --format csv > all.csv");
  sub->callback([o] { run_merge(*o); });
}

DNNROOF_COMMAND(900, register_merge);

}  // namespace
}  // namespace dnnroof::cli

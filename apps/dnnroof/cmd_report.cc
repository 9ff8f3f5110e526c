// `dnnroof report`: the study as a folder: index.html (self-contained),
// report.md with figures/*.png, and data/*.csv|json with every number.
// Progress goes to stderr.

#include <fmt/format.h>

#include "commands.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "hw/catalog.h"
#include "hw/host.h"
#include "report/report_writer.h"
#include "report/study.h"

namespace dnnroof::cli {
namespace {

struct ReportOptions {
  std::string out = "report";
  std::string precision = "fp32";
  std::string tensor = "fp16,bf16";
  std::string ids;
  std::string title = "dnnroof study";
  bool no_host = false;
  bool no_figures = false;
  std::size_t max_per_panel = 8;
};

void write_study(const Context& ctx, const ReportOptions& opt) {
  StudyOptions study;
  study.title = opt.title;
  study.include_host = !opt.no_host;
  study.chips.precision = parse_dtype_or_throw(opt.precision);
  study.chips.tensor_precisions.clear();
  for (const std::string& name : split(opt.tensor, ',')) {
    if (!trim(name).empty()) {
      study.chips.tensor_precisions.push_back(parse_dtype_or_throw(trim(name)));
    }
  }
  if (opt.max_per_panel == 0) fail("--max-per-panel must be at least 1");
  study.chips.max_per_panel = opt.max_per_panel;
  for (const std::string& id : split(opt.ids, ',')) {
    if (!trim(id).empty()) study.chip_ids.push_back(trim(id));
  }

  fmt::print(stderr, "loading the chip catalog and detecting the host\n");
  const Catalog catalog = load_catalog(ctx.catalog_files);
  std::optional<HostInfo> host;
  if (study.include_host) host = detect_host_info();

  std::vector<std::string> notes;
  const Document doc = build_study(catalog, host ? &*host : nullptr, study, &notes);
  for (const std::string& note : notes) fmt::print(stderr, "note: {}\n", note);

  ReportWriteOptions write;
  write.draw_figures = !opt.no_figures;
  write.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  write_report(doc, opt.out, write);
  fmt::print(stderr, "report written: {}/index.html (open it in a browser) and {}/report.md\n",
             opt.out, opt.out);
}

void register_report(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report",
      "Write the study as a folder: index.html (self-contained, figures inline), report.md with "
      "figures/*.png, and data/*.csv and *.json holding every number. Today: section 1, the "
      "chips (catalog, rooflines per kind, the host, commentary from the data).");
  sub->footer(
      "Examples:\n"
      "  dnnroof report                          # writes ./report/\n"
      "  dnnroof report --out study --precision fp32 --tensor fp16,bf16\n"
      "  dnnroof report --no-host --ids a100-sxm4-80gb,h100-sxm --out two-gpus");
  sub->add_option("--out", opt->out, "Output folder (created)")->default_val("report");
  sub->add_option("--precision", opt->precision, "Precision of the main rooflines and table")
      ->default_val("fp32");
  sub->add_option("--tensor", opt->tensor,
                  "Precisions of the accelerator (tensor-unit) figures, first available wins; "
                  "empty for none")
      ->default_val("fp16,bf16");
  sub->add_option("--ids", opt->ids, "Only these chips (comma-separated ids); default: all");
  sub->add_option("--title", opt->title, "Report title")->default_val("dnnroof study");
  sub->add_flag("--no-host", opt->no_host, "Leave out the detected machine");
  sub->add_flag("--no-figures", opt->no_figures, "Do not draw figures (no gnuplot needed)");
  sub->add_option("--max-per-panel", opt->max_per_panel,
                  "Most chips on one roofline panel; more are split into several panels")
      ->default_val(8);
  sub->callback([&ctx, opt] { write_study(ctx, *opt); });
}

DNNROOF_COMMAND(70, register_report);

}  // namespace
}  // namespace dnnroof::cli

// `dnnroof import-ncu FILE.csv`: Nsight Compute measurements beside
// dnnroof's own counts. Per kernel group (and per kernel with --kernels): the
// measured FLOPs per precision, tensor-core work, bytes at DRAM/L2/L1 and
// time; the hierarchical-roofline points; with --model the comparison with
// the cost model (analytic vs measured FLOPs and bytes, ratios, reasons).

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "hw/catalog.h"
#include "ncu/ncu.h"
#include "ncu/results.h"
#include "runner/model_source.h"

namespace dnnroof::cli {
namespace {

struct ImportNcuOptions {
  std::string file;
  std::string model;
  std::int64_t batch = 1;
  std::string mode = "infer";
  std::string dtype = "fp32";
  std::string device_chip;
  std::string out;
  bool kernels = false;
  double tensor_flops_per_inst = 0;
  std::string format = "table";
};

Cell si(const std::optional<double>& v, std::string_view unit, const std::string& dash) {
  if (!v) return Cell(dash);
  return Cell(*v, format_si(*v, unit));
}
Cell num(double v) { return Cell(v, fmt::format("{:.4g}", v)); }

Graph load_model(const ImportNcuOptions& o, DType dtype) {
  ModelRequest r;
  r.batch = o.batch;
  r.dtype = dtype;
  return resolve_model(o.model, r).graph;
}

// Columns shared by the group and kernel tables.
void work_cells(std::vector<Cell>& row, const KernelWork& w, double total_time,
                const std::string& dash) {
  row.push_back(si(w.time_s, "s", dash));
  const double share = w.time_s && total_time > 0 ? 100 * *w.time_s / total_time : 0;
  row.push_back(w.time_s ? Cell(share, fmt::format("{:.1f}%", share)) : Cell(dash));
  row.push_back(si(w.flops(), "FLOP", dash));
  row.push_back(si(w.fp32_flops, "FLOP", dash));
  row.push_back(si(w.fp16_flops, "FLOP", dash));
  row.push_back(si(w.fp64_flops, "FLOP", dash));
  row.push_back(si(w.tensor_flops, "FLOP", dash));
  row.push_back(si(w.tensor_inst, "", dash));
  row.push_back(si(w.dram_bytes, "B", dash));
  row.push_back(si(w.l2_bytes, "B", dash));
  row.push_back(si(w.l1_bytes, "B", dash));
  std::optional<double> rate;
  if (w.flops() && w.time_s && *w.time_s > 0) rate = *w.flops() / *w.time_s;
  row.push_back(si(rate, "FLOP/s", dash));
  std::optional<double> oi;
  if (w.flops() && w.dram_bytes && *w.dram_bytes > 0) oi = *w.flops() / *w.dram_bytes;
  row.push_back(oi ? num(*oi) : Cell(dash));
}

const std::vector<std::string> kWorkCols{
    "time",       "time share",   "FLOPs",           "FP32 FLOPs", "FP16 FLOPs",
    "FP64 FLOPs", "tensor FLOPs", "tensor inst",     "DRAM",       "L2",
    "L1",         "FLOP/s",       "OI DRAM [FLOP/B]"};
const std::vector<std::string> kWorkKeys{
    "time_s",     "time_percent", "flops",         "fp32_flops", "fp16_flops",
    "fp64_flops", "tensor_flops", "tensor_inst",   "dram_bytes", "l2_bytes",
    "l1_bytes",   "flops_per_s",  "intensity_dram"};

Table groups_table(const NcuSummary& s, const std::string& dash) {
  std::vector<std::string> cols{"group", "kernels"};
  std::vector<std::string> keys{"group", "kernels"};
  cols.insert(cols.end(), kWorkCols.begin(), kWorkCols.end());
  keys.insert(keys.end(), kWorkKeys.begin(), kWorkKeys.end());
  Table t(cols, keys);
  const double total_time = s.total.time_s.value_or(0);
  for (const GroupRow& g : s.groups) {
    std::vector<Cell> row{g.group, Cell(g.kernels, std::to_string(g.kernels))};
    work_cells(row, g.work, total_time, dash);
    t.add_row(std::move(row));
  }
  const int n = static_cast<int>(s.kernels.size());
  std::vector<Cell> row{"total", Cell(n, std::to_string(n))};
  work_cells(row, s.total, total_time, dash);
  t.add_row(std::move(row));
  return t;
}

Table kernels_table(const NcuSummary& s, const std::string& dash, bool full_names) {
  std::vector<std::string> cols{"id", "group", "kernel"};
  std::vector<std::string> keys{"id", "group", "kernel"};
  cols.insert(cols.end(), kWorkCols.begin(), kWorkCols.end());
  keys.insert(keys.end(), kWorkKeys.begin(), kWorkKeys.end());
  Table t(cols, keys);
  const double total_time = s.total.time_s.value_or(0);
  for (const KernelRow& k : s.kernels) {
    std::string name = k.name;
    if (!full_names && name.size() > 60) name = name.substr(0, 57) + "...";
    std::vector<Cell> row{k.id, k.group, name};
    work_cells(row, k.work, total_time, dash);
    t.add_row(std::move(row));
  }
  return t;
}

Table points_table(const std::vector<MeasuredPoint>& points, const Chip* chip, DType precision,
                   const std::string& dash) {
  std::vector<std::string> cols{"label", "level",       "FLOPs", "bytes",
                                "time",  "OI [FLOP/B]", "FLOP/s"};
  std::vector<std::string> keys{"label",   "level",     "flops",      "bytes",
                                "seconds", "intensity", "flops_per_s"};
  if (chip) {
    cols.insert(cols.end(), {"roof at OI", "% of roof"});
    keys.insert(keys.end(), {"attainable_flops_per_s", "percent_of_roof"});
  }
  Table t(cols, keys);
  for (const MeasuredPoint& p : points) {
    std::vector<Cell> row{p.label,
                          p.level,
                          Cell(p.flops, format_si(p.flops, "FLOP")),
                          Cell(p.bytes, format_si(p.bytes, "B")),
                          Cell(p.seconds, format_si(p.seconds, "s")),
                          num(p.intensity),
                          Cell(p.flops_per_s, format_si(p.flops_per_s, "FLOP/s"))};
    if (chip) {
      const std::optional<double> peak = chip->peak_flops(precision);
      const MemoryLevel* level = nullptr;
      if (p.level == "DRAM") {
        level = &chip->main_memory();
      } else {
        level = chip->find_level(p.level);
      }
      if (peak && level && level->bandwidth.value > 0) {
        const double roof = attainable_flops(*peak, level->bandwidth.value, p.intensity);
        const double pct = 100 * p.flops_per_s / roof;
        row.emplace_back(roof, format_si(roof, "FLOP/s"));
        row.emplace_back(pct, fmt::format("{:.1f}%{}", pct, pct > 100 ? " ABOVE ROOF" : ""));
      } else {
        row.emplace_back(dash);
        row.emplace_back(dash);
      }
    }
    t.add_row(std::move(row));
  }
  return t;
}

Table comparison_table(const NcuComparison& c, const std::string& dash) {
  Table t({"quantity", "analytic", "measured", "measured/analytic"},
          {"quantity", "analytic", "measured", "ratio"});
  for (const ComparisonRow& r : c.rows) {
    const bool oi = r.quantity.find("intensity") != std::string::npos;
    const std::string unit = r.quantity.rfind("FLOPs", 0) == 0 ? "FLOP" : "B";
    t.add_row({r.quantity, oi ? num(r.analytic) : Cell(r.analytic, format_si(r.analytic, unit)),
               r.measured
                   ? (oi ? num(*r.measured) : Cell(*r.measured, format_si(*r.measured, unit)))
                   : Cell(dash),
               r.ratio ? Cell(*r.ratio, fmt::format("{:.3f}", *r.ratio)) : Cell(dash)});
  }
  return t;
}

void run_import_ncu(const Context& ctx, const ImportNcuOptions& o) {
  const OutputFormat format = parse_output_format(o.format);
  const DType dtype = parse_dtype_or_throw(o.dtype);
  if (o.mode != "infer" && o.mode != "train") {
    fail("--mode must be infer or train, got '{}'", o.mode);
  }
  if (o.batch < 1) fail("--batch {}: batch sizes must be >= 1", o.batch);
  if (o.tensor_flops_per_inst < 0) fail("--tensor-flops-per-inst must be >= 0");

  std::optional<Catalog> catalog;
  const Chip* chip = nullptr;
  if (!o.device_chip.empty()) {
    catalog = load_catalog(ctx.catalog_files);
    chip = &catalog->get(o.device_chip);
  }

  const NcuProfile profile = read_ncu_csv(o.file);
  KernelWorkOptions wo;
  wo.tensor_flops_per_inst = o.tensor_flops_per_inst;
  NcuResults results;
  results.model = o.model;
  results.batch = o.model.empty() ? 0 : o.batch;
  results.mode = o.mode;
  results.device_chip = o.device_chip;
  results.summary = summarize(profile, wo);
  results.points = measured_points(results.summary);
  const NcuSummary& s = results.summary;

  fmt::print(stderr, "{}: {} layout, {} kernels{}\n", o.file, ncu_layout_name(profile.layout),
             profile.kernels.size(),
             profile.device_name.empty() ? "" : fmt::format(", {}", profile.device_name));
  for (const std::string& n : profile.notes) fmt::print(stderr, "note: {}\n", n);
  if (!s.missing.empty()) {
    fmt::print(stderr, "not collected: {}\n", join(s.missing, "; "));
  }
  fmt::print(stderr,
             "FLOPs = 2*fma + mul + add per precision (SASS thread instructions) + tensor-path "
             "ops; bytes = dram__bytes_read + dram__bytes_write; see docs/ncu.md\n");
  if (s.tensor_flops_unknown) {
    fmt::print(stderr,
               "warning: {:.0f} tensor-core instructions without FLOPs (no "
               "sm__ops_path_tensor_* metric): FLOPs are a lower bound\n",
               *s.total.tensor_inst);
  }
  if (profile.kernels.empty()) fmt::print(stderr, "warning: no kernel rows in {}\n", o.file);

  if (!o.model.empty()) {
    CostOptions copt;
    copt.dtype = storage_dtype(dtype);
    copt.training = o.mode == "train";
    const Graph graph = load_model(o, dtype);
    results.comparison = compare_with_cost(s, estimate_cost(graph, copt));
  }
  if (!o.out.empty()) {
    write_ncu_results(o.out, results);
    fmt::print(stderr, "wrote {}\n", o.out);
  }

  const std::string dash = format == OutputFormat::table ? "-" : "";
  const Table groups = groups_table(s, dash);
  const Table points = points_table(results.points, chip, dtype, dash);
  std::optional<Table> kernels;
  if (o.kernels) kernels = kernels_table(s, dash, format != OutputFormat::table);
  std::optional<Table> cmp;
  if (results.comparison) cmp = comparison_table(*results.comparison, dash);

  switch (format) {
    case OutputFormat::table:
      fmt::print("{}", groups.render(format));
      if (kernels) fmt::print("\n{}", kernels->render(format));
      fmt::print("\nMeasured roofline points{}\n{}",
                 chip ? fmt::format(" ({}, {} peak)", chip->id, dtype_name(dtype)) : "",
                 points.render(format));
      if (cmp) {
        fmt::print("\n{} batch {} {}: analytic (dnnroof cost model) vs measured (ncu)\n{}",
                   results.comparison->model, results.comparison->batch,
                   results.comparison->training ? "training step" : "forward", cmp->render(format));
        for (const std::string& e : results.comparison->explanations) fmt::print("- {}\n", e);
      }
      break;
    case OutputFormat::json: {
      std::vector<std::string> parts{fmt::format("\"groups\": {}", trim(groups.to_json())),
                                     fmt::format("\"points\": {}", trim(points.to_json()))};
      if (kernels) parts.push_back(fmt::format("\"kernels\": {}", trim(kernels->to_json())));
      if (cmp) {
        parts.push_back(fmt::format("\"comparison\": {}", trim(cmp->to_json())));
        std::vector<std::string> quoted;
        for (const std::string& e : results.comparison->explanations) {
          quoted.push_back(nlohmann::json(e).dump());
        }
        parts.push_back(fmt::format("\"explanations\": [{}]", join(quoted, ", ")));
      }
      fmt::print("{{{}}}\n", join(parts, ", "));
      break;
    }
    case OutputFormat::csv:
      fmt::print("{}", kernels ? kernels->render(format) : groups.render(format));
      break;
  }
}

void register_import_ncu(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<ImportNcuOptions>();
  auto* sub = app.add_subcommand(
      "import-ncu",
      "Read an Nsight Compute CSV (details or --page raw): measured FLOPs, DRAM/L2/L1 bytes and\n"
      "time per kernel group, roofline points, and with --model the analytic vs measured table");
  sub->footer(
      "Examples:\n"
      "  dnnroof import-ncu resnet18-b64-train.ncu.csv --model resnet18 --batch 64 --mode train\n"
      "  dnnroof import-ncu report.csv --device-chip a100-sxm4-40gb --kernels --format csv\n"
      "  dnnroof import-ncu report.csv --model resnet18 --out resnet18.ncu.json\n"
      "Get the CSV with the command `dnnroof profile-cmd MODEL` prints. Metrics read and\n"
      "formulas: docs/ncu.md. With --format csv one table is printed: --kernels, else the groups.");
  sub->add_option("file", opt->file, "CSV written by ncu --csv (either page)")->required();
  sub->add_option("--model", opt->model,
                  "Zoo model or .onnx file to compare with (analytic FLOPs and bytes)");
  sub->add_option("--batch", opt->batch, "Batch size of the profiled run (default 1)");
  sub->add_option("--mode", opt->mode, "infer (forward) or train (forward + backward)")
      ->default_val("infer");
  sub->add_option(
         "--dtype", opt->dtype,
         "Precision: storage for analytic bytes and the chip peak of the roof (tf32, fp16 or "
         "bf16 for tensor-core runs)")
      ->default_val("fp32");
  sub->add_option("--device-chip", opt->device_chip,
                  "Catalog id of the GPU that ran it: adds the roof and % of roof per point");
  sub->add_flag("--kernels", opt->kernels, "Also print every kernel");
  sub->add_option("--tensor-flops-per-inst", opt->tensor_flops_per_inst,
                  "FLOPs per tensor-pipe instruction when no sm__ops_path_tensor_* metric was "
                  "collected (architecture-specific; default: unknown)");
  sub->add_option("--out", opt->out, "Write the dnnroof-ncu JSON results file (docs/ncu.md)");
  add_format_option(*sub, opt->format);
  sub->callback([opt, &ctx] { run_import_ncu(ctx, *opt); });
}

DNNROOF_COMMAND(820, register_import_ncu);

}  // namespace
}  // namespace dnnroof::cli

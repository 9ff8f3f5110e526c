// `dnnroof plot chips`: roofline figures of catalog chips (SVG, PNG or PDF,
// from the output's extension). The ridge points drawn go to stdout as a
// table; skipped chips and the files written to stderr.

#include <fmt/format.h>

#include <optional>

#include "commands.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/output_path.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "cost/cost.h"
#include "hw/catalog.h"
#include "report/chip_rooflines.h"
#include "report/gnuplot.h"
#include "report/roofline.h"
#include "zoo/zoo.h"

namespace dnnroof::cli {
namespace {

struct PlotChipsOptions {
  std::string precision = "fp32";
  std::string ids;
  std::string kind;
  std::string out;
  std::string title;
  bool per_kind = false;
  std::size_t max_per_panel = 8;
  std::string format = "table";
};

// "FILE.png" + "gpu" -> "FILE-gpu.png".
std::filesystem::path with_suffix(const std::filesystem::path& path, const std::string& suffix) {
  std::filesystem::path out = path;
  out.replace_filename(path.stem().string() + "-" + suffix + path.extension().string());
  return out;
}

// Panels by kind of `chips`; chips with the same roof (t4, colab-t4) are one
// line named for both.
std::vector<RooflineFigure> panel_figures(const std::vector<const Chip*>& chips,
                                          std::span<const DType> precisions,
                                          std::size_t max_per_panel, const std::string& pname) {
  return chip_panel_figures(
      main_memory_ceilings(chips, precisions), max_per_panel,
      [&](const ChipPanel& panel) { return fmt::format("{} at {}", panel.title, pname); });
}

void plot_chips(const Context& ctx, const PlotChipsOptions& opt) {
  const OutputFormat format = parse_output_format(opt.format);
  std::vector<DType> precisions;
  for (const std::string& name : split(opt.precision, ',')) {
    precisions.push_back(parse_dtype_or_throw(trim(name)));
  }
  if (precisions.empty()) fail("--precision: give a precision such as fp32");
  const std::string pname = opt.precision;
  (void)image_format_for_path(opt.out);   // a bad extension fails before any work
  prepare_output_file("--out", opt.out);  // so does a path that cannot be written
  if (opt.max_per_panel == 0) fail("--max-per-panel must be at least 1");

  const Catalog catalog = load_catalog(ctx.catalog_files);
  std::vector<const Chip*> selected;
  if (!opt.ids.empty()) {
    for (const std::string& id : split(opt.ids, ',')) {
      if (!trim(id).empty()) selected.push_back(&catalog.get(trim(id)));
    }
  } else if (!opt.kind.empty()) {
    const std::optional<ChipKind> kind = parse_chip_kind(opt.kind);
    if (!kind) fail("--kind '{}': expected cpu, gpu, asic or soc", opt.kind);
    selected = catalog.of_kind(*kind);
  } else {
    for (const Chip& c : catalog.chips()) selected.push_back(&c);
  }

  const ChipCeilings drawable = main_memory_ceilings(selected, precisions);
  for (const SkippedChip& s : drawable.skipped) {
    fmt::print(stderr, "note: {} not drawn: {}\n", s.id, s.reason);
  }
  if (drawable.chips.empty()) {
    fail("none of the {} selected chips can be drawn at {} (see the notes above)", selected.size(),
         pname);
  }

  const std::string title =
      opt.title.empty() ? fmt::format("Rooflines at {} (datasheet peaks, main memory)", pname)
                        : opt.title;
  std::vector<std::filesystem::path> written;
  if (opt.per_kind) {
    // One file per kind; a kind with many chips gets several panels in its file.
    for (ChipKind kind : {ChipKind::cpu, ChipKind::gpu, ChipKind::asic, ChipKind::soc}) {
      std::vector<const Chip*> of_kind;
      for (const Chip* c : drawable.chips) {
        if (c->kind == kind) of_kind.push_back(c);
      }
      if (of_kind.empty()) continue;
      const auto path = with_suffix(opt.out, std::string(chip_kind_name(kind)));
      render_roofline(panel_figures(of_kind, precisions, opt.max_per_panel, pname),
                      fmt::format("{} rooflines at {}", chip_kind_title(kind), pname), path);
      written.emplace_back(path);
    }
  } else if (drawable.chips.size() <= opt.max_per_panel &&
             (!opt.ids.empty() || !opt.kind.empty())) {
    // A chosen few: one panel.
    render_roofline({build_roofline_figure(title, merge_identical_roofs(drawable).ceilings)}, title,
                    opt.out);
    written.emplace_back(opt.out);
  } else {
    // Everything, or too many for one panel: small multiples by kind.
    render_roofline(panel_figures(drawable.chips, precisions, opt.max_per_panel, pname), title,
                    opt.out);
    written.emplace_back(opt.out);
  }

  Table table(
      {"id", "precision", "peak", "memory", "bandwidth", "ridge [FLOP/B]"},
      {"id", "precision", "peak_flops", "memory", "bandwidth_bytes_per_s", "ridge_flop_per_byte"});
  for (std::size_t i = 0; i < drawable.chips.size(); ++i) {
    const RoofCeiling& c = drawable.ceilings[i].roof;
    const double ridge = c.ridge();
    table.add_row(
        {drawable.chips[i]->id, std::string(dtype_name(drawable.precisions[i])),
         Cell(c.peak_flops,
              format_si(c.peak_flops, is_floating(drawable.precisions[i]) ? "FLOP/s" : "OP/s")),
         c.level, Cell(c.bandwidth, format_si(c.bandwidth, "B/s")),
         Cell(ridge, format_intensity(ridge))});
  }
  fmt::print("{}", table.render(format));
  for (const auto& path : written) fmt::print(stderr, "wrote {}\n", path.string());
}

struct PlotModelsOptions {
  std::string chip;
  std::string models =
      "resnet18,resnet50,alexnet,vgg16,squeezenet1_0,googlenet,shufflenet_v2_x1_0,mobilenet_v2,"
      "mnasnet1_0,efficientnet_b0,regnet_y_400mf,vit_b_16";
  std::int64_t batch = 1;
  std::string dtype = "fp32";
  bool training = false;
  std::string traffic = "no-reuse";
  std::string out;
  std::string title;
  std::string format = "table";
};

// `dnnroof plot models`: the chip's roofline with each model as a point at
// (operational intensity, attainable FLOP/s), i.e. on the roof: the static
// view, before any measurement.
void plot_models(const Context& ctx, const PlotModelsOptions& opt) {
  const OutputFormat format = parse_output_format(opt.format);
  (void)image_format_for_path(opt.out);
  prepare_output_file("--out", opt.out);
  if (opt.batch < 1) fail("--batch must be at least 1 (got {})", opt.batch);
  if (opt.traffic != "no-reuse" && opt.traffic != "compulsory") {
    fail("--traffic '{}': expected no-reuse or compulsory", opt.traffic);
  }
  const DType dtype = parse_dtype_or_throw(opt.dtype);
  const Catalog catalog = load_catalog(ctx.catalog_files);
  const Chip& chip = catalog.get(opt.chip);
  const std::vector<DType> precision{dtype};
  const ChipCeilings drawable = main_memory_ceilings({&chip}, precision);
  if (drawable.chips.empty()) {
    fail("chip '{}' cannot be drawn at {}: {}", chip.id, dtype_name(dtype),
         drawable.skipped.empty() ? std::string("no ceiling") : drawable.skipped.front().reason);
  }
  const RoofCeiling& ceiling = drawable.ceilings.front().roof;

  std::vector<PointInput> points;
  Table table({"model", "batch", "dtype", "mode", "FLOPs", "bytes", "OI [FLOP/B]", "attainable",
               "bound", "% of peak"},
              {"model", "batch", "dtype", "mode", "flops", "bytes", "intensity_flop_per_byte",
               "attainable_flops", "bound", "percent_of_peak"});
  const std::vector<std::string> names = split(opt.models, ',');
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = trim(names[i]);
    if (name.empty()) continue;
    ZooOptions z;
    z.batch = opt.batch;
    z.dtype = dtype;
    const Graph graph = build_zoo_model(name, z);
    CostOptions co;
    co.dtype = dtype;
    co.training = opt.training;
    const ModelCost cost = estimate_cost(graph, co);
    const double flops = cost.step().flops();
    const double bytes =
        opt.traffic == "compulsory" ? cost.compulsory_step_bytes() : cost.step().bytes();
    const double oi = flops / bytes;
    const double attainable = ceiling.roof(oi);
    const bool memory_bound = oi < ceiling.ridge();
    points.push_back({name, name, PointKind::attainable, oi, 0, 0});
    table.add_row({name, Cell(static_cast<double>(opt.batch), std::to_string(opt.batch)),
                   std::string(dtype_name(dtype)), opt.training ? "train" : "infer",
                   Cell(flops, format_si(flops, "FLOP")), Cell(bytes, format_si(bytes, "B")),
                   Cell(oi, format_intensity(oi)),
                   Cell(attainable, format_si(attainable, "FLOP/s")),
                   memory_bound ? "memory" : "compute",
                   Cell(100.0 * attainable / ceiling.peak_flops,
                        fmt::format("{:.1f}", 100.0 * attainable / ceiling.peak_flops))});
  }
  if (points.empty()) fail("--models: give at least one model");
  const std::string title =
      opt.title.empty() ? fmt::format("{} at {}: models on the roof (batch {}, {}, {} traffic)",
                                      chip.name, dtype_name(dtype), opt.batch,
                                      opt.training ? "training step" : "inference", opt.traffic)
                        : opt.title;
  render_roofline({build_roofline_figure(title, drawable.ceilings, points)}, title, opt.out);
  fmt::print("{}", table.render(format));
  fmt::print(stderr, "wrote {}\n", opt.out);
}

void register_plot(CLI::App& app, Context& ctx) {
  auto* plot = app.add_subcommand("plot", "Draw figures (rooflines) to SVG, PNG or PDF");
  plot->require_subcommand(1);
  auto opt = std::make_shared<PlotChipsOptions>();
  auto* chips = plot->add_subcommand(
      "chips",
      "Roofline figure of catalog chips: one line per chip (slanted memory roof up to the ridge "
      "point, then the flat peak), log-log axes. Few chips: one panel; all, or more than "
      "--max-per-panel: small multiples by kind.");
  chips->footer(
      "Examples:\n"
      "  dnnroof plot chips --ids a100-sxm4-80gb,h100-sxm,t4 --out gpus.png\n"
      "  dnnroof plot chips --kind gpu --precision fp16,bf16 --out gpu-tensor.svg\n"
      "  dnnroof plot chips --out all.pdf            # every chip, one panel per kind\n"
      "  dnnroof plot chips --per-kind --out chips.png   # chips-cpu.png, chips-gpu.png, ...");
  chips
      ->add_option("--precision", opt->precision,
                   "Precision of the peaks; a list (fp16,bf16) takes the first a chip has")
      ->default_val("fp32");
  auto* ids =
      chips->add_option("--ids", opt->ids, "Comma-separated chip ids (see `dnnroof chips`)");
  chips->add_option("--kind", opt->kind, "Only chips of this kind: cpu, gpu, asic, soc")
      ->excludes(ids);
  chips->add_option("--out", opt->out, "Output file: .svg, .png or .pdf")->required();
  chips->add_option("--title", opt->title, "Figure title");
  chips->add_flag("--per-kind", opt->per_kind, "One file per kind: OUT-cpu.png, OUT-gpu.png, ...");
  chips
      ->add_option("--max-per-panel", opt->max_per_panel,
                   "Most chips on one panel before splitting into small multiples")
      ->default_val(8);
  add_format_option(*chips, opt->format);
  chips->callback([&ctx, opt] { plot_chips(ctx, *opt); });

  auto mopt = std::make_shared<PlotModelsOptions>();
  auto* models = plot->add_subcommand(
      "models",
      "A chip's roofline with each model as a point at (operational intensity, attainable "
      "FLOP/s): on the roof, where the cost model says it could run at best.");
  models->footer(
      "Examples:\n"
      "  dnnroof plot models --chip a100-sxm4-80gb --batch 64 --out a100-models.png\n"
      "  dnnroof plot models --chip t4 --models resnet18,vgg16,mobilenet_v2 --dtype fp16 "
      "--out t4.svg\n");
  models->add_option("--chip", mopt->chip, "Chip id (see `dnnroof chips`)")->required();
  models->add_option("--models", mopt->models, "Comma-separated zoo models")
      ->default_str(mopt->models);
  models->add_option("--batch", mopt->batch, "Batch size")->default_val(1);
  models->add_option("--dtype", mopt->dtype, "Data type (bytes per element and the peak used)")
      ->default_val("fp32");
  models->add_flag("--training", mopt->training, "Place the training step (forward + backward)");
  models
      ->add_option("--traffic", mopt->traffic,
                   "Traffic model for the intensity: no-reuse (sum over layers) or compulsory")
      ->default_val("no-reuse");
  models->add_option("--out", mopt->out, "Output file: .svg, .png or .pdf")->required();
  models->add_option("--title", mopt->title, "Figure title");
  add_format_option(*models, mopt->format);
  models->callback([&ctx, mopt] { plot_models(ctx, *mopt); });
}

DNNROOF_COMMAND(60, register_plot);

}  // namespace
}  // namespace dnnroof::cli

// `dnnroof analyze MODEL...`: the static view of one or several models. Per batch size: its
// parameters, MACs and FLOPs (forward, backward, their ratio), activation and
// traffic bytes under both traffic models and both operational intensities;
// per chip the attainable FLOP/s at that intensity, the bound and the
// lower-bound time; per layer (--layers) and per op kind (--by-type).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// GCC 12 reports a false -Wnull-dereference inside CLI11's
// CLI::detail::split (vector<string> relocation) in this file.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include "analyze_llm.h"
#include "commands.h"
#pragma GCC diagnostic pop
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "hw/catalog.h"
#include "zoo/zoo.h"
#if defined(DNNROOF_HAVE_ONNX)
#include "onnx/onnx_import.h"
#endif

namespace dnnroof::cli {
namespace {

struct AnalyzeOptions {
  std::vector<std::string> models;  // zoo names and .onnx files, one table for all
  std::vector<std::int64_t> batches{1};
  std::string dtype = "fp32";
  bool training = false;
  bool layers = false;
  bool by_type = false;
  std::vector<std::string> chips;
  std::string convention = "dnnroof";
  std::string attention = "plain";
  bool attention_recompute = false;
  std::string format = "table";
  std::int64_t image_size = 0;
  std::int64_t seq_len = 0;
  std::vector<std::string> dims;  // ONNX symbolic dims: "name=value"
  bool batch_given = false;       // --batch on the command line (re-batches fixed ONNX inputs)
  LlmAnalyzeOptions llm;          // language models: --phase, --context, ... (analyze_llm.h)
};

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Graph load_model(const AnalyzeOptions& o, const std::string& model, std::int64_t batch,
                 DType dtype) {
  if (ends_with(to_lower(model), ".onnx")) {
#if defined(DNNROOF_HAVE_ONNX)
    // The file's own dtypes are kept; --dtype sets the storage for bytes.
    OnnxImportOptions io;
    io.batch = batch;
    io.override_fixed_batch = o.batch_given;
    for (const auto& d : o.dims) io.dims.insert(parse_dim_assignment(d));
    return import_onnx_file(model, io);
#else
    fail(
        "'{}': this dnnroof was built without ONNX import (install libonnx-dev and "
        "libprotobuf-dev, then rebuild)",
        model);
#endif
  }
  if (!o.dims.empty()) fail("--dim applies to .onnx models only");
  ZooOptions z;
  z.batch = batch;
  z.image_size = o.image_size;
  z.seq_len = o.seq_len;
  z.dtype = dtype;
  return build_zoo_model(model, z);
}

// A quantity with its number for programs; "0 FLOP" stays "0 FLOP".
Cell si(double value, std::string_view unit) { return Cell(value, format_si(value, unit)); }
Cell plain_number(double value) { return Cell(value, fmt::format("{:.4g}", value)); }
Cell count(double value) { return Cell(value, format_si(value, "")); }
Cell text_cell(std::string t) { return Cell(std::move(t)); }

struct BatchResult {
  std::int64_t batch;
  ModelCost cost;
};

// The unit of the FLOP columns under a convention, for the cells.
std::string_view unit_symbol(CostConvention c) {
  const std::string_view u = cost_convention_unit(c);
  if (u == "MACs") return "MAC";
  if (u == "flops") return "flop";
  if (u == "mult-adds") return "MAC";
  return "FLOP";
}

Table totals_table(const std::string& model, const std::vector<BatchResult>& results,
                   bool training) {
  // The FLOP columns hold what the convention's tool counts, labelled by it
  // (fvcore's "flops" and thop's and ptflops' counts are MACs).
  const CostConvention conv = results.front().cost.options.convention;
  const bool peer = conv != CostConvention::dnnroof;
  const std::string u = cost_convention_label(conv);
  const std::string_view usym = unit_symbol(conv);
  // The tool's own MAC count is a column of its own where its headline
  // number is FLOPs (calflops, torch); elsewhere it is the FLOP column.
  const bool macs_apart = conv == CostConvention::calflops || conv == CostConvention::torch;
  std::vector<std::string> cols{"model",   "batch",    "dtype",     "convention",      "params",
                                "buffers", "MACs fwd", "FLOPs fwd", "matmul FLOPs fwd"};
  cols[7] = u + " fwd";
  cols[8] = "matmul " + u + " fwd";
  std::vector<std::string> keys{"model",   "batch",    "dtype",     "convention",      "params",
                                "buffers", "macs_fwd", "flops_fwd", "matmul_flops_fwd"};
  if (macs_apart) {
    cols.push_back(fmt::format("{} MACs", cost_convention_name(conv)));
    keys.emplace_back("convention_macs");
  }
  if (peer) {
    // The parameters the tool reports (thop: only its hooked modules').
    cols.push_back(fmt::format("{} params", cost_convention_name(conv)));
    keys.emplace_back("convention_params");
  }
  if (training) {
    cols.emplace_back("MACs bwd");
    cols.push_back(u + " bwd");
    cols.push_back("bwd/fwd " + u);
    cols.push_back(u + " step");
    keys.insert(keys.end(), {"macs_bwd", "flops_bwd", "bwd_fwd_flops_ratio", "flops_step"});
  }
  cols.emplace_back("activations");
  keys.emplace_back("activation_bytes");
  if (training) {
    cols.emplace_back("saved for bwd");
    keys.emplace_back("saved_bytes");
  }
  cols.insert(cols.end(), {"traffic (no reuse)", "traffic (compulsory)", "OI no reuse [FLOP/B]",
                           "OI compulsory [FLOP/B]"});
  keys.insert(keys.end(), {"traffic_no_reuse_bytes", "traffic_compulsory_bytes",
                           "intensity_no_reuse", "intensity_compulsory"});
  Table t(cols, keys);
  for (const auto& r : results) {
    const ModelCost& c = r.cost;
    std::vector<Cell> row{model,
                          Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                          std::string(dtype_name(c.storage)),
                          std::string(cost_convention_name(c.options.convention)),
                          count(c.params),
                          count(c.buffers),
                          si(c.forward.macs, "MAC"),
                          si(c.forward.flops(), usym),
                          si(c.forward.matmul_flops, usym)};
    if (macs_apart) row.push_back(si(c.convention_macs, "MAC"));
    if (peer) row.push_back(count(c.convention_params));
    if (training) {
      const double ratio = c.forward.flops() > 0 ? c.backward.flops() / c.forward.flops() : 0;
      row.insert(row.end(), {si(c.backward.macs, "MAC"), si(c.backward.flops(), usym),
                             plain_number(ratio), si(c.step().flops(), usym)});
    }
    row.push_back(si(c.activation_bytes, "B"));
    if (training) row.push_back(si(c.saved_bytes, "B"));
    row.insert(row.end(),
               {si(c.step().bytes(), "B"), si(c.compulsory_step_bytes(), "B"),
                plain_number(c.intensity_no_reuse()), plain_number(c.intensity_compulsory())});
    t.add_row(std::move(row));
  }
  return t;
}

// The roofline at one intensity: attainable FLOP/s, bound, lower-bound time.
struct RoofPoint {
  double attainable = 0;  // [FLOP/s]
  std::string bound;      // "memory" or "compute"
  double seconds = 0;     // max(FLOPs/peak, bytes/bandwidth)
};
RoofPoint roof(double peak, double bandwidth, double flops, double bytes) {
  RoofPoint p;
  const double oi = bytes > 0 ? flops / bytes : 0;
  p.attainable = attainable_flops(peak, bandwidth, oi);
  const double t_compute = flops / peak;
  const double t_memory = bytes / bandwidth;
  p.bound = t_memory > t_compute ? "memory" : "compute";
  p.seconds = std::max(t_compute, t_memory);
  return p;
}

Table chips_table(const std::string& model, const std::vector<BatchResult>& results,
                  const std::vector<const Chip*>& chips, DType precision, OutputFormat format) {
  Table t({"model", "batch", "chip", fmt::format("peak {}", dtype_name(precision)), "main BW",
           "ridge [FLOP/B]", "OI no reuse", "attainable", "bound", "min time", "OI compulsory",
           "attainable (compulsory)", "bound (compulsory)", "min time (compulsory)"},
          {"model", "batch", "chip", "peak_flops", "bandwidth_bytes_per_s", "ridge_flop_per_byte",
           "intensity_no_reuse", "attainable_flops_no_reuse", "bound_no_reuse",
           "min_time_s_no_reuse", "intensity_compulsory", "attainable_flops_compulsory",
           "bound_compulsory", "min_time_s_compulsory"});
  const std::string dash = format == OutputFormat::table ? "-" : "";
  for (const auto& r : results) {
    const ModelCost& c = r.cost;
    const double flops = c.step().flops();
    for (const Chip* chip : chips) {
      std::vector<Cell> row{model, Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                            chip->id};
      const std::optional<double> peak = chip->peak_flops(precision);
      double bandwidth = 0;
      for (const auto& m : chip->memory) {
        if (m.is_main) bandwidth = m.bandwidth.value;
      }
      std::string missing;
      if (!peak) missing = fmt::format("no {} peak", dtype_name(precision));
      if (!(bandwidth > 0)) {
        missing += missing.empty() ? "" : ", ";
        missing += "no main-memory bandwidth";
      }
      row.push_back(peak ? si(*peak, is_floating(precision) ? "FLOP/s" : "OP/s") : text_cell(dash));
      row.push_back(bandwidth > 0 ? si(bandwidth, "B/s") : text_cell(dash));
      if (!missing.empty()) {
        // Say so in every computed cell rather than print a wrong roof.
        row.push_back(text_cell(dash));
        for (int i = 0; i < 2; ++i) {
          row.push_back(plain_number(i == 0 ? c.intensity_no_reuse() : c.intensity_compulsory()));
          row.push_back(text_cell(missing));
          row.push_back(text_cell(dash));
          row.push_back(text_cell(dash));
        }
        t.add_row(std::move(row));
        continue;
      }
      row.push_back(plain_number(ridge_point(*peak, bandwidth)));
      const RoofPoint a = roof(*peak, bandwidth, flops, c.step().bytes());
      const RoofPoint b = roof(*peak, bandwidth, flops, c.compulsory_step_bytes());
      const std::string_view rate = is_floating(precision) ? "FLOP/s" : "OP/s";
      row.insert(row.end(),
                 {plain_number(c.intensity_no_reuse()), si(a.attainable, rate), text_cell(a.bound),
                  si(a.seconds, "s"), plain_number(c.intensity_compulsory()),
                  si(b.attainable, rate), text_cell(b.bound), si(b.seconds, "s")});
      t.add_row(std::move(row));
    }
  }
  return t;
}

Table layers_table(const BatchResult& r, bool training) {
  std::vector<std::string> cols{"batch",     "node",   "op",        "output",         "MACs fwd",
                                "FLOPs fwd", "params", "bytes fwd", "OI fwd [FLOP/B]"};
  std::vector<std::string> keys{"batch",     "node",   "op",        "output_shape", "macs_fwd",
                                "flops_fwd", "params", "bytes_fwd", "intensity_fwd"};
  if (training) {
    cols.insert(cols.end(), {"FLOPs bwd", "bytes bwd", "grad-input"});
    keys.insert(keys.end(), {"flops_bwd", "bytes_bwd", "grad_input"});
  }
  Table t(cols, keys);
  for (const NodeCost& n : r.cost.nodes) {
    std::vector<Cell> row{Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
                          n.name,
                          std::string(op_name(n.op)),
                          shape_str(n.output_shape),
                          si(n.forward.macs, "MAC"),
                          si(n.forward.flops(), "FLOP"),
                          count(n.params),
                          si(n.forward.bytes(), "B"),
                          plain_number(n.forward.intensity())};
    if (training) {
      row.insert(row.end(), {si(n.backward.flops(), "FLOP"), si(n.backward.bytes(), "B"),
                             text_cell(n.input_needs_grad ? "yes" : "no")});
    }
    t.add_row(std::move(row));
  }
  return t;
}

Cell percent(double part, double whole) {
  const double p = whole > 0 ? 100 * part / whole : 0;
  return Cell(p, fmt::format("{:.1f}%", p));
}

Table by_type_table(const BatchResult& r, bool training) {
  Table t(
      {"batch", "op", "nodes", "MACs", "FLOPs", "FLOPs share", "bytes", "bytes share", "params"},
      {"batch", "op", "nodes", "macs", "flops", "flops_percent", "bytes", "bytes_percent",
       "params"});
  const PassCost total = training ? r.cost.step() : r.cost.forward;
  for (const OpTypeCost& g : group_by_op(r.cost)) {
    const PassCost p = training ? g.forward + g.backward : g.forward;
    t.add_row({Cell(static_cast<double>(r.batch), std::to_string(r.batch)),
               std::string(op_name(g.op)), Cell(g.nodes, std::to_string(g.nodes)),
               si(p.macs, "MAC"), si(p.flops(), "FLOP"), percent(p.flops(), total.flops()),
               si(p.bytes(), "B"), percent(p.bytes(), total.bytes()), count(g.params)});
  }
  return t;
}

// The rows every model adds to each table; run_analyze merges them.
struct ModelTables {
  std::vector<Table> totals;
  std::vector<Table> chips;
  std::vector<Table> layers;
  std::vector<Table> types;
  DType storage = DType::fp32;  // of the last model analyzed
};

// `t` with a column inserted before column `at`.
Table with_column(const Table& t, std::size_t at, const std::string& column, const std::string& key,
                  const std::vector<Cell>& cells) {
  std::vector<std::string> cols = t.columns();
  std::vector<std::string> keys = t.keys();
  cols.insert(cols.begin() + static_cast<std::ptrdiff_t>(at), column);
  keys.insert(keys.begin() + static_cast<std::ptrdiff_t>(at), key);
  Table out(cols, keys);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    std::vector<Cell> row = t.data()[r];
    row.insert(row.begin() + static_cast<std::ptrdiff_t>(at), cells.at(r));
    out.add_row(std::move(row));
  }
  return out;
}

// Per-layer and per-op-kind rows name their model, so that several models'
// rows are one pandas-ready table.
Table with_model_column(const std::string& model, const Table& t) {
  return with_column(t, 0, "model", "model", std::vector<Cell>(t.rows(), Cell(model)));
}

// The totals with `unused params` after `params`: the parameters no node
// reads (e.g. inception_v3's auxiliary classifier in inference), which
// `params` includes.
Table with_unused_params(const Table& totals, const std::vector<BatchResult>& results) {
  const auto& keys = totals.keys();
  const auto it = std::find(keys.begin(), keys.end(), "params");
  const std::size_t at =
      it == keys.end() ? keys.size() : static_cast<std::size_t>(it - keys.begin()) + 1;
  std::vector<Cell> cells;
  for (const auto& r : results) cells.push_back(count(r.cost.unused_params));
  return with_column(totals, at, "unused params", "unused_params", cells);
}

// The name each model is shown by: the graph's (zoo name, .onnx file stem),
// or the argument as given when two arguments would show the same name.
std::vector<std::string> display_names(const std::vector<std::string>& sources) {
  std::vector<std::string> names;
  for (const auto& s : sources) {
    // Zoo names are case-insensitive; the zoo's graphs carry the lower-case one.
    names.push_back(ends_with(to_lower(s), ".onnx") ? std::filesystem::path(s).stem().string()
                                                    : to_lower(s));
  }
  std::vector<std::string> shown = names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::count(names.begin(), names.end(), names[i]) > 1) shown[i] = sources[i];
  }
  return shown;
}

// Analyzes one model (`source`, shown as `model`) at every batch size: its
// summary lines on stderr, and its rows appended to `out`'s tables.
void analyze_model(const AnalyzeOptions& o, const std::string& source, const std::string& model,
                   const CostOptions& copt, const std::vector<const Chip*>& chips, DType precision,
                   OutputFormat format, ModelTables& out) {
  std::vector<BatchResult> results;
  std::vector<Graph> graphs;
  for (std::int64_t batch : o.batches) {
    if (batch < 1) fail("--batch {}: batch sizes must be >= 1", batch);
    graphs.push_back(load_model(o, source, batch, precision));
    results.push_back({batch, estimate_cost(graphs.back(), copt)});
  }
  const ModelCost& first = results.front().cost;
  fmt::print(stderr, "{} ({} nodes): {}\n", model, first.nodes.size(), first.coverage_line());
  if (first.unused_params > 0) {
    fmt::print(stderr,
               "{}: {} of its {} parameters are read by no node (counted in params, shown as "
               "unused params)\n",
               model, format_si(first.unused_params, ""), format_si(first.params, ""));
  }
  out.storage = first.storage;
  fmt::print(stderr,
             "MACs = multiply-accumulates; FLOP columns: {}{}; bytes at {}; see "
             "docs/cost-model.md\n",
             copt.convention == CostConvention::dnnroof
                 ? std::string("FLOPs")
                 : fmt::format("what {} reports, in its unit ({})",
                               cost_convention_name(copt.convention),
                               cost_convention_unit(copt.convention)),
             copt.convention == CostConvention::dnnroof ? " (matrix FLOPs = 2 x MACs)" : "",
             dtype_name(first.storage));

  if (copt.convention != CostConvention::dnnroof) {
    // Say which ops the chosen tool does not count, so a lower total is explained.
    CostOptions ours = copt;
    ours.convention = CostConvention::dnnroof;
    const ModelCost reference = estimate_cost(graphs.front(), ours);
    std::vector<std::string> zeroed;
    const auto theirs = group_by_op(first);
    for (const OpTypeCost& g : group_by_op(reference)) {
      if (g.forward.flops() <= 0) continue;
      for (const OpTypeCost& t : theirs) {
        if (t.op == g.op && t.forward.flops() <= 0) {
          zeroed.push_back(fmt::format("{} ({} nodes)", op_name(g.op), g.nodes));
        }
      }
    }
    if (!zeroed.empty()) {
      fmt::print(stderr, "{} counts 0 FLOPs for: {}\n", cost_convention_name(copt.convention),
                 join(zeroed, ", "));
    }
  }

  const Table totals = totals_table(model, results, o.training);
  out.totals.push_back(with_unused_params(totals, results));
  if (!chips.empty()) out.chips.push_back(chips_table(model, results, chips, precision, format));
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (o.layers)
      out.layers.push_back(with_model_column(model, layers_table(results[i], o.training)));
    if (o.by_type)
      out.types.push_back(with_model_column(model, by_type_table(results[i], o.training)));
  }
}

void run_analyze(const Context& ctx, const AnalyzeOptions& o) {
  const OutputFormat format = parse_output_format(o.format);
  const DType precision = parse_dtype_or_throw(o.dtype);
  CostOptions copt;
  copt.dtype = storage_dtype(precision);
  copt.training = o.training;
  copt.convention = parse_cost_convention(o.convention);
  copt.attention_recompute = o.attention_recompute;
  if (o.attention == "flash") {
    copt.attention = AttentionMemory::flash;
  } else if (o.attention != "plain") {
    fail("--attention must be plain or flash, got '{}'", o.attention);
  }
  std::vector<const Chip*> chips;
  std::optional<Catalog> catalog;
  if (!o.chips.empty()) {
    catalog = load_catalog(ctx.catalog_files);
    for (const auto& id : o.chips) chips.push_back(&catalog->get(id));
  }
  if (o.batches.empty()) fail("--batch needs at least one batch size");

  const std::vector<std::string> names = display_names(o.models);
  ModelTables all;
  for (std::size_t i = 0; i < o.models.size(); ++i) {
    analyze_model(o, o.models[i], names[i], copt, chips, precision, format, all);
  }
  fmt::print(stderr,
             "MACs = multiply-accumulates; FLOPs counted by the {} convention{}; bytes at {}; see "
             "docs/cost-model.md\n",
             cost_convention_name(copt.convention),
             copt.convention == CostConvention::dnnroof ? " (matrix FLOPs = 2 x MACs)" : "",
             dtype_name(all.storage));
  // Several models' and batches' tables are one table each; merge rows.
  auto merged = [](std::vector<Table>& ts) {
    Table m = ts.front();
    for (std::size_t i = 1; i < ts.size(); ++i) {
      for (const auto& row : ts[i].data()) m.add_row(row);
    }
    return m;
  };
  const Table totals = merged(all.totals);
  std::optional<Table> chip_table;
  if (!all.chips.empty()) chip_table = merged(all.chips);
  std::vector<Table>& layer_tables = all.layers;
  std::vector<Table>& type_tables = all.types;

  switch (format) {
    case OutputFormat::table:
      fmt::print("{}", totals.render(format));
      if (chip_table) fmt::print("\n{}", chip_table->render(format));
      if (o.by_type) fmt::print("\n{}", merged(type_tables).render(format));
      if (o.layers) fmt::print("\n{}", merged(layer_tables).render(format));
      break;
    case OutputFormat::json: {
      // One JSON document: {"totals": [...], "chips": [...], ...}.
      std::vector<std::string> parts{fmt::format("\"totals\": {}", trim(totals.to_json()))};
      if (chip_table) parts.push_back(fmt::format("\"chips\": {}", trim(chip_table->to_json())));
      if (o.by_type) {
        parts.push_back(fmt::format("\"by_type\": {}", trim(merged(type_tables).to_json())));
      }
      if (o.layers) {
        parts.push_back(fmt::format("\"layers\": {}", trim(merged(layer_tables).to_json())));
      }
      fmt::print("{{{}}}\n", join(parts, ", "));
      break;
    }
    case OutputFormat::csv:
      // CSV is one flat table: the most detailed one asked for.
      if (o.layers) {
        fmt::print("{}", merged(layer_tables).render(format));
      } else if (o.by_type) {
        fmt::print("{}", merged(type_tables).render(format));
      } else if (chip_table) {
        fmt::print("{}", chip_table->render(format));
      } else {
        fmt::print("{}", totals.render(format));
      }
      break;
  }
}

void register_analyze(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<AnalyzeOptions>();
  auto* sub = app.add_subcommand(
      "analyze",
      "Static analysis of a model: parameters, MACs and FLOPs (forward, backward), bytes,\n"
      "operational intensity, and per chip the attainable FLOP/s, bound and lower-bound time");
  sub->footer(
      "Examples:\n"
      "  dnnroof analyze resnet18 --batch 1,64,256 --chip a100-sxm4-80gb --chip host\n"
      "  dnnroof analyze vit_b_16 --training --dtype bf16 --by-type\n"
      "  dnnroof analyze resnet50 --layers --format csv > resnet50_layers.csv\n"
      "  dnnroof analyze model.onnx --batch 8 --dim seq=128\n"
      "  dnnroof analyze resnet18 alexnet vit_b_16 m.onnx --format json\n"
      "With --format csv one table is printed: --layers, else --by-type, else the chip\n"
      "table when --chip is given, else the totals. JSON holds them all in one object.\n"
      "Several models make one table of each kind (rows carry the model's name): one\n"
      "JSON object whose \"totals\" array has a row per model and batch.");
  sub->add_option("models", opt->models,
                  "Zoo model names (see `dnnroof models`) and .onnx files, one table for all")
      ->required();
  sub->add_option("--batch", opt->batches, "Batch sizes, comma-separated (default 1)")
      ->delimiter(',');
  sub->add_option(
         "--dtype", opt->dtype,
         "Precision: storage for bytes and the chip peak used (fp32, tf32, fp16, bf16, int8)")
      ->default_val("fp32");
  sub->add_flag("--training", opt->training, "Count a training step: forward + backward");
  sub->add_flag("--layers", opt->layers, "Also print every node");
  sub->add_flag("--by-type", opt->by_type, "Also print totals per op kind with shares in %");
  sub->add_option("--chip", opt->chips, "Chip id from the catalog, or `host`; repeatable");
  sub->add_option("--convention", opt->convention,
                  "Counting convention, whose figures the FLOP columns hold: dnnroof "
                  "(default), fvcore, thop, ptflops, ptflops-no-functional, ptflops-aten, "
                  "calflops, torch, torchinfo (docs/cost-model.md)")
      ->default_val("dnnroof");
  sub->add_flag("--attention-recompute", opt->attention_recompute,
                "Training: Attention's backward also recomputes QK^T, as fused (flash) "
                "kernels do and torch 2.x's FlopCounterMode counts");
  sub->add_option("--attention", opt->attention,
                  "Attention memory model: plain (materialises scores) or flash")
      ->default_val("plain");
  sub->add_option("--image-size", opt->image_size, "Input image size (default: the model's)");
  sub->add_option("--dim", opt->dims,
                  "ONNX models: the value of a symbolic input dim, NAME=VALUE; repeatable")
      ->delimiter(',');
  sub->add_option("--seq-len", opt->seq_len,
                  "Sequence length for language models (default: the model's)");
  add_format_option(*sub, opt->format);
  add_llm_analyze_options(*sub, opt->llm);
  sub->callback([opt, &ctx, sub] {
    // Decoder-only LLMs (config.json, cmd_analyze_llm.cc) have their own
    // tables: one per call, not mixed with graph models.
    std::vector<std::string> llms;
    for (const std::string& m : opt->models) {
      if (wants_llm_analyze(m, opt->llm)) llms.push_back(m);
    }
    if (!llms.empty()) {
      if (opt->models.size() != 1) {
        fail("analyze: a language model ({}) is analyzed alone, by phase: give it in its own "
             "call, without the other {} model(s)",
             join(llms, ", "), opt->models.size() - 1);
      }
      run_llm_analyze(ctx, {llms.front(), opt->batches,
                            sub->count("--dtype") ? opt->dtype : "bf16", opt->chips, opt->layers,
                            opt->format, opt->llm});
      return;
    }
    opt->batch_given = sub->count("--batch") > 0;
    run_analyze(ctx, *opt);
  });
}

DNNROOF_COMMAND(300, register_analyze);

}  // namespace
}  // namespace dnnroof::cli

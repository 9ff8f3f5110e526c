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
#include "analysis/analyze_table.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "hw/catalog.h"
#include "runner/model_source.h"

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

Graph load_model(const AnalyzeOptions& o, const std::string& model, std::int64_t batch,
                 DType dtype) {
  ModelRequest r;
  r.batch = batch;
  r.dtype = dtype;  // ONNX files keep their own dtypes; --dtype sets the storage for bytes
  r.image_size = o.image_size;
  r.seq_len = o.seq_len;
  r.dims = o.dims;
  r.override_fixed_batch = o.batch_given;
  return resolve_model(model, r).graph;
}

// The rows every model adds to each table; run_analyze merges them.
struct ModelTables {
  std::vector<Table> totals;
  std::vector<Table> chips;
  std::vector<Table> layers;
  std::vector<Table> types;
  DType storage = DType::fp32;  // of the last model analyzed
};

// Analyzes one model (`source`, shown as `model`) at every batch size: its
// summary lines on stderr, and its rows appended to `out`'s tables.
void analyze_model(const AnalyzeOptions& o, const std::string& source, const std::string& model,
                   const CostOptions& copt, const std::vector<const Chip*>& chips, DType precision,
                   OutputFormat format, ModelTables& out) {
  std::vector<BatchCost> results;
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
  fmt::print(
      stderr,
      "MACs = multiply-accumulates; FLOP columns: {}{}; bytes at {}; see "
      "docs/cost-model.md\n",
      copt.convention == CostConvention::dnnroof
          ? std::string("FLOPs")
          : fmt::format("what {} reports, in its unit ({})", cost_convention_name(copt.convention),
                        cost_convention_unit(copt.convention)),
      copt.convention == CostConvention::dnnroof ? " (matrix FLOPs = 2 x MACs)" : "",
      dtype_name(first.storage));

  if (copt.convention != CostConvention::dnnroof) {
    // Say which ops the chosen tool does not count, so a lower total is explained.
    CostOptions ours = copt;
    ours.convention = CostConvention::dnnroof;
    const std::vector<std::string> zeroed =
        ops_zeroed_by_convention(first, estimate_cost(graphs.front(), ours));
    if (!zeroed.empty()) {
      fmt::print(stderr, "{} counts 0 FLOPs for: {}\n", cost_convention_name(copt.convention),
                 join(zeroed, ", "));
    }
  }

  out.totals.push_back(cost_totals_table(model, results, o.training));
  if (!chips.empty()) {
    out.chips.push_back(cost_chips_table(model, results, chips, precision, format));
  }
  for (const BatchCost& r : results) {
    if (o.layers) out.layers.push_back(cost_layers_table(model, r, o.training));
    if (o.by_type) out.types.push_back(cost_by_type_table(model, r, o.training));
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

  const std::vector<std::string> names = model_display_names(o.models);
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
  // Several models' and batches' tables are one table each.
  const Table totals = concat_rows(all.totals);
  std::optional<Table> chip_table;
  if (!all.chips.empty()) chip_table = concat_rows(all.chips);

  switch (format) {
    case OutputFormat::table:
      fmt::print("{}", totals.render(format));
      if (chip_table) fmt::print("\n{}", chip_table->render(format));
      if (o.by_type) fmt::print("\n{}", concat_rows(all.types).render(format));
      if (o.layers) fmt::print("\n{}", concat_rows(all.layers).render(format));
      break;
    case OutputFormat::json: {
      // One JSON document: {"totals": [...], "chips": [...], ...}.
      std::vector<std::string> parts{fmt::format("\"totals\": {}", trim(totals.to_json()))};
      if (chip_table) parts.push_back(fmt::format("\"chips\": {}", trim(chip_table->to_json())));
      if (o.by_type) {
        parts.push_back(fmt::format("\"by_type\": {}", trim(concat_rows(all.types).to_json())));
      }
      if (o.layers) {
        parts.push_back(fmt::format("\"layers\": {}", trim(concat_rows(all.layers).to_json())));
      }
      fmt::print("{{{}}}\n", join(parts, ", "));
      break;
    }
    case OutputFormat::csv:
      // CSV is one flat table: the most detailed one asked for.
      if (o.layers) {
        fmt::print("{}", concat_rows(all.layers).render(format));
      } else if (o.by_type) {
        fmt::print("{}", concat_rows(all.types).render(format));
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
  sub->add_option("--chip", opt->chips,
                  "Chip id from the catalog, or `host`; repeatable or comma-separated")
      ->delimiter(',');
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
        fail(
            "analyze: a language model ({}) is analyzed alone, by phase: give it in its own "
            "call, without the other {} model(s)",
            join(llms, ", "), opt->models.size() - 1);
      }
      run_llm_analyze(ctx, {llms.front(), opt->batches, sub->count("--dtype") ? opt->dtype : "bf16",
                            opt->chips, opt->layers, opt->format, opt->llm});
      return;
    }
    opt->batch_given = sub->count("--batch") > 0;
    run_analyze(ctx, *opt);
  });
}

DNNROOF_COMMAND(300, register_analyze);

}  // namespace
}  // namespace dnnroof::cli

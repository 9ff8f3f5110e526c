// `dnnroof analyze MODEL --phase prefill|decode` for decoder-only language
// models (docs/llm.md). Not a subcommand of its own: cmd_analyze.cc adds the
// options below and hands over to run_llm_analyze() when wants_llm_analyze().

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "analyze_llm.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "report/chart.h"
#include "report/figures_llm.h"
#include "report/gnuplot.h"
#include "zoo/zoo.h"

namespace dnnroof::cli {

void add_llm_analyze_options(CLI::App& sub, LlmAnalyzeOptions& o) {
  sub.add_option("--phase", o.phase,
                 "Language models: prefill (a prompt of --context tokens) or decode (one token "
                 "with a KV cache of --context tokens); default decode")
      ->check(CLI::IsMember({"prefill", "decode"}));
  sub.add_option("--context", o.contexts,
                 "Language models: prompt length (prefill) or KV-cache length (decode), "
                 "comma-separated (default 512)")
      ->delimiter(',');
  sub.add_option(
      "--weight-dtype", o.weight_dtype,
      "Language models: weight storage fp32, fp16, bf16, int8 or int4 (default --dtype)");
  sub.add_option(
      "--kv-dtype", o.kv_dtype,
      "Language models: KV-cache storage fp32, fp16, bf16, fp8 or int8 (default --dtype)");
  sub.add_flag("--all-logits", o.all_logits,
               "Language models, prefill: logits for every prompt token (a plain forward), not "
               "only the last one per sequence");
  sub.add_option("--figures", o.figures,
                 "Language models: write the sweep's figures (PNG) into this folder: decode on "
                 "the roofline by batch, tokens/s against batch, prefill vs decode, memory "
                 "against context (needs --chip; docs/llm.md)");
}

bool wants_llm_analyze(const std::string& model, const LlmAnalyzeOptions& o) {
  if (!o.phase.empty() || !o.contexts.empty() || !o.weight_dtype.empty() || !o.kv_dtype.empty() ||
      o.all_logits || !o.figures.empty()) {
    return true;
  }
  const auto lower = to_lower(model);
  for (const auto& z : zoo_models()) {
    if (z.name == lower) return false;  // the zoo's graph (gpt2) unless --phase says otherwise
  }
  if (llm::is_llm_reference(model)) return true;
  // A near miss of a shipped LLM name ("llama-3-8c") gets the LLM error,
  // which lists the shipped configs.
  for (const auto& name : llm::builtin_llm_names()) {
    if (edit_distance(lower, name) <= 2) return true;
  }
  return false;
}

namespace {

Cell si(double value, std::string_view unit) { return Cell(value, format_si(value, unit)); }
Cell number(double value) { return Cell(value, fmt::format("{:.4g}", value)); }
Cell integer(std::int64_t v) { return Cell(static_cast<double>(v), std::to_string(v)); }
Cell seconds(double s) { return Cell(s, format_si(s, "s")); }

std::string describe(const llm::LlmConfig& c, const llm::Precision& p) {
  const auto params = llm::count_parameters(c);
  std::string moe;
  if (c.is_moe()) {
    moe = fmt::format(", {} experts ({} per token), {} active", c.experts, c.experts_per_token,
                      format_si(static_cast<double>(params.active), "params"));
  }
  return fmt::format(
      "{} ({}): {}, {} layers, hidden {}, {} heads / {} KV heads ({}), head dim {}, "
      "intermediate {}, {}, {}, {}, {} embeddings{}{}, {}{}, max positions {}\n"
      "weights {}, activations {}, KV cache {} = {} per token per sequence\n",
      c.name, c.origin, c.model_type, c.layers, c.hidden, c.heads, c.kv_heads, c.attention_kind(),
      c.head_dim, c.intermediate, llm::mlp_kind_name(c.mlp), llm::norm_kind_name(c.norm),
      c.position == llm::PositionKind::rotary ? "rotary" : "learned positions",
      c.tied_embeddings ? "tied" : "untied",
      c.sliding_window > 0 ? fmt::format(", sliding window {}", c.sliding_window) : "", moe,
      format_si(static_cast<double>(params.total), "params"), c.is_moe() ? " in total" : "",
      c.max_positions, p.weights, p.activations, p.kv_cache,
      format_si(llm::kv_bytes_per_token(c, p), "B"));
}

// The sweep's figures (figures_llm.h) as PNG files in `dir`; paths to stderr.
void write_llm_figures(const llm::LlmConfig& cfg, const llm::Precision& prec,
                       const std::vector<std::int64_t>& batches,
                       const std::vector<std::int64_t>& contexts, const Catalog& catalog,
                       const std::vector<std::string>& chips, const std::string& dir) {
  LlmSweep sweep;
  sweep.models = {cfg};
  sweep.batches = batches;
  std::sort(sweep.batches.begin(), sweep.batches.end());
  sweep.batches.erase(std::unique(sweep.batches.begin(), sweep.batches.end()), sweep.batches.end());
  sweep.contexts = contexts;
  std::sort(sweep.contexts.begin(), sweep.contexts.end());
  sweep.contexts.erase(std::unique(sweep.contexts.begin(), sweep.contexts.end()),
                       sweep.contexts.end());
  sweep.precision = prec;
  for (const auto& id : chips) sweep.chips.push_back(llm_chip(catalog.get(id), prec.compute()));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) fail("--figures {}: cannot create it: {}", dir, ec.message());
  for (const FigureBlock& f : llm_sweep_figures(sweep)) {
    const auto png = std::filesystem::path(dir) / (f.id + ".png");
    if (f.chart) {
      render_chart(*f.chart, png);
    } else {
      PlotLayout layout;
      layout.columns = f.panels.size() > 1 ? 2 : 1;
      render_roofline(f.panels, f.title, png, layout);
    }
    fmt::print(stderr, "wrote {}: {}\n", png.string(), f.title);
  }
}

}  // namespace

void run_llm_analyze(const Context& ctx, const LlmAnalyzeRequest& r) {
  const auto lower_model = to_lower(r.model);
  const bool onnx =
      lower_model.size() >= 5 && lower_model.substr(lower_model.size() - 5) == ".onnx";
  const bool zoo_only = std::any_of(zoo_models().begin(), zoo_models().end(), [&](const auto& z) {
    return z.name == lower_model && !llm::is_llm_reference(lower_model);
  });
  if (onnx || zoo_only) {
    fail(
        "'{}' is not a language-model config: --phase, --context, --weight-dtype, --kv-dtype "
        "and --all-logits apply to {} or a config.json path",
        r.model, join(llm::builtin_llm_names(), ", "));
  }
  const auto cfg = llm::resolve_llm(r.model);
  const auto lower_dtype = to_lower(r.dtype);
  if (lower_dtype == "int8" || lower_dtype == "int4") {
    fail(
        "--dtype {} would quantise activations too; use --weight-dtype {} (and --kv-dtype "
        "int8) with --dtype fp16 or bf16",
        r.dtype, r.dtype);
  }
  llm::Precision prec;
  prec.activations = r.dtype;
  prec.weights = r.llm.weight_dtype.empty() ? r.dtype : r.llm.weight_dtype;
  prec.kv_cache = r.llm.kv_dtype.empty() ? r.dtype : r.llm.kv_dtype;
  prec.validate();
  const auto phase = llm::parse_phase(r.llm.phase.empty() ? "decode" : r.llm.phase);
  const std::vector<std::int64_t> contexts =
      r.llm.contexts.empty() ? std::vector<std::int64_t>{512} : r.llm.contexts;
  if (r.batches.empty()) fail("--batch needs at least one value");

  std::optional<Catalog> catalog;
  std::vector<llm::Roof> roofs;
  if (!r.chips.empty()) {
    catalog = load_catalog(ctx.catalog_files);
    for (const auto& id : r.chips) roofs.push_back(llm::roof_of(catalog->get(id), prec.compute()));
  }
  const bool with_chips = !roofs.empty();
  if (!r.llm.figures.empty() && !with_chips) {
    fail(
        "--figures {}: the figures place the model on chips' rooflines; give --chip (e.g. "
        "--chip h100-sxm,a100-sxm4-80gb)",
        r.llm.figures);
  }
  if (!r.llm.figures.empty() && find_gnuplot().empty()) {
    fail(
        "--figures {}: gnuplot is needed to draw them and was not found (install it, e.g. "
        "`apt-get install gnuplot`)",
        r.llm.figures);
  }
  const std::string tput = phase == llm::Phase::decode ? "tokens/s" : "prompt tokens/s";

  std::vector<std::string> wcols{"model", "phase",        "batch",         "context", "FLOPs",
                                 "bytes", "weights read", "KV read+write", "FLOP/B"};
  std::vector<std::string> wkeys{"model", "phase",        "batch",    "context",  "flops",
                                 "bytes", "weight_bytes", "kv_bytes", "intensity"};
  if (with_chips) {
    wcols.insert(wcols.end(), {"chip", "bound", "time (lower bound)", tput + " (upper bound)",
                               "TTFT (lower bound)"});
    wkeys.insert(wkeys.end(), {"chip", "bound", "time_s", "tokens_per_s", "ttft_s"});
  }
  std::vector<std::string> mcols{"model",   "phase",    "batch",       "context",
                                 "weights", "KV cache", "activations", "memory needed"};
  std::vector<std::string> mkeys{"model",
                                 "phase",
                                 "batch",
                                 "context",
                                 "weights_bytes",
                                 "kv_cache_bytes",
                                 "activation_bytes",
                                 "memory_bytes"};
  if (with_chips) {
    mcols.insert(mcols.end(), {"chip", "chip memory", "fits", "max batch at this context",
                               "max context at this batch"});
    mkeys.insert(mkeys.end(), {"chip", "chip_memory_bytes", "fits", "max_batch", "max_context"});
  }
  // CSV/JSON: one flat row per configuration and chip with every column.
  std::vector<std::string> fcols = wcols, fkeys = wkeys;
  for (std::size_t i = 4; i < mcols.size(); ++i) {
    if (mkeys[i] == "chip") continue;
    fcols.push_back(mcols[i]);
    fkeys.push_back(mkeys[i]);
  }
  Table work(wcols, wkeys), memory(mcols, mkeys), flat(fcols, fkeys);
  Table ops({"batch", "context", "chip", "op", "x", "FLOPs", "weights read", "activations",
             "KV read+write", "FLOP/B", "bound", "time", "share of time"},
            {"batch", "context", "chip", "op", "count", "flops", "weight_bytes", "activation_bytes",
             "kv_bytes", "intensity", "bound", "time_s", "time_share"});
  const bool single = r.batches.size() == 1 && contexts.size() == 1;
  const bool want_ops = r.layers || single;

  for (const auto batch : r.batches) {
    for (const auto context : contexts) {
      const llm::Workload w{phase, batch, context, r.llm.all_logits};
      const auto cost = llm::phase_cost(cfg, w, prec);
      const auto mem = llm::memory_needed(cfg, w, prec);
      const double kv = cost.kv_read_bytes() + cost.kv_write_bytes();
      std::vector<Cell> head{cfg.name, std::string(llm::phase_name(phase)), integer(batch),
                             integer(context)};
      std::vector<Cell> wrow = head;
      wrow.insert(wrow.end(),
                  {si(cost.flops(), "FLOP"), si(cost.bytes(), "B"), si(cost.weight_bytes(), "B"),
                   si(kv, "B"), number(cost.intensity())});
      std::vector<Cell> mrow = head;
      mrow.insert(mrow.end(), {si(mem.weights, "B"), si(mem.kv_cache, "B"),
                               si(mem.activations, "B"), si(mem.total(), "B")});
      if (!with_chips) {
        work.add_row(wrow);
        memory.add_row(mrow);
        auto f = wrow;
        f.insert(f.end(), mrow.begin() + 4, mrow.end());
        flat.add_row(f);
      }
      // Time to first token: prefill of a prompt of `context` tokens.
      const llm::Workload prompt{llm::Phase::prefill, batch, std::max<std::int64_t>(context, 1),
                                 r.llm.all_logits};
      const auto prefill = phase == llm::Phase::prefill ? cost : llm::phase_cost(cfg, prompt, prec);
      for (std::size_t ci = 0; ci < roofs.size(); ++ci) {
        const auto& roof = roofs[ci];
        const auto t = llm::bound_phase(cost, roof);
        const double ttft = llm::bound_phase(prefill, roof).time_s;
        const double tokens = static_cast<double>(w.tokens());
        auto wr = wrow;
        wr.insert(wr.end(), {roof.chip, t.memory_bound ? "memory" : "compute", seconds(t.time_s),
                             number(tokens / t.time_s), seconds(ttft)});
        auto mr = mrow;
        const bool fits = roof.capacity <= 0 || mem.total() <= roof.capacity;
        mr.insert(mr.end(), {roof.chip, si(roof.capacity, "B"),
                             roof.capacity <= 0 ? "unknown" : (fits ? "yes" : "no"),
                             integer(llm::max_batch_that_fits(cfg, w, prec, roof.capacity)),
                             integer(llm::max_context_that_fits(cfg, w, prec, roof.capacity))});
        work.add_row(wr);
        memory.add_row(mr);
        auto f = wr;
        f.insert(f.end(), mr.begin() + 4, mr.begin() + 8);
        f.insert(f.end(), mr.begin() + 9, mr.end());
        flat.add_row(f);
      }
      if (want_ops) {
        const llm::Roof* roof = with_chips ? &roofs.front() : nullptr;
        const double total = roof ? llm::bound_phase(cost, *roof).time_s : 0;
        for (const auto& o : cost.ops) {
          std::vector<Cell> row{integer(batch),
                                integer(context),
                                roof ? roof->chip : "",
                                o.name,
                                integer(o.count),
                                si(o.flops, "FLOP"),
                                si(o.weight_bytes, "B"),
                                si(o.activation_bytes, "B"),
                                si(o.kv_read_bytes + o.kv_write_bytes, "B"),
                                number(o.intensity())};
          if (roof) {
            const auto b = llm::bound_op(o, *roof);
            row.insert(row.end(),
                       {b.memory_bound ? "memory" : "compute", seconds(b.time_s),
                        Cell(b.time_s / total, fmt::format("{:.1f}%", 100 * b.time_s / total))});
          } else {
            row.insert(row.end(), {"", "", ""});
          }
          ops.add_row(std::move(row));
        }
      }
    }
  }

  if (!r.llm.figures.empty()) {
    write_llm_figures(cfg, prec, r.batches, contexts, *catalog, r.chips, r.llm.figures);
  }
  const auto format = parse_output_format(r.format);
  switch (format) {
    case OutputFormat::table:
      fmt::print("{}", describe(cfg, prec));
      if (cfg.is_moe()) {
        fmt::print(
            "MoE weight traffic: the expected distinct experts per layer, "
            "E(1-(1-k/E)^tokens) under uniform routing\n");
      }
      fmt::print("\n{}\n{}", work.render(format), memory.render(format));
      if (want_ops) {
        fmt::print("\nPer op (layer ops summed over the {} layers; x = instances){}:\n{}",
                   cfg.layers, with_chips ? fmt::format(", on {}", roofs.front().chip) : "",
                   ops.render(format));
      }
      break;
    case OutputFormat::csv:
      fmt::print("{}", (r.layers ? ops : flat).render(format));
      break;
    case OutputFormat::json: {
      std::string out = fmt::format("{{\"configurations\": {}", trim(flat.to_json()));
      if (want_ops) out += fmt::format(", \"ops\": {}", trim(ops.to_json()));
      fmt::print("{}}}\n", out);
      break;
    }
  }
}

}  // namespace dnnroof::cli

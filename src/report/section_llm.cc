// The report's language-model section: prefill and decode on the roofline
// (section_llm.h). Its parts: section_llm_input.cc (models and chips),
// section_llm_bounds.cc (static bounds, memory fit), section_llm_measured.cc
// (measured steps); here the section's text, tables and figures.

#include "report/section_llm.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/roofline.h"
#include "report/section_models.h"

namespace dnnroof {
namespace {

Cell si(double v, std::string_view unit) { return Cell(v, format_si(v, unit)); }
Cell integer(std::int64_t v) { return Cell(static_cast<double>(v), std::to_string(v)); }
Cell num3(double v) { return Cell(v, fmt::format("{:.3g}", v)); }

std::string contexts_text(const std::vector<std::int64_t>& v) {
  std::vector<std::string> s;
  for (auto x : v) s.push_back(std::to_string(x));
  return list_text(s);
}

// "222", "1714", "4.5": a rate for people (no exponents).
std::string rate_text(double v) {
  return v >= 100 ? fmt::format("{:.0f}", v) : fmt::format("{:.3g}", v);
}

// Every configuration: `full` (data file, one column per quantity) and a
// compact table for the page (intensity and bound in one cell).
std::pair<Table, Table> bounds_tables(const std::vector<LlmPoint>& pts) {
  Table full({"model", "chip", "batch", "context", "decode FLOP/B", "decode bound",
              "decode step (lower bound)", "tokens/s (upper bound)", "prefill FLOP/B",
              "prefill bound", "TTFT (lower bound)", "memory needed (decode)", "fits"},
             {"model", "chip", "batch", "context", "decode_intensity", "decode_bound",
              "decode_time_s", "decode_tokens_per_s", "prefill_intensity", "prefill_bound",
              "ttft_s", "decode_memory_bytes", "fits"});
  Table page({"model", "chip", "batch", "context", "decode FLOP/B (bound)",
              "step >=", "tokens/s <=", "prefill FLOP/B (bound)", "TTFT >=", "memory (fits)"});
  std::map<std::tuple<std::string, std::string, std::int64_t, std::int64_t>, const LlmPoint*> pre;
  for (const LlmPoint& p : pts) {
    if (p.phase == llm::Phase::prefill) pre[{p.model, p.chip, p.batch, p.context}] = &p;
  }
  auto bound = [](const LlmPoint& p) { return p.memory_bound ? "memory" : "compute"; };
  for (const LlmPoint& d : pts) {
    if (d.phase != llm::Phase::decode) continue;
    const LlmPoint* p = pre.at({d.model, d.chip, d.batch, d.context});
    full.add_row({d.model, d.chip, integer(d.batch), integer(d.context), num3(d.intensity()),
                  bound(d), si(d.time_s, "s"),
                  Cell(d.tokens_per_s(), fmt::format("{:.4g}", d.tokens_per_s())),
                  num3(p->intensity()), bound(*p), si(p->time_s, "s"), si(d.memory_need, "B"),
                  d.fits ? "yes" : "no"});
    page.add_row({d.model, d.chip, integer(d.batch), integer(d.context),
                  fmt::format("{} ({})", format_intensity(d.intensity()), bound(d)),
                  format_si(d.time_s, "s"), rate_text(d.tokens_per_s()),
                  fmt::format("{} ({})", format_intensity(p->intensity()), bound(*p)),
                  format_si(p->time_s, "s"),
                  fmt::format("{} ({})", format_si(d.memory_need, "B"), d.fits ? "yes" : "no")});
  }
  return {std::move(full), std::move(page)};
}

std::vector<Ceiling> figure_ceilings(const MeasuredDevice& d, const std::vector<std::size_t>& idx) {
  std::vector<Ceiling> out;
  for (std::size_t i : idx) {
    const RoofCeiling& c = d.ceilings[i];
    // The ridge label: the chip alone, short, so it stays inside the plot.
    out.push_back(
        {c, fmt::format("{} {} {}", c.chip_id, dtype_name(c.precision), c.level), c.chip_id});
  }
  return out;
}

// The measured steps of one device under its roofs: each step beside its
// bound (the same intensity, at FLOPs / lower-bound time), and its op groups.
FigureBlock measured_figure(const MeasuredDevice& d, const std::vector<const LlmMeasured*>& ms,
                            const std::string& id) {
  std::vector<std::size_t> drawn = drawn_ceilings(d.ceilings);
  std::vector<std::size_t> main_only;
  for (std::size_t i : drawn) {
    if (d.ceilings[i].is_main) main_only.push_back(i);
  }
  if (main_only.empty()) main_only = drawn;
  auto ceiling_index = [&](std::size_t binding) {
    const auto it = std::find(main_only.begin(), main_only.end(), binding);
    if (it != main_only.end()) return static_cast<std::size_t>(it - main_only.begin());
    main_only.push_back(binding);
    return main_only.size() - 1;
  };
  std::vector<PointInput> whole;
  std::vector<std::pair<std::string, std::vector<PointInput>>> ops;  // per step: its op groups
  std::vector<std::string> warnings;
  for (const LlmMeasured* m : ms) {
    PointInput bound;
    bound.label = m->label + " bound";
    bound.group = "lower bound (src/llm)";
    bound.kind = PointKind::measured;
    bound.intensity = m->placement.intensity();
    bound.flops = m->placement.work.flops / m->bound_s;
    bound.ceiling = ceiling_index(m->placement.binding);
    whole.push_back(bound);
    PointInput p;
    p.label = m->label;
    p.group = fmt::format("measured {}", m->record->llm_phase);
    p.intensity = m->placement.intensity();
    p.flops = m->placement.achieved_flops;
    p.ceiling = ceiling_index(m->placement.binding);
    whole.push_back(p);
    if (m->placement.above_roof) warnings.push_back(m->placement.above_roof->explanation);
    if (m->ops.empty()) continue;
    ops.emplace_back(m->label, std::vector<PointInput>{});
    for (const LlmOpMeasured& o : m->ops) {
      PointInput q;
      q.label = o.op;
      q.group = o.op;
      q.intensity = o.placement.intensity();
      q.flops = o.placement.achieved_flops;
      q.ceiling = ceiling_index(o.placement.binding);
      ops.back().second.push_back(q);
      if (o.placement.above_roof) warnings.push_back(o.placement.above_roof->explanation);
    }
  }
  FigureBlock f;
  f.id = id;
  f.title = fmt::format("Measured prefill and decode on {}", d.name);
  f.panels.push_back(build_roofline_figure("Whole steps: measured and their lower bound",
                                           figure_ceilings(d, main_only), whole));
  for (auto& [label, points] : ops) {
    f.panels.push_back(build_roofline_figure(fmt::format("{}: per op group (layers summed)", label),
                                             figure_ceilings(d, main_only), std::move(points)));
  }
  for (RooflineFigure& p : f.panels) p.warnings = warnings;
  f.caption = fmt::format(
      "Each measured step at its intensity (src/llm's FLOPs / bytes) and FLOPs / its median "
      "time, beside its lower bound at the same intensity (FLOPs / the sum over ops of max(FLOPs "
      "/ peak, bytes / bandwidth)): the vertical distance is the gap the text explains.{} {}",
      ops.empty()
          ? ""
          : " Below, for each step timed per layer: its op groups, each op's layers summed, at "
            "the op's intensity and FLOPs / that time.",
      d.note);
  if (!warnings.empty()) {
    f.caption += fmt::format(" Above a roof (flagged): {}", join(warnings, " "));
  }
  return f;
}

}  // namespace

MeasuredSection build_llm_section(const LlmSectionInput& in, const std::string& number) {
  MeasuredSection out;
  Section& s = out.section = numbered_section("llm", number, "Language models: prefill and decode");
  const LlmSweep& sw = in.sweep;
  SubsectionHeadings heading(s, number);
  if (sw.models.empty() || sw.chips.empty()) {
    s.blocks.emplace_back(Paragraph{
        fmt::format("No language model could be studied: {}.",
                    sw.models.empty() ? "no model was given (`--llm`) or could be read"
                                      : "no chip has a peak at the precision asked for")});
    for (const std::string& n : in.notes) out.flags.push_back(n);
    return out;
  }
  std::vector<std::string> models, chips;
  for (const auto& m : sw.models) models.push_back(m.name);
  for (const LlmChip& c : sw.chips) chips.push_back(c.id);
  std::vector<std::string> batches;
  for (auto b : sw.batches) batches.push_back(std::to_string(b));
  s.blocks.emplace_back(Paragraph{fmt::format(
      "Decoder-only transformers ({}) from their config.json, at {} (weights, activations and KV "
      "cache), on {}: a prefill (a prompt of P tokens per sequence, empty cache) and a decode "
      "step (one new token per sequence with a KV cache of C tokens) at batch {} and P = C = "
      "{} tokens. FLOPs and bytes per op come from dnnroof's analytic per-phase model "
      "(docs/llm.md: causal attention counted exactly, fused attention, the KV cache as memory "
      "traffic, weights read once per step), bounded per op by max(FLOPs / peak, bytes / "
      "bandwidth) on each chip's main-memory roof and summed. The same numbers: `dnnroof "
      "analyze {} --batch {} --context {} --chip {} --figures DIR`.",
      list_text(models), sw.precision.activations, list_text(chips), list_text(batches),
      contexts_text(sw.contexts), models.front(), join(batches, ","),
      join(
          [&] {
            std::vector<std::string> c;
            for (auto x : sw.contexts) c.push_back(std::to_string(x));
            return c;
          }(),
          ","),
      join(chips, ","))});

  // Bounds, figures and where decode stops being memory-bound.
  heading("Prefill and decode on the roofline");
  const std::vector<LlmPoint> pts = llm_sweep_points(sw);
  std::vector<FigureBlock> figs = llm_sweep_figures(sw);
  std::vector<FigureBlock> memory_figs;
  for (FigureBlock& f : figs) {
    if (f.id.starts_with("llm-memory-")) {
      memory_figs.push_back(std::move(f));
    } else {
      s.blocks.emplace_back(std::move(f));
    }
  }
  for (std::string& p : llm_bound_commentary(sw)) s.blocks.emplace_back(Paragraph{std::move(p)});
  auto [bt, page] = bounds_tables(pts);
  s.blocks.emplace_back(TableBlock{
      "Per configuration and chip: decode step and prefill of the same batch and context "
      "(intensity, what bounds it, the lower-bound time), decode tokens/s at best, and the "
      "memory a decode step needs and whether it fits (data/llm_bounds.csv has each quantity in "
      "its own column).",
      page});
  out.data.push_back(DataFile{"llm_bounds", bt});
  Table xt({"model", "chip", "context", "ridge FLOP/B", "decode compute-bound from batch",
            "per-sequence FLOP/B", "largest batch that fits"},
           {"model", "chip", "context", "ridge", "crossover_batch", "per_sequence_intensity",
            "max_batch"});
  for (const auto& m : sw.models) {
    for (const LlmChip& c : sw.chips) {
      for (auto ctx : sw.contexts) {
        const DecodeCrossover x = decode_crossover(m, c, sw.precision, ctx);
        xt.add_row({m.name, c.id, integer(ctx), num3(x.ridge),
                    x.batch > 0 ? integer(x.batch) : Cell("never"), num3(x.per_sequence_intensity),
                    x.max_batch_that_fits >= 0 ? integer(x.max_batch_that_fits) : Cell("unknown")});
      }
    }
  }
  s.blocks.emplace_back(TableBlock{
      "The batch at which decode stops being memory-bound (searched up to 2^20), the intensity "
      "each added sequence brings (what decode tends to as the batch grows), and the largest "
      "batch whose weights, KV cache and activations fit the chip's memory "
      "(data/llm_crossover.csv).",
      xt});
  out.data.push_back(DataFile{"llm_crossover", xt});

  heading("Memory: weights and KV cache against each chip's memory");
  for (FigureBlock& f : memory_figs) s.blocks.emplace_back(std::move(f));
  for (std::string& p : llm_memory_commentary(sw)) s.blocks.emplace_back(Paragraph{std::move(p)});

  heading("Measured prefill and decode");
  std::vector<std::string> problems;
  const std::vector<LlmMeasured> measured = llm_measured(in, problems);
  if (measured.empty()) {
    s.blocks.emplace_back(Paragraph{
        in.records.empty()
            ? "No prefill or decode step was measured for this report (no result record with a "
              "language-model phase), so only the bounds above are shown. Records with `llm` "
              "phase and context (docs/results-schema.md), measured here or read with "
              "`--results`, are placed here under the same roofs."
            : "None of the language-model records could be placed (see below)."});
  } else {
    Table mt({"model", "phase", "batch", "context", "device", "op", "measured", "n", "lower bound",
              "measured / bound", "bound", "% of roof", "binding ceiling"},
             {"model", "phase", "batch", "context", "device", "op", "time_s", "n", "bound_s",
              "ratio", "bound", "percent_of_roof", "ceiling"});
    // The page's table: the step in one cell (the data file splits it).
    Table mpage(
        {"step", "op", "measured", "n", "lower bound", "measured / bound", "bound", "% of roof"});
    for (const LlmMeasured& m : measured) {
      const TimingStats& ts = m.record->timings.at(Phase::forward);
      auto row = [&](const std::string& op, double time, std::size_t n, double bound, bool mem,
                     const Placement& p) {
        mt.add_row(
            {m.record->model, m.record->llm_phase, integer(m.record->batch),
             integer(m.record->llm_context), m.device->short_name, op, si(time, "s"),
             integer(static_cast<std::int64_t>(n)), si(bound, "s"),
             Cell(time / bound, ratio_text(time / bound)), mem ? "memory" : "compute",
             Cell(p.percent_of_attainable(), fmt::format("{:.1f}%", p.percent_of_attainable())),
             m.device->ceilings.at(p.binding).short_label() + " " +
                 m.device->ceilings.at(p.binding).level});
        mpage.add_row({fmt::format("{} on {}", m.label, m.device->short_name), op,
                       format_si(time, "s"), std::to_string(n), format_si(bound, "s"),
                       ratio_text(time / bound), mem ? "memory" : "compute",
                       fmt::format("{:.1f}%", p.percent_of_attainable())});
      };
      row("(whole step)", m.time_s, ts.n, m.bound_s, m.memory_bound, m.placement);
      for (const LlmOpMeasured& o : m.ops) {
        row(o.op, o.time_s, o.layers, o.bound_s, o.memory_bound, o.placement);
      }
    }
    std::map<std::string, std::vector<const LlmMeasured*>> by_device;
    std::vector<const MeasuredDevice*> order;
    for (const LlmMeasured& m : measured) {
      if (by_device[m.device->key].empty()) order.push_back(m.device);
      by_device[m.device->key].push_back(&m);
    }
    for (std::size_t i = 0; i < order.size(); ++i) {
      const MeasuredDevice* d = order[i];
      std::string id = fmt::format("llm-measured-{}", d->chip_id);
      for (char& c : id) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') c = '-';
      }
      if (order.size() > 1) id += fmt::format("-{}", i + 1);
      try {
        s.blocks.emplace_back(measured_figure(*d, by_device[d->key], id));
      } catch (const Error& e) {
        problems.push_back(
            fmt::format("no measured language-model roofline for {}: {}", d->short_name, e.what()));
      }
    }
    for (std::string& p : llm_measured_commentary(measured)) {
      s.blocks.emplace_back(Paragraph{std::move(p)});
    }
    s.blocks.emplace_back(TableBlock{
        "Measured steps (forward median; n samples, or layers summed for an op group) against "
        "src/llm's lower bound on the device's main-memory roof, and the share of the binding "
        "roof reached (data/llm_measured.csv also names the binding ceiling).",
        mpage});
    out.data.push_back(DataFile{"llm_measured", mt});
    for (const LlmMeasured& m : measured) {
      if (m.placement.above_roof) out.flags.push_back(m.placement.above_roof->explanation);
    }
  }
  std::vector<std::string> notes = in.notes;
  notes.insert(notes.end(), problems.begin(), problems.end());
  if (!notes.empty()) s.blocks.emplace_back(NoteBox{"Left out of this section", notes});
  return out;
}

}  // namespace dnnroof

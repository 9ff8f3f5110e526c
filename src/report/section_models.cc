#include "report/section_models.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/chip_rooflines.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace {

// Values spanning more decades than this get a log axis (the label says so).
constexpr double kLogDecades = 1.5;

std::string chip_name(const Chip& c) { return c.name.empty() ? c.id : c.name; }

double decades(const std::vector<double>& v) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = 0;
  for (double x : v) {
    if (x > 0 && std::isfinite(x)) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  }
  return hi > 0 && std::isfinite(lo) ? std::log10(hi / lo) : 0;
}

AxisScale scale_for(const std::vector<double>& v, std::string& label) {
  const double d = decades(v);
  if (d <= kLogDecades) return AxisScale::linear;
  label += fmt::format(" (log scale: {:.1f} decades)", d);
  return AxisScale::log;
}

template <class F>
std::size_t argmin(const std::vector<ModelCosts>& m, F f) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (f(m[i]) < f(m[best])) best = i;
  }
  return best;
}
template <class F>
std::size_t argmax(const std::vector<ModelCosts>& m, F f) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < m.size(); ++i) {
    if (f(m[i]) > f(m[best])) best = i;
  }
  return best;
}

std::string list_names(const std::vector<std::string>& names) {
  if (names.empty()) return "none";
  if (names.size() == 1) return names[0];
  std::vector<std::string> head(names.begin(), names.end() - 1);
  return join(head, ", ") + " and " + names.back();
}

std::vector<std::int64_t> batches_of(const std::vector<ModelCosts>& models) {
  std::vector<std::int64_t> b;
  for (const auto& [batch, cost] : models.front().infer) b.push_back(batch);
  return b;
}

const ModelCost& at(const ModelCosts& m, std::int64_t batch) { return m.infer.at(batch); }

Table models_table(const std::vector<ModelCosts>& models,
                   const std::vector<std::int64_t>& batches) {
  Table t({"Model", "Batch", "GMACs fwd", "GFLOPs fwd", "of which matmul-class", "GFLOPs bwd",
           "bwd/fwd FLOPs", "Params", "Activations", "Traffic (no reuse)", "Traffic (compulsory)",
           "OI no reuse [FLOP/B]", "OI compulsory [FLOP/B]"},
          {"model", "batch", "macs_forward", "flops_forward", "matmul_flops_forward",
           "flops_backward", "backward_forward_flops_ratio", "params", "activation_bytes",
           "traffic_no_reuse_bytes", "traffic_compulsory_bytes", "intensity_no_reuse_flop_per_byte",
           "intensity_compulsory_flop_per_byte"});
  for (std::int64_t b : batches) {
    for (const ModelCosts& m : models) {
      const ModelCost& c = at(m, b);
      const auto tr = m.train.find(b);
      const double bwd = tr != m.train.end() ? tr->second.backward.flops() : NAN;
      const double ratio = bwd / c.forward.flops();
      const double compulsory = c.compulsory_forward_bytes;
      t.add_row({m.name, Cell(b, fmt::format("{}", b)),
                 Cell(c.forward.macs, fmt::format("{:.3f}", c.forward.macs / 1e9)),
                 Cell(c.forward.flops(), fmt::format("{:.3f}", c.forward.flops() / 1e9)),
                 Cell(c.forward.matmul_flops, fmt::format("{:.3f}", c.forward.matmul_flops / 1e9)),
                 std::isfinite(bwd) ? Cell(bwd, fmt::format("{:.3f}", bwd / 1e9)) : Cell("-"),
                 std::isfinite(ratio) ? Cell(ratio, fmt::format("{:.3f}", ratio)) : Cell("-"),
                 Cell(c.params, format_si(c.params, "")),
                 Cell(c.activation_bytes, format_si(c.activation_bytes, "B")),
                 Cell(c.forward.bytes(), format_si(c.forward.bytes(), "B")),
                 Cell(compulsory, format_si(compulsory, "B")),
                 Cell(c.forward.intensity(), format_intensity(c.forward.intensity())),
                 Cell(c.intensity_compulsory(), format_intensity(c.intensity_compulsory()))});
    }
  }
  return t;
}

FigureBlock bar_figure(std::string id, std::string title, std::string y_label,
                       const std::vector<ModelCosts>& models,
                       const std::vector<std::pair<std::string, std::vector<double>>>& series,
                       std::string caption, int decimals) {
  Chart c;
  c.kind = ChartKind::bars;
  c.title = std::move(title);
  c.x_label = "Model";
  for (const ModelCosts& m : models) c.categories.push_back(m.name);
  std::vector<double> all;
  for (const auto& [name, values] : series) {
    c.series.push_back(bar_series(name, values));
    all.insert(all.end(), values.begin(), values.end());
  }
  c.y_scale = scale_for(all, y_label);
  c.y_label = std::move(y_label);
  c.label_values = series.size() <= 2 && models.size() <= 14;
  c.value_decimals = decimals;
  validate_chart(c);
  FigureBlock f;
  f.id = std::move(id);
  f.title = c.title;
  f.caption = std::move(caption);
  f.chart = std::move(c);
  return f;
}

}  // namespace

std::string ratio_text(double ratio) {
  if (!std::isfinite(ratio)) return "n/a";
  return ratio < 10 ? fmt::format("{:.1f}x", ratio) : fmt::format("{:.0f}x", ratio);
}

ModelCosts compute_model_costs(const std::string& source, const std::string& display_name,
                               const std::vector<std::int64_t>& batches, DType dtype,
                               const GraphLoader& load) {
  ModelCosts m;
  m.name = display_name;
  if (!load) fail("model {}: no model loader given to cost it", source);
  for (std::int64_t b : batches) {
    LoadedModel loaded = load(source, b, dtype);
    m.family = std::move(loaded.family);
    const Graph& g = loaded.graph;
    CostOptions o;
    o.dtype = dtype;
    m.infer.emplace(b, estimate_cost(g, o));
    o.training = true;
    m.train.emplace(b, estimate_cost(g, o));
  }
  return m;
}

std::vector<std::string> model_commentary(const std::vector<ModelCosts>& models,
                                          const ModelSectionOptions& o) {
  std::vector<std::string> out;
  if (models.empty()) return out;
  const std::vector<std::int64_t> batches = batches_of(models);
  const std::int64_t b0 = batches.front();
  const std::int64_t b1 = batches.back();
  auto flops = [&](const ModelCosts& m) { return at(m, b0).forward.flops(); };
  auto params = [&](const ModelCosts& m) { return at(m, b0).params; };
  auto acts = [&](const ModelCosts& m) { return at(m, b0).activation_bytes; };
  const std::size_t fmin = argmin(models, flops), fmax = argmax(models, flops);
  const std::size_t pmin = argmin(models, params), pmax = argmax(models, params);

  if (models.size() >= 2) {
    std::string text = fmt::format(
        "At batch {}, forward FLOPs range from {} ({}) to {} ({}), {} apart; parameters from {} "
        "({}) to {} ({}), {} apart.",
        b0, format_si(flops(models[fmin]), "FLOP"), models[fmin].name,
        format_si(flops(models[fmax]), "FLOP"), models[fmax].name,
        ratio_text(flops(models[fmax]) / flops(models[fmin])), format_si(params(models[pmin]), ""),
        models[pmin].name, format_si(params(models[pmax]), ""), models[pmax].name,
        ratio_text(params(models[pmax]) / params(models[pmin])));
    // FLOPs per parameter: how much work each weight does.
    auto fpp = [&](const ModelCosts& m) { return flops(m) / params(m); };
    const std::size_t qmin = argmin(models, fpp), qmax = argmax(models, fpp);
    // Where the low-reuse model keeps its weights: fully connected layers
    // use each weight once per sample.
    // The reason given for each extreme is the one its own parameters show.
    auto param_share = [&](const ModelCosts& m, bool conv) {
      const ModelCost& c = at(m, b0);
      double n = 0;
      for (const OpTypeCost& g : group_by_op(c)) {
        const bool is_conv = g.op == OpKind::Conv || g.op == OpKind::ConvTranspose;
        const bool is_fc = g.op == OpKind::Gemm || g.op == OpKind::MatMul;
        if (conv ? is_conv : is_fc) n += g.params;
      }
      return c.params > 0 ? n / c.params : 0;
    };
    const double hi_conv = param_share(models[qmax], true);
    const double gemm_share = param_share(models[qmin], false);
    const double lo_conv = param_share(models[qmin], true);
    text += fmt::format(
        " FLOPs and parameters measure different things: {} does {:.0f} FLOPs per "
        "parameter",
        models[qmax].name, fpp(models[qmax]));
    if (hi_conv > 0.5) {
      text += fmt::format(
          " ({:.0f}% of its parameters are convolution weights, which are reused "
          "at every output position)",
          100 * hi_conv);
    }
    text += fmt::format(", {} only {:.0f}", models[qmin].name, fpp(models[qmin]));
    if (gemm_share > 0.5) {
      text += fmt::format(
          " ({:.0f}% of its parameters are in fully connected layers, which use "
          "each weight once per sample)",
          100 * gemm_share);
    } else if (lo_conv > 0.5) {
      text += fmt::format(
          " ({:.0f}% of its parameters are convolution weights, {:.0f}% fully "
          "connected)",
          100 * lo_conv, 100 * gemm_share);
    }
    text += ".";
    if (models.size() >= 3) {
      std::vector<double> f, p;
      for (const ModelCosts& m : models) {
        f.push_back(flops(m));
        p.push_back(params(m));
      }
      const double rho = spearman(f, p);
      if (std::isfinite(rho)) {
        text += fmt::format(
            " Across the {} models the Spearman rank correlation of FLOPs and "
            "parameters is {:.2f}{}.",
            models.size(), rho,
            rho < 0.7 ? ": parameter count is a poor proxy for compute"
                      : ": the two rankings mostly agree");
      }
    }
    out.push_back(std::move(text));
  }

  // Activations against parameters.
  {
    std::vector<std::string> act_heavy;
    for (const ModelCosts& m : models) {
      if (acts(m) > at(m, b0).param_bytes) act_heavy.push_back(m.name);
    }
    const std::size_t amax = argmax(models, acts);
    std::string text = fmt::format(
        "Activation memory (the bytes of every layer output, the sum torchinfo halves from its "
        "\"forward/backward pass size\") at batch {} is largest for {} ({}); it exceeds the "
        "parameter bytes for {} of the {} models ({}).",
        b0, models[amax].name, format_si(acts(models[amax]), "B"), act_heavy.size(), models.size(),
        list_names(act_heavy));
    if (b1 != b0) {
      const ModelCosts& m = models[amax];
      text += fmt::format(
          " Activations grow with the batch and parameters do not: at batch {} {} holds {} of "
          "activations against {} of parameters.",
          b1, m.name, format_si(at(m, b1).activation_bytes, "B"),
          format_si(at(m, b1).param_bytes, "B"));
    }
    out.push_back(std::move(text));
  }

  // Intensity and the batch.
  if (b1 != b0) {
    auto gain = [&](const ModelCosts& m) {
      return at(m, b1).forward.intensity() / at(m, b0).forward.intensity();
    };
    const std::size_t gmax = argmax(models, gain), gmin = argmin(models, gain);
    const ModelCost& c = at(models[gmax], b0);
    const ModelCost& cmin = at(models[gmin], b0);
    const double pmin_share = cmin.param_bytes / cmin.forward.bytes();
    std::string text = fmt::format(
        "From batch {} to {}, {}'s no-reuse intensity goes from {} to {} FLOP/B ({}; its "
        "parameters are {:.0f}% of its traffic at batch {}",
        b0, b1, models[gmax].name, format_intensity(c.forward.intensity()),
        format_intensity(at(models[gmax], b1).forward.intensity()), ratio_text(gain(models[gmax])),
        100.0 * c.param_bytes / c.forward.bytes(), b0);
    text += gain(models[gmax]) > 1.05
                ? ", and parameters are read once per batch while the work grows with it)"
                : ")";
    if (gmin != gmax) {
      text += fmt::format(", while {}'s goes from {} to {} FLOP/B ({}{})", models[gmin].name,
                          format_intensity(cmin.forward.intensity()),
                          format_intensity(at(models[gmin], b1).forward.intensity()),
                          ratio_text(gain(models[gmin])),
                          pmin_share < 0.5
                              ? fmt::format("; {:.0f}% of its traffic is activations and other "
                                            "per-sample bytes, which grow with the batch",
                                            100 * (1 - pmin_share))
                              : "");
    }
    out.push_back(text + ".");
  }

  // Memory- or compute-bound on each overlay chip.
  for (const Chip* chip : o.overlay_chips) {
    const std::optional<RoofCeiling> roof = main_memory_roof(*chip, o.precision);
    if (!roof) continue;
    const double peak = roof->peak_flops, bw = roof->bandwidth;
    const double ridge = peak / bw;
    std::string text =
        fmt::format("On {} ({} peak {}, {} main memory, ridge {} FLOP/B):", chip_name(*chip),
                    dtype_name(o.precision), format_si(peak, "FLOP/s"), format_si(bw, "B/s"),
                    format_intensity(ridge));
    std::vector<std::string> per_batch;
    for (std::int64_t b : batches) {
      std::vector<std::string> mem;
      double worst = std::numeric_limits<double>::infinity();
      std::string worst_name;
      for (const ModelCosts& m : models) {
        const double oi = at(m, b).forward.intensity();
        if (oi < ridge) mem.push_back(fmt::format("{} ({})", m.name, format_intensity(oi)));
        if (oi < worst) {
          worst = oi;
          worst_name = m.name;
        }
      }
      std::string part = fmt::format("at batch {} {} of the {} models are memory-bound", b,
                                     mem.size(), models.size());
      if (!mem.empty() && mem.size() < models.size()) part += fmt::format(" ({})", join(mem, ", "));
      if (!mem.empty()) {
        part += fmt::format(", the least intense, {}, can reach at most {:.0f}% of the peak",
                            worst_name, 100.0 * std::min(1.0, worst / ridge));
      }
      per_batch.push_back(part);
    }
    text += " " + join(per_batch, "; ") + ".";
    // Bound changes with the batch.
    if (b1 != b0) {
      std::vector<std::string> switched;
      for (const ModelCosts& m : models) {
        if (at(m, b0).forward.intensity() < ridge && at(m, b1).forward.intensity() >= ridge) {
          switched.push_back(m.name);
        }
      }
      if (!switched.empty()) {
        text += fmt::format(" {} turn{} compute-bound between batch {} and {}.",
                            list_names(switched), switched.size() == 1 ? "s" : "", b0, b1);
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

SectionBuild build_model_section(const std::vector<ModelCosts>& models,
                                 const ModelSectionOptions& o) {
  if (models.empty()) fail("the model section needs at least one model");
  const std::vector<std::int64_t> batches = batches_of(models);
  for (const ModelCosts& m : models) {
    for (std::int64_t b : batches) {
      if (m.infer.count(b) == 0) fail("model {} has no cost at batch {}", m.name, b);
    }
  }
  const std::int64_t b0 = batches.front();
  SectionBuild out;
  Section& s = out.section =
      numbered_section("models", o.section_number, "Model compute and memory");
  const std::string n = o.section_number;
  SubsectionHeadings heading(s, n);
  std::vector<std::string> names;
  for (const ModelCosts& m : models) names.push_back(m.name);
  std::vector<std::string> btexts;
  for (std::int64_t b : batches) btexts.push_back(std::to_string(b));
  s.blocks.emplace_back(Paragraph{fmt::format(
      "What each network costs, from dnnroof's cost model (nothing measured here): {} models ({}) "
      "at batch size{} {}, {} storage. MACs are multiply-accumulates; FLOPs = 2 x MACs for "
      "convolutions and matrix products plus every other op's own rule (the dnnroof "
      "convention); forward FLOPs are the inference-mode forward pass, the one forward figure "
      "every section of this report uses for a model and batch; backward FLOPs = grad-input + "
      "grad-weight. Every number is in `data/models.csv`.",
      models.size(), join(names, ", "), batches.size() == 1 ? "" : "s", join(btexts, ", "),
      dtype_name(at(models.front(), b0).storage))});

  heading("Work, parameters and memory");
  s.blocks.emplace_back(TableBlock{"Per model and batch size", models_table(models, batches)});
  std::vector<double> fwd, bwd, par, act, par_bytes;
  for (const ModelCosts& m : models) {
    fwd.push_back(at(m, b0).forward.flops() / 1e9);
    const auto tr = m.train.find(b0);
    bwd.push_back(tr != m.train.end() ? tr->second.backward.flops() / 1e9 : NAN);
    par.push_back(at(m, b0).params / 1e6);
    act.push_back(at(m, b0).activation_bytes / 1e6);
    par_bytes.push_back(at(m, b0).param_bytes / 1e6);
  }
  s.blocks.emplace_back(bar_figure(
      "models-flops", fmt::format("FLOPs per model, batch {}", b0), "FLOPs [GFLOP]", models,
      {{"forward", fwd}, {"backward", bwd}},
      fmt::format("Forward and backward FLOPs of one batch of {} (dnnroof convention: 2 FLOPs "
                  "per MAC plus every other op's rule). Values printed above the bars.",
                  b0),
      2));
  s.blocks.emplace_back(bar_figure(
      "models-params", "Parameters per model", "Parameters [millions]", models,
      {{"parameters", par}},
      "Trainable parameters (weights, biases, norm scale and shift; BatchNorm running statistics "
      "are buffers, not counted). They do not depend on the batch size.",
      1));
  s.blocks.emplace_back(bar_figure(
      "models-memory", fmt::format("Activation and parameter memory, batch {}", b0), "Memory [MB]",
      models, {{"activations", act}, {"parameters", par_bytes}},
      fmt::format("Activation bytes (every layer output at batch {}) beside parameter bytes at "
                  "{}. Activations scale with the batch, parameters do not.",
                  b0, dtype_name(at(models.front(), b0).storage)),
      1));

  heading("Operational intensity on the chips' rooflines (static)");
  s.blocks.emplace_back(Paragraph{
      "Each model is a point at its operational intensity (forward FLOPs / bytes under the "
      "no-reuse traffic model), placed on the chip's roof at the performance it could attain "
      "there: min(peak, bandwidth x intensity). Left of the ridge point a model is memory-bound "
      "on that chip, right of it compute-bound. Measured performance comes in the hardware "
      "utilisation section."});
  Table placement({"Model", "Batch", "Chip", "Ridge [FLOP/B]", "OI [FLOP/B]", "Attainable", "Bound",
                   "Lower-bound time"},
                  {"model", "batch", "chip", "ridge_flop_per_byte", "intensity_flop_per_byte",
                   "attainable_flops", "bound", "min_time_s"});
  for (const Chip* chip : o.overlay_chips) {
    const std::optional<RoofCeiling> roof = main_memory_roof(*chip, o.precision);
    if (!roof) {
      out.notes.push_back(
          fmt::format("{} has no {} peak or main-memory bandwidth: no static "
                      "overlay for it",
                      chip->id, dtype_name(o.precision)));
      continue;
    }
    FigureBlock fig;
    fig.id = fmt::format("models-on-roof-{}", chip->id);
    fig.title =
        fmt::format("Models on the {} roofline ({}, static)", chip->id, dtype_name(o.precision));
    const double peak = roof->peak_flops, bw = roof->bandwidth;
    const Ceiling ceiling{*roof,
                          fmt::format("{} ({}, {})", chip_name(*chip), dtype_name(o.precision),
                                      chip->find_main_memory()->name),
                          chip->id};
    for (std::int64_t b : batches) {
      std::vector<PointInput> points;
      for (const ModelCosts& m : models) {
        const ModelCost& c = at(m, b);
        PointInput p;
        p.label = fmt::format("{} b{}", m.name, b);
        p.group = m.name;
        p.kind = PointKind::attainable;
        p.intensity = c.forward.intensity();
        points.push_back(p);
        const double attainable = ceiling.roof.roof(p.intensity);
        placement.add_row(
            {m.name, Cell(b, std::to_string(b)), chip->id,
             Cell(peak / bw, format_intensity(peak / bw)),
             Cell(p.intensity, format_intensity(p.intensity)),
             Cell(attainable, format_si(attainable, "FLOP/s")),
             p.intensity < peak / bw ? "memory" : "compute",
             Cell(std::max(c.forward.flops() / peak, c.forward.bytes() / bw),
                  format_si(std::max(c.forward.flops() / peak, c.forward.bytes() / bw), "s"))});
      }
      fig.panels.push_back(build_roofline_figure(
          batches.size() == 1 ? fig.title : fmt::format("{}: batch {}", chip->id, b), {ceiling},
          points));
      fig.panels.back().group_key = StyleKey::model;
    }
    fig.caption = fmt::format(
        "{} models on the {} {} roofline ({} peak, {} {}; ridge {} FLOP/B), {}. Points sit on the "
        "roof by construction: this is what the cost model allows, not what was measured.",
        models.size(), chip->id, dtype_name(o.precision), format_si(peak, "FLOP/s"),
        format_si(bw, "B/s"), ceiling.roof.level, format_intensity(peak / bw),
        batches.size() == 1 ? fmt::format("batch {}", b0) : "one panel per batch size");
    s.blocks.emplace_back(std::move(fig));
  }
  if (placement.rows() > 0) {
    s.blocks.emplace_back(
        TableBlock{"Static placement: attainable performance and bound", placement});
  }

  heading("What the numbers say");
  for (std::string& p : model_commentary(models, o)) s.blocks.emplace_back(Paragraph{std::move(p)});

  out.data.push_back(DataFile{"models", models_table(models, batches)});
  if (placement.rows() > 0) out.data.push_back(DataFile{"static_placement", placement});
  return out;
}

}  // namespace dnnroof

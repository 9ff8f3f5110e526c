// The paper around the results: title, abstract, introduction, discussion,
// threats to validity, conclusion and references, each from PaperFindings.

#include "report/paper.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "report/gnuplot.h"
#include "report/study.h"

namespace dnnroof {
namespace {

// "rises a median 2.0x" or, when the median gain is below 1, "falls to a
// median 0.80x": a throughput that drops with the batch is never said to rise.
std::string throughput_change_text(double median_gain) {
  return median_gain >= 1 ? fmt::format("rises a median {}", ratio_text(median_gain))
                          : fmt::format("falls to a median {}", ratio_text(median_gain));
}


double forward_median(const ResultRecord& r) {
  auto it = r.timings.find(Phase::forward);
  return it == r.timings.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.median_s;
}

std::string percent_text(double p) {
  return p < 10 ? fmt::format("{:.1f}%", p) : fmt::format("{:.0f}%", p);
}

std::string batches_text(const std::vector<int>& b) {
  std::vector<std::string> s;
  for (int x : b) s.push_back(std::to_string(x));
  return list_text(s);
}

const MeasuredData& empty_data() {
  static const MeasuredData d;
  return d;
}

const MeasuredData& data_of(const PaperContext& c) {
  return c.data != nullptr ? *c.data : empty_data();
}

// Forward intensity of a model at a batch (cost model); NaN when absent.
double intensity_at(const ModelCosts& m, int b) {
  auto it = m.infer.find(b);
  return it == m.infer.end() ? std::numeric_limits<double>::quiet_NaN()
                             : it->second.forward.intensity();
}

bool roof_of_chip(const Chip& chip, DType p, double& peak, double& bw) {
  const std::optional<double> pk = chip.peak_flops(p);
  if (!pk || !(*pk > 0)) return false;
  try {
    bw = chip.main_memory().bandwidth.value;
  } catch (const Error&) {
    return false;
  }
  peak = *pk;
  return bw > 0;
}

// Chips that are compared from a datasheet (not the detected or probed host).
std::size_t datasheet_chips(const std::vector<const Chip*>& chips) {
  std::size_t n = 0;
  for (const Chip* c : chips) n += c->id == "host" || c->id == "host-measured" ? 0 : 1;
  return n;
}

// "3 of 3 models at batch 1 and 2 of 3 at batch 4 on X (ridge 34.3 FLOP/B)",
// one item per chip, in order.
std::vector<std::string> static_bound_items(const std::vector<ChipBoundFinding>& bounds) {
  std::vector<std::string> chips;
  std::map<std::string, std::vector<const ChipBoundFinding*>> by_chip;
  for (const ChipBoundFinding& cb : bounds) {
    if (by_chip[cb.chip].empty()) chips.push_back(cb.chip);
    by_chip[cb.chip].push_back(&cb);
  }
  std::vector<std::string> out;
  for (const std::string& chip : chips) {
    std::vector<std::string> per_batch;
    for (const ChipBoundFinding* cb : by_chip[chip]) {
      std::string t =
          fmt::format("{} of {} at batch {}", cb->memory_bound.size(), cb->models, cb->batch);
      if (!cb->memory_bound.empty() && cb->memory_bound.size() < cb->models) {
        t += fmt::format(" ({})", list_text(cb->memory_bound));
      }
      per_batch.push_back(t);
    }
    out.push_back(fmt::format("{} on {} (ridge {} FLOP/B)", list_text(per_batch), chip,
                              format_intensity(by_chip[chip].front()->ridge)));
  }
  return out;
}

std::string no_gpu_sentence() {
  return "No GPU was present in this run: every statement about GPUs rests on datasheet "
         "rooflines and the cost model, not on measurements.";
}

}  // namespace

std::size_t word_count(std::string_view text) {
  // Whitespace-separated tokens with a letter or digit: "0.93" and "x86-64"
  // are one word each, a lone "=" or "-" none.
  std::size_t n = 0;
  bool in_token = false, has_alnum = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool space = i == text.size() || std::isspace(static_cast<unsigned char>(text[i])) != 0;
    if (space) {
      if (in_token && has_alnum) ++n;
      in_token = has_alnum = false;
      continue;
    }
    in_token = true;
    has_alnum = has_alnum || std::isalnum(static_cast<unsigned char>(text[i])) != 0;
  }
  return n;
}

PaperFindings compute_findings(const PaperContext& ctx) {
  PaperFindings f;
  const MeasuredData& data = data_of(ctx);
  std::set<int> batches;
  if (ctx.models != nullptr) {
    for (const ModelCosts& m : *ctx.models) {
      f.models.push_back(m.name);
      for (const auto& [b, c] : m.infer) batches.insert(b);
    }
  }
  for (const ResultRecord& r : data.records) {
    ++f.records;
    if (r.status == RecordStatus::noisy) ++f.noisy;
    if (r.status == RecordStatus::failed) ++f.failed;
    if (r.status != RecordStatus::failed &&
        std::find(f.models.begin(), f.models.end(), r.model) == f.models.end()) {
      f.models.push_back(r.model);
    }
    if (r.status != RecordStatus::failed) batches.insert(r.batch);
    if (!r.device.starts_with("cuda") && r.conditions.threads > 0 &&
        std::find(f.threads.begin(), f.threads.end(), r.conditions.threads) == f.threads.end()) {
      f.threads.push_back(r.conditions.threads);
    }
    if (f.libtorch_version.empty()) {
      auto it = r.conditions.library_versions.find("libtorch");
      if (it != r.conditions.library_versions.end()) f.libtorch_version = it->second;
    }
    if (f.blas.empty()) {
      auto it = r.conditions.library_versions.find("blas");
      if (it != r.conditions.library_versions.end()) f.blas = it->second;
    }
  }
  std::sort(f.threads.begin(), f.threads.end());
  f.batches.assign(batches.begin(), batches.end());

  // Static bounds: each overlay chip at the smallest and largest batch.
  if (ctx.models != nullptr && !ctx.models->empty() && !f.batches.empty()) {
    for (const Chip* chip : ctx.overlay_chips) {
      double peak = 0, bw = 0;
      if (!roof_of_chip(*chip, ctx.precision, peak, bw)) continue;
      std::set<int> bs{f.batches.front(), f.batches.back()};
      for (int b : bs) {
        ChipBoundFinding cb;
        cb.chip = chip->name.empty() ? chip->id : chip->name;
        cb.measured_ceiling = chip->id == "host-measured";
        cb.ridge = peak / bw;
        cb.batch = b;
        for (const ModelCosts& m : *ctx.models) {
          const double oi = intensity_at(m, b);
          if (!std::isfinite(oi)) continue;
          ++cb.models;
          if (oi < cb.ridge) cb.memory_bound.push_back(m.name);
        }
        if (cb.models > 0) f.static_bounds.push_back(std::move(cb));
      }
    }
  }

  std::vector<ForwardBackward> fbs;
  for (const MeasuredDevice& d : data.devices) {
    const std::vector<const ResultRecord*> infer = data.usable(d, RunMode::infer);
    if (!infer.empty() || !data.usable(d, RunMode::train).empty()) {
      f.measured = true;
      f.devices.push_back(d.name);
      f.gpu_measured = f.gpu_measured || d.gpu;
    }
    // Utilisation, per batch: the hardware utilisation section's placements.
    if (!d.ceilings.empty()) {
      std::map<int, std::vector<Placement>> by_batch;
      for (Placement& p : measured_placements(data, d)) by_batch[p.batch].push_back(std::move(p));
      for (const auto& [b, ps] : by_batch) {
        UtilisationFinding u;
        u.device = d.short_name;
        u.batch = b;
        u.points = ps.size();
        std::vector<double> pct;
        const Placement* best = &ps.front();
        for (const Placement& p : ps) {
          pct.push_back(p.percent_of_attainable());
          if (p.percent_of_attainable() > best->percent_of_attainable()) best = &p;
          if (p.bound == Bound::memory) u.memory_bound.push_back(p.model);
        }
        u.median_percent = median_of(pct);
        u.best_model = best->model;
        u.best_percent = best->percent_of_attainable();
        u.ceiling = d.ceilings.at(best->binding).label();
        f.utilisation.push_back(std::move(u));
      }
    }
    // Correlation of forward latency with FLOPs and parameters, per batch.
    std::map<int, std::vector<std::array<double, 3>>> rows;
    for (const ResultRecord* r : infer) {
      const ModelCost* c = data.cost_of(*r, false);
      const double t = forward_median(*r);
      if (c == nullptr || !std::isfinite(t)) continue;
      rows[r->batch].push_back({t, c->forward.flops(), c->params});
    }
    for (const auto& [b, v] : rows) {
      if (v.size() < 3) continue;
      std::vector<double> t, fl, pa;
      for (const auto& x : v) {
        t.push_back(x[0]);
        fl.push_back(x[1]);
        pa.push_back(x[2]);
      }
      CorrelationFinding cf;
      cf.device = d.short_name;
      cf.batch = b;
      cf.models = v.size();
      cf.rho_flops = spearman(t, fl);
      cf.rho_params = spearman(t, pa);
      if (std::isfinite(cf.rho_flops) && std::isfinite(cf.rho_params)) {
        f.correlation.push_back(cf);
      }
    }
    // Batching: throughput from the smallest to the largest batch.
    std::vector<ResultRecord> copies;
    for (const ResultRecord* r : infer) copies.push_back(*r);
    std::vector<double> gains;
    std::vector<double> saturation;
    BatchingFinding bf;
    bf.device = d.short_name;
    for (const ThroughputSeries& s : throughput_vs_batch(copies)) {
      if (s.batch.size() < 2 || !(s.throughput.front() > 0)) continue;
      const double g = s.throughput.back() / s.throughput.front();
      if (!std::isfinite(g)) continue;
      gains.push_back(g);
      if (g > bf.best_gain) {
        bf.best_gain = g;
        bf.best_model = s.model;
      }
      bf.batch_lo = bf.series == 0 ? s.batch.front() : std::min(bf.batch_lo, s.batch.front());
      bf.batch_hi = bf.series == 0 ? s.batch.back() : std::max(bf.batch_hi, s.batch.back());
      ++bf.series;
      double stop = std::numeric_limits<double>::infinity();
      for (std::size_t i = 0; i + 1 < s.batch.size(); ++i) {
        if (s.throughput[i + 1] < 1.1 * s.throughput[i]) {
          stop = s.batch[i];
          ++bf.saturated;
          break;
        }
      }
      saturation.push_back(stop);
    }
    if (bf.series > 0) {
      bf.median_gain = median_of(gains);
      std::sort(saturation.begin(), saturation.end());
      // The lower median, so that one series that never stops does not
      // average with one that does.
      const double med = saturation[(saturation.size() - 1) / 2];
      bf.saturates_at = std::isfinite(med) ? static_cast<int>(med) : 0;
      f.batching.push_back(bf);
    }
    // Backward against forward.
    for (const ResultRecord* r : data.usable(d, RunMode::train)) {
      const ModelCost* c = data.cost_of(*r, true);
      if (c == nullptr) continue;
      try {
        fbs.push_back(forward_backward(*r, *c));
      } catch (const Error&) {
        // Listed by the training section.
      }
    }
    // The roofline lower bound against the measured time.
    if (const RoofCeiling* ceiling = memory_ceiling_of(d); ceiling != nullptr) {
      std::vector<double> ratios;
      for (const ResultRecord* r : infer) {
        const ModelCost* c = data.cost_of(*r, false);
        if (c == nullptr) continue;
        try {
          const Prediction p = predict(*r, *c, Pass::forward, *ceiling);
          if (p.measured_s > 0 && p.predicted_s > 0) ratios.push_back(p.measured_s / p.predicted_s);
        } catch (const Error&) {
          // Listed by the prediction section.
        }
      }
      if (!ratios.empty()) {
        f.prediction.push_back(
            PredictionFinding{d.short_name, ceiling->label(), ratios.size(), median_of(ratios)});
      }
    }
  }
  if (!fbs.empty()) {
    BackwardFinding b;
    b.n = fbs.size();
    std::vector<double> fr, tr;
    for (const ForwardBackward& x : fbs) {
      fr.push_back(x.flops_ratio);
      tr.push_back(x.time_ratio);
    }
    b.median_flops_ratio = median_of(fr);
    b.median_time_ratio = median_of(tr);
    b.min_time_ratio = *std::min_element(tr.begin(), tr.end());
    b.max_time_ratio = *std::max_element(tr.begin(), tr.end());
    f.backward = b;
  }
  return f;
}

std::string paper_title(const PaperContext& ctx, const PaperFindings& f) {
  const std::size_t n = f.models.size();
  if (f.measured) {
    return fmt::format("Roofline analysis and benchmarking of {} DNN{} on {}", n, n == 1 ? "" : "s",
                       list_text(f.devices));
  }
  if (n > 0) {
    return fmt::format("Roofline analysis of {} DNN{} on {} chip{} (cost model and datasheets)", n,
                       n == 1 ? "" : "s", ctx.chips.size(), ctx.chips.size() == 1 ? "" : "s");
  }
  return fmt::format("Rooflines of {} chip{} from their datasheets", ctx.chips.size(),
                     ctx.chips.size() == 1 ? "" : "s");
}

namespace {

// The sentences of the abstract's results, most important first.
std::vector<std::string> result_sentences(const PaperContext& ctx, const PaperFindings& f) {
  std::vector<std::string> out;
  // Q1, statically: every chip, each batch's count.
  if (const std::vector<std::string> items = static_bound_items(f.static_bounds); !items.empty()) {
    out.push_back(fmt::format("By the cost model's intensity, the memory-bound models are {}.",
                              join(items, "; ")));
  }
  // Measured utilisation: per device, smallest and largest batch.
  std::map<std::string, std::vector<const UtilisationFinding*>> util;
  std::vector<std::string> dev_order;
  for (const UtilisationFinding& u : f.utilisation) {
    if (util[u.device].empty()) dev_order.push_back(u.device);
    util[u.device].push_back(&u);
  }
  for (const std::string& dev : dev_order) {
    const auto& v = util[dev];
    std::string s = fmt::format(
        "Measured on {}, the models reach a median {} of the roof their intensity allows at "
        "batch {} (best {}, {})",
        dev, percent_text(v.front()->median_percent), v.front()->batch, v.front()->best_model,
        percent_text(v.front()->best_percent));
    if (v.size() > 1) {
      s += fmt::format(" and {} at batch {}", percent_text(v.back()->median_percent),
                       v.back()->batch);
    }
    out.push_back(s + ".");
  }
  if (!f.correlation.empty()) {
    const CorrelationFinding& c = f.correlation.front();
    out.push_back(fmt::format(
        "Forward latency ranks with FLOPs (Spearman rho = {:.2f}) {} with parameters (rho = "
        "{:.2f}) at batch {} on {}.",
        c.rho_flops, c.rho_flops > c.rho_params ? "more closely than" : "no more closely than",
        c.rho_params, c.batch, c.device));
  }
  for (const BatchingFinding& b : f.batching) {
    out.push_back(fmt::format(
        "From batch {} to {}, throughput on {} {} ({} most, {}).", b.batch_lo, b.batch_hi,
        b.device, throughput_change_text(b.median_gain), b.best_model, ratio_text(b.best_gain)));
  }
  if (f.backward) {
    out.push_back(fmt::format(
        "Backward takes a median {:.2f}x the forward time for {:.2f}x its FLOPs over {} training "
        "measurement{}.",
        f.backward->median_time_ratio, f.backward->median_flops_ratio, f.backward->n,
        f.backward->n == 1 ? "" : "s"));
  }
  for (const PredictionFinding& p : f.prediction) {
    out.push_back(fmt::format("Measured times are a median {} the roofline lower bound on {}.",
                              ratio_text(p.median_measured_over_predicted), p.device));
  }
  (void)ctx;
  return out;
}

}  // namespace

Section abstract_section(const PaperContext& ctx, const PaperFindings& f) {
  Section s;
  s.id = "abstract";
  s.title = "Abstract";
  const std::size_t n = f.models.size();
  std::vector<std::string> head;
  if (n > 0) {
    head.push_back(fmt::format(
        "We study {} deep neural network{} ({}) at batch size{} {} in {}{}, against the "
        "rooflines of {} chip{} from their datasheets.",
        n, n == 1 ? "" : "s", list_text(f.models), f.batches.size() == 1 ? "" : "s",
        batches_text(f.batches), dtype_name(ctx.precision),
        f.measured ? fmt::format(", measured on {}", list_text(f.devices)) : "",
        datasheet_chips(ctx.chips), datasheet_chips(ctx.chips) == 1 ? "" : "s"));
  } else {
    head.push_back(fmt::format("We compare the rooflines of {} chips from their datasheets.",
                               datasheet_chips(ctx.chips)));
  }
  if (!f.gpu_measured) head.push_back(no_gpu_sentence());
  if (n > 0) {
    head.push_back(
        "We ask which models are memory- or compute-bound on which chips, whether FLOPs or "
        "parameters predict latency, what batching buys, and why backward costs about twice "
        "forward.");
  }
  std::vector<std::string> results = result_sentences(ctx, f);
  const std::vector<std::string> fillers{
      "A cost model counts every layer's FLOPs (2 x multiply-accumulates for matrix products, "
      "one documented rule for every other operator) and bytes (no reuse between layers, with "
      "the compulsory traffic as the other bound), forward and backward.",
      f.measured ? std::string("Latency is the median of adaptively sampled iterations, reported "
                               "with its 95% confidence interval and sample count; the host's "
                               "ceilings are measured by microbenchmarks.")
                 : std::string("Nothing was measured for this report: its numbers come from "
                               "the cost model and the datasheets."),
      "Every number, figure and flag is computed from the run's data; a worked appendix "
      "checks the cost model against pen-and-paper counts of AlexNet's first convolution and a "
      "ResNet-18 basic block.",
      "Methods, threats to validity and references follow the results."};
  auto assemble = [&](std::size_t n_results, std::size_t n_fillers) {
    std::vector<std::string> all = head;
    // Fillers that describe the method go before the results, the rest after.
    if (n_fillers > 0) all.push_back(fillers[0]);
    for (std::size_t i = 0; i < n_results && i < results.size(); ++i) all.push_back(results[i]);
    for (std::size_t i = 1; i < n_fillers && i < fillers.size(); ++i) all.push_back(fillers[i]);
    return join(all, " ");
  };
  // As many results as fit in 250 words, then fillers up to 150.
  std::size_t nr = results.size();
  while (nr > 0 && word_count(assemble(nr, 0)) > 250) --nr;
  std::size_t nf = 0;
  while (nf < fillers.size() && word_count(assemble(nr, nf)) < 150 &&
         word_count(assemble(nr, nf + 1)) <= 250) {
    ++nf;
  }
  s.blocks.emplace_back(Paragraph{assemble(nr, nf)});
  return s;
}

Section introduction_section(const PaperContext& ctx, const PaperFindings& f,
                             const std::string& number) {
  Section s;
  s.id = "introduction";
  s.title = fmt::format("{}. Introduction", number);
  s.blocks.emplace_back(Paragraph{
      "The roofline model [1] bounds the performance of a computation by min(peak, bandwidth x "
      "operational intensity): a layer that does few FLOPs per byte it moves is limited by "
      "memory bandwidth, one that does many by the arithmetic peak, and the ridge point (peak / "
      "bandwidth) separates the two. Studies of DNNs against rooflines are usually assembled by "
      "hand from FLOP counters, ad-hoc timing loops and hand-drawn plots, and go wrong in known "
      "ways (MACs reported as FLOPs, host timers around asynchronous work, points above the "
      "roof, a backward:forward FLOPs ratio of 1). This report is generated end to end from one "
      "cost model, one measurement harness and one chip catalog, so that every number can be "
      "traced to a file in `data/`."});
  s.blocks.emplace_back(Heading{3, fmt::format("{}.1 Questions and hypotheses", number)});
  std::vector<std::string> q;
  // Q1 with the cost model's numbers.
  {
    std::string h =
        "Q1. Are these models memory- or compute-bound, and on which chips? "
        "Hypothesis: a model is memory-bound on a chip when its operational "
        "intensity lies left of the chip's ridge point";
    if (ctx.models != nullptr && !ctx.models->empty() && !f.batches.empty()) {
      const int b = f.batches.front();
      double lo = std::numeric_limits<double>::infinity(), hi = 0;
      std::string lo_name, hi_name;
      for (const ModelCosts& m : *ctx.models) {
        const double oi = intensity_at(m, b);
        if (!std::isfinite(oi)) continue;
        if (oi < lo) {
          lo = oi;
          lo_name = m.name;
        }
        if (oi > hi) {
          hi = oi;
          hi_name = m.name;
        }
      }
      if (!lo_name.empty()) {
        h += fmt::format(
            "; at batch {} the cost model puts the models between {} FLOP/B ({}) "
            "and {} FLOP/B ({})",
            b, format_intensity(lo), lo_name, format_intensity(hi), hi_name);
      }
      std::vector<std::string> per_chip;
      for (const ChipBoundFinding& cb : f.static_bounds) {
        if (cb.batch != b) continue;
        per_chip.push_back(fmt::format("{} of {} on {} (ridge {} FLOP/B)", cb.memory_bound.size(),
                                       cb.models, cb.chip, format_intensity(cb.ridge)));
      }
      if (!per_chip.empty())
        h += fmt::format(", so we expect {} to be memory-bound", list_text(per_chip));
    }
    q.push_back(h + ".");
  }
  q.push_back(
      "Q2. Does the FLOP count or the parameter count predict latency? Hypothesis: where most "
      "time is spent in compute-bound convolutions, latency ranks with FLOPs; parameters "
      "predict it only for models whose traffic is mostly weights (large fully connected "
      "layers at small batch).");
  q.push_back(
      "Q3. What does batching buy? Hypothesis: each weight is read once per batch, so "
      "intensity and throughput rise with the batch until the compute roof (or a cache "
      "capacity) is reached, after which throughput stops growing.");
  {
    std::string h =
        "Q4. Why does backward cost about twice forward? Hypothesis: the gradient of a "
        "convolution or matrix product costs its forward FLOPs twice, once for the input and "
        "once for the weights, so backward FLOPs are about 2x forward (a little less: the "
        "first layer needs no input gradient), and the time ratio follows when the backward "
        "kernels run as efficiently as the forward ones";
    if (ctx.models != nullptr && !ctx.models->empty()) {
      std::vector<double> r;
      for (const ModelCosts& m : *ctx.models) {
        for (const auto& [b, c] : m.train) {
          auto it = m.infer.find(b);
          if (it != m.infer.end() && it->second.forward.flops() > 0) {
            r.push_back(c.backward.flops() / it->second.forward.flops());
          }
          break;
        }
      }
      if (!r.empty()) {
        h += fmt::format(" (cost model: median ratio {:.2f} over {} model{})", median_of(r),
                         r.size(), r.size() == 1 ? "" : "s");
      }
    }
    q.push_back(h + ".");
  }
  s.blocks.emplace_back(BulletList{std::move(q)});
  s.blocks.emplace_back(Heading{3, fmt::format("{}.2 Scope", number)});
  std::string scope;
  if (f.measured) {
    scope =
        fmt::format("Measured on {} ({} result record{}, batch size{} {}, {}", list_text(f.devices),
                    f.records, f.records == 1 ? "" : "s", f.batches.size() == 1 ? "" : "s",
                    batches_text(f.batches), dtype_name(ctx.precision));
    if (!f.threads.empty()) {
      std::vector<std::string> t;
      for (int x : f.threads) t.push_back(std::to_string(x));
      scope += fmt::format(", {} CPU thread{}", list_text(t),
                           f.threads.size() == 1 && f.threads.front() == 1 ? "" : "s");
    }
    scope += ").";
  } else {
    scope =
        "Nothing was measured for this report: the results are the cost model's and the "
        "datasheets'.";
  }
  if (!f.gpu_measured) scope += " " + no_gpu_sentence();
  scope += fmt::format(" {} chip{} compared from their datasheets.", datasheet_chips(ctx.chips),
                       datasheet_chips(ctx.chips) == 1 ? " is" : "s are");
  s.blocks.emplace_back(Paragraph{scope});
  if (!ctx.results_sections.empty()) {
    s.blocks.emplace_back(Paragraph{fmt::format(
        "The methods come next; the results are in {}; then the discussion, the threats to "
        "validity and the conclusion, which answers each question with a number. Appendix A "
        "works AlexNet's first convolution and one ResNet-18 basic block by hand.",
        list_text(ctx.results_sections))});
  }
  return s;
}

Section discussion_section(const PaperContext& ctx, const PaperFindings& f,
                           const std::string& number) {
  Section s;
  s.id = "discussion";
  s.title = fmt::format("{}. Discussion", number);
  (void)ctx;
  // Q1: predicted (static) against measured bound.
  {
    std::string text = "Q1 (memory- or compute-bound).";
    if (const std::vector<std::string> items = static_bound_items(f.static_bounds);
        !items.empty()) {
      text += fmt::format(" By the cost model, the models left of the ridge are {}.",
                          join(items, "; "));
    }
    for (const UtilisationFinding& u : f.utilisation) {
      text += fmt::format(
          " Measured on {} at batch {}, {} of {} points are memory-bound against the ceiling "
          "they are judged by, and the median point reaches {} of its roof",
          u.device, u.batch, u.memory_bound.size(), u.points, percent_text(u.median_percent));
      // What the gap means depends on which roof the points sit under.
      if (u.median_percent < 50 && u.memory_bound.size() == u.points) {
        text +=
            ": every point is under the slanted roof, yet the median moves its bytes at "
            "well under the measured bandwidth; the kernels, not the memory system, set "
            "the time.";
      } else if (u.median_percent < 50 && u.memory_bound.empty()) {
        text +=
            ": every point is right of the ridge, and being compute-bound on paper does "
            "not make a model fast; the gap is kernel efficiency, which the roofline does "
            "not model.";
      } else {
        text += ".";
      }
    }
    if (f.static_bounds.empty() && f.utilisation.empty()) {
      text += " Not answered here: no model was placed on a roof.";
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q2.
  {
    std::string text = "Q2 (FLOPs or parameters).";
    if (f.correlation.empty()) {
      text += f.measured ? " Not answered here: fewer than three models were measured at one "
                           "batch size."
                         : " Not answered here: nothing was measured for this report.";
    }
    bool few = false;
    for (const CorrelationFinding& c : f.correlation) {
      few = few || c.models < 5;
      text += fmt::format(
          " On {} at batch {} ({} models), latency ranks with FLOPs at rho = "
          "{:.2f} and with parameters at rho = {:.2f}: {}.",
          c.device, c.batch, c.models, c.rho_flops, c.rho_params,
          c.rho_flops > c.rho_params
              ? "FLOPs are the better predictor, as hypothesised"
              : "the hypothesis fails here; parameters predict at least as well");
    }
    if (few) {
      text +=
          " With fewer than five models a rank correlation moves in steps of a swapped pair "
          "(rho is 1, 0.5, -0.5 or -1 over three), so these are weak evidence either way.";
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q3.
  {
    std::string text = "Q3 (batching).";
    if (f.batching.empty()) {
      text += f.measured ? " Not answered here: no model was measured at two batch sizes on one "
                           "device."
                         : " Not answered here: nothing was measured for this report.";
    }
    for (const BatchingFinding& b : f.batching) {
      text += fmt::format(
          " On {}, throughput from batch {} to {} {} over {} "
          "model{} ({} most, {}).",
          b.device, b.batch_lo, b.batch_hi, throughput_change_text(b.median_gain), b.series,
          b.series == 1 ? "" : "s", b.best_model, ratio_text(b.best_gain));
      if (b.saturates_at > 0) {
        text += fmt::format(
            " The median model stops gaining 10% per step after batch {} ({} of "
            "{} stop within the batches measured).",
            b.saturates_at, b.saturated, b.series);
      } else if (b.saturated > 0) {
        text += fmt::format(
            " {} of {} model{} stopped gaining 10% per step; for the median "
            "model, where batching stops helping lies beyond batch {}.",
            b.saturated, b.series, b.series == 1 ? "" : "s", b.batch_hi);
      } else {
        text += fmt::format(
            " No model stopped gaining 10% per step, so where batching stops "
            "helping lies beyond batch {}.",
            b.batch_hi);
      }
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q4.
  {
    std::string text = "Q4 (backward against forward).";
    if (!f.backward) {
      text += f.measured ? " Not answered here: no training step was measured."
                         : " Not answered here: nothing was measured for this report.";
    } else {
      const BackwardFinding& b = *f.backward;
      const double rel = b.median_time_ratio / b.median_flops_ratio;
      text += fmt::format(
          " The cost model gives backward a median {:.2f}x the forward FLOPs; measured, it takes "
          "{:.2f}x the forward time (from {:.2f} to {:.2f} over {} measurement{}). ",
          b.median_flops_ratio, b.median_time_ratio, b.min_time_ratio, b.max_time_ratio, b.n,
          b.n == 1 ? "" : "s");
      const bool departures = b.max_time_ratio > 1.25 * b.median_flops_ratio ||
                              b.min_time_ratio < b.median_flops_ratio / 1.25;
      text += rel > 1.25  ? "Backward runs less efficiently per FLOP than forward on the median "
                            "model; the training section names the models and why."
              : rel < 0.8 ? "Backward runs more efficiently per FLOP than forward on the median "
                            "model; the training section names the models and why."
                          : "On the median the time ratio follows the FLOPs ratio within 25%, "
                            "as hypothesised: backward costs about twice forward because it "
                            "does about twice the work.";
      if (departures && rel <= 1.25 && rel >= 0.8) {
        text +=
            " Individual models depart from it; the training section names them and what "
            "their own costs say about why.";
      }
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // What the roofline predicts.
  if (!f.prediction.empty()) {
    std::string text = "The roofline as a predictor.";
    for (const PredictionFinding& p : f.prediction) {
      text += fmt::format(
          " On {} ({} ceiling), the measured times are a median {} the lower "
          "bound over {} measurement{}.",
          p.device, p.ceiling, ratio_text(p.median_measured_over_predicted), p.n,
          p.n == 1 ? "" : "s");
    }
    text +=
        " A lower bound says which resource limits a layer, not how fast the library runs "
        "it; the ratio is the efficiency left on the table.";
    s.blocks.emplace_back(Paragraph{text});
  }
  if (ctx.flags > 0) {
    s.blocks.emplace_back(Paragraph{fmt::format(
        "The results sections flagged {} item{} (points above a roof, layers far below theirs, "
        "measurement notes); each is listed where it occurs and in the run's caveats (Appendix "
        "B).",
        ctx.flags, ctx.flags == 1 ? "" : "s")});
  }
  return s;
}

Section threats_section(const PaperContext& ctx, const PaperFindings& f,
                        const std::string& number) {
  Section s;
  s.id = "threats";
  s.title = fmt::format("{}. Threats to validity", number);
  std::vector<std::string> items;
  const HostInfo* host = ctx.host;
  if (host != nullptr && host->virtualized) {
    items.push_back(fmt::format(
        "Virtualised clock: the host runs under a hypervisor, so the clock it reports may be the "
        "time-stamp counter's, not the cores' sustained clock, and derived peaks inherit that "
        "error ({}). The measured ceilings do not depend on it.",
        host->clock_note.empty() ? "clock source not recorded" : host->clock_note));
  }
  if (f.measured && host != nullptr) {
    const bool shared = host->virtualized;
    double load[1] = {0};
    const bool have_load = ctx.run != nullptr && ctx.run->measured_here && getloadavg(load, 1) == 1;
    if (shared || (have_load && load[0] > 0.5)) {
      items.push_back(fmt::format(
          "Shared cores: {}{}. Other work slows samples at random; it widens the intervals and "
          "can mark results noisy, and it biases medians upwards.",
          shared ? "a virtual machine's cores may be shared with other tenants"
                 : "the machine was busy",
          have_load ? fmt::format(" (load average {:.2f} on {} logical CPUs when the report was "
                                  "written)",
                                  load[0], host->logical_cpus)
                    : ""));
    }
  }
  if (f.noisy > 0) {
    items.push_back(fmt::format(
        "Noisy measurements: {} of {} results did not reach the sampling target; they are "
        "marked in every table and their medians carry wider intervals.",
        f.noisy, f.records));
  }
  if (!f.libtorch_version.empty()) {
    std::string t = fmt::format("Library version: kernels are LibTorch {}'s", f.libtorch_version);
    if (!f.blas.empty()) t += fmt::format(" with {}", f.blas);
    t += f.libtorch_version.starts_with("1.")
             ? "; LibTorch 1.x predates PyTorch 2's kernels and compiler, so absolute times "
               "differ from a current PyTorch; the rooflines and the cost model do not."
             : "; other versions choose other kernels, so absolute times may differ.";
    items.push_back(t);
  }
  if (!f.threads.empty()) {
    std::vector<std::string> t;
    for (int x : f.threads) t.push_back(std::to_string(x));
    items.push_back(fmt::format(
        "Threads: the CPU ran with {} thread{}; a result is only comparable with a ceiling "
        "measured with the same thread count.",
        list_text(t), f.threads.size() == 1 && f.threads.front() == 1 ? "" : "s"));
  }
  if (!f.gpu_measured) items.push_back(no_gpu_sentence());
  if (ctx.models != nullptr && !ctx.models->empty()) {
    items.push_back(
        "Traffic model: intensities assume no reuse between layers (every layer reads its "
        "inputs and weights from main memory and writes its outputs there). Caches make the "
        "real traffic smaller, so points sit left of where the hardware sees them; the "
        "compulsory traffic (weights, input and output once) is the other bound.");
    items.push_back(
        "Cost model: FLOPs are those of the textbook algorithm; a library may use Winograd or "
        "FFT convolutions (fewer multiplications) or im2col (more bytes), so achieved FLOP/s "
        "are cost-model FLOPs per second, not counted instructions.");
  }
  if (ctx.run != nullptr && !ctx.run->measured_here && !ctx.run->results_files.empty()) {
    items.push_back(
        fmt::format("Loaded results: the measurements come from {}; the conditions "
                    "recorded there are all this report knows of them.",
                    join(ctx.run->results_files, ", ")));
  }
  if (ctx.run != nullptr && (ctx.run->interrupted || !ctx.run->not_run.empty())) {
    items.push_back(
        fmt::format("Incomplete run: {} planned configuration{} did not run (listed "
                    "in Appendix B).",
                    ctx.run->not_run.size(), ctx.run->not_run.size() == 1 ? "" : "s"));
  }
  s.blocks.emplace_back(
      Paragraph{"What could make the numbers wrong, stated where it applies to this run:"});
  s.blocks.emplace_back(BulletList{std::move(items)});
  return s;
}

Section conclusion_section(const PaperContext& ctx, const PaperFindings& f,
                           const std::string& number) {
  Section s;
  s.id = "conclusion";
  s.title = fmt::format("{}. Conclusion", number);
  std::vector<std::string> a;
  {
    std::vector<std::string> parts;
    if (const std::vector<std::string> items = static_bound_items(f.static_bounds);
        !items.empty()) {
      parts.push_back(fmt::format("memory-bound by the cost model: {}", join(items, "; ")));
    }
    for (const UtilisationFinding& u : f.utilisation) {
      parts.push_back(fmt::format(
          "measured on {} at batch {}, {} of {} memory-bound (median {} "
          "of the roof)",
          u.device, u.batch, u.memory_bound.size(), u.points, percent_text(u.median_percent)));
    }
    a.push_back(
        "Q1, memory- or compute-bound: " +
        (parts.empty() ? std::string("not answered (no model placed)") : join(parts, "; ")) + ".");
  }
  if (!f.correlation.empty()) {
    std::vector<std::string> parts;
    std::size_t flops_wins = 0;
    for (const CorrelationFinding& c : f.correlation) {
      flops_wins += c.rho_flops > c.rho_params ? 1 : 0;
      parts.push_back(fmt::format("{:.2f} against {:.2f} on {} at batch {} ({} models)",
                                  c.rho_flops, c.rho_params, c.device, c.batch, c.models));
    }
    a.push_back(fmt::format(
        "Q2, FLOPs or parameters: {} (Spearman rho of latency with FLOPs against with "
        "parameters: {}).",
        flops_wins == f.correlation.size() ? std::string("FLOPs")
        : flops_wins == 0
            ? std::string("not FLOPs; parameters do at least as well")
            : fmt::format("FLOPs in {} of {} comparisons", flops_wins, f.correlation.size()),
        join(parts, "; ")));
  } else {
    a.push_back(f.measured
                    ? "Q2, FLOPs or parameters: not answered (fewer than three models measured)."
                    : "Q2, FLOPs or parameters: not answered (nothing measured).");
  }
  if (!f.batching.empty()) {
    std::vector<std::string> parts;
    for (const BatchingFinding& b : f.batching) {
      parts.push_back(fmt::format(
          "{} {} throughput from batch {} to {} on {} (median){}", ratio_text(b.median_gain),
          b.median_gain >= 1 ? "more" : "the", b.batch_lo, b.batch_hi, b.device,
          b.saturates_at > 0 ? fmt::format(", little beyond batch {}", b.saturates_at) : ""));
    }
    a.push_back("Q3, batching: " + join(parts, "; ") + ".");
  } else {
    a.push_back(f.measured ? "Q3, batching: not answered (one batch size per model)."
                           : "Q3, batching: not answered (nothing measured).");
  }
  if (f.backward) {
    a.push_back(fmt::format(
        "Q4, backward: {:.2f}x the forward FLOPs by the cost model (grad-input + grad-weight), "
        "{:.2f}x the forward time measured (medians over {}).",
        f.backward->median_flops_ratio, f.backward->median_time_ratio, f.backward->n));
  } else {
    a.push_back("Q4, backward: not measured (no training step).");
  }
  for (const PredictionFinding& p : f.prediction) {
    a.push_back(fmt::format("The roofline lower bound on {}: measured times a median {} above it.",
                            p.device, ratio_text(p.median_measured_over_predicted)));
  }
  (void)ctx;
  s.blocks.emplace_back(BulletList{std::move(a)});
  return s;
}

Section references_section(const PaperContext& ctx, const PaperFindings& f) {
  Section s;
  s.id = "references";
  s.title = "References";
  std::vector<std::string> refs;
  refs.emplace_back(
      "[1] S. Williams, A. Waterman and D. Patterson, \"Roofline: an insightful visual "
      "performance model for multicore architectures\", Communications of the ACM 52(4), "
      "65-76, 2009. https://doi.org/10.1145/1498765.1498785");
  int k = 2;
  refs.push_back(
      fmt::format("[{}] dnnroof {} (revision {}): cost model, measurement harness, "
                  "probe and this report.",
                  k++, kVersion, kGitRevision));
  if (!f.libtorch_version.empty()) {
    refs.push_back(fmt::format("[{}] LibTorch {} (PyTorch's C++ library){}. https://pytorch.org",
                               k++, f.libtorch_version,
                               f.blas.empty() ? "" : fmt::format(", BLAS: {}", f.blas)));
  }
  if (!f.models.empty()) {
    refs.push_back(fmt::format(
        "[{}] TorchVision model definitions (the built-in zoo reproduces their layers and "
        "parameter counts). https://github.com/pytorch/vision",
        k++));
  }
  refs.push_back(fmt::format("[{}] gnuplot (figures). http://www.gnuplot.info", k++));
  std::vector<std::string> sheets;
  for (const Chip* c : ctx.chips) {
    std::string src = c->source;
    if (src.empty()) {
      if (const std::optional<double> p = c->peak_flops(ctx.precision); p) {
        auto it = c->peak.find(ctx.precision);
        if (it != c->peak.end()) src = it->second.source;
      }
    }
    // The host is detected or measured, not a datasheet.
    if (src.empty() || c->id == "host" || c->id == "host-measured") continue;
    sheets.push_back(fmt::format("[{}] {}{}: {}", k++, c->name.empty() ? c->id : c->name,
                                 c->vendor.empty() ? "" : fmt::format(" ({})", c->vendor), src));
  }
  s.blocks.emplace_back(BulletList{std::move(refs)});
  if (!sheets.empty()) {
    s.blocks.emplace_back(Heading{3, "Datasheets"});
    s.blocks.emplace_back(BulletList{std::move(sheets)});
  }
  return s;
}

}  // namespace dnnroof

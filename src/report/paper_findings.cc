// The paper's findings (compute_findings): every number its prose states,
// from the same records, costs and ceilings as the results sections; and
// the phrases the paper's parts share (paper_detail.h).

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "report/chip_rooflines.h"
#include "report/gnuplot.h"
#include "report/paper.h"
#include "report/paper_detail.h"
#include "report/study.h"

namespace dnnroof {
namespace paper_detail {

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

std::string batches_text(const std::vector<std::int64_t>& b) {
  std::vector<std::string> s;
  for (std::int64_t x : b) s.push_back(std::to_string(x));
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
double intensity_at(const ModelCosts& m, std::int64_t b) {
  auto it = m.infer.find(b);
  return it == m.infer.end() ? std::numeric_limits<double>::quiet_NaN()
                             : it->second.forward.intensity();
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

}  // namespace paper_detail

using namespace paper_detail;  // the shared phrases

PaperFindings compute_findings(const PaperContext& ctx) {
  PaperFindings f;
  const MeasuredData& data = data_of(ctx);
  std::set<std::int64_t> batches;
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
      const std::optional<RoofCeiling> roof = main_memory_roof(*chip, ctx.precision);
      if (!roof) continue;
      std::set<std::int64_t> bs{f.batches.front(), f.batches.back()};
      for (std::int64_t b : bs) {
        ChipBoundFinding cb;
        cb.chip = chip->name.empty() ? chip->id : chip->name;
        cb.measured_ceiling = chip->id == "host-measured";
        cb.ridge = roof->peak_flops / roof->bandwidth;
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
      std::map<std::int64_t, std::vector<Placement>> by_batch;
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
    std::map<std::int64_t, std::vector<std::array<double, 3>>> rows;
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
      bf.saturates_at = std::isfinite(med) ? static_cast<std::int64_t>(med) : 0;
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

}  // namespace dnnroof

// Section 3, benchmarks: latency, memory (memory_comparison.cc), throughput
// against batch, rank correlation, device comparison.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

double phase_median(const ResultRecord& r, Phase p) {
  auto it = r.timings.find(p);
  return it == r.timings.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.median_s;
}

Table latency_table(const MeasuredData& data) {
  Table t({"Model", "Device", "Mode", "Batch", "Latency (median)", "95% CI", "n", "Forward",
           "Backward", "Throughput", "Status"},
          {"model", "device", "mode", "batch", "latency_s", "ci_rel_half_width", "samples",
           "forward_s", "backward_s", "throughput_per_s", "status"});
  for (const ResultRecord& r : data.records) {
    const MeasuredDevice* d = data.device_of(r);
    const std::string dev = d != nullptr ? d->short_name : r.device;
    const std::optional<Phase> h = headline_phase(r);
    if (r.status == RecordStatus::failed || !h) {
      t.add_row(
          {r.model, dev, std::string(run_mode_name(r.mode)), Cell(r.batch, std::to_string(r.batch)),
           "-", "-", "-", "-", "-", "-",
           fmt::format("failed: {}", r.status_reason.empty() ? "no timing" : r.status_reason)});
      continue;
    }
    const TimingStats& s = r.timings.at(*h);
    const double fwd = phase_median(r, Phase::forward);
    const double bwd = phase_median(r, Phase::backward);
    const double tp = throughput_per_s(r);
    // The sampler's reason repeats the interval and n of the columns beside
    // it ("noisy: median 95% CI ±3.1% after 14 samples, stopped by the time
    // budget"): the status keeps what stopped it; another reason stays whole.
    std::string_view why = r.status_reason;
    if (why.starts_with("noisy: ")) why.remove_prefix(7);
    if (const std::size_t at = why.find("stopped by the "); at != std::string_view::npos) {
      why.remove_prefix(at);
    }
    t.add_row(
        {r.model, dev, std::string(run_mode_name(r.mode)), Cell(r.batch, std::to_string(r.batch)),
         Cell(s.median_s, time_text(s.median_s)), interval_cell(s), samples_cell(s),
         std::isfinite(fwd) ? Cell(fwd, time_text(fwd)) : Cell("-"),
         std::isfinite(bwd) ? Cell(bwd, time_text(bwd)) : Cell("-"), Cell(tp, format_si(tp, "/s")),
         r.status == RecordStatus::noisy
             ? fmt::format("noisy: {}", why.empty() ? "did not converge" : why)
             : std::string("ok")});
  }
  return t;
}

Table memory_table(const std::vector<MemoryComparison>& rows) {
  Table t({"Model", "Device", "Mode", "Batch", "Weights", "Activations", "Saved for bwd",
           "Estimate", "Peak", "Start", "Added"},
          {"model", "device", "mode", "batch", "weight_bytes", "activation_bytes",
           "saved_for_backward_bytes", "estimate_bytes", "measured_peak_bytes", "start_bytes",
           "added_bytes"});
  auto bytes = [](double v) {
    return std::isfinite(v) && v > 0 ? Cell(v, format_binary(v)) : Cell("-");
  };
  for (const MemoryComparison& m : rows) {
    const bool have_peak = std::isfinite(m.peak) && m.peak > 0;
    t.add_row({m.model, m.device, m.train ? "train" : "infer",
               Cell(m.batch, std::to_string(m.batch)), bytes(m.weights), bytes(m.activations),
               bytes(m.saved), bytes(m.estimate),
               have_peak ? Cell(m.peak, format_binary(m.peak)) : Cell("not measured"),
               bytes(m.start), have_peak && m.has_start() ? bytes(m.added()) : Cell("-")});
  }
  return t;
}

}  // namespace

namespace {

// Correlation rows: forward latency per model and batch on the first CPU
// and the first GPU device.
std::vector<CorrelationRow> correlation_rows(const MeasuredData& data) {
  const MeasuredDevice* cpu = nullptr;
  const MeasuredDevice* gpu = nullptr;
  for (const MeasuredDevice& d : data.devices) {
    if (!d.gpu && cpu == nullptr) cpu = &d;
    if (d.gpu && gpu == nullptr) gpu = &d;
  }
  std::map<std::pair<std::string, std::int64_t>, CorrelationRow> rows;
  for (const MeasuredDevice* d : {cpu, gpu}) {
    if (d == nullptr) continue;
    for (const ResultRecord* r : data.usable(*d, RunMode::infer)) {
      const ModelCost* c = data.cost_of(*r, false);
      if (c == nullptr) continue;
      auto [it, fresh] = rows.try_emplace({r->model, r->batch});
      CorrelationRow& row = it->second;
      if (fresh) {
        row.model = r->model;
        row.batch = r->batch;
        row.cpu_latency_s = row.gpu_latency_s = std::numeric_limits<double>::quiet_NaN();
        row.flops = c->forward.flops();
        row.params = c->params;
        row.activation_bytes = c->activation_bytes;
      }
      const double t = phase_median(*r, Phase::forward);
      (d->gpu ? row.gpu_latency_s : row.cpu_latency_s) = t;
    }
  }
  std::vector<CorrelationRow> out;
  for (auto& [k, v] : rows) out.push_back(v);
  return out;
}

std::size_t index_of(const std::vector<std::string>& v, const std::string& name) {
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), name) - v.begin());
}

// Per device and batch: the latency spread and FLOPs against latency.
void device_batch_commentary(const MeasuredData& data, const MeasuredDevice& d, std::int64_t b,
                             std::vector<std::string>& out) {
  struct M {
    std::string name;
    double t, flops, params;
  };
  std::vector<M> ms;
  for (const ResultRecord* r : data.usable(d, RunMode::infer)) {
    if (r->batch != b) continue;
    const ModelCost* c = data.cost_of(*r, false);
    const double t = phase_median(*r, Phase::forward);
    if (c == nullptr || !(t > 0)) continue;
    ms.push_back({r->model, t, c->forward.flops(), c->params});
  }
  if (ms.size() < 2) return;
  auto by_t = std::minmax_element(ms.begin(), ms.end(), [](auto& a, auto& c) { return a.t < c.t; });
  auto by_f =
      std::minmax_element(ms.begin(), ms.end(), [](auto& a, auto& c) { return a.flops < c.flops; });
  auto rate = [](const M& m) { return m.flops / m.t; };
  auto by_r = std::minmax_element(ms.begin(), ms.end(),
                                  [&](auto& a, auto& c) { return rate(a) < rate(c); });
  const M& heavy = *by_f.second;
  const M& light = *by_f.first;
  const double fr = heavy.flops / light.flops;
  const double tr = heavy.t / light.t;
  std::string text = fmt::format(
      "On {} at batch {}, inference latency runs from {} ({}) to {} ({}). {} has {} the FLOPs of "
      "{} but runs {} {}",
      d.short_name, b, time_text(by_t.first->t), by_t.first->name, time_text(by_t.second->t),
      by_t.second->name, heavy.name, ratio_text(fr), light.name, ratio_text(tr >= 1 ? tr : 1 / tr),
      tr >= 1 ? "slower" : "faster");
  if (tr < fr / 1.5) {
    text += fmt::format(
        ": latency grows far less than FLOPs, because the small model does not keep the "
        "hardware busy ({} reaches {}, {} only {})",
        heavy.name, format_si(rate(heavy), "FLOP/s"), light.name, format_si(rate(light), "FLOP/s"));
  } else if (tr > fr * 1.5) {
    text += fmt::format(": latency grows more than FLOPs ({} reaches only {} against {}'s {})",
                        heavy.name, format_si(rate(heavy), "FLOP/s"), light.name,
                        format_si(rate(light), "FLOP/s"));
  }
  text += fmt::format(
      ". Achieved rates (cost-model FLOPs / median time) range from {} ({}) to {} ({}).",
      format_si(rate(*by_r.first), "FLOP/s"), by_r.first->name,
      format_si(rate(*by_r.second), "FLOP/s"), by_r.second->name);
  out.push_back(std::move(text));
}

// `intensity`: forward operational intensity by model at the matrix's
// batch (cost model); the departure's cause is given only from it.
void correlation_commentary(const CorrelationMatrix& m, const std::vector<CorrelationRow>& rows,
                            const std::map<std::string, double>& intensity,
                            std::vector<std::string>& out) {
  const std::size_t fl = index_of(m.variables, "FLOPs");
  const std::size_t pa = index_of(m.variables, "parameters");
  const std::size_t ac = index_of(m.variables, "activation bytes");
  for (const std::string lat : {"CPU latency", "GPU latency"}) {
    const std::size_t li = index_of(m.variables, lat);
    if (li >= m.variables.size() || fl >= m.variables.size() || pa >= m.variables.size()) continue;
    const double rf = m.rho[li][fl];
    const double rp = m.rho[li][pa];
    std::string text = fmt::format(
        "Batch {}, {} models: Spearman rho({}, FLOPs) = {:.2f}, rho({}, parameters) = {:.2f}",
        m.batch, m.models.size(), lat, rf, lat, rp);
    if (ac < m.variables.size()) {
      text += fmt::format(", rho({}, activation bytes) = {:.2f}", lat, m.rho[li][ac]);
    }
    text += ". ";
    text += std::abs(rf - rp) < 0.1
                ? "FLOPs and parameters rank the latencies about equally well."
                : (rf > rp ? fmt::format("FLOPs predict the latency ranking better than parameters "
                                         "(by {:.2f}).",
                                         rf - rp)
                           : fmt::format("Parameters predict the latency ranking better than FLOPs "
                                         "(by {:.2f}).",
                                         rp - rf));
    // The model whose latency rank departs most from its FLOPs rank.
    std::vector<double> lats, flops;
    std::vector<std::string> names;
    for (const CorrelationRow& r : rows) {
      if (r.batch != m.batch) continue;
      if (std::find(m.models.begin(), m.models.end(), r.model) == m.models.end()) continue;
      lats.push_back(lat == "CPU latency" ? r.cpu_latency_s : r.gpu_latency_s);
      flops.push_back(r.flops);
      names.push_back(r.model);
    }
    if (names.size() >= 3) {
      const std::vector<double> rl = average_ranks(lats);
      const std::vector<double> rfl = average_ranks(flops);
      std::size_t worst = 0;
      for (std::size_t i = 1; i < names.size(); ++i) {
        if (std::abs(rl[i] - rfl[i]) > std::abs(rl[worst] - rfl[worst])) worst = i;
      }
      if (std::abs(rl[worst] - rfl[worst]) >= 2) {
        // The cause only when its intensity sets it apart from the median.
        std::vector<double> ois;
        for (const std::string& n : names) {
          if (auto it = intensity.find(n); it != intensity.end()) ois.push_back(it->second);
        }
        const auto own = intensity.find(names[worst]);
        const double med = median_of(ois);
        const bool slower = rl[worst] > rfl[worst];
        std::string why;
        if (own != intensity.end() && std::isfinite(med)) {
          if (slower && own->second < med) {
            why = fmt::format(
                ": its operational intensity ({} FLOP/B) is below the median {} "
                "FLOP/B of these models, so more of its time goes to moving bytes",
                format_intensity(own->second), format_intensity(med));
          } else if (!slower && own->second > med) {
            why = fmt::format(
                ": its operational intensity ({} FLOP/B) is above the median {} "
                "FLOP/B of these models, so more of its work runs at the compute "
                "roof",
                format_intensity(own->second), format_intensity(med));
          } else {
            why = fmt::format(
                "; its operational intensity ({} FLOP/B, median {}) does not "
                "explain it",
                format_intensity(own->second), format_intensity(med));
          }
        }
        text += fmt::format(
            " The largest departure is {}: {} by FLOPs but {} by latency (rank 1 = smallest), "
            "{} than its FLOPs suggest{}.",
            names[worst], fmt::format("rank {:g}", rfl[worst]), fmt::format("rank {:g}", rl[worst]),
            slower ? "slower" : "faster", why);
      }
    }
    out.push_back(std::move(text));
  }
}

void throughput_commentary(const std::vector<ThroughputSeries>& series, const std::string& dev,
                           std::vector<std::string>& out) {
  std::vector<double> gains;
  std::vector<std::string> plateau;
  std::vector<std::string> fell;
  std::int64_t b_lo = 0, b_hi = 0;
  for (const ThroughputSeries& s : series) {
    if (s.batch.size() < 2) continue;
    b_lo = s.batch.front();
    b_hi = s.batch.back();
    gains.push_back(s.throughput.back() / s.throughput.front());
    for (std::size_t i = 1; i < s.batch.size(); ++i) {
      const double g = s.throughput[i] / s.throughput[i - 1];
      if (g < 1.1) {
        plateau.push_back(fmt::format("{} (batch {} -> {}: {})", s.model, s.batch[i - 1],
                                      s.batch[i], ratio_text(g)));
        break;
      }
    }
    if (s.throughput.back() < s.throughput.front()) {
      // Noise is the only cause these records can show.
      const bool noisy = !s.converged.front() || !s.converged.back();
      fell.push_back(noisy ? fmt::format("{} (a noisy measurement at one end)", s.model) : s.model);
    }
  }
  if (gains.empty()) return;
  const auto [lo, hi] = std::minmax_element(gains.begin(), gains.end());
  std::string text = fmt::format(
      "Throughput on {} from batch {} to {}: a median gain of {} over {} models (from {} to {}).",
      dev, b_lo, b_hi, ratio_text(median_of(gains)), gains.size(), ratio_text(*lo),
      ratio_text(*hi));
  if (!plateau.empty()) {
    text += fmt::format(" Batching stops helping (less than 10% more per step) for {}.",
                        list_text(plateau));
  } else {
    text += " Every step of batch size still raised throughput by at least 10%.";
  }
  if (!fell.empty()) {
    text += fmt::format(" Throughput fell for {} at the larger batch.", list_text(fell));
  }
  out.push_back(std::move(text));
}

// CPU vs GPU speed-up per model at the same batch.
void device_comparison(const MeasuredData& data, std::vector<std::string>& out) {
  const MeasuredDevice* cpu = nullptr;
  const MeasuredDevice* gpu = nullptr;
  for (const MeasuredDevice& d : data.devices) {
    if (!d.gpu && cpu == nullptr) cpu = &d;
    if (d.gpu && gpu == nullptr) gpu = &d;
  }
  if (cpu == nullptr || gpu == nullptr) return;
  std::map<std::int64_t, std::vector<double>> speedups;
  for (const ResultRecord* g : data.usable(*gpu, RunMode::infer)) {
    for (const ResultRecord* c : data.usable(*cpu, RunMode::infer)) {
      if (c->model == g->model && c->batch == g->batch) {
        speedups[g->batch].push_back(phase_median(*c, Phase::forward) /
                                     phase_median(*g, Phase::forward));
      }
    }
  }
  std::vector<std::string> parts;
  for (const auto& [b, v] : speedups) {
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    parts.push_back(fmt::format("batch {}: median {} ({} to {}, {} models)", b,
                                ratio_text(median_of(v)), ratio_text(*lo), ratio_text(*hi),
                                v.size()));
  }
  if (!parts.empty()) {
    std::string text = fmt::format("{} against {}, inference speed-up per model: {}.",
                                   gpu->short_name, cpu->short_name, join(parts, "; "));
    // "Widens with the batch" only when the median speed-up does.
    if (speedups.size() >= 2 &&
        median_of(speedups.rbegin()->second) > 1.2 * median_of(speedups.begin()->second)) {
      text += " The gap widens with the batch: the small batch leaves more of the GPU idle.";
    }
    out.push_back(std::move(text));
  }
}

}  // namespace

std::vector<std::string> benchmark_commentary(const MeasuredData& data) {
  std::vector<std::string> out;
  for (const MeasuredDevice& d : data.devices) {
    for (std::int64_t b : data.batches(d, RunMode::infer)) device_batch_commentary(data, d, b, out);
  }
  const std::vector<CorrelationRow> rows = correlation_rows(data);
  std::set<std::int64_t> batches;
  for (const CorrelationRow& r : rows) batches.insert(r.batch);
  for (std::int64_t b : batches) {
    std::map<std::string, double> intensity;
    for (const auto& [name, mc] : data.costs) {
      if (auto it = mc.infer.find(b); it != mc.infer.end()) {
        intensity[name] = it->second.forward.intensity();
      }
    }
    try {
      correlation_commentary(correlation_matrix(rows, b), rows, intensity, out);
    } catch (const Error&) {
      // Fewer than 3 models at this batch: no correlation to state.
    }
  }
  for (const MeasuredDevice& d : data.devices) {
    std::vector<const ResultRecord*> recs = data.usable(d, RunMode::infer);
    std::vector<ResultRecord> copies;
    for (const ResultRecord* r : recs) {
      copies.push_back(*r);
      copies.back().device = d.short_name;
    }
    throughput_commentary(throughput_vs_batch(copies), d.short_name, out);
  }
  device_comparison(data, out);
  return out;
}

MeasuredSection build_benchmark_section(const MeasuredData& data, const std::string& n) {
  MeasuredSection out;
  Section& s = out.section = numbered_section("benchmarks", n, "Benchmarks");
  SubsectionHeadings heading(s, n);
  std::size_t ok = 0, noisy = 0, failed = 0;
  for (const ResultRecord& r : data.records) {
    (r.status == RecordStatus::ok ? ok : r.status == RecordStatus::noisy ? noisy : failed) += 1;
  }
  std::vector<std::string> devs;
  for (const MeasuredDevice& d : data.devices) devs.push_back(d.name);
  s.blocks.emplace_back(Paragraph{fmt::format(
      "{} configurations measured on {} ({}): {} converged, {} noisy (sampling ended at its "
      "budget before the confidence interval of the median was within target), {} failed. "
      "Latency is the median of the timed samples; throughput = batch / median latency. Every "
      "number is in `data/latency.csv`.",
      data.records.size(),
      data.devices.size() == 1 ? "one device" : fmt::format("{} devices", data.devices.size()),
      list_text(devs), ok, noisy, failed)});
  heading("Latency and throughput");
  s.blocks.emplace_back(
      TableBlock{"Every configuration (median latency of the headline phase: "
                 "forward for inference, the whole step for training)",
                 latency_table(data)});
  out.data.push_back(DataFile{"latency", latency_table(data)});

  heading("Memory: measured peak against the estimate");
  const std::vector<MemoryComparison> memory = memory_comparisons(data);
  if (memory.empty()) {
    s.blocks.emplace_back(Paragraph{"No usable measurement with a cost-model estimate."});
  } else {
    s.blocks.emplace_back(Paragraph{
        "The cost model's memory beside the measured peak, per model, mode and batch. Weights = "
        "parameters and buffers; activations = every node output of the forward pass; saved "
        "for backward = the tensors a training step keeps for its backward pass. Estimate: for "
        "inference weights + activations (an upper bound of the tensors live at once), for "
        "training 3 x the parameter bytes (weights, gradients, SGD momentum) + buffers + saved "
        "for backward. Measured: the peak during the configuration and, on the CPU, the "
        "resident set when it started (before its executor was built) and what it added (peak "
        "- start). Every number is in `data/memory.csv`."});
    s.blocks.emplace_back(TableBlock{"Estimated and measured peak memory", memory_table(memory)});
    out.data.push_back(DataFile{"memory", memory_table(memory)});
    for (std::string& p : memory_commentary(memory)) s.blocks.emplace_back(Paragraph{std::move(p)});
  }

  const std::vector<CorrelationRow> rows = correlation_rows(data);
  heading("Latency against FLOPs and parameters");
  // correlation_rows holds one CPU and one GPU device (the first of each);
  // further devices of a side (a campaign's partitions) are in the tables.
  std::set<bool> sides_drawn;
  for (const MeasuredDevice& d : data.devices) {
    if (!sides_drawn.insert(d.gpu).second) {
      s.blocks.emplace_back(Paragraph{fmt::format(
          "{}: no figure here (these figures and the rank correlations use the first {} device "
          "only); its latencies are in the table above.",
          d.short_name, d.gpu ? "GPU" : "CPU")});
      continue;
    }
    for (std::int64_t b : data.batches(d, RunMode::infer)) {
      for (WorkMetric m : {WorkMetric::flops, WorkMetric::params}) {
        try {
          s.blocks.emplace_back(latency_vs_work_figure(
              rows, d.gpu ? DeviceSide::gpu : DeviceSide::cpu, m, b, d.short_name));
        } catch (const Error& e) {
          s.blocks.emplace_back(Paragraph{
              fmt::format("No figure for {} at batch {}: {}", d.short_name, b, e.what())});
        }
      }
    }
  }
  heading("Rank correlations");
  std::set<std::int64_t> batches;
  for (const CorrelationRow& r : rows) batches.insert(r.batch);
  Table corr({"Batch", "Variable", "with", "Spearman rho", "Models"},
             {"batch", "variable", "with", "rho", "models"});
  for (std::int64_t b : batches) {
    try {
      const CorrelationMatrix m = correlation_matrix(rows, b);
      s.blocks.emplace_back(correlation_figure(m));
      for (std::size_t i = 0; i < m.variables.size(); ++i) {
        for (std::size_t j = i + 1; j < m.variables.size(); ++j) {
          corr.add_row({Cell(b, std::to_string(b)), m.variables[i], m.variables[j],
                        Cell(m.rho[i][j], fmt::format("{:.3f}", m.rho[i][j])),
                        join(m.models, " ")});
        }
      }
    } catch (const Error& e) {
      s.blocks.emplace_back(
          Paragraph{fmt::format("No correlation matrix at batch {}: {}", b, e.what())});
    }
  }
  if (corr.rows() > 0) out.data.push_back(DataFile{"correlations", corr});

  heading("Throughput against batch size");
  bool any = false;
  for (const MeasuredDevice& d : data.devices) {
    for (RunMode mode : {RunMode::infer, RunMode::train}) {
      if (data.batches(d, mode).size() < 2) continue;
      // Named as the figure names the device (cpu@alpha: one series per
      // machine where several share the device name).
      std::vector<ResultRecord> copies;
      for (const ResultRecord* r : data.usable(d, mode)) {
        copies.push_back(*r);
        copies.back().device = d.short_name;
      }
      try {
        s.blocks.emplace_back(throughput_figure(throughput_vs_batch(copies), d.short_name, mode));
        any = true;
      } catch (const Error& e) {
        s.blocks.emplace_back(Paragraph{e.what()});
      }
    }
  }
  if (!any) {
    s.blocks.emplace_back(
        Paragraph{"Only one batch size was measured per device, so there is no throughput curve; "
                  "`dnnroof report --batch 1,8,32` (or `--full`) measures several."});
  }
  heading("What the numbers say");
  for (std::string& p : benchmark_commentary(data)) s.blocks.emplace_back(Paragraph{std::move(p)});
  return out;
}

}  // namespace dnnroof

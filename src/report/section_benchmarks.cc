// Section 3, benchmarks; and the shared pieces of sections 3-6.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/section_measured.h"

namespace dnnroof {

double median_of(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string list_text(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  if (items.size() == 1) return items[0];
  std::vector<std::string> head(items.begin(), items.end() - 1);
  return join(head, ", ") + " and " + items.back();
}

std::string time_text(double seconds) { return format_si(seconds, "s"); }

std::string device_key(const ResultRecord& r) {
  if (r.device.starts_with("cuda")) return fmt::format("{}@{}", r.device, r.conditions.host_name);
  return fmt::format("{}@{}/{}t", r.device, r.conditions.host_name, threads_in_force(r));
}

const MeasuredDevice* MeasuredData::device_of(const ResultRecord& r) const {
  const std::string key = device_key(r);
  for (const MeasuredDevice& d : devices) {
    if (d.key == key) return &d;
  }
  return nullptr;
}

const ModelCost* MeasuredData::cost_of(const ResultRecord& r, bool training) const {
  auto it = costs.find(r.model);
  if (it == costs.end()) return nullptr;
  const auto& by_batch = training ? it->second.train : it->second.infer;
  auto c = by_batch.find(r.batch);
  return c == by_batch.end() ? nullptr : &c->second;
}

std::vector<const ResultRecord*> MeasuredData::usable(const MeasuredDevice& device,
                                                      RunMode mode) const {
  std::vector<const ResultRecord*> out;
  for (const ResultRecord& r : records) {
    if (r.status == RecordStatus::failed || r.mode != mode || device_key(r) != device.key) {
      continue;
    }
    if (!headline_phase(r)) continue;
    out.push_back(&r);
  }
  return out;
}

std::vector<int> MeasuredData::batches(const MeasuredDevice& device, RunMode mode) const {
  std::set<int> b;
  for (const ResultRecord* r : usable(device, mode)) b.insert(r->batch);
  return {b.begin(), b.end()};
}

namespace {

double phase_median(const ResultRecord& r, Phase p) {
  auto it = r.timings.find(p);
  return it == r.timings.end() ? std::numeric_limits<double>::quiet_NaN() : it->second.median_s;
}

Table latency_table(const MeasuredData& data) {
  Table t({"Model", "Device", "Mode", "Batch", "Latency (median)", "95% CI", "Forward",
           "Backward", "Throughput", "n", "Status"},
          {"model", "device", "mode", "batch", "latency_s", "ci_rel_half_width", "forward_s",
           "backward_s", "throughput_per_s", "samples", "status"});
  for (const ResultRecord& r : data.records) {
    const MeasuredDevice* d = data.device_of(r);
    const std::string dev = d != nullptr ? d->short_name : r.device;
    const std::optional<Phase> h = headline_phase(r);
    if (r.status == RecordStatus::failed || !h) {
      t.add_row({r.model, dev, std::string(run_mode_name(r.mode)), Cell(r.batch, std::to_string(r.batch)),
                 "-", "-", "-", "-", "-", "-",
                 fmt::format("failed: {}", r.status_reason.empty() ? "no timing" : r.status_reason)});
      continue;
    }
    const TimingStats& s = r.timings.at(*h);
    const double fwd = phase_median(r, Phase::forward);
    const double bwd = phase_median(r, Phase::backward);
    const double tp = throughput_per_s(r);
    t.add_row({r.model, dev, std::string(run_mode_name(r.mode)),
               Cell(r.batch, std::to_string(r.batch)), Cell(s.median_s, time_text(s.median_s)),
               Cell(s.ci_rel_half_width, fmt::format("±{:.1f}%", 100 * s.ci_rel_half_width)),
               std::isfinite(fwd) ? Cell(fwd, time_text(fwd)) : Cell("-"),
               std::isfinite(bwd) ? Cell(bwd, time_text(bwd)) : Cell("-"),
               Cell(tp, format_si(tp, "/s")), Cell(static_cast<double>(s.n), std::to_string(s.n)),
               r.status == RecordStatus::noisy
                   ? fmt::format("noisy: {}", r.status_reason.empty() ? "did not converge"
                                                                      : r.status_reason)
                   : std::string("ok")});
  }
  return t;
}

// Correlation rows: forward latency per model and batch on the first CPU
// and the first GPU device.
std::vector<CorrelationRow> correlation_rows(const MeasuredData& data) {
  const MeasuredDevice* cpu = nullptr;
  const MeasuredDevice* gpu = nullptr;
  for (const MeasuredDevice& d : data.devices) {
    if (!d.gpu && cpu == nullptr) cpu = &d;
    if (d.gpu && gpu == nullptr) gpu = &d;
  }
  std::map<std::pair<std::string, int>, CorrelationRow> rows;
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
void device_batch_commentary(const MeasuredData& data, const MeasuredDevice& d, int b,
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
      by_t.second->name, heavy.name, ratio_text(fr), light.name, ratio_text(tr),
      tr >= 1 ? "slower" : "faster");
  if (tr < fr / 1.5) {
    text += fmt::format(
        ": latency grows far less than FLOPs, because the small model does not keep the "
        "hardware busy ({} reaches {}, {} only {})",
        heavy.name, format_si(rate(heavy), "FLOP/s"), light.name, format_si(rate(light), "FLOP/s"));
  } else if (tr > fr * 1.5) {
    text += fmt::format(
        ": latency grows more than FLOPs ({} reaches only {} against {}'s {})", heavy.name,
        format_si(rate(heavy), "FLOP/s"), light.name, format_si(rate(light), "FLOP/s"));
  }
  text += fmt::format(
      ". Achieved rates (cost-model FLOPs / median time) range from {} ({}) to {} ({}).",
      format_si(rate(*by_r.first), "FLOP/s"), by_r.first->name, format_si(rate(*by_r.second), "FLOP/s"),
      by_r.second->name);
  out.push_back(std::move(text));
}

void correlation_commentary(const CorrelationMatrix& m, const std::vector<CorrelationRow>& rows,
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
        "Batch {}, {} models: Spearman rho({}, FLOPs) = {:.2f}, rho({}, parameters) = {:.2f}", m.batch,
        m.models.size(), lat, rf, lat, rp);
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
        text += fmt::format(
            " The largest departure is {}: {} by FLOPs but {} by latency (rank 1 = smallest){}.",
            names[worst], fmt::format("rank {:g}", rfl[worst]), fmt::format("rank {:g}", rl[worst]),
            rl[worst] > rfl[worst]
                ? ", slower than its FLOPs suggest: its layers have low operational intensity "
                  "(depthwise or elementwise work bound by memory, or many small kernels)"
                : ", faster than its FLOPs suggest: its work is in large, efficient matrix "
                  "products");
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
  int b_lo = 0, b_hi = 0;
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
    if (s.throughput.back() < s.throughput.front()) fell.push_back(s.model);
  }
  if (gains.empty()) return;
  const auto [lo, hi] = std::minmax_element(gains.begin(), gains.end());
  std::string text = fmt::format(
      "Throughput on {} from batch {} to {}: a median gain of {} over {} models (from {} to {}).",
      dev, b_lo, b_hi, ratio_text(median_of(gains)), gains.size(), ratio_text(*lo), ratio_text(*hi));
  if (!plateau.empty()) {
    text += fmt::format(" Batching stops helping (less than 10% more per step) for {}: the "
                        "hardware is already busy at the smaller batch.",
                        list_text(plateau));
  } else {
    text += " Every step of batch size still raised throughput by at least 10%.";
  }
  if (!fell.empty()) {
    text += fmt::format(" Throughput fell for {} at the larger batch (working set beyond the "
                        "caches, or a noisy measurement).",
                        list_text(fell));
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
  std::map<int, std::vector<double>> speedups;
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
    out.push_back(fmt::format("{} against {}, inference speed-up per model: {}. The gap widens "
                              "with the batch when small batches leave the GPU idle.",
                              gpu->short_name, cpu->short_name, join(parts, "; ")));
  }
}

}  // namespace

std::vector<std::string> benchmark_commentary(const MeasuredData& data) {
  std::vector<std::string> out;
  for (const MeasuredDevice& d : data.devices) {
    for (int b : data.batches(d, RunMode::infer)) device_batch_commentary(data, d, b, out);
  }
  const std::vector<CorrelationRow> rows = correlation_rows(data);
  std::set<int> batches;
  for (const CorrelationRow& r : rows) batches.insert(r.batch);
  for (int b : batches) {
    try {
      correlation_commentary(correlation_matrix(rows, b), rows, out);
    } catch (const Error&) {
      // Fewer than 3 models at this batch: no correlation to state.
    }
  }
  for (const MeasuredDevice& d : data.devices) {
    std::vector<const ResultRecord*> recs = data.usable(d, RunMode::infer);
    std::vector<ResultRecord> copies;
    for (const ResultRecord* r : recs) copies.push_back(*r);
    throughput_commentary(throughput_vs_batch(copies), d.short_name, out);
  }
  device_comparison(data, out);
  return out;
}

MeasuredSection build_benchmark_section(const MeasuredData& data, const std::string& n) {
  MeasuredSection out;
  Section& s = out.section;
  s.id = "benchmarks";
  s.title = fmt::format("{}. Benchmarks", n);
  int sub = 0;
  auto heading = [&](const std::string& text) {
    s.blocks.emplace_back(Heading{3, fmt::format("{}.{} {}", n, ++sub, text)});
  };
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
      data.records.size(), data.devices.size() == 1 ? "one device" : fmt::format("{} devices", data.devices.size()),
      list_text(devs), ok, noisy, failed)});
  heading("Latency and throughput");
  s.blocks.emplace_back(TableBlock{"Every configuration (median latency of the headline phase: "
                                   "forward for inference, the whole step for training)",
                                   latency_table(data)});
  out.data.push_back(DataFile{"latency", latency_table(data)});

  const std::vector<CorrelationRow> rows = correlation_rows(data);
  heading("Latency against FLOPs and parameters");
  for (const MeasuredDevice& d : data.devices) {
    for (int b : data.batches(d, RunMode::infer)) {
      for (WorkMetric m : {WorkMetric::flops, WorkMetric::params}) {
        try {
          s.blocks.emplace_back(latency_vs_work_figure(
              rows, d.gpu ? DeviceSide::gpu : DeviceSide::cpu, m, b, d.short_name));
        } catch (const Error& e) {
          s.blocks.emplace_back(Paragraph{fmt::format("No figure for {} at batch {}: {}",
                                                      d.short_name, b, e.what())});
        }
      }
    }
  }
  heading("Rank correlations");
  std::set<int> batches;
  for (const CorrelationRow& r : rows) batches.insert(r.batch);
  Table corr({"Batch", "Variable", "with", "Spearman rho", "Models"},
             {"batch", "variable", "with", "rho", "models"});
  for (int b : batches) {
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
      std::vector<ResultRecord> copies;
      for (const ResultRecord* r : data.usable(d, mode)) copies.push_back(*r);
      try {
        s.blocks.emplace_back(throughput_figure(throughput_vs_batch(copies), d.short_name, mode));
        any = true;
      } catch (const Error& e) {
        s.blocks.emplace_back(Paragraph{e.what()});
      }
    }
  }
  if (!any) {
    s.blocks.emplace_back(Paragraph{
        "Only one batch size was measured per device, so there is no throughput curve; "
        "`dnnroof report --batch 1,8,32` (or `--full`) measures several."});
  }
  heading("What the numbers say");
  for (std::string& p : benchmark_commentary(data)) s.blocks.emplace_back(Paragraph{std::move(p)});
  return out;
}

}  // namespace dnnroof

// Section 3, benchmarks; and the shared pieces of sections 3-6.

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
  // A campaign's partition is the machine: its nodes may be many hosts, and
  // two partitions may share one. A CPU result's thread count is part of it.
  const std::string machine = r.conditions.partition.empty()
                                  ? r.conditions.host_name
                                  : "partition:" + r.conditions.partition;
  if (r.device.starts_with("cuda")) return fmt::format("{}@{}", r.device, machine);
  return fmt::format("{}@{}/{}t", r.device, machine, threads_in_force(r));
}

std::string device_figure_id(const MeasuredData& data, const MeasuredDevice& device) {
  std::size_t same_chip = 0;
  for (const MeasuredDevice& other : data.devices) same_chip += other.chip_id == device.chip_id;
  return (same_chip > 1 ? device.chip_id + "-" + device.short_name : device.chip_id) +
         device.figure_id;
}

const ResultRecord* MeasuredData::find(const MeasuredDevice& device, const std::string& model,
                                       int batch, RunMode mode) const {
  for (const ResultRecord* r : usable(device, mode)) {
    if (r->model == model && r->batch == batch) return r;
  }
  return nullptr;
}

const TimingStats* MeasuredData::stats_of(const MeasuredDevice& device, const std::string& model,
                                          int batch, RunMode mode, Phase phase) const {
  const ResultRecord* r = find(device, model, batch, mode);
  if (r == nullptr) return nullptr;
  const auto it = r->timings.find(phase);
  return it == r->timings.end() ? nullptr : &it->second;
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
  Table t({"Model", "Device", "Mode", "Batch", "Latency (median)", "95% CI", "n", "Forward",
           "Backward", "Throughput", "Status"},
          {"model", "device", "mode", "batch", "latency_s", "ci_rel_half_width", "samples",
           "forward_s", "backward_s", "throughput_per_s", "status"});
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

// "+120 MiB", "-35.2 MiB".
std::string signed_binary(double bytes) {
  return (bytes < 0 ? "-" : "+") + format_binary(std::abs(bytes));
}

// Inference: weights + every activation (an upper bound of what is live at
// once: the executor frees a layer's inputs after use). Training: weights,
// their gradients and SGD's momentum (3 x parameter bytes) + buffers + the
// tensors saved for backward.
double estimated_memory_bytes(const ModelCost& infer, const ModelCost* train, RunMode mode) {
  if (mode == RunMode::train && train != nullptr) {
    return 3 * train->param_bytes + train->buffer_bytes + train->saved_bytes;
  }
  return infer.param_bytes + infer.buffer_bytes + infer.activation_bytes;
}

}  // namespace

std::vector<MemoryComparison> memory_comparisons(const MeasuredData& data) {
  std::vector<MemoryComparison> rows;
  for (const MeasuredDevice& d : data.devices) {
    for (RunMode mode : {RunMode::infer, RunMode::train}) {
      for (const ResultRecord* r : data.usable(d, mode)) {
        const ModelCost* infer = data.cost_of(*r, false);
        const ModelCost* train = data.cost_of(*r, true);
        if (infer == nullptr) continue;
        MemoryComparison row;
        row.model = r->model;
        row.batch = r->batch;
        row.train = mode == RunMode::train;
        row.gpu = d.gpu;
        row.device = d.short_name;
        row.weights = infer->param_bytes + infer->buffer_bytes;
        row.activations = infer->activation_bytes;
        if (mode == RunMode::train && train != nullptr) row.saved = train->saved_bytes;
        row.estimate = estimated_memory_bytes(*infer, train, mode);
        row.peak = r->memory_peak_bytes;
        row.start = r->memory_start_bytes;
        rows.push_back(row);
      }
    }
  }
  return rows;
}

namespace {

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

// Per device: the two bounds the measurement gives of a configuration's own
// memory (what it added to the resident set, the peak), where the estimate
// lies between them, and how the measurement grows with the batch against
// the estimate.
std::vector<std::string> memory_commentary(const std::vector<MemoryComparison>& rows) {
  std::vector<std::string> out;
  std::map<std::string, std::vector<const MemoryComparison*>> by_device;
  for (const MemoryComparison& r : rows) {
    if (std::isfinite(r.peak) && r.peak > 0) by_device[r.device].push_back(&r);
  }
  auto label = [](const MemoryComparison* r) {
    return fmt::format("{} b{} {}", r->model, r->batch, r->train ? "train" : "infer");
  };
  for (const auto& [device, v] : by_device) {
    bool all_start = true;
    for (const MemoryComparison* r : v) all_start = all_start && r->has_start();
    // What the slope is taken of: the growth when every row has a start.
    auto measured = [&](const MemoryComparison* r) { return all_start ? r->added() : r->peak; };
    std::string text;
    if (all_start) {
      const auto [lo, hi] = std::minmax_element(
          v.begin(), v.end(), [](auto* a, auto* b) { return a->added() < b->added(); });
      std::vector<double> added;
      std::vector<std::string> between, above, below;
      for (const MemoryComparison* r : v) {
        added.push_back(r->added());
        if (r->estimate > r->peak) {
          above.push_back(label(r));
        } else if (r->estimate < r->added()) {
          below.push_back(label(r));
        } else {
          between.push_back(label(r));
        }
      }
      text = fmt::format(
          "On {}, the measured peak is the process's resident peak during the configuration "
          "(VmHWM): the runtime's own code and buffers are in it (the heap's free memory goes "
          "back to the kernel before each configuration, so earlier ones' is not), which bounds "
          "the configuration's own memory from above; what the resident set grew by from its "
          "start bounds it from below (memory the process already held can be reused). The "
          "growth runs from {} ({}) to {} ({}), "
          "median {}, over {} configuration{}; the estimate lies between the two bounds for {} "
          "of them",
          device, format_binary(std::max(0.0, (*lo)->added())), label(*lo),
          format_binary(std::max(0.0, (*hi)->added())), label(*hi),
          format_binary(std::max(0.0, median_of(added))), v.size(), v.size() == 1 ? "" : "s",
          between.size());
      if (!above.empty()) {
        text += fmt::format(
            "; above the peak for {} (the estimate sums every activation, the executor frees a "
            "layer's inputs after their last use, so fewer are live at once)",
            list_text(above));
      }
      if (!below.empty()) {
        text += fmt::format(
            "; below the growth for {} (the runtime holds memory the cost model does not count: "
            "workspaces, allocator rounding and caches)",
            list_text(below));
      }
    } else {
      auto excess = [](const MemoryComparison* r) { return r->peak - r->estimate; };
      const auto [lo, hi] = std::minmax_element(
          v.begin(), v.end(), [&](auto* a, auto* b) { return excess(a) < excess(b); });
      std::vector<double> ex;
      for (const MemoryComparison* r : v) ex.push_back(excess(r));
      text = fmt::format(
          "On {}, the measured peak is {}. Over {} configuration{} it differs from the estimate "
          "by {} ({}) to {} ({}), median {}",
          device,
          v.front()->gpu ? "the device memory the allocator reached"
                         : "the whole process's resident peak (VmHWM): the runtime's own code "
                           "and buffers are in it, the estimate counts tensors only",
          v.size(), v.size() == 1 ? "" : "s", signed_binary(excess(*lo)), label(*lo),
          signed_binary(excess(*hi)), label(*hi), signed_binary(median_of(ex)));
    }
    // Growth with the batch: per model and mode, lowest to highest batch.
    std::map<std::pair<std::string, bool>,
             std::pair<const MemoryComparison*, const MemoryComparison*>>
        span;
    for (const MemoryComparison* r : v) {
      auto [it, fresh] = span.try_emplace({r->model, r->train}, r, r);
      if (fresh) continue;
      if (r->batch < it->second.first->batch) it->second.first = r;
      if (r->batch > it->second.second->batch) it->second.second = r;
    }
    std::vector<double> slopes;
    for (const auto& [k, p] : span) {
      const double d_est = p.second->estimate - p.first->estimate;
      if (p.first != p.second && d_est > 0) {
        slopes.push_back((measured(p.second) - measured(p.first)) / d_est);
      }
    }
    if (slopes.empty()) {
      text += ".";
    } else {
      const double sl = median_of(slopes);
      text += fmt::format(
          ". From the smallest to the largest batch of a model, {} rises by a median {:.2f} "
          "bytes per byte of estimate ({} model{}), ",
          all_start ? "what the configuration added" : "the measured peak", sl, slopes.size(),
          slopes.size() == 1 ? "" : "s");
      if (sl < 0.75) {
        text +=
            "less than the estimate: it sums every activation while the executor frees a "
            "layer's inputs after their last use, so fewer are live at once.";
      } else if (sl <= 1.33) {
        text +=
            "close to 1: what batching adds to the estimate is what it adds to the "
            "measurement.";
      } else {
        text +=
            "more than the estimate adds: the runtime keeps per-image memory the cost model "
            "does not count (workspaces such as unfolded convolution inputs).";
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

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
      by_t.second->name, heavy.name, ratio_text(fr), light.name, ratio_text(tr >= 1 ? tr : 1 / tr),
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
      dev, b_lo, b_hi, ratio_text(median_of(gains)), gains.size(), ratio_text(*lo), ratio_text(*hi));
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
    for (int b : data.batches(d, RunMode::infer)) device_batch_commentary(data, d, b, out);
  }
  const std::vector<CorrelationRow> rows = correlation_rows(data);
  std::set<int> batches;
  for (const CorrelationRow& r : rows) batches.insert(r.batch);
  for (int b : batches) {
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
    s.blocks.emplace_back(Paragraph{
        "Only one batch size was measured per device, so there is no throughput curve; "
        "`dnnroof report --batch 1,8,32` (or `--full`) measures several."});
  }
  heading("What the numbers say");
  for (std::string& p : benchmark_commentary(data)) s.blocks.emplace_back(Paragraph{std::move(p)});
  return out;
}

}  // namespace dnnroof

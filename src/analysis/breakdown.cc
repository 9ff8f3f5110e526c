#include "analysis/breakdown.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

#include "analysis/detail/shared.h"
#include "core/error.h"
#include "core/units.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

// The backward:forward FLOPs ratio outside this range is suspicious
// (DESIGN.md: near 2, a little less; near 1 means a gradient was forgotten).
constexpr double kMinFlopsRatio = 1.5;
constexpr double kMaxFlopsRatio = 2.5;

}  // namespace

using namespace analysis_detail;  // the record and ceiling checks they share

ForwardBackward forward_backward(const ResultRecord& record, const ModelCost& training_cost,
                                 const ModelCost* inference_cost) {
  if (record.mode != RunMode::train) {
    fail("forward:backward needs a training record; {} is not one", describe(record.key()));
  }
  if (!training_cost.options.training || !(training_cost.backward.flops() > 0)) {
    fail("forward:backward: the cost of '{}' has no backward pass (estimate it for training)",
         training_cost.graph_name);
  }
  ForwardBackward fb;
  fb.model = record.model;
  fb.device = record.device;
  fb.batch = record.batch;
  fb.forward_flops =
      inference_cost != nullptr ? inference_cost->forward.flops() : training_cost.forward.flops();
  fb.backward_flops = training_cost.backward.flops();
  fb.flops_ratio = fb.backward_flops / fb.forward_flops;
  fb.forward_s = phase_stats(record, Phase::forward, "forward:backward").median_s;
  fb.backward_s = phase_stats(record, Phase::backward, "forward:backward").median_s;
  fb.time_ratio = fb.backward_s / fb.forward_s;
  for (const auto& [phase, out] :
       {std::pair{Phase::optimizer, &fb.optimizer_s}, std::pair{Phase::step, &fb.step_s}}) {
    const auto it = record.timings.find(phase);
    if (it != record.timings.end() && positive(it->second.median_s)) *out = it->second.median_s;
  }
  std::vector<std::string> notes;
  if (fb.flops_ratio < kMinFlopsRatio) {
    notes.push_back(fmt::format(
        "backward:forward FLOPs {:.2f} is well under 2: grad-input or grad-weight is missing "
        "from the count",
        fb.flops_ratio));
  } else if (fb.flops_ratio > kMaxFlopsRatio) {
    notes.push_back(fmt::format(
        "backward:forward FLOPs {:.2f} is above 2.5: elementwise backward rules dominate or are "
        "over-counted",
        fb.flops_ratio));
  }
  if (fb.time_ratio < 1) {
    notes.push_back(fmt::format(
        "backward took less time than forward ({:.2f}x): check that the backward pass was "
        "synchronised before its timer stopped",
        fb.time_ratio));
  }
  for (std::size_t i = 0; i < notes.size(); ++i) fb.note += (i == 0 ? "" : "; ") + notes[i];
  return fb;
}

std::vector<ThroughputSeries> throughput_vs_batch(std::span<const ResultRecord> records) {
  std::vector<ThroughputSeries> out;
  for (const ResultRecord& r : records) {
    if (r.status == RecordStatus::failed) continue;
    const auto phase = headline_phase(r);
    if (!phase || !positive(r.timings.at(*phase).median_s)) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const ThroughputSeries& s) {
      return s.model == r.model && s.device == r.device && s.mode == r.mode && s.dtype == r.dtype;
    });
    if (it == out.end()) {
      ThroughputSeries s;
      s.model = r.model;
      s.device = r.device;
      s.mode = r.mode;
      s.dtype = r.dtype;
      out.push_back(std::move(s));
      it = out.end() - 1;
    }
    if (std::find(it->batch.begin(), it->batch.end(), r.batch) != it->batch.end()) continue;
    const TimingStats& t = r.timings.at(*phase);
    // Insert keeping batch ascending.
    const auto pos = static_cast<std::ptrdiff_t>(
        std::upper_bound(it->batch.begin(), it->batch.end(), r.batch) - it->batch.begin());
    it->batch.insert(it->batch.begin() + pos, r.batch);
    it->latency_s.insert(it->latency_s.begin() + pos, t.median_s);
    it->throughput.insert(it->throughput.begin() + pos, r.batch / t.median_s);
    it->converged.insert(it->converged.begin() + pos, r.status == RecordStatus::ok && t.converged);
  }
  return out;
}

std::vector<OpTypeShare> op_type_shares(const ModelCost& cost, std::span<const LayerTime> times,
                                        Pass pass) {
  if (pass == Pass::step) fail("op-type shares are per pass (forward or backward), not per step");
  if (pass == Pass::backward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no backward pass", cost.graph_name);
  }
  const auto by_name = times_by_node(cost, times);
  std::map<OpKind, OpTypeShare> by_op;
  OpTypeShare total;
  for (const NodeCost& n : cost.nodes) {
    const PassCost& pc = node_pass(n, pass);
    OpTypeShare& s = by_op[n.op];
    s.op = n.op;
    ++s.nodes;
    double t = 0;
    if (const auto it = by_name.find(n.name); it != by_name.end()) {
      const double v = node_time(*it->second, pass);
      if (std::isfinite(v)) t = v;
    }
    const double act = pass == Pass::backward ? n.saved_bytes : n.activation_bytes;
    s.time_s += t;
    s.flops += pc.flops();
    s.bytes += pc.bytes();
    s.activation_bytes += act;
    s.params += n.params;
    total.time_s += t;
    total.flops += pc.flops();
    total.bytes += pc.bytes();
    total.activation_bytes += act;
  }
  auto share = [](double part, double whole) { return whole > 0 ? part / whole : 0.0; };
  std::vector<OpTypeShare> out;
  for (auto& [op, s] : by_op) {
    s.time_share = share(s.time_s, total.time_s);
    s.flops_share = share(s.flops, total.flops);
    s.bytes_share = share(s.bytes, total.bytes);
    s.activation_share = share(s.activation_bytes, total.activation_bytes);
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const OpTypeShare& a, const OpTypeShare& b) {
    if (a.time_share != b.time_share) return a.time_share > b.time_share;
    return a.flops_share > b.flops_share;
  });
  return out;
}

}  // namespace dnnroof

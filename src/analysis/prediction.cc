#include "analysis/prediction.h"

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

using namespace analysis_detail;  // the record and ceiling checks they share

Prediction predict(const ResultRecord& record, const ModelCost& cost, Pass pass,
                   const RoofCeiling& ceiling, std::span<const LayerTime> times) {
  check_ceiling(ceiling);
  check_matches(record, std::span<const RoofCeiling>(&ceiling, 1));
  if (pass != Pass::forward && !cost.options.training) {
    fail("the cost of '{}' was estimated for inference: it has no {} pass", cost.graph_name,
         pass_name(pass));
  }
  const auto by_name = times_by_node(cost, times);
  Prediction out;
  out.model = record.model;
  out.batch = record.batch;
  out.pass = pass;
  out.ceiling = ceiling.label();
  double measured_sum = 0;
  bool any_measured = false;
  for (const NodeCost& n : cost.nodes) {
    // A step is forward + backward per layer, each bounded on its own.
    const std::vector<const PassCost*> passes =
        pass == Pass::step ? std::vector<const PassCost*>{&n.forward, &n.backward}
                           : std::vector<const PassCost*>{&node_pass(n, pass)};
    LayerPrediction lp;
    lp.name = n.name;
    lp.op = n.op;
    for (const PassCost* pc : passes) {
      const double c = pc->flops() / ceiling.peak_flops;
      const double m = pc->bytes() / ceiling.bandwidth;
      lp.flops += pc->flops();
      lp.bytes += pc->bytes();
      lp.compute_s += c;
      lp.memory_s += m;
      lp.predicted_s += std::max(c, m);
    }
    lp.measured_s = kNaN;
    if (const auto it = by_name.find(n.name); it != by_name.end()) {
      double t = 0;
      if (pass == Pass::step) {
        t = node_time(*it->second, Pass::forward) +
            (n.backward.flops() > 0 || n.backward.bytes() > 0
                 ? node_time(*it->second, Pass::backward)
                 : 0);
      } else {
        t = node_time(*it->second, pass);
      }
      if (std::isfinite(t)) {
        lp.measured_s = t;
        measured_sum += t;
        any_measured = true;
      }
    }
    lp.error = positive(lp.measured_s) ? (lp.predicted_s - lp.measured_s) / lp.measured_s : kNaN;
    lp.faster_than_bound =
        positive(lp.measured_s) && lp.predicted_s > lp.measured_s * (1 + kAboveRoofTolerance);
    if (lp.compute_s > lp.memory_s) ++out.compute_bound_layers;
    out.predicted_s += lp.predicted_s;
    out.layers.push_back(std::move(lp));
  }
  const Work w = model_work(cost, pass);
  out.whole_model_s = std::max(w.flops / ceiling.peak_flops, w.bytes / ceiling.bandwidth);
  out.layer_measured_sum_s = any_measured ? measured_sum : kNaN;
  const auto it = record.timings.find(phase_of(pass));
  out.measured_s = record.status != RecordStatus::failed && it != record.timings.end() &&
                           positive(it->second.median_s)
                       ? it->second.median_s
                       : kNaN;
  out.error = positive(out.measured_s) ? (out.predicted_s - out.measured_s) / out.measured_s : kNaN;
  out.faster_than_bound =
      positive(out.measured_s) && out.predicted_s > out.measured_s * (1 + kAboveRoofTolerance);
  return out;
}

}  // namespace dnnroof

#pragma once
// The roofline as a latency model: the lower-bound time of each layer
// against one ceiling, summed, and its error against the measured times.
// Pure functions; conventions in analysis/analysis.h and docs/analysis.md.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/ceilings.h"
#include "analysis/placement.h"
#include "cost/cost.h"
#include "graph/ops.h"
#include "store/record.h"

namespace dnnroof {

struct LayerPrediction {
  std::string name;
  OpKind op = OpKind::Identity;
  double flops = 0, bytes = 0;
  double compute_s = 0;    // flops / peak
  double memory_s = 0;     // bytes / bandwidth
  double predicted_s = 0;  // max of the two
  double measured_s = 0;   // NaN when not measured
  double error = 0;        // (predicted - measured) / measured; NaN without a measurement
  // Measured faster than the lower bound (beyond kAboveRoofTolerance): the
  // ceiling does not hold for it (e.g. its data came from cache).
  bool faster_than_bound = false;
};

struct Prediction {
  std::string model;
  std::int64_t batch = 0;
  Pass pass = Pass::forward;
  std::string ceiling;  // RoofCeiling::label()
  std::vector<LayerPrediction> layers;
  double predicted_s = 0;    // sum over layers of max(flops/peak, bytes/bandwidth)
  double whole_model_s = 0;  // max(total flops/peak, total bytes/bandwidth) (a lower bound of it)
  double measured_s = 0;     // the record's median for the pass; NaN when none
  double error = 0;          // (predicted - measured) / measured
  double layer_measured_sum_s = 0;  // sum of the measured layer times (NaN when none)
  std::size_t compute_bound_layers = 0;
  // The model ran faster than its lower bound (beyond kAboveRoofTolerance):
  // like a point above its roof, the ceiling or the time is wrong for it.
  bool faster_than_bound = false;
};

// Lower-bound time of `pass` per layer against one ceiling, summed, and the
// errors against `record` (and `times` per layer when given). Throws Error
// when the ceiling's peak or bandwidth is not positive, or it holds for
// another thread count or precision than the record's (as place_record).
Prediction predict(const ResultRecord& record, const ModelCost& cost, Pass pass,
                   const RoofCeiling& ceiling, std::span<const LayerTime> times = {});

}  // namespace dnnroof

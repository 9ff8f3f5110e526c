#pragma once
// A measured point (a model's pass or one layer) placed under a set of
// ceilings: attainable value, fraction of it, bound, and an explained flag
// when it lies above its roof.
// Pure functions; conventions in analysis/analysis.h and docs/analysis.md.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/ceilings.h"
#include "cost/cost.h"
#include "graph/ops.h"
#include "store/record.h"

namespace dnnroof {

// The work of one measured thing (a model's pass or one layer's).
struct Work {
  double flops = 0;  // [FLOP] > 0
  double bytes = 0;  // [B] > 0, no-reuse traffic (the x axis)
  // [B] compulsory traffic (parameters, input, output once); 0 when not
  // known (layers: their own bytes are already compulsory for them).
  double compulsory_bytes = 0;
  // [B] the largest set of bytes touched at once: a model's largest layer
  // traffic, a layer's own traffic. Compared with cache capacities.
  double working_set_bytes = 0;
  double intensity() const { return flops / bytes; }  // [FLOP/B]
};

// Why a point may lie above its roof. Every flag lists each cause whose
// check holds; `unexplained` when none does (then it is a bug).
enum class AboveRoofCause {
  cache_fit,  // the working set fits a cache level, and that level's roof is above the point
  compulsory_traffic,  // at the compulsory-traffic intensity the roof is above the point (reuse
                       // between layers the no-reuse traffic model ignores)
  wrong_peak,          // the point beats the compute peak at the dtype; another precision's peak
                       // (tensor cores, tf32) would allow it
  unconverged,         // the measurement did not converge (noisy record or CI not met)
  unexplained,         // none of the above: suspect the time or the FLOP count
};
std::string_view above_roof_cause_name(AboveRoofCause c);  // "cache fit", ...

struct AboveRoof {
  std::size_t ceiling = 0;  // the roof it is above (index into the ceilings given)
  double ratio = 0;         // achieved / attainable there (> 1)
  std::vector<AboveRoofCause> causes;
  std::string explanation;  // one sentence per cause, with the numbers
};

enum class Bound { memory, compute };
std::string_view bound_name(Bound b);  // "memory", "compute"

struct CeilingPlacement {
  double attainable_flops = 0;  // [FLOP/s] the roof at the point's intensity
  double fraction = 0;          // achieved / attainable (1 = on the roof)
  Bound bound = Bound::memory;  // below this ceiling's ridge: memory
};

// One measured point placed under a set of ceilings.
struct Placement {
  std::string label;  // "resnet18 b8", or a layer name
  std::string model;
  int threads = 0;    // threads_in_force of the record (0: not from a record, or unknown)
  std::string layer;  // empty at model level
  OpKind op = OpKind::Identity;  // layers only
  std::int64_t batch = 0;
  Work work;
  double time_s = 0;                          // [s] measured median
  double achieved_flops = 0;                  // [FLOP/s] work.flops / time_s
  std::vector<CeilingPlacement> per_ceiling;  // one per ceiling, same order
  std::size_t binding = 0;                    // the ceiling with the lowest attainable value at x
  Bound bound = Bound::memory;                // against the binding ceiling
  std::optional<AboveRoof> above_roof;        // set when above the binding roof

  double intensity() const { return work.intensity(); }
  double percent_of_attainable() const;  // 100 x fraction of the binding ceiling
};

// Places one point. `converged` false adds the unconverged cause to a flag;
// `convergence_note` ("CI +-7.5% after 40 samples") goes into its text.
// Throws Error naming `label` when flops, bytes or time_s are not positive
// and finite, or `ceilings` is empty.
Placement place_point(std::string label, const Work& work, double time_s,
                      std::span<const RoofCeiling> ceilings, bool converged = true,
                      const std::string& convergence_note = "");

// Which pass of a cost a time belongs to.
enum class Pass { forward, backward, step };  // step = forward + backward
std::string_view pass_name(Pass p);           // "forward", "backward", "step"

// The model's work for `pass` from its cost (training costs for backward
// and step). Throws Error when the cost has no backward for those.
Work model_work(const ModelCost& cost, Pass pass);

// A record at model level: work from `cost` (which must be the record's
// model, batch and dtype; checked by batch), time = median of the phase
// (forward for Pass::forward, backward, and step for Pass::step). Throws
// Error naming the record when it failed, lacks that phase, its batch
// differs from the cost's, or a ceiling holds for another thread count than
// the record ran with (ceilings with threads 0 are not thread-specific) or
// another precision than its dtype.
Placement place_record(const ResultRecord& record, const ModelCost& cost, Pass pass,
                       std::span<const RoofCeiling> ceilings);

// A measured layer time, matched to the cost model's node by name.
struct LayerTime {
  std::string name;
  double forward_s = 0;   // [s] median; <= 0 or NaN: not measured
  double backward_s = 0;  // [s] median; <= 0 or NaN: not measured
};

// The record's per-layer times (ResultRecord::layers) as LayerTimes.
std::vector<LayerTime> layer_times(const ResultRecord& record);

// The work of `pass` from the cost figures stored in the record
// (ResultRecord::cost), for when the model's graph is not at hand. No
// working set (the cache check is then skipped); the compulsory traffic only
// for the record's whole step (inference: forward; training: Pass::step).
// Throws Error naming the record when it has no cost figures, or for a
// backward or step pass of an inference record.
Work record_work(const ResultRecord& record, Pass pass);

// place_record with the work from record_work.
Placement place_record(const ResultRecord& record, Pass pass,
                       std::span<const RoofCeiling> ceilings);

// Per-layer placements for `pass` (forward or backward): one per node with
// FLOPs, bytes and a measured time; others are listed in `skipped`
// ("relu1: no time"). Throws Error naming a layer time whose name is no node
// of the cost.
struct LayerPlacements {
  std::vector<Placement> layers;
  std::vector<std::string> skipped;
};
LayerPlacements place_layers(const ResultRecord& record, const ModelCost& cost,
                             std::span<const LayerTime> times, Pass pass,
                             std::span<const RoofCeiling> ceilings);

}  // namespace dnnroof

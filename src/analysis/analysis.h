#pragma once
// Analysis of measured results: pure functions from (cost model, measured
// record, chip ceilings) to numbers. Nothing here measures, draws or reads
// files; the report (src/report/figures_measured.h, study sections 3-6)
// turns these plain structs into tables, figures and commentary.
//
// Conventions (docs/analysis.md):
//  - x = operational intensity from the cost model (FLOPs / bytes under the
//    "no reuse between layers" traffic model), y = achieved FLOP/s = cost
//    model FLOPs / measured median time.
//  - attainable(c) = min(peak_c, bandwidth_c * x) for every ceiling c; the
//    binding ceiling is the one with the lowest attainable value at x (the
//    main-memory roof of the lowest peak, in practice); the bound is memory
//    when x is below that ceiling's ridge point, else compute.
//  - A point above the binding roof (beyond a 0.1% rounding tolerance) is
//    flagged, never silently accepted; the causes checked are listed in
//    AboveRoofCause.
//  - Relative errors are (predicted - measured) / measured: a lower bound
//    gives a negative error; -0.6 means the measured time is 2.5x the bound.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "cost/cost.h"
#include "graph/ops.h"
#include "hw/chip.h"
#include "store/record.h"

namespace dnnroof {

// ---------------------------------------------------------------- ceilings

// Where a ceiling's numbers come from: the catalog (datasheet or derived
// from the micro-architecture) or `dnnroof probe` (host-measured).
enum class CeilingSource { datasheet, measured };
std::string_view ceiling_source_name(CeilingSource s);  // "datasheet", "measured"

// One roof: a compute peak against one memory level's bandwidth.
struct RoofCeiling {
  std::string chip_id;    // "xeon-8380", "host-measured"
  std::string chip_name;  // display name
  std::string level;      // memory level: "L1d", "L2", "L3", "DRAM", "HBM3"
  bool is_main = false;   // the main-memory level
  CeilingSource source = CeilingSource::datasheet;
  DType precision = DType::fp32;
  double peak_flops = 0;      // [FLOP/s] > 0
  double bandwidth = 0;       // [B/s] > 0
  double capacity_bytes = 0;  // [B] of the level; 0 when unknown
  // The chip's peaks at other precisions [FLOP/s], for the "wrong peak for
  // the dtype" check (e.g. fp32 work that ran on tf32 tensor cores).
  std::map<DType, double> other_peaks;
  // The CPU thread count this ceiling holds for; 0: not thread-specific (a
  // GPU's or an accelerator's ceilings).
  int threads = 0;
  // Set when the figures were scaled to `threads` rather than measured or
  // derived for it: "peak scaled to 1 of 2 cores; bandwidth of the whole chip".
  std::string scaling;

  double ridge() const { return peak_flops / bandwidth; }  // [FLOP/B]
  double roof(double intensity) const;                     // min(peak, bandwidth * intensity)
  // "xeon-8380 fp32 DRAM (datasheet)", "host-measured fp32 DRAM (measured, 1
  // thread)", "host fp32 DRAM (datasheet, 1 thread: peak scaled to 1 of 2
  // cores; bandwidth of the whole chip)".
  std::string label() const;
  // "host-measured fp32, 1 thread": which ceiling judged a result, short.
  std::string short_label() const;
};

// Every ceiling of `chip` at `precision`: one per memory level with a known
// bandwidth, fastest level first (as Chip::memory lists them). Throws Error
// naming the chip when it has no peak at `precision` or no level with a
// bandwidth.
std::vector<RoofCeiling> chip_ceilings(const Chip& chip, DType precision, CeilingSource source);

// The ceilings that judge a run on `threads` CPU threads (threads_in_force
// of its record): for a CPU chip, those of chip_for_threads(chip, threads),
// each with `threads` set; never another thread count's. For other kinds
// (threads do not set a GPU's roof) or threads <= 0, chip_ceilings. Throws
// Error naming the chip, the thread count and the counts it has when a CPU
// chip has no figures for `threads`.
std::vector<RoofCeiling> chip_ceilings_for_threads(const Chip& chip, DType precision,
                                                   CeilingSource source, int threads);

// For a CPU chip whose figures are the whole chip's (a datasheet, derived
// from the micro-architecture) and a run on fewer `threads` than its cores:
// the chip's ceilings with the compute peak scaled by threads / cores
// (exact for the peak formula, which is linear in cores), the bandwidths of
// the whole chip (a roof one core may not reach), each with `threads` and
// `scaling` saying so. Throws Error when the chip is no CPU, has per-thread
// entries (measured: use chip_ceilings_for_threads), or threads is not in
// [1, cores].
std::vector<RoofCeiling> scaled_chip_ceilings(const Chip& chip, DType precision,
                                              CeilingSource source, int threads);

// -------------------------------------------------------------- placement

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
  int threads = 0;  // threads_in_force of the record (0: not from a record, or unknown)
  std::string layer;             // empty at model level
  OpKind op = OpKind::Identity;  // layers only
  int batch = 0;
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

// Relative tolerance for "above the roof" (catalog figures are rounded).
inline constexpr double kAboveRoofTolerance = 1e-3;

// Places one point. `converged` false adds the unconverged cause to a flag;
// `convergence_note` ("CI +-7.5% after 40 samples") goes into its text.
// Throws Error naming `label` when flops, bytes or time_s are not positive
// and finite, or `ceilings` is empty.
Placement place_point(std::string label, const Work& work, double time_s,
                      std::span<const RoofCeiling> ceilings, bool converged = true,
                      const std::string& convergence_note = "");

// Which pass of a cost a time belongs to.
enum class Pass { forward, backward, step };  // step = forward + backward

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

// ------------------------------------------------------------- prediction

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
  int batch = 0;
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

// ------------------------------------------------------------ correlation

// 1-based ranks with ties given the average of the ranks they span
// (scipy.stats.rankdata "average"). Throws Error on NaN.
std::vector<double> average_ranks(std::span<const double> values);

// Spearman's rho = Pearson correlation of the average ranks. NaN when fewer
// than 2 values or either side is constant. Throws Error when the sizes
// differ or a value is NaN.
double spearman(std::span<const double> a, std::span<const double> b);

// One model's variables at one batch size.
struct CorrelationRow {
  std::string model;
  int batch = 1;
  double cpu_latency_s = 0;  // NaN: not measured on CPU
  double gpu_latency_s = 0;  // NaN: not measured on a GPU
  double flops = 0;          // [FLOP] forward at this batch
  double params = 0;
  double activation_bytes = 0;  // [B] at this batch
};

struct CorrelationMatrix {
  int batch = 1;
  std::vector<std::string> variables;    // "CPU latency", ["GPU latency",] "FLOPs", ...
  std::vector<std::vector<double>> rho;  // [i][j], symmetric, 1 on the diagonal
  std::vector<std::string> models;       // the models it rests on
  std::vector<std::string> left_out;     // models at this batch lacking a variable present
};

// The Spearman matrix of the rows at `batch`: CPU latency, GPU latency (only
// when some row has one), FLOPs, parameters, activation bytes, over the
// models that have every variable included. Throws Error when fewer than 3
// models remain (a rank correlation over 2 is always +-1).
CorrelationMatrix correlation_matrix(std::span<const CorrelationRow> rows, int batch);

// ----------------------------------------------- training, batch, op types

struct ForwardBackward {
  std::string model;
  std::string device;
  int batch = 0;
  double forward_flops = 0, backward_flops = 0;
  double flops_ratio = 0;  // backward / forward (expected a little under 2)
  double forward_s = 0, backward_s = 0;
  // The optimizer's update, timed apart (0 when the record has none), and
  // the whole step's median (0 when not recorded).
  double optimizer_s = 0, step_s = 0;
  double time_ratio = 0;  // backward / forward
  // Set when the FLOPs ratio is outside [1.5, 2.5] or the time ratio below
  // 1: what it suggests.
  std::string note;
};

// From a training record (forward and backward timed) and its training
// cost. Throws Error naming the record when it is not a training record,
// lacks either phase, or the cost has no backward.
//
// forward_flops (and the ratio) come from `inference_cost` when given: the
// one forward FLOP figure of a model and batch, the inference-mode forward
// pass (BatchNorm on running statistics, Dropout off), which the report
// prints everywhere. The training-mode forward does a little more (BatchNorm
// batch statistics, 5 instead of 2 FLOPs per element; Dropout masks); that
// extra is training_cost.forward.flops() - inference_cost->forward.flops().
// Without it, the training-mode forward is used.
ForwardBackward forward_backward(const ResultRecord& record, const ModelCost& training_cost,
                                 const ModelCost* inference_cost = nullptr);

struct ThroughputSeries {
  std::string model;
  std::string device;
  RunMode mode = RunMode::infer;
  DType dtype = DType::fp32;
  std::vector<int> batch;          // ascending
  std::vector<double> latency_s;   // median of the headline phase
  std::vector<double> throughput;  // [samples/s] batch / latency
  std::vector<bool> converged;
};

// One series per (model, device, mode, dtype), batch ascending; failed
// records and records without a headline phase are left out. Two records
// with the same key and batch (e.g. other thread counts): the first is kept.
std::vector<ThroughputSeries> throughput_vs_batch(std::span<const ResultRecord> records);

struct OpTypeShare {
  OpKind op = OpKind::Identity;
  int nodes = 0;
  double time_s = 0;            // [s] sum of measured layer times of this op (0 when none timed)
  double flops = 0;             // [FLOP]
  double bytes = 0;             // [B] traffic
  double activation_bytes = 0;  // [B] forward: node outputs; backward: bytes saved for it
  double params = 0;
  double time_share = 0, flops_share = 0, bytes_share = 0, activation_share = 0;  // of totals, 0..1
};

// Per op type, for `pass` (forward or backward): time (from `times`), FLOPs,
// bytes and activation bytes, with their shares of the model total; sorted
// by time share, then FLOPs share, largest first. Time shares are of the
// timed layers' total (0 when `times` is empty). Throws Error naming a
// layer time that matches no node.
std::vector<OpTypeShare> op_type_shares(const ModelCost& cost, std::span<const LayerTime> times,
                                        Pass pass);

}  // namespace dnnroof

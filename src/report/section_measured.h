#pragma once
// Sections 3-6 of the report and its methods and caveats, built from result
// records (measured now, or loaded from results files of any machine), the
// cost model's figures for each measured (model, batch), and the roofline
// ceilings of each device. One builder per section, each with the
// commentary function that writes its findings from the numbers:
//   section_benchmarks.cc   3. benchmarks (latency, correlations, throughput)
//   section_utilisation.cc  4. hardware utilisation (measured rooflines)
//   section_training.cc     5. inference vs training (fwd:bwd, op types)
//   section_prediction.cc   6. predicted vs measured
//   section_methods.cc      methods, caveats

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "analysis/analysis.h"
#include "hw/host.h"
#include "ncu/results.h"
#include "report/document.h"
#include "report/section_models.h"
#include "store/record.h"

namespace dnnroof {

struct StudyRunInfo;

// One device the records ran on, as the report names it.
struct MeasuredDevice {
  std::string key;         // "cpu@hostname", "cuda:0@hostname": records group by it
  std::string device;      // "cpu", "cuda:0"
  std::string chip_id;     // the catalog chip whose ceilings apply ("host-measured", "t4")
  std::string name;        // "Intel Xeon ... (cpu)", for titles
  std::string short_name;  // "cpu", "cuda:0", or with the host when several hosts
  bool gpu = false;
  // CPU: the thread count of its records (threads_in_force); every ceiling
  // holds for it. 0 on a GPU. Records on one CPU with other thread counts
  // are other devices ("cpu, 1 thread", "cpu, 2 threads").
  int threads = 0;
  std::string figure_id;              // appended to figure ids: "" or "1t" (several thread counts)
  std::vector<RoofCeiling> ceilings;  // empty: no roofline for it (see note)
  std::string note;                   // why there are no ceilings, or where they come from
};

struct MeasuredData {
  std::vector<ResultRecord> records;  // every record, failed ones included
  // The cost of each measured model at each measured batch, by model name.
  std::map<std::string, ModelCosts> costs;
  std::vector<MeasuredDevice> devices;  // in order of first record
  DType precision = DType::fp32;
  std::vector<std::string> notes;  // models without costs, devices without ceilings
  // Nsight Compute results (`dnnroof import-ncu --out`, read by --ncu):
  // section 4's measured FLOPs and bytes.
  std::vector<NcuResults> ncu;

  // The device of a record (by key); nullptr when unknown.
  const MeasuredDevice* device_of(const ResultRecord& r) const;
  // The cost of a record's model at its batch (inference or training);
  // nullptr when not computed.
  const ModelCost* cost_of(const ResultRecord& r, bool training) const;
  // Records that are not failed, on `device`, of `mode`.
  std::vector<const ResultRecord*> usable(const MeasuredDevice& device, RunMode mode) const;
  // The usable record of `model` at `batch` and `mode` on `device`; nullptr
  // when there is none.
  const ResultRecord* find(const MeasuredDevice& device, const std::string& model,
                           std::int64_t batch, RunMode mode) const;
  // Its timing of `phase`; nullptr when there is none.
  const TimingStats* stats_of(const MeasuredDevice& device, const std::string& model,
                              std::int64_t batch, RunMode mode, Phase phase) const;
  // Batch sizes present (ascending) among usable inference records of a device.
  std::vector<std::int64_t> batches(const MeasuredDevice& device, RunMode mode) const;
};

// "cpu@host/2t" (the thread count in force: each count is judged against its
// own ceilings), "cuda:0@host" for the device of a record.
std::string device_key(const ResultRecord& r);
// The part of a figure id that names `device`: its chip, and also its short
// name when another device of `data` has the same chip (a campaign's
// partitions of one node kind), and its thread suffix (several thread counts).
std::string device_figure_id(const MeasuredData& data, const MeasuredDevice& device);

// What every section returns.
struct MeasuredSection {
  Section section;
  std::vector<DataFile> data;
  std::vector<std::string> flags;  // flagged points, anomalies: for the caveats
};

MeasuredSection build_benchmark_section(const MeasuredData& data, const std::string& number);
MeasuredSection build_utilisation_section(const MeasuredData& data, const std::string& number);
// Section 4's Nsight Compute subsection (heading "<number> Measured FLOPs and
// bytes (Nsight Compute)"): the measured roofline points and the comparison
// with the cost model of every file in data.ncu (computed here from
// data.costs when the file has none); empty section when data.ncu is.
MeasuredSection build_ncu_subsection(const MeasuredData& data, const std::string& number);
MeasuredSection build_training_section(const MeasuredData& data,
                                       const std::vector<ModelCosts>& static_models,
                                       const std::string& number);
MeasuredSection build_prediction_section(const MeasuredData& data, const std::string& number);

// Measured peak memory beside the cost model's estimate, per usable record.
struct MemoryComparison {
  std::string model;
  std::string device;  // short name
  std::int64_t batch = 1;
  bool train = false;
  bool gpu = false;
  double weights = 0;      // [B] parameters and buffers
  double activations = 0;  // [B] every node output of the forward pass
  double saved = NAN;      // [B] tensors saved for backward (training only)
  // [B] inference: weights + activations (an upper bound of the live
  // tensors); training: 3 x parameter bytes (weights, gradients, SGD
  // momentum) + buffers + saved for backward.
  double estimate = 0;
  double peak = NAN;  // [B] the record's memory_peak_bytes; NaN or 0: not measured
  // [B] the record's memory_start_bytes: the resident set when the
  // configuration started; NaN: unknown (a GPU, or VmHWM not reset).
  double start = NAN;
  bool has_start() const { return std::isfinite(start) && start > 0; }
  double added() const { return peak - start; }  // [B] what the configuration added
};
std::vector<MemoryComparison> memory_comparisons(const MeasuredData& data);
// Per device with measured peaks: what the peak is, its distance from the
// estimate (range, median) and how it grows with the batch against the
// estimate.
std::vector<std::string> memory_commentary(const std::vector<MemoryComparison>& rows);

// The commentary of each section (paragraphs computed from the numbers).
std::vector<std::string> benchmark_commentary(const MeasuredData& data);
std::vector<std::string> utilisation_commentary(const MeasuredData& data,
                                                const std::vector<Placement>& placements,
                                                const MeasuredDevice& device);
// One model's per-layer roofline: which op types sit lowest under the roof
// (median % of attainable per op type), how many layers lie above their
// roof and the causes the analysis gives.
std::vector<std::string> layer_roofline_commentary(const std::string& model, std::int64_t batch,
                                                   const std::vector<Placement>& layers,
                                                   const std::vector<std::string>& skipped,
                                                   const std::string& device);
// Every inference of `device` placed under its roof, exactly as the hardware
// utilisation section places them (the paper's abstract and conclusion use
// this, so their numbers are the section's); unplaceable records left out.
std::vector<Placement> measured_placements(const MeasuredData& data, const MeasuredDevice& device);
// A layer whose measured time exceeds this many times its roofline lower
// bound (max(FLOPs / peak, bytes / bandwidth)) is flagged "far below its
// roof" and named in the text.
inline constexpr double kFarBelowFactor = 10;
// A layer faster than this is "short": fixed per-call cost (dispatch,
// allocation) is then a plausible share of its time, and the text may say so.
inline constexpr double kShortLayerSeconds = 50e-6;  // [s]
// The layers (not above their roof) taking more than kFarBelowFactor x
// their lower bound, longest first.
std::vector<const Placement*> far_below_roof(const std::vector<Placement>& layers);
// `costs` (the training costs by model and batch) lets the text say why a
// model's time ratio departs from its FLOPs ratio; without it, it only says
// that it does.
std::vector<std::string> training_commentary(
    const std::vector<ForwardBackward>& ratios,
    const std::map<std::string, ModelCosts>* costs = nullptr);
// Which forward FLOPs section 5 prints (the inference forward of section 2)
// and how much more the training-mode forward does: `train_extra` holds, per
// row, (training forward / inference forward - 1, "model bN").
std::string forward_flops_convention_text(
    const std::vector<std::pair<double, std::string>>& train_extra);
// One model's measured per-layer time by op type against FLOPs and traffic.
// With `roof`, the op type taking the most time beyond its FLOPs share is
// explained from its intensity and its time against its roofline bound
// (memory-bound, compute-bound, or far below its roof); without, not at all.
std::string op_time_commentary(const ResultRecord& record, const std::vector<OpTypeShare>& shares,
                               Pass pass, const std::string& device,
                               const RoofCeiling* roof = nullptr);
// Section 5: the share of FLOPs and traffic of the matrix ops per model
// (forward op-type shares by model at `batch`); names normalisation only
// when a model has it. Empty when `fwd` is.
std::string matrix_share_commentary(const std::map<std::string, std::vector<OpTypeShare>>& fwd,
                                    std::int64_t batch);
// The main-memory ceiling of a device (main_memory_ceiling: measured before
// datasheet), else its first ceiling; nullptr without ceilings.
const RoofCeiling* memory_ceiling_of(const MeasuredDevice& device);
std::vector<std::string> prediction_commentary(const std::vector<Prediction>& predictions,
                                               const MeasuredDevice& device);

// Methods (conventions, tools and versions, conditions, statistics) and
// caveats (noisy and failed results, flags, what did not run, the machine).
Section build_methods_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::string& number);
Section build_caveats_section(const MeasuredData& data, const StudyRunInfo& run,
                              const HostInfo* host, const std::vector<std::string>& flags,
                              const std::vector<std::string>& notes, const std::string& number);

// Why a noisy record is noisy, without a leading "noisy: " (the sampler
// writes one; the report adds its own): "median CI ±3.1% after 40 samples,
// stopped by the budget"; "did not converge" when no reason was recorded.
std::string noisy_reason_text(const ResultRecord& record);

// Small shared helpers.
double median_of(std::vector<double> v);                       // NaN when empty
std::string list_text(const std::vector<std::string>& items);  // "a, b and c"
std::string time_text(double seconds);                         // "12.3 ms"

}  // namespace dnnroof

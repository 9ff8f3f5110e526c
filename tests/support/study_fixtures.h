#pragma once
// Hand-made inputs of the analysis and the report's study: measured records
// and their timings, roof ceilings, placed points and layers, predictions,
// correlation rows and a probed CPU chip. Each helper sets only what its
// comment says; tests set the rest themselves, so every expected value stays
// worked out beside the test that checks it.

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "cost/cost.h"
#include "hw/chip.h"
#include "store/record.h"

namespace dnnroof::test {

// n samples with median `median_s`, converged (every other statistic 0).
TimingStats converged_timing(double median_s, std::size_t n = 20);

// A record of `model` (its source too) on `device`, chip `chip`, at `batch`,
// with no timings.
ResultRecord result_record(const std::string& model, const std::string& device,
                           const std::string& chip, std::int64_t batch);

// Sets the forward median (converged, n samples) of `r`; with `backward_s` >
// 0 the backward one too and the step one, `step_s`.
void set_medians(ResultRecord& r, std::size_t n, double forward_s, double backward_s = 0,
                 double step_s = 0);

// A pass of `matmul_flops` + `other_flops` FLOPs that reads and writes these
// bytes (no MACs counted).
PassCost pass_cost(double matmul_flops, double other_flops, double bytes_read,
                   double bytes_written);

// The hand-made forward cost of resnet18 at batch 1 that the Nsight Compute
// fixture tests/ncu/data/resnet18_a100_raw.csv is compared with: 240e6
// matrix + 2e6 other FLOPs, 20e6 B read and 10e6 B written (30e6 B of no-reuse
// traffic), 12e6 B compulsory.
ModelCost ncu_fixture_cost();

// The roof of chip "x": main memory "DRAM" at 10 GB/s under a 100 GFLOP/s
// peak, so its ridge is at 10 FLOP/B.
RoofCeiling x_dram_ceiling();

// The work of `flops` FLOPs over `bytes` bytes (nothing else known).
Work work_of(double flops, double bytes);

// Layer `name` (op `op`) of model "m" at batch 1: `flops` and `bytes` in
// `t_s` seconds, placed against `ceilings`.
Placement layer_point(const std::vector<RoofCeiling>& ceilings, const std::string& name, OpKind op,
                      double flops, double bytes, double t_s);

// A forward prediction of `model` at batch 1 against "x DRAM": `predicted_s`
// against `measured_s`, no layers (the layers' measured sum unknown: NaN).
Prediction x_prediction(std::string model, double predicted_s, double measured_s);

// One model at one batch size for the correlation: its CPU and GPU latency
// (NaN: not measured there; 0: not set), forward FLOPs, parameters and
// activation bytes.
CorrelationRow correlation_row(std::string model, std::int64_t batch, double cpu_latency_s,
                               double gpu_latency_s, double flops, double params,
                               double activation_bytes);

// A memory level: its name, bandwidth [B/s] (0: unknown), whether it is the
// main memory, and its capacity [B] (0: unknown).
MemoryLevel memory_level(std::string name, double bandwidth, bool is_main = false,
                         double capacity = 0);

// A chip `id` named `name` of `kind`: its fp32 peak [FLOP/s] (0: none, no
// entry) and its memory levels, fastest first.
Chip chip_with(std::string id, std::string name, ChipKind kind, double fp32_peak,
               std::vector<MemoryLevel> memory);

// The ceilings one thread count of a probed CPU has: fp32 peak and DRAM
// bandwidth.
struct ThreadFigures {
  int threads = 0;
  double fp32_peak = 0;
  double dram_bandwidth = 0;
};

// A probed (measured) CPU of 2 cores, `id`: its all-core fp32 peak and
// DRAM (main memory) bandwidth, and the ceilings of each thread count in
// `per_thread`.
Chip measured_cpu_chip(const std::string& id, double fp32_peak, double dram_bandwidth,
                       const std::vector<ThreadFigures>& per_thread);

}  // namespace dnnroof::test

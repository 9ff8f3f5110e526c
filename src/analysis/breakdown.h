#pragma once
// Where the time goes: backward against forward, throughput against
// batch, and each op type's share of time, FLOPs and bytes.
// Pure functions; conventions in analysis/analysis.h and docs/analysis.md.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/placement.h"
#include "core/dtype.h"
#include "cost/cost.h"
#include "graph/ops.h"
#include "store/record.h"

namespace dnnroof {

struct ForwardBackward {
  std::string model;
  std::string device;
  std::int64_t batch = 0;
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
  std::vector<std::int64_t> batch;  // ascending
  std::vector<double> latency_s;    // median of the headline phase
  std::vector<double> throughput;   // [samples/s] batch / latency
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

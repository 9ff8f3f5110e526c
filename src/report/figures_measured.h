#pragma once
// Figures of measured data (report sections 3-6), one function per figure.
// Each takes analysis outputs (analysis/analysis.h) and returns a
// FigureBlock (document.h): roofline panels for the roofline views, a Chart
// (chart.h) for the others, with an id, a title and a caption that says what
// is drawn and how to read it (including every flagged point and why).
//
// Rules every figure keeps (DESIGN.md, "Correctness rules"): labelled axes
// with units; a legend; models as distinct markers; log axes only on
// rooflines or where the data span more than kLogSpanDecades decades (the
// axis label then says so); no point above its roof without a flag.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "report/document.h"

namespace dnnroof {

// Data spanning more than this many decades get a log axis (and the axis
// label says why); less, a linear axis from 0.
inline constexpr double kLogSpanDecades = 1.5;

// ------------------------------------------------- section 3: benchmarks

enum class WorkMetric { flops, params };
enum class DeviceSide { cpu, gpu };

// Latency vs FLOPs (or vs parameters) on one device side at one batch size:
// one point per model (its own colour and marker, named in the legend),
// from the rows at `batch` that have a latency on `side`. Id
// "latency-vs-flops-cpu-b8". Throws Error when no row has one.
FigureBlock latency_vs_work_figure(std::span<const CorrelationRow> rows, DeviceSide side,
                                   WorkMetric metric, std::int64_t batch,
                                   const std::string& device_name);

// Throughput [samples/s] vs batch size, one line per series (model), for one
// device and mode. Id "throughput-<device>-<mode>". Throws Error when no
// series has a point.
FigureBlock throughput_figure(std::span<const ThroughputSeries> series, const std::string& device,
                              RunMode mode);

// The Spearman matrix as a heat map (blue -1 .. white 0 .. red +1) with the
// value printed in every cell; the title says the batch and how many models
// it rests on. Id "spearman-b<batch>".
FigureBlock correlation_figure(const CorrelationMatrix& matrix);

// --------------------------------------- section 4: hardware utilisation

// The roofline ceilings drawn with measured points: of `ceilings`, every
// main-memory one, plus the last cache level of each source (the LLC roof,
// which the cache-fit flag compares with). Indices into `ceilings`.
std::vector<std::size_t> drawn_ceilings(std::span<const RoofCeiling> ceilings);

// Measured model points (intensity, achieved FLOP/s) under the ceilings of
// one device, one panel per batch size present (ascending); one marker
// group per model; a point above its roof drawn with the warning marker and
// its explanation in the caption. All placements must have been placed
// against `ceilings`. Id "roofline-measured-<device_id>". Throws Error when
// `placements` is empty.
FigureBlock measured_roofline_figure(std::span<const Placement> placements,
                                     std::span<const RoofCeiling> ceilings,
                                     const std::string& device_id, const std::string& device_name);

// Per-layer points of one model (one marker group per op type) under the
// same ceilings. Id "roofline-layers-<model>-<device_id>-b<batch>".
FigureBlock layer_roofline_figure(const std::string& model, std::int64_t batch,
                                  std::span<const Placement> layers,
                                  std::span<const RoofCeiling> ceilings,
                                  const std::string& device_id, const std::string& device_name);

// ------------------------------------------ section 5: inference vs train

// Forward and backward time per model as grouped bars [ms]. Id
// "fwd-bwd-time-<device>".
FigureBlock forward_backward_time_figure(std::span<const ForwardBackward> ratios,
                                         const std::string& device);

// Backward:forward ratios per model, FLOPs and time side by side, values
// printed, a reference line at 2 (the expected FLOPs ratio). Id
// "fwd-bwd-ratio-<device>".
FigureBlock forward_backward_ratio_figure(std::span<const ForwardBackward> ratios,
                                          const std::string& device);

// What the per-op-type shares measure.
enum class ShareMetric { time, flops, bytes, activation };
std::string_view share_metric_name(ShareMetric m);  // "latency", "FLOPs", "memory traffic", ...

// One model's shares by op type as 100%-stacked bars, one bar per metric
// (latency when timed, FLOPs, memory traffic, activation memory); op types
// beyond the largest `max_types` merged into "other". Id
// "op-shares-<model>-<pass>".
FigureBlock op_share_figure(const std::string& model, Pass pass,
                            std::span<const OpTypeShare> shares, std::size_t max_types = 7);

// The same shares as pies, one pie per metric side by side (latency when
// timed, FLOPs, memory traffic, activation memory), slices = op types (the
// largest `max_types`, then "other"), shares of at least 4% printed. A
// metric with one op type only is named in the caption, not drawn as a
// one-slice pie. Id "op-pies-<model>-<pass>".
FigureBlock op_share_pies_figure(const std::string& model, Pass pass,
                                 std::span<const OpTypeShare> shares, std::size_t max_types = 6);

// One metric's shares by op type across models: one 100% bar per model.
// Id "op-shares-<metric>-<pass>".
FigureBlock op_share_by_model_figure(const std::map<std::string, std::vector<OpTypeShare>>& shares,
                                     ShareMetric metric, Pass pass, std::size_t max_types = 7);

// One metric's shares by op type as pies, one pie per model (rows of four),
// slices = the `max_types` op types largest in any model, then "other". A
// model whose pie would have one slice is named in the caption instead. Id
// "op-pies-by-model-<metric>-<pass>". Throws Error when no model has two
// slices.
FigureBlock op_share_pies_by_model_figure(
    const std::map<std::string, std::vector<OpTypeShare>>& shares, ShareMetric metric, Pass pass,
    std::size_t max_types = 7);

// --------------------------------------- section 6: predicted vs measured

// Predicted lower-bound time vs measured time, one point per prediction
// (one series per model when they share one ceiling, named in the title;
// else one series per ceiling label), with the y = x line; log-log when the
// times span more than kLogSpanDecades decades. Id "predicted-vs-measured-<id_suffix>".
FigureBlock prediction_figure(std::span<const Prediction> predictions, const std::string& id_suffix,
                              const std::string& title);

// One model's layers: predicted vs measured layer time, one series per op
// type. Id "predicted-layers-<model>-b<batch>".
FigureBlock layer_prediction_figure(const Prediction& prediction);

}  // namespace dnnroof

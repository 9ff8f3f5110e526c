#pragma once
// The tables of `dnnroof analyze`: a model's cost at each batch size (the
// totals), on each chip's roofline (attainable FLOP/s, bound, lower-bound
// time under both traffic models), per layer and per op kind; and how the
// tables of several models become one (rows carry the model's name). Each
// table has display text for people and numbers and keys for CSV and JSON
// (core/table.h).

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "core/dtype.h"
#include "core/table.h"
#include "cost/cost.h"
#include "hw/chip.h"

namespace dnnroof {

// A model's cost at one batch size.
struct BatchCost {
  std::int64_t batch = 1;
  ModelCost cost;
};

// The roofline at one operational intensity (flops / bytes).
struct RoofEstimate {
  double attainable_flops = 0;   // [FLOP/s] min(peak, bandwidth x intensity); 0 when bytes is 0
  Bound bound = Bound::compute;  // memory when moving the bytes takes longer than the FLOPs
  double seconds = 0;            // [s] lower bound: max(flops / peak, bytes / bandwidth)
};
// Peak [FLOP/s] and bandwidth [B/s] must be positive.
RoofEstimate roof_estimate(double peak_flops, double bandwidth, double flops, double bytes);

// One row per batch size: params, MACs and FLOPs (labelled by the counting
// convention of the costs, with the convention's own MACs and params where
// they differ), backward and step with `training`, activations, traffic under
// both traffic models and both intensities; then `unused params` after
// `params` (parameters no node reads). Throws Error when `costs` is empty.
Table cost_totals_table(const std::string& model, const std::vector<BatchCost>& costs,
                        bool training);

// One row per batch size and chip: peak at `precision`, main-memory
// bandwidth, ridge point, and per traffic model the intensity, attainable
// FLOP/s, bound and lower-bound time of a step (forward, plus backward when
// the costs count training). A chip without that peak or bandwidth says so in
// every computed cell ("-" in a table, empty in CSV and JSON).
Table cost_chips_table(const std::string& model, const std::vector<BatchCost>& costs,
                       const std::vector<const Chip*>& chips, DType precision, OutputFormat format);

// Every node of one batch size, led by a `model` column.
Table cost_layers_table(const std::string& model, const BatchCost& cost, bool training);

// Totals per op kind of one batch size with their shares of FLOPs and bytes
// (of the step with `training`), led by a `model` column.
Table cost_by_type_table(const std::string& model, const BatchCost& cost, bool training);

// `t` with a column inserted before column `at` (cells: one per row).
Table table_with_column(const Table& t, std::size_t at, const std::string& column,
                        const std::string& key, const std::vector<Cell>& cells);

// The rows of every table under the first one's columns. Throws Error when
// `tables` is empty.
Table concat_rows(const std::vector<Table>& tables);

// The name each model argument is shown by: the zoo name in lower case, the
// .onnx file's stem, or the argument as given where two would show the same.
std::vector<std::string> model_display_names(const std::vector<std::string>& sources);

// The op kinds that `cost`'s convention counts 0 FLOPs for while dnnroof's
// own count (`reference`, same graph) does not: "Relu (8 nodes)", ...
std::vector<std::string> ops_zeroed_by_convention(const ModelCost& cost,
                                                  const ModelCost& reference);

}  // namespace dnnroof

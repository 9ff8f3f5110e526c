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

// This header gathers the module's parts, one idea each:
//   ceilings.h     RoofCeiling, chip_ceilings, main_memory_ceiling, kAboveRoofTolerance
//   placement.h    place_point, place_record, place_layers (Work, Placement)
//   prediction.h   predict (the roofline as a latency lower bound)
//   correlation.h  spearman, correlation_matrix
//   breakdown.h    forward_backward, throughput_vs_batch, op_type_shares

#include "analysis/breakdown.h"
#include "analysis/ceilings.h"
#include "analysis/correlation.h"
#include "analysis/placement.h"
#include "analysis/prediction.h"

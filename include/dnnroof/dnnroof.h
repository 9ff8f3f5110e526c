#pragma once
// dnnroof: roofline analysis of deep neural networks, as a C++ library.
//
//   #include <dnnroof/dnnroof.h>          // everything below
//   find_package(dnnroof) + target_link_libraries(app PRIVATE dnnroof::dnnroof)
//
// Each topic header can also be included alone (<dnnroof/cost/cost.h>) with
// its module's target (dnnroof::cost). Every name is in namespace dnnroof.
// The guide, with an example: docs/cpp.md; examples/roofline_onnx.cc.
//
// Headers under <module>/detail/ in the sources are dnnroof's own and are not
// installed; the LibTorch executor, the probes and the report are the
// program's and are not part of the library.

// Basics: dtypes and their sizes, errors, SI units, version, small utilities.
#include "core/dtype.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/host_tensor.h"
#include "core/output_path.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/text_file.h"
#include "core/units.h"
#include "core/version.h"

// The graph IR: ops, values, nodes, the builder and shape inference.
#include "graph/graph.h"
#include "graph/op_family.h"
#include "graph/ops.h"

// Models: the built-in zoo, ONNX import (when dnnroof was built with
// libonnx), decoder-only language models from a config.json.
#include "llm/config.h"
#include "zoo/zoo.h"
#ifdef DNNROOF_HAVE_ONNX
#include "onnx/onnx_import.h"
#include "onnx/tensor_io.h"
#endif

// The work: FLOPs, MACs, bytes, parameters, forward and backward, and the
// peer tools' counting conventions; a language model's cost per phase.
#include "cost/cost.h"
#include "llm/cost.h"

// Chips: the catalog (compiled in), host and CUDA-device detection, peaks,
// ridge points, attainable FLOP/s.
#include "hw/catalog.h"
#include "hw/chip.h"
#include "hw/cpu_affinity.h"
#include "hw/cuda_devices.h"
#include "hw/cuda_query.h"
#include "hw/host.h"

// Measurement: timers, sampling, stop criteria, statistics.
#include "measure/cache_flush.h"
#include "measure/cuda_event_timer.h"
#include "measure/interval_rule.h"
#include "measure/memory.h"
#include "measure/sampler.h"
#include "measure/statistics.h"
#include "measure/stop_criterion.h"
#include "measure/timer.h"

// Results files: records, conditions, merge, CSV export.
#include "store/atomic_file.h"
#include "store/conditions.h"
#include "store/export.h"
#include "store/merge.h"
#include "store/record.h"
#include "store/results_file.h"
#include "store/timing_text.h"

// Analysis: placement under a roofline, bounds, prediction, correlation,
// breakdowns, and the analyze command's tables.
#include "analysis/analysis.h"
#include "analysis/analyze_table.h"
#include "analysis/breakdown.h"
#include "analysis/ceilings.h"
#include "analysis/correlation.h"
#include "analysis/placement.h"
#include "analysis/prediction.h"

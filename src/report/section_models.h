#pragma once
// Section 2 of the report, "Model compute and memory": from the cost model
// alone (nothing measured), per model and batch size: MACs, FLOPs forward and
// backward, parameters, activation bytes, traffic under both traffic models,
// operational intensity; bar figures of FLOPs, parameters and activations;
// the static roofline overlay (each model on a chip's roof at its
// attainable value); commentary computed from those numbers.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "hw/chip.h"
#include "report/document.h"

namespace dnnroof {

// A model's costs at each batch size of the study: inference and training.
struct ModelCosts {
  std::string name;    // display name
  std::string family;  // zoo family, or "ONNX"
  std::map<std::int64_t, ModelCost> infer;
  std::map<std::int64_t, ModelCost> train;
};

// A model as the report costs it: its graph at one batch size and the
// family it is listed under ("ResNet"; "ONNX" for a file).
struct LoadedModel {
  Graph graph;
  std::string family = "ONNX";
};

// The caller's way from a model argument (a zoo name or an .onnx path) to
// its graph at a batch size: the report builds no model itself. Throws an
// Error naming the model when it cannot be loaded.
using GraphLoader =
    std::function<LoadedModel(const std::string& source, std::int64_t batch, DType dtype)>;

// Costs every batch size (inference and training). Throws what the loader
// or the cost model throws, with the model named; an Error when `load` is
// empty.
ModelCosts compute_model_costs(const std::string& source, const std::string& display_name,
                               const std::vector<std::int64_t>& batches, DType dtype,
                               const GraphLoader& load);

struct ModelSectionOptions {
  std::string section_number = "2";
  DType precision = DType::fp32;  // the peak used for the static overlay
  // Chips for the static overlay (one figure each; panels per batch). Chips
  // without a peak at `precision` or a main bandwidth are noted and skipped.
  std::vector<const Chip*> overlay_chips;
};

struct SectionBuild {
  Section section;
  std::vector<DataFile> data;
  std::vector<std::string> notes;  // for stderr and the caveats
};

// Throws Error when `models` is empty or a model lacks a batch size the
// others have.
SectionBuild build_model_section(const std::vector<ModelCosts>& models,
                                 const ModelSectionOptions& options);

// The commentary paragraphs (each computed from the numbers).
std::vector<std::string> model_commentary(const std::vector<ModelCosts>& models,
                                          const ModelSectionOptions& options);

// "3.2x" below 10, "31x" above: a ratio as the report writes it.
std::string ratio_text(double ratio);

}  // namespace dnnroof

#pragma once
// One way from a model argument to a graph, for every command: a zoo name or
// a path ending in .onnx (case-insensitive), with the options of the request.
// `analyze`, `import-ncu`, `bench` and `report` all resolve their models here.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "runner/sweep.h"

namespace dnnroof {

struct ModelRequest {
  // 0: an ONNX model keeps its own batch; a zoo model is built at 1.
  std::int64_t batch = 1;
  // Zoo models are built at this dtype; an ONNX file keeps its own.
  DType dtype = DType::fp32;
  // Zoo models: input image size and sequence length (0: the model's own).
  std::int64_t image_size = 0;
  std::int64_t seq_len = 0;
  // ONNX files: values of symbolic input dims, "NAME=VALUE" each. Refused
  // for a zoo model.
  std::vector<std::string> dims;
  // ONNX files: `batch` also replaces a fixed batch dim (re-batching a
  // fixed-batch export); false: it fills symbolic batch dims only.
  bool override_fixed_batch = true;
  // ONNX files: also read the file's weights (initializers, external data),
  // for running it; false: the graph only, for counting.
  bool weights = false;
  // An ONNX model held in memory (its serialized bytes) instead of a file:
  // `source` names it (as a file by its stem) and is not read. No weights
  // are read for it.
  std::optional<std::string> onnx_bytes;
};

// True for a path ending in .onnx, in any case.
bool is_onnx_path(const std::string& source);

// The model of `source` as `request` asks. The name is the zoo name as given
// or the .onnx file's stem. Throws Error naming the model (and the option)
// when it cannot be loaded: an unknown zoo name, an ONNX file that does not
// import or a build without ONNX import, --dim for a zoo model. The Python
// package's analyze() resolves its models here too.
SweepModel resolve_model(const std::string& source, const ModelRequest& request);

}  // namespace dnnroof

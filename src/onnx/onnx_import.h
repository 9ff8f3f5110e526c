#pragma once
// ONNX import: an .onnx file (any opset from 7 to 21, the default domain)
// becomes the same Graph IR the zoo builds, with dnnroof's own shape
// inference (not libonnx's), so the cost model, the executor and the report
// read imported and built-in models alike. See docs/onnx.md for the supported
// operators, constant folding and the error messages.
//
// This header does not include protobuf or libonnx.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "graph/graph.h"

namespace dnnroof {

struct OnnxImportOptions {
  // Fills dim 0 of every graph input whose dim 0 is symbolic or unknown.
  std::optional<std::int64_t> batch;
  // With `batch`: also replaces a fixed dim 0, in every graph input whose
  // dim 0 equals the first input's (the file's batch). A Reshape whose
  // constant target starts with the file's batch then keeps the input's
  // dim 0, so fixed-batch exports re-batch.
  bool override_fixed_batch = false;
  // Values of symbolic dims ("seq" -> 128), by their dim_param name.
  std::map<std::string, std::int64_t, std::less<>> dims;
  // false (analysis): large tensor payloads (raw_data, float_data, ...) are
  // skipped at the wire level and never copied; sizes come from the dims.
  // true (full): the whole file is parsed with protobuf, weights included,
  // and each raw payload's length is checked against its dims.
  bool load_weights = false;
};

// Imports the model at `path`; the graph is named by the file's stem
// ("models/resnet18.onnx" -> "resnet18"), not by the name inside the file,
// which exporters give every model alike ("main_graph"). Throws Error naming
// the file and, where it applies, the node, op type, domain and opset: for a
// file that is not an ONNX model, a cycle, a dangling input, a dim that stays
// unknown or is not positive, and every unsupported op of the file at once.
Graph import_onnx_file(const std::string& path, const OnnxImportOptions& options = {});

// The same for a model held in memory; `source` names it in errors. Never
// crashes on arbitrary bytes (the fuzzer's entry point).
Graph import_onnx_bytes(std::string_view bytes, std::string_view source,
                        const OnnxImportOptions& options = {});

// Parses "name=value" (value >= 1) for --dim; Error otherwise.
std::pair<std::string, std::int64_t> parse_dim_assignment(std::string_view text);

}  // namespace dnnroof

#pragma once
// The per-op converters, by family (convert_ops_nn.cc: layers, activations;
// convert_ops_tensor.cc: elementwise, data movement, reductions), each with
// its part of the supported-op table; find_converter (convert_ops.cc) looks
// an op type up in all of them. Internal to src/onnx.

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {

using Ints = std::vector<std::int64_t>;

// One row of the supported-op table: an ONNX op type of the default domain.
struct ConvertRow {
  std::string_view op;
  ConvertFn fn;
};

std::span<const ConvertRow> nn_converters();
std::span<const ConvertRow> tensor_converters();

inline Attributes attrs_with(std::initializer_list<std::pair<std::string, AttrValue>> kv) {
  Attributes a;
  for (const auto& [k, val] : kv) a.set(k, val);
  return a;
}

// An IR node of `op` over input 0 alone.
inline void unary(const NodeView& v, OpKind op, Attributes a = {}) {
  v.emit(op, {v.data(0)}, std::move(a));
}

}  // namespace dnnroof::onnx_import

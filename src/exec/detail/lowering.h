#pragma once
// Internal to src/exec (includes ATen): the lowering face of the op table.
// One row per OpKind maps a node, its input tensors and attributes onto ATen
// calls and returns its output tensors.

#include <ATen/core/Tensor.h>

#include <vector>

#include "graph/graph.h"

namespace dnnroof::exec_detail {

struct LowerContext {
  const Graph& graph;
  const Node& node;
  const std::vector<at::Tensor>& inputs;  // one per node input, in order
  bool training;                          // train semantics (BatchNorm stats, Dropout on)

  const at::Tensor& in(std::size_t i) const { return inputs.at(i); }
  bool has(std::size_t i) const { return i < inputs.size(); }
  const Attributes& attrs() const { return node.attrs; }
  const Value& out_value(std::size_t i) const { return graph.value(node.outputs.at(i)); }
  const Shape& out_shape(std::size_t i = 0) const { return out_value(i).shape; }
  const Value& in_value(std::size_t i) const { return graph.value(node.inputs.at(i)); }
};

using LowerFn = std::vector<at::Tensor> (*)(const LowerContext&);

// The lowering of `op`, or nullptr when it has none (unsupported_op_reason
// says why).
LowerFn lowering_of(OpKind op);
const char* unsupported_reason_of(OpKind op);

// Runs one node: the lowering, with any LibTorch error turned into an Error
// naming the node and the op.
std::vector<at::Tensor> run_node(const LowerContext& c);

}  // namespace dnnroof::exec_detail

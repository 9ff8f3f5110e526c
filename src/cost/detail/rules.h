#pragma once
// Internal: the cost face of the op table (src/cost/rules.cc). One row per
// OpKind, static_assert'ed to kOpKindCount rows: how it moves memory, its
// forward and backward work under dnnroof's rules, what it saves for
// backward; convention.cc overrides forward FLOPs for fvcore/thop/ptflops.

#include <vector>

#include "cost/cost.h"

namespace dnnroof::cost_detail {

// What the rule functions see about one node.
struct RuleContext {
  const Graph& graph;
  const Node& node;
  const CostOptions& options;
  double float_bytes;            // [B/element] storage of floating tensors
  std::vector<bool> needs_grad;  // per input: training and the input needs a gradient
  AttentionMemory attention;     // this node's memory model

  const Shape& in(std::size_t i) const { return graph.value(node.inputs.at(i)).shape; }
  const Shape& out(std::size_t i = 0) const { return graph.value(node.outputs.at(i)).shape; }
  double in_numel(std::size_t i) const { return static_cast<double>(numel(in(i))); }
  double out_numel(std::size_t i = 0) const { return static_cast<double>(numel(out(i))); }
  bool is_param(std::size_t i) const;
  double value_bytes(ValueId id) const;  // [B] at the storage dtype
  double input_bytes(std::size_t i) const { return value_bytes(node.inputs.at(i)); }
  bool grad(std::size_t i) const { return i < needs_grad.size() && needs_grad[i]; }
  bool any_grad() const;             // some input (activation or parameter) needs a gradient
  bool any_activation_grad() const;  // some non-parameter input needs a gradient
};

struct Work {
  double macs = 0;         // [MAC]
  double other_flops = 0;  // [FLOP]
  double bias_elems = 0;   // elements a bias adds (ptflops counts them; dnnroof ignores)
};

// Tensors a node keeps for its backward.
struct Saved {
  std::vector<ValueId> values;  // activations/inputs saved (deduplicated model-wide)
  double extra_bytes = 0;       // [B] node-private: masks, indices, score matrices
};

enum class MemoryKind {
  compute,  // reads all inputs, writes all outputs
  copy,     // same traffic, no FLOPs (Concat, Transpose, Pad, ...)
  view,     // aliases its input: 0 FLOPs, 0 bytes
};

using WorkFn = Work (*)(const RuleContext&);
using SavedFn = Saved (*)(const RuleContext&);
// Traffic beyond the generic rule (reads inputs, writes outputs; backward:
// grad-out, saved, weights, grads): score matrices, masks, indices. A
// negative read corrects an over-count (gathers read rows, not the table).
struct Traffic {
  double read = 0;     // [B]
  double written = 0;  // [B]
};
using ExtraBytesFn = Traffic (*)(const RuleContext&, bool backward);

struct CostRow {
  OpKind op;  // the row's op (rows_in_op_order checks the table)
  MemoryKind memory;
  WorkFn forward;
  WorkFn backward;  // called only when some input needs a gradient
  SavedFn saved;
  ExtraBytesFn extra_bytes;  // may be nullptr
};

// The row for `op` (Dropout is a view at inference: see effective_memory()).
const CostRow& cost_row(OpKind op);
MemoryKind effective_memory(OpKind op, bool training);
// Same for one node: also a Dropout with ratio 0 is a view.
MemoryKind effective_memory(const Node& node, bool training);

// Forward counts under a convention (src/cost/convention.cc): the count the
// tool reports for this node, split into its matrix-class and other parts
// (in the tool's unit: FLOPs for dnnroof, torch and calflops, MACs for
// thop and ptflops, fvcore's 1-per-MAC "flops", torchinfo's mult-adds);
// `macs` the MACs the tool reports (calflops' second number; thop, ptflops,
// fvcore: their whole count; torch, dnnroof: the matrix MACs it counts);
// `params_seen`: the tool counts this node's parameters (false only where
// thop never sees the module).
struct ConventionFlops {
  double matmul_flops = 0;
  double other_flops = 0;
  double macs = 0;
  bool params_seen = true;
};
ConventionFlops convention_forward(const RuleContext& ctx, const Work& dnnroof_work);
// Backward FLOPs as torch's FlopCounterMode counts them (2 per MAC of its
// mm/bmm/convolution_backward/sdpa-backward formulas, nothing else), given
// dnnroof's backward work `bw` of the node.
double torch_backward_flops(const RuleContext& ctx, const Work& bw);

}  // namespace dnnroof::cost_detail

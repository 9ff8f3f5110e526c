#pragma once
// The cost model: per node and in total, forward and backward, how much work
// a graph is (MACs, FLOPs) and how many bytes it moves, under the counting
// conventions of DESIGN.md ("Counting conventions", the contract). Every rule
// is documented in docs/cost-model.md; every OpKind has a row in the cost
// table (src/cost/rules.cc), checked against OpKind::count at compile time.
//
// Shapes must be inferred (a Graph from GraphBuilder::finish() or after
// infer_shapes()). Nothing here runs a model.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "graph/graph.h"

namespace dnnroof {

// Whose FLOP-counting rules to follow. MACs, parameters and bytes never
// change with the convention; only the FLOP columns do.
enum class CostConvention : std::uint8_t {
  dnnroof,  // DESIGN.md: matrix FLOPs = 2 x MACs, every other op by its own rule
  fvcore,   // facebookresearch/fvcore FlopCountAnalysis: 1 "flop" per MAC, most elementwise ops 0
  thop,     // Lyken17/pytorch-OpCounter (thop.profile): 1 per MAC, its module hooks only
  ptflops,  // sovrasov/flops-counter.pytorch: 1 per MAC + bias, 1/elem activations, pools, norms
};
std::string_view cost_convention_name(CostConvention c);
// Parses "dnnroof", "fvcore", "thop", "ptflops"; Error listing them otherwise.
CostConvention parse_cost_convention(std::string_view name);

// How Attention nodes use memory.
enum class AttentionMemory : std::uint8_t {
  plain,  // materialises the [.., L, S] score and probability matrices in memory
  flash,  // tiled (FlashAttention): scores stay on chip; only q, k, v, out (+ row stats)
};

struct CostOptions {
  // Storage type of every floating-point tensor (activations, parameters,
  // buffers) for the byte counts; nullopt = the graph's dtype. Integer
  // tensors (indices) keep their own size. Never changes FLOPs.
  std::optional<DType> dtype;
  bool training = false;  // count the backward pass and what forward saves for it
  CostConvention convention = CostConvention::dnnroof;
  // Default for Attention nodes; a node's "memory" attribute ("plain" or
  // "flash") overrides it.
  AttentionMemory attention = AttentionMemory::plain;
};

// The work and traffic of one pass (forward or backward) of a node or model.
struct PassCost {
  double macs = 0;           // [MAC] multiply-accumulates of matrix-class ops
  double matmul_flops = 0;   // [FLOP] matrix-class FLOPs (dnnroof: 2 x macs)
  double other_flops = 0;    // [FLOP] elementwise, normalisation, pooling, softmax, ...
  double bytes_read = 0;     // [B]
  double bytes_written = 0;  // [B]

  double flops() const { return matmul_flops + other_flops; }  // [FLOP]
  double bytes() const { return bytes_read + bytes_written; }  // [B]
  // [FLOP/B]; 0 when no bytes move.
  double intensity() const { return bytes() > 0 ? flops() / bytes() : 0; }
  PassCost& operator+=(const PassCost& o);
};
PassCost operator+(PassCost a, const PassCost& b);

struct NodeCost {
  std::int32_t node = -1;  // index into Graph::nodes
  std::string name;
  OpKind op = OpKind::Identity;
  Shape output_shape;  // the first output's
  PassCost forward;
  PassCost backward;            // all zero when not training or nothing upstream needs a gradient
  double params = 0;            // [elements] parameters this node reads
  double buffers = 0;           // [elements] buffers this node reads
  double activation_bytes = 0;  // [B] bytes of its outputs (0 for views, which alias their input)
  double saved_bytes = 0;       // [B] training: tensors it keeps for backward (may overlap others')
  bool input_needs_grad = false;  // training: some non-parameter input needs a gradient
  bool has_rule = true;           // false: no cost rule; counted as zero and listed in uncovered
};

struct ModelCost {
  std::string graph_name;
  std::int64_t batch = 0;  // dim 0 of the first graph input
  CostOptions options;
  DType storage = DType::fp32;  // the dtype used for the byte counts
  std::vector<NodeCost> nodes;

  PassCost forward;   // sums over nodes ("no reuse between layers" traffic)
  PassCost backward;  // zero unless training

  double params = 0;   // [elements] every trainable tensor of the graph once (shared weights once)
  double buffers = 0;  // [elements] BatchNorm running statistics; num_batches_tracked not counted
  // [elements] of `params`, those no node of this graph reads (a branch that
  // only runs in another mode, e.g. Inception v3's AuxLogits in eval mode):
  // part of the model as torchvision counts it, but no traffic.
  double unused_params = 0;
  double param_bytes = 0;       // [B]
  double buffer_bytes = 0;      // [B]
  double input_bytes = 0;       // [B] graph inputs
  double output_bytes = 0;      // [B] graph outputs
  double activation_bytes = 0;  // [B] sum of node outputs (views excluded)
  double saved_bytes = 0;       // [B] training: distinct tensors saved for backward

  // Compulsory traffic, the other bound: every parameter/buffer, model input
  // and output once. Forward: params + buffers + inputs + outputs. Backward:
  // params read + parameter gradients written + output gradients read +
  // inputs read = 2 x params + outputs + inputs.
  double compulsory_forward_bytes = 0;   // [B]
  double compulsory_backward_bytes = 0;  // [B]

  std::vector<std::string> uncovered;  // names of nodes with no cost rule (empty with today's ops)

  // The whole step: forward, plus backward when training.
  PassCost step() const { return forward + backward; }
  double compulsory_step_bytes() const {
    return compulsory_forward_bytes + (options.training ? compulsory_backward_bytes : 0);
  }
  // [FLOP/B] the intensity under each traffic model for the step.
  double intensity_no_reuse() const { return step().intensity(); }
  double intensity_compulsory() const {
    const double b = compulsory_step_bytes();
    return b > 0 ? step().flops() / b : 0;
  }
  // "all 142 nodes have a cost rule" or "3 of 142 nodes have no cost rule: a, b, c".
  std::string coverage_line() const;
};

// Costs every node of `graph` (shapes inferred). Throws Error naming the node
// and op when a node's inputs do not fit its rule.
ModelCost estimate_cost(const Graph& graph, const CostOptions& options = {});

// Per op kind: the pie data. Sorted by forward FLOPs, largest first.
struct OpTypeCost {
  OpKind op = OpKind::Identity;
  int nodes = 0;
  PassCost forward;
  PassCost backward;
  double params = 0;  // [elements]
};
std::vector<OpTypeCost> group_by_op(const ModelCost& cost);

// True when the op has forward and backward cost rules (every op must; the
// test walks them all).
bool has_cost_rule(OpKind op);

// True for ops that are views under the cost model (0 FLOPs, 0 bytes):
// Reshape, Flatten, Identity, Expand, Split, Slice, and Dropout at inference
// (a Dropout node with ratio 0 is a view in training too).
bool is_view_op(OpKind op, bool training);

}  // namespace dnnroof

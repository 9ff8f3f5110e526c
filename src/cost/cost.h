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

// Whose counting rules to follow (docs/cost-model.md, "Conventions of other
// tools"). MACs, parameters and bytes of ModelCost never change with the
// convention; only the FLOP columns do, and they then hold what that tool
// reports, in its unit (cost_convention_unit). What the tool reports as MACs
// and parameters is ModelCost::convention_macs / convention_params and
// convention_profile().
enum class CostConvention : std::uint8_t {
  dnnroof,  // DESIGN.md: matrix FLOPs = 2 x MACs, every other op by its own rule
  fvcore,   // fvcore FlopCountAnalysis: 1 "flop" per MAC, most elementwise ops 0
  thop,     // thop.profile: 1 per MAC, its module hooks only (MACs and params)
  ptflops,  // ptflops get_model_complexity_info, pytorch backend, count_functional=True
  ptflops_no_functional,  // the same with backend_specific_config count_functional=False
  ptflops_aten,           // ptflops' aten backend (mm, addmm, bmm, convolution)
  calflops,               // calflops.calculate_flops: FLOPs (and MACs) of patched F.* calls
  torch,                  // torch.utils.flop_counter.FlopCounterMode: 2 per MAC, matrix ops only
  torchinfo,              // torchinfo.summary total mult-adds
};
inline constexpr int kCostConventionCount = 9;
// "dnnroof", "fvcore", "thop", "ptflops", "ptflops-no-functional",
// "ptflops-aten", "calflops", "torch", "torchinfo".
std::string_view cost_convention_name(CostConvention c);
// What the FLOP columns hold under `c`: "FLOPs" (dnnroof, torch, calflops),
// "MACs" (thop, ptflops: their whole count, 1 per MAC plus their other ops),
// "flops" (fvcore: 1 per MAC), "mult-adds" (torchinfo).
std::string_view cost_convention_unit(CostConvention c);
// Column label of the FLOP columns: "FLOPs" for dnnroof, else the tool's
// name and unit ("thop MACs", "fvcore flops", "torch FLOPs", ...).
std::string cost_convention_label(CostConvention c);
// Parses the names above (case-insensitive; '_' for '-' accepted); Error
// listing them otherwise.
CostConvention parse_cost_convention(std::string_view name);
// All names, comma-separated, for help texts and errors.
std::string cost_convention_names();

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
  // Training: Attention's backward also recomputes QK^T (B*L*S*d MACs), as
  // fused kernels (FlashAttention, memory-efficient) do and as torch 2.x's
  // FlopCounterMode counts its sdpa backward.
  bool attention_recompute = false;
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

  // What the convention's tool reports as MACs for the forward pass (thop,
  // ptflops, fvcore: the same number as forward.flops(); calflops: its MACs;
  // torch: the matrix MACs it counts; torchinfo: its mult-adds; dnnroof:
  // forward.macs), and as parameters (thop: only those of the modules it
  // hooks; every other tool: all of them, = params).
  double convention_macs = 0;
  double convention_params = 0;

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

// What a peer tool returns for a model, like thop.profile(model, inputs)
// returning (macs, params): forward counts under `convention` at the graph's
// batch, no training.
struct ConventionProfile {
  CostConvention convention = CostConvention::dnnroof;
  double macs = 0;    // ModelCost::convention_macs
  double flops = 0;   // forward.flops() under the convention, in cost_convention_unit()
  double params = 0;  // ModelCost::convention_params
};
ConventionProfile convention_profile(const Graph& graph, CostConvention convention);

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

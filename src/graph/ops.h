#pragma once
// The operator kinds of the IR. Each kind has one row in each face's table:
// its shape rule (src/graph/shape_rules.cc), its forward and backward cost rule
// (src/cost) and its lowering to LibTorch (src/exec). The enum ends with
// `count`, and each table is checked against it at compile time, so a new op
// cannot miss an entry; a test walks every kind and checks each face.
//
// Input conventions (activations first, then parameters):
//   Conv/ConvTranspose: x, weight[, bias]     Gemm: x, weight[out,in][, bias]
//   BatchNorm: x, scale, shift, running_mean, running_var
//   LayerNorm/GroupNorm: x[, scale, shift]    PRelu: x, slope
//   Embedding: indices, table                 Attention: q, k, v[, mask]
//   Where: condition, x, y

#include <cstdint>
#include <optional>
#include <string_view>

namespace dnnroof {

enum class OpKind : std::uint8_t {
  // Matrix-class
  Conv,           // attrs: kernel, stride, pads (begin..., end...), dilation, group
  ConvTranspose,  // attrs: as Conv + output_padding
  Gemm,           // y = x W^T + b over the last dim (torch.nn.Linear); any leading dims
  MatMul,         // batched, numpy broadcasting; attrs: trans_b (0/1)
  Attention,      // scaled-dot-product; attrs: causal, memory ("plain" | "flash"), scale
  // Normalisation
  BatchNorm,  // attrs: epsilon, momentum
  LayerNorm,  // attrs: axis (first normalised dim), epsilon
  GroupNorm,  // attrs: num_groups, epsilon
  Lrn,        // attrs: size, alpha, beta, bias
  // Activations (elementwise, one input)
  Relu,
  Relu6,
  LeakyRelu,  // attrs: alpha
  PRelu,
  Elu,  // attrs: alpha
  Selu,
  Gelu,  // attrs: approximate ("none" | "tanh")
  Silu,
  Hardswish,
  Hardsigmoid,
  Sigmoid,
  Tanh,
  Clip,        // attrs: min, max
  Softmax,     // attrs: axis
  LogSoftmax,  // attrs: axis
  // Pooling
  MaxPool,  // attrs: kernel, stride, pads, dilation, ceil_mode
  AvgPool,  // attrs: kernel, stride, pads, ceil_mode, count_include_pad
  GlobalAvgPool,
  GlobalMaxPool,
  AdaptiveAvgPool,  // attrs: output_size
  AdaptiveMaxPool,  // attrs: output_size
  // Elementwise binary with numpy broadcasting
  Add,
  Sub,
  Mul,
  Div,
  // Data movement
  Concat,          // attrs: axis
  Split,           // attrs: axis, split (sizes); several outputs
  Slice,           // attrs: axes, starts, ends, steps
  Reshape,         // attrs: shape (one -1 allowed, 0 copies the input dim)
  Flatten,         // attrs: start_dim, end_dim (torch semantics)
  Transpose,       // attrs: perm
  Expand,          // attrs: shape (numpy broadcast to shape); optional 2nd input fills 0 dims
  Roll,            // attrs: shifts, axes (torch.roll)
  Pad,             // attrs: pads (begins..., ends...), mode, value
  ChannelShuffle,  // attrs: groups
  Gather,          // attrs: axis; inputs: data, indices
  Embedding,       // inputs: indices, table[num, dim]
  Dropout,         // attrs: ratio (identity at inference)
  Identity,
  // Reductions
  ReduceMean,  // attrs: axes, keepdims
  ReduceSum,   // attrs: axes, keepdims
  // Elementwise unary math (one input, same shape)
  Exp,
  Log,
  Neg,
  Abs,
  Sqrt,
  Reciprocal,
  Softplus,  // log(1 + exp(x)) (torch.nn.Softplus with beta 1)
  // Elementwise binary with numpy broadcasting (continued)
  Pow,  // a ** b
  Max,  // torch.maximum
  Min,  // torch.minimum
  // Data movement (continued)
  Tile,  // attrs: repeats (one per dim; torch.Tensor.repeat with as many repeats as dims)
  // Comparisons (bool output, numpy broadcasting), selection, conversion
  Equal,
  Less,
  Greater,
  Not,    // logical not of a bool tensor
  Where,  // inputs: condition, x, y (all three broadcast); x's dtype
  Cast,   // attrs: to (a dtype name: "fp32", "int64", "bool", ...)
  // Reductions (continued)
  ReduceMax,  // attrs: axes, keepdims (torch.amax)
  ReduceMin,  // attrs: axes, keepdims (torch.amin)
  ArgMax,     // attrs: axis, keepdims; int64 output (the first maximum, as torch)
  ArgMin,     // attrs: axis, keepdims; int64 output
  count       // keep last
};

inline constexpr std::size_t kOpKindCount = static_cast<std::size_t>(OpKind::count);

// The op's name as printed ("Conv", "BatchNorm", "ReLU", ...).
std::string_view op_name(OpKind op);
std::optional<OpKind> parse_op_name(std::string_view name);

}  // namespace dnnroof

#pragma once
// The family of each op kind, the groups of OpKind's declaration (ops.h):
// what the report's prose and the peer tools' conventions group ops by. One
// column of the op-name table (ops.cc), so every kind has exactly one.

#include <cstdint>
#include <string_view>

#include "graph/ops.h"

namespace dnnroof {

enum class OpFamily : std::uint8_t {
  matrix,         // Conv, ConvTranspose, Gemm, MatMul, Attention
  normalisation,  // BatchNorm, LayerNorm, GroupNorm, Lrn
  activation,     // one input, elementwise: ReLU ... Tanh, Clip
  softmax,        // Softmax, LogSoftmax (along an axis)
  pooling,        // MaxPool, AvgPool, their global and adaptive forms
  arithmetic,     // elementwise binary, broadcasting: Add, Sub, Mul, Div, Pow, Max, Min
  unary_math,     // Exp, Log, Neg, Abs, Sqrt, Reciprocal, Softplus
  data_movement,  // Concat, Split, Slice, Reshape, ... Dropout, Identity, Tile
  reduction,      // ReduceMean, ReduceSum, ReduceMax, ReduceMin, ArgMax, ArgMin
  comparison,     // Equal, Less, Greater, Not, Where, Cast
};

OpFamily op_family(OpKind op);
// "matrix", "normalisation", "activation", "softmax", "pooling",
// "arithmetic", "unary math", "data movement", "reduction", "comparison".
std::string_view op_family_name(OpFamily family);

}  // namespace dnnroof

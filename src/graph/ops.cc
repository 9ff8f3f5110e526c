// Names and families of the op kinds (ops.h, op_family.h): one row per
// OpKind, checked at compile time (graph/op_table.h).
#include "graph/ops.h"

#include <array>
#include <string_view>

#include "graph/detail/op_table.h"
#include "graph/op_family.h"

namespace dnnroof {
namespace {

struct NameRow {
  OpKind op;
  std::string_view name;  // as ONNX and torch spell it where they agree
  OpFamily family;
};

constexpr std::array<NameRow, kOpKindCount> kOpNames{{
    {OpKind::Conv, "Conv", OpFamily::matrix},
    {OpKind::ConvTranspose, "ConvTranspose", OpFamily::matrix},
    {OpKind::Gemm, "Gemm", OpFamily::matrix},
    {OpKind::MatMul, "MatMul", OpFamily::matrix},
    {OpKind::Attention, "Attention", OpFamily::matrix},
    {OpKind::BatchNorm, "BatchNorm", OpFamily::normalisation},
    {OpKind::LayerNorm, "LayerNorm", OpFamily::normalisation},
    {OpKind::GroupNorm, "GroupNorm", OpFamily::normalisation},
    {OpKind::Lrn, "LRN", OpFamily::normalisation},
    {OpKind::Relu, "ReLU", OpFamily::activation},
    {OpKind::Relu6, "ReLU6", OpFamily::activation},
    {OpKind::LeakyRelu, "LeakyReLU", OpFamily::activation},
    {OpKind::PRelu, "PReLU", OpFamily::activation},
    {OpKind::Elu, "ELU", OpFamily::activation},
    {OpKind::Selu, "SELU", OpFamily::activation},
    {OpKind::Gelu, "GELU", OpFamily::activation},
    {OpKind::Silu, "SiLU", OpFamily::activation},
    {OpKind::Hardswish, "Hardswish", OpFamily::activation},
    {OpKind::Hardsigmoid, "Hardsigmoid", OpFamily::activation},
    {OpKind::Sigmoid, "Sigmoid", OpFamily::activation},
    {OpKind::Tanh, "Tanh", OpFamily::activation},
    {OpKind::Clip, "Clip", OpFamily::activation},
    {OpKind::Softmax, "Softmax", OpFamily::softmax},
    {OpKind::LogSoftmax, "LogSoftmax", OpFamily::softmax},
    {OpKind::MaxPool, "MaxPool", OpFamily::pooling},
    {OpKind::AvgPool, "AvgPool", OpFamily::pooling},
    {OpKind::GlobalAvgPool, "GlobalAvgPool", OpFamily::pooling},
    {OpKind::GlobalMaxPool, "GlobalMaxPool", OpFamily::pooling},
    {OpKind::AdaptiveAvgPool, "AdaptiveAvgPool", OpFamily::pooling},
    {OpKind::AdaptiveMaxPool, "AdaptiveMaxPool", OpFamily::pooling},
    {OpKind::Add, "Add", OpFamily::arithmetic},
    {OpKind::Sub, "Sub", OpFamily::arithmetic},
    {OpKind::Mul, "Mul", OpFamily::arithmetic},
    {OpKind::Div, "Div", OpFamily::arithmetic},
    {OpKind::Concat, "Concat", OpFamily::data_movement},
    {OpKind::Split, "Split", OpFamily::data_movement},
    {OpKind::Slice, "Slice", OpFamily::data_movement},
    {OpKind::Reshape, "Reshape", OpFamily::data_movement},
    {OpKind::Flatten, "Flatten", OpFamily::data_movement},
    {OpKind::Transpose, "Transpose", OpFamily::data_movement},
    {OpKind::Expand, "Expand", OpFamily::data_movement},
    {OpKind::Roll, "Roll", OpFamily::data_movement},
    {OpKind::Pad, "Pad", OpFamily::data_movement},
    {OpKind::ChannelShuffle, "ChannelShuffle", OpFamily::data_movement},
    {OpKind::Gather, "Gather", OpFamily::data_movement},
    {OpKind::Embedding, "Embedding", OpFamily::data_movement},
    {OpKind::Dropout, "Dropout", OpFamily::data_movement},
    {OpKind::Identity, "Identity", OpFamily::data_movement},
    {OpKind::ReduceMean, "ReduceMean", OpFamily::reduction},
    {OpKind::ReduceSum, "ReduceSum", OpFamily::reduction},
    {OpKind::Exp, "Exp", OpFamily::unary_math},
    {OpKind::Log, "Log", OpFamily::unary_math},
    {OpKind::Neg, "Neg", OpFamily::unary_math},
    {OpKind::Abs, "Abs", OpFamily::unary_math},
    {OpKind::Sqrt, "Sqrt", OpFamily::unary_math},
    {OpKind::Reciprocal, "Reciprocal", OpFamily::unary_math},
    {OpKind::Softplus, "Softplus", OpFamily::unary_math},
    {OpKind::Pow, "Pow", OpFamily::arithmetic},
    {OpKind::Max, "Max", OpFamily::arithmetic},
    {OpKind::Min, "Min", OpFamily::arithmetic},
    {OpKind::Tile, "Tile", OpFamily::data_movement},
    {OpKind::Equal, "Equal", OpFamily::comparison},
    {OpKind::Less, "Less", OpFamily::comparison},
    {OpKind::Greater, "Greater", OpFamily::comparison},
    {OpKind::Not, "Not", OpFamily::comparison},
    {OpKind::Where, "Where", OpFamily::comparison},
    {OpKind::Cast, "Cast", OpFamily::comparison},
    {OpKind::ReduceMax, "ReduceMax", OpFamily::reduction},
    {OpKind::ReduceMin, "ReduceMin", OpFamily::reduction},
    {OpKind::ArgMax, "ArgMax", OpFamily::reduction},
    {OpKind::ArgMin, "ArgMin", OpFamily::reduction},
}};
static_assert(rows_in_op_order(kOpNames), "kOpNames: one row per OpKind, in OpKind order");

// Every entry filled: an empty name means a row without its name.
constexpr bool all_named() {
  for (const NameRow& r : kOpNames) {
    if (r.name.empty()) return false;
  }
  return true;
}
static_assert(all_named(), "kOpNames must name every OpKind");

}  // namespace

std::string_view op_name(OpKind op) { return kOpNames.at(static_cast<std::size_t>(op)).name; }

OpFamily op_family(OpKind op) { return kOpNames.at(static_cast<std::size_t>(op)).family; }

std::string_view op_family_name(OpFamily family) {
  switch (family) {
    case OpFamily::matrix:
      return "matrix";
    case OpFamily::normalisation:
      return "normalisation";
    case OpFamily::activation:
      return "activation";
    case OpFamily::softmax:
      return "softmax";
    case OpFamily::pooling:
      return "pooling";
    case OpFamily::arithmetic:
      return "arithmetic";
    case OpFamily::unary_math:
      return "unary math";
    case OpFamily::data_movement:
      return "data movement";
    case OpFamily::reduction:
      return "reduction";
    case OpFamily::comparison:
      return "comparison";
  }
  return "?";
}

std::optional<OpKind> parse_op_name(std::string_view name) {
  for (const NameRow& r : kOpNames) {
    if (r.name == name) return r.op;
  }
  return std::nullopt;
}

}  // namespace dnnroof

// Names of the op kinds (ops.h): one row per OpKind, checked at compile
// time (graph/op_table.h).
#include "graph/ops.h"

#include <array>
#include <string_view>

#include "graph/detail/op_table.h"

namespace dnnroof {
namespace {

struct NameRow {
  OpKind op;
  std::string_view name;  // as ONNX and torch spell it where they agree
};

constexpr std::array<NameRow, kOpKindCount> kOpNames{{
    {OpKind::Conv, "Conv"},
    {OpKind::ConvTranspose, "ConvTranspose"},
    {OpKind::Gemm, "Gemm"},
    {OpKind::MatMul, "MatMul"},
    {OpKind::Attention, "Attention"},
    {OpKind::BatchNorm, "BatchNorm"},
    {OpKind::LayerNorm, "LayerNorm"},
    {OpKind::GroupNorm, "GroupNorm"},
    {OpKind::Lrn, "LRN"},
    {OpKind::Relu, "ReLU"},
    {OpKind::Relu6, "ReLU6"},
    {OpKind::LeakyRelu, "LeakyReLU"},
    {OpKind::PRelu, "PReLU"},
    {OpKind::Elu, "ELU"},
    {OpKind::Selu, "SELU"},
    {OpKind::Gelu, "GELU"},
    {OpKind::Silu, "SiLU"},
    {OpKind::Hardswish, "Hardswish"},
    {OpKind::Hardsigmoid, "Hardsigmoid"},
    {OpKind::Sigmoid, "Sigmoid"},
    {OpKind::Tanh, "Tanh"},
    {OpKind::Clip, "Clip"},
    {OpKind::Softmax, "Softmax"},
    {OpKind::LogSoftmax, "LogSoftmax"},
    {OpKind::MaxPool, "MaxPool"},
    {OpKind::AvgPool, "AvgPool"},
    {OpKind::GlobalAvgPool, "GlobalAvgPool"},
    {OpKind::GlobalMaxPool, "GlobalMaxPool"},
    {OpKind::AdaptiveAvgPool, "AdaptiveAvgPool"},
    {OpKind::AdaptiveMaxPool, "AdaptiveMaxPool"},
    {OpKind::Add, "Add"},
    {OpKind::Sub, "Sub"},
    {OpKind::Mul, "Mul"},
    {OpKind::Div, "Div"},
    {OpKind::Concat, "Concat"},
    {OpKind::Split, "Split"},
    {OpKind::Slice, "Slice"},
    {OpKind::Reshape, "Reshape"},
    {OpKind::Flatten, "Flatten"},
    {OpKind::Transpose, "Transpose"},
    {OpKind::Expand, "Expand"},
    {OpKind::Roll, "Roll"},
    {OpKind::Pad, "Pad"},
    {OpKind::ChannelShuffle, "ChannelShuffle"},
    {OpKind::Gather, "Gather"},
    {OpKind::Embedding, "Embedding"},
    {OpKind::Dropout, "Dropout"},
    {OpKind::Identity, "Identity"},
    {OpKind::ReduceMean, "ReduceMean"},
    {OpKind::ReduceSum, "ReduceSum"},
    {OpKind::Exp, "Exp"},
    {OpKind::Log, "Log"},
    {OpKind::Neg, "Neg"},
    {OpKind::Abs, "Abs"},
    {OpKind::Sqrt, "Sqrt"},
    {OpKind::Reciprocal, "Reciprocal"},
    {OpKind::Softplus, "Softplus"},
    {OpKind::Pow, "Pow"},
    {OpKind::Max, "Max"},
    {OpKind::Min, "Min"},
    {OpKind::Tile, "Tile"},
    {OpKind::Equal, "Equal"},
    {OpKind::Less, "Less"},
    {OpKind::Greater, "Greater"},
    {OpKind::Not, "Not"},
    {OpKind::Where, "Where"},
    {OpKind::Cast, "Cast"},
    {OpKind::ReduceMax, "ReduceMax"},
    {OpKind::ReduceMin, "ReduceMin"},
    {OpKind::ArgMax, "ArgMax"},
    {OpKind::ArgMin, "ArgMin"},
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

std::optional<OpKind> parse_op_name(std::string_view name) {
  for (const NameRow& r : kOpNames) {
    if (r.name == name) return r.op;
  }
  return std::nullopt;
}

}  // namespace dnnroof

// Names of the op kinds, checked against OpKind::count at compile time.
#include <array>
#include <string_view>

#include "graph/ops.h"

namespace dnnroof {
namespace {

constexpr std::array<std::string_view, kOpKindCount> kOpNames{
    "Conv",        "ConvTranspose", "Gemm",          "MatMul",          "Attention",
    "BatchNorm",   "LayerNorm",     "GroupNorm",     "LRN",             "ReLU",
    "ReLU6",       "LeakyReLU",     "PReLU",         "ELU",             "SELU",
    "GELU",        "SiLU",          "Hardswish",     "Hardsigmoid",     "Sigmoid",
    "Tanh",        "Clip",          "Softmax",       "LogSoftmax",      "MaxPool",
    "AvgPool",     "GlobalAvgPool", "GlobalMaxPool", "AdaptiveAvgPool", "AdaptiveMaxPool",
    "Add",         "Sub",           "Mul",           "Div",             "Concat",
    "Split",       "Slice",         "Reshape",       "Flatten",         "Transpose",
    "Expand",      "Roll",          "Pad",           "ChannelShuffle",  "Gather",
    "Embedding",   "Dropout",       "Identity",      "ReduceMean",      "ReduceSum",
    "Exp",         "Log",           "Neg",           "Abs",             "Sqrt",
    "Reciprocal",  "Softplus",      "Pow",           "Max",             "Min",
    "Tile",        "Equal",         "Less",          "Greater",         "Not",
    "Where",       "Cast",          "ReduceMax",     "ReduceMin",       "ArgMax",
    "ArgMin",
};

// Every entry filled: an empty name means the table fell behind the enum.
constexpr bool all_named() {
  for (auto n : kOpNames) {
    if (n.empty()) return false;
  }
  return true;
}
static_assert(all_named(), "kOpNames must name every OpKind");

}  // namespace

std::string_view op_name(OpKind op) { return kOpNames.at(static_cast<std::size_t>(op)); }

std::optional<OpKind> parse_op_name(std::string_view name) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i) {
    if (kOpNames[i] == name) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

}  // namespace dnnroof

// The shape face of the op table: one row per OpKind, checked against
// OpKind::count at compile time; the rules themselves are in
// shape_rules_<family>.cc (shape_rules_detail.h). Each rule reads its inputs'
// shapes and its attributes and returns the output shapes; a rule throws plain
// Error text and infer_node_shapes() prefixes it with the node's name and op.
#include "graph/detail/shape_rules.h"

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/op_table.h"
#include "graph/detail/shape_rules_family.h"
#include "graph/graph.h"

namespace dnnroof {

namespace shape_detail {

void require_rank_at_least(const Shape& s, std::size_t rank, std::string_view what) {
  if (s.size() < rank) {
    fail("{} has rank {} ({}), expected at least {}", what, s.size(), shape_str(s), rank);
  }
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

}  // namespace shape_detail

namespace {

using namespace shape_detail;  // the rules and their helpers

struct ShapeRow {
  OpKind op;
  int min_in;
  int max_in;  // < 0: unbounded
  ShapeFn fn;
};

// The table: {op, min inputs, max inputs (-1 unbounded), rule}, one row per
// OpKind in its order (checked below).
constexpr std::array<ShapeRow, kOpKindCount> kShapeRows{{
    {OpKind::Conv, 2, 3, conv_rule},
    {OpKind::ConvTranspose, 2, 3, conv_transpose_rule},
    {OpKind::Gemm, 2, 3, gemm_rule},
    {OpKind::MatMul, 2, 2, matmul_rule},
    {OpKind::Attention, 3, 4, attention_rule},
    {OpKind::BatchNorm, 5, 5, batch_norm_rule},
    {OpKind::LayerNorm, 1, 3, layer_norm_rule},
    {OpKind::GroupNorm, 1, 3, group_norm_rule},
    {OpKind::Lrn, 1, 1, same_rule},
    {OpKind::Relu, 1, 1, same_rule},
    {OpKind::Relu6, 1, 1, same_rule},
    {OpKind::LeakyRelu, 1, 1, same_rule},
    {OpKind::PRelu, 2, 2, prelu_rule},
    {OpKind::Elu, 1, 1, same_rule},
    {OpKind::Selu, 1, 1, same_rule},
    {OpKind::Gelu, 1, 1, same_rule},
    {OpKind::Silu, 1, 1, same_rule},
    {OpKind::Hardswish, 1, 1, same_rule},
    {OpKind::Hardsigmoid, 1, 1, same_rule},
    {OpKind::Sigmoid, 1, 1, same_rule},
    {OpKind::Tanh, 1, 1, same_rule},
    {OpKind::Clip, 1, 1, same_rule},
    {OpKind::Softmax, 1, 1, softmax_rule},
    {OpKind::LogSoftmax, 1, 1, softmax_rule},
    {OpKind::MaxPool, 1, 1, pool_rule},
    {OpKind::AvgPool, 1, 1, pool_rule},
    {OpKind::GlobalAvgPool, 1, 1, global_pool_rule},
    {OpKind::GlobalMaxPool, 1, 1, global_pool_rule},
    {OpKind::AdaptiveAvgPool, 1, 1, adaptive_pool_rule},
    {OpKind::AdaptiveMaxPool, 1, 1, adaptive_pool_rule},
    {OpKind::Add, 2, 2, broadcast_rule},
    {OpKind::Sub, 2, 2, broadcast_rule},
    {OpKind::Mul, 2, 2, broadcast_rule},
    {OpKind::Div, 2, 2, broadcast_rule},
    {OpKind::Concat, 1, -1, concat_rule},
    {OpKind::Split, 1, 1, split_rule},
    {OpKind::Slice, 1, 1, slice_rule},
    {OpKind::Reshape, 1, 2, reshape_rule},
    {OpKind::Flatten, 1, 1, flatten_rule},
    {OpKind::Transpose, 1, 1, transpose_rule},
    {OpKind::Expand, 1, 2, expand_rule},
    {OpKind::Roll, 1, 1, roll_rule},
    {OpKind::Pad, 1, 1, pad_rule},
    {OpKind::ChannelShuffle, 1, 1, channel_shuffle_rule},
    {OpKind::Gather, 2, 2, gather_rule},
    {OpKind::Embedding, 2, 2, embedding_rule},
    {OpKind::Dropout, 1, 1, same_rule},
    {OpKind::Identity, 1, 1, same_rule},
    {OpKind::ReduceMean, 1, 1, reduce_rule},
    {OpKind::ReduceSum, 1, 1, reduce_rule},
    {OpKind::Exp, 1, 1, same_rule},
    {OpKind::Log, 1, 1, same_rule},
    {OpKind::Neg, 1, 1, same_rule},
    {OpKind::Abs, 1, 1, same_rule},
    {OpKind::Sqrt, 1, 1, same_rule},
    {OpKind::Reciprocal, 1, 1, same_rule},
    {OpKind::Softplus, 1, 1, same_rule},
    {OpKind::Pow, 2, 2, broadcast_rule},
    {OpKind::Max, 2, 2, broadcast_rule},
    {OpKind::Min, 2, 2, broadcast_rule},
    {OpKind::Tile, 1, 1, tile_rule},
    {OpKind::Equal, 2, 2, broadcast_rule},
    {OpKind::Less, 2, 2, broadcast_rule},
    {OpKind::Greater, 2, 2, broadcast_rule},
    {OpKind::Not, 1, 1, same_rule},
    {OpKind::Where, 3, 3, where_rule},
    {OpKind::Cast, 1, 1, cast_rule},
    {OpKind::ReduceMax, 1, 1, reduce_rule},
    {OpKind::ReduceMin, 1, 1, reduce_rule},
    {OpKind::ArgMax, 1, 1, arg_rule},
    {OpKind::ArgMin, 1, 1, arg_rule},
}};

constexpr bool all_rows_filled() {
  for (const auto& r : kShapeRows) {
    if (r.fn == nullptr || r.min_in < 1) return false;
  }
  return true;
}
static_assert(all_rows_filled(), "kShapeRows must have a rule for every OpKind");
static_assert(rows_in_op_order(kShapeRows), "kShapeRows: one row per OpKind, in OpKind order");

const ShapeRow& row(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= kShapeRows.size()) fail("op kind {} out of range", i);
  return kShapeRows[i];
}

}  // namespace

std::vector<std::int64_t> spatial_attr(const Attributes& a, std::string_view key, std::size_t dims,
                                       std::int64_t def) {
  std::vector<std::int64_t> v = a.get_ints(key, std::vector<std::int64_t>(dims, def));
  if (v.size() == 1 && dims > 1) v.assign(dims, v[0]);
  if (v.size() != dims) {
    fail("attribute '{}' has {} values, expected {} (one per spatial dim)", key, v.size(), dims);
  }
  return v;
}

std::vector<std::int64_t> pads_attr(const Attributes& a, std::size_t dims) {
  std::vector<std::int64_t> p = a.get_ints("pads", std::vector<std::int64_t>(2 * dims, 0));
  if (p.size() == dims) p.insert(p.end(), p.begin(), p.end());
  if (p.size() == 1) p.assign(2 * dims, p[0]);
  if (p.size() != 2 * dims) {
    fail("attribute 'pads' has {} values, expected {} (begins then ends)", p.size(), 2 * dims);
  }
  return p;
}

std::int64_t normalize_axis(std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) fail("axis {} out of range for rank {}", axis, rank);
  return axis < 0 ? axis + r : axis;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) {
      fail("shapes {} and {} do not broadcast", shape_str(a), shape_str(b));
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool has_shape_rule(OpKind op) { return row(op).fn != nullptr; }
int min_inputs(OpKind op) { return row(op).min_in; }
int max_inputs(OpKind op) { return row(op).max_in; }

std::vector<Shape> infer_node_shapes(const Graph& graph, const Node& node,
                                     std::size_t num_outputs) {
  const ShapeRow& r = row(node.op);
  try {
    const auto n = static_cast<int>(node.inputs.size());
    if (n < r.min_in || (r.max_in >= 0 && n > r.max_in)) {
      if (r.max_in < 0) fail("has {} inputs, expects at least {}", n, r.min_in);
      fail("has {} inputs, expects {}{}", n, r.min_in,
           r.max_in == r.min_in ? std::string() : fmt::format(" to {}", r.max_in));
    }
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      if (id < 0 || static_cast<std::size_t>(id) >= graph.values.size()) {
        fail("input {} is not a value", i);
      }
    }
    return r.fn(ShapeContext{graph, node, num_outputs});
  } catch (const Error& e) {
    fail("node '{}' ({}): {}", node.name, op_name(node.op), e.what());
  }
}

DType infer_node_dtype(const Graph& graph, const Node& node) {
  if (node.inputs.empty()) return graph.dtype;
  switch (node.op) {
    case OpKind::Equal:
    case OpKind::Less:
    case OpKind::Greater:
    case OpKind::Not:
      return DType::boolean;
    case OpKind::Where:
      if (node.inputs.size() > 1) return graph.value(node.inputs[1]).dtype;
      break;
    case OpKind::Cast:
      return parse_dtype_or_throw(node.attrs.get_string("to", "fp32"));
    case OpKind::ArgMax:
    case OpKind::ArgMin:
      return DType::int64;
    default:
      break;
  }
  if (node.op == OpKind::Embedding && node.inputs.size() > 1) {
    return graph.value(node.inputs[1]).dtype;
  }
  return graph.value(node.inputs[0]).dtype;
}

}  // namespace dnnroof

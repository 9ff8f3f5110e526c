#pragma once
// Internal to src/graph: what the shape rules share. One rule per op family
// file (shape_rules_matrix.cc, shape_rules_movement.cc,
// shape_rules_elementwise.cc); the table that names the rule of each OpKind
// is shape_rules.cc. A rule reads its inputs' shapes and its attributes and
// returns the output shapes; it throws plain Error text and
// infer_node_shapes() prefixes it with the node's name and op.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace dnnroof::shape_detail {

using Ints = std::vector<std::int64_t>;

struct ShapeContext {
  const Graph& graph;
  const Node& node;
  std::size_t num_outputs;

  const Shape& in(std::size_t i) const { return graph.value(node.inputs.at(i)).shape; }
  std::size_t n_in() const { return node.inputs.size(); }
  const Attributes& attrs() const { return node.attrs; }
};

using ShapeFn = std::vector<Shape> (*)(const ShapeContext&);

void require_rank_at_least(const Shape& s, std::size_t rank, std::string_view what);
std::int64_t floor_div(std::int64_t a, std::int64_t b);
std::int64_t ceil_div(std::int64_t a, std::int64_t b);

// shape_rules_matrix.cc: matrix-class, normalisation, pooling
std::vector<Shape> conv_rule(const ShapeContext& c);
std::vector<Shape> conv_transpose_rule(const ShapeContext& c);
std::vector<Shape> gemm_rule(const ShapeContext& c);
std::vector<Shape> matmul_rule(const ShapeContext& c);
std::vector<Shape> attention_rule(const ShapeContext& c);
std::vector<Shape> batch_norm_rule(const ShapeContext& c);
std::vector<Shape> layer_norm_rule(const ShapeContext& c);
std::vector<Shape> group_norm_rule(const ShapeContext& c);
std::vector<Shape> pool_rule(const ShapeContext& c);
std::vector<Shape> global_pool_rule(const ShapeContext& c);
std::vector<Shape> adaptive_pool_rule(const ShapeContext& c);

// shape_rules_movement.cc: data movement
std::vector<Shape> concat_rule(const ShapeContext& c);
std::vector<Shape> split_rule(const ShapeContext& c);
std::vector<Shape> slice_rule(const ShapeContext& c);
std::vector<Shape> reshape_rule(const ShapeContext& c);
std::vector<Shape> flatten_rule(const ShapeContext& c);
std::vector<Shape> transpose_rule(const ShapeContext& c);
std::vector<Shape> expand_rule(const ShapeContext& c);
std::vector<Shape> roll_rule(const ShapeContext& c);
std::vector<Shape> pad_rule(const ShapeContext& c);
std::vector<Shape> channel_shuffle_rule(const ShapeContext& c);
std::vector<Shape> gather_rule(const ShapeContext& c);
std::vector<Shape> embedding_rule(const ShapeContext& c);

// shape_rules_elementwise.cc: elementwise, reductions and the rest
std::vector<Shape> same_rule(const ShapeContext& c);
std::vector<Shape> prelu_rule(const ShapeContext& c);
std::vector<Shape> softmax_rule(const ShapeContext& c);
std::vector<Shape> broadcast_rule(const ShapeContext& c);
std::vector<Shape> reduce_rule(const ShapeContext& c);
std::vector<Shape> tile_rule(const ShapeContext& c);
std::vector<Shape> where_rule(const ShapeContext& c);
std::vector<Shape> cast_rule(const ShapeContext& c);
std::vector<Shape> arg_rule(const ShapeContext& c);

}  // namespace dnnroof::shape_detail

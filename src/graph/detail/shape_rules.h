#pragma once
// The shape face of the op table (src/graph/shape_rules.cc): one row per OpKind with
// the number of inputs it takes and a function from input shapes and
// attributes to output shapes. The table is static_assert'ed to have
// kOpKindCount rows. Semantics follow torch (and ONNX where torch has none):
// the comment above each rule in shape_rules.cc says which.
//
// Attribute conventions used by the rules (what the builder writes):
//   Conv/ConvTranspose: kernel (optional: from the weight), stride, pads
//     (begins..., ends...), dilation, group; ConvTranspose also output_padding.
//   MaxPool/AvgPool: kernel, stride (default kernel), pads (begins..., ends...),
//     dilation (MaxPool), ceil_mode (0/1), count_include_pad (0/1).
//   AdaptiveAvgPool/AdaptiveMaxPool: output_size (one per spatial dim; 0 keeps
//     the input's size, like torch's None).
//   Softmax/LogSoftmax/Concat/Split/Gather: axis.  Split: split (sizes; when
//     absent the dim is cut into equal parts, one per output).
//   Slice: axes, starts, ends, steps (ONNX clamping, negative indices count
//     from the end).  Reshape: shape (attribute, or a constant second input),
//     0 copies the input dim, one -1 is inferred.  Flatten: start_dim, end_dim.
//   Transpose: perm (default: reversed).  Expand: shape (-1 or 1 keep the
//     input's dim; 0 takes the dim of an optional second, reference input).  Roll: shifts, axes.
//     Pad: pads (begins..., ends..., one pair per dim), mode, value.  ChannelShuffle: groups.
//   LayerNorm: axis (first normalised dim).  GroupNorm: num_groups.
//   ReduceMean/ReduceSum/ReduceMax/ReduceMin: axes (empty: all), keepdims.
//   ArgMax/ArgMin: axis, keepdims.  MatMul: trans_b.
//   Tile: repeats (one per dim, each >= 1).  Cast: to (a dtype name).

#include <cstddef>
#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace dnnroof {

// The output shapes of `node` (one per output; `num_outputs` matters only for
// Split without sizes) computed from its inputs' shapes in `graph` and its
// attributes. Throws Error "node '<name>' (<Op>): <what is wrong>".
std::vector<Shape> infer_node_shapes(const Graph& graph, const Node& node,
                                     std::size_t num_outputs = 1);

// The dtype of the node's outputs: the data input's (Embedding: the table's;
// Where: x's; comparisons and Not: bool; Cast: its 'to'; ArgMax/ArgMin: int64).
DType infer_node_dtype(const Graph& graph, const Node& node);

// True when the op's row has a shape rule (every row must; the test checks).
bool has_shape_rule(OpKind op);

// Inputs the op accepts: [min, max]; max < 0 means unbounded (Concat).
int min_inputs(OpKind op);
int max_inputs(OpKind op);

// Numpy broadcasting of two shapes; Error when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);

// Normalises a possibly negative axis against `rank`; Error when out of range.
std::int64_t normalize_axis(std::int64_t axis, std::size_t rank);

// An attribute with one value per spatial dim (`dims` of them): one value
// applies to every dim, an absent one gives `def`. Error naming the
// attribute when the count is another.
std::vector<std::int64_t> spatial_attr(const Attributes& attrs, std::string_view key,
                                       std::size_t dims, std::int64_t def);

// The 'pads' attribute as (begins..., ends...) for `dims` spatial dims: `dims`
// values are symmetric, one value applies to all, absent is 0. Error when the
// count is another. The shape rules and the executor's lowering read it.
std::vector<std::int64_t> pads_attr(const Attributes& attrs, std::size_t dims);

// One axis of an ONNX Slice resolved against its input's shape: negative
// starts and ends count from the end and are clamped to [0, dim] (for a
// negative step to [-1, dim - 1]); the elements are start, start + step, ...
// up to end, exclusive.
struct SliceAxis {
  std::size_t axis = 0;
  std::int64_t start = 0;
  std::int64_t end = 0;
  std::int64_t step = 1;
  std::int64_t size = 0;  // max(0, ceil((end - start) / step))
};

// The axes a Slice node's attributes (starts, ends, axes: default 0..n-1,
// steps: default 1) select from an input of shape `input`. Throws Error when
// the lists differ in length, an axis is out of range or a step is 0. The
// shape rule and the executor's lowering both slice by it.
std::vector<SliceAxis> resolve_slice(const Attributes& attrs, const Shape& input);

}  // namespace dnnroof

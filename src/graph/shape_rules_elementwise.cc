// Shape rules of the elementwise ops (one input, or numpy broadcasting),
// the reductions, Tile, Where and Cast (the table: shape_rules.cc).
#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"
#include "graph/detail/shape_rules_family.h"

namespace dnnroof::shape_detail {

std::vector<Shape> same_rule(const ShapeContext& c) { return {c.in(0)}; }

// torch.nn.PReLU: slope [1] or [C] (C = dim 1).
std::vector<Shape> prelu_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Shape& s = c.in(1);
  const std::int64_t n = numel(s);
  if (s.size() != 1 || (n != 1 && (x.size() < 2 || n != x[1]))) {
    fail("slope {} must be [1] or [channels] for input {}", shape_str(s), shape_str(x));
  }
  return {x};
}

std::vector<Shape> softmax_rule(const ShapeContext& c) {
  normalize_axis(c.attrs().get_int("axis", -1), c.in(0).size());
  return {c.in(0)};
}

// --- Elementwise binary --------------------------------------------------------

std::vector<Shape> broadcast_rule(const ShapeContext& c) {
  return {broadcast_shapes(c.in(0), c.in(1))};
}

std::vector<Shape> reduce_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Ints axes = c.attrs().get_ints("axes", {});
  const bool keep = c.attrs().get_int("keepdims", 1) != 0;
  std::vector<bool> reduce(x.size(), axes.empty());
  for (std::int64_t a : axes) reduce[static_cast<std::size_t>(normalize_axis(a, x.size()))] = true;
  Shape out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!reduce[i]) {
      out.push_back(x[i]);
    } else if (keep) {
      out.push_back(1);
    }
  }
  return {out};
}

// torch.Tensor.repeat / ONNX Tile: repeats has one entry per dim, each >= 1;
// out[i] = x[i] * repeats[i].
std::vector<Shape> tile_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Ints repeats = c.attrs().get_ints("repeats", {});
  if (repeats.size() != x.size()) {
    fail("repeats {} has {} entries for an input of rank {}", shape_str(repeats), repeats.size(),
         x.size());
  }
  Shape out = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (repeats[i] < 1) fail("repeats {} must all be >= 1", shape_str(repeats));
    if (x[i] > std::numeric_limits<std::int64_t>::max() / repeats[i]) {
      fail("repeating dim {} of size {} {} times overflows", i, x[i], repeats[i]);
    }
    out[i] = x[i] * repeats[i];
  }
  return {out};
}

// torch.where(condition, x, y): the three shapes broadcast together.
std::vector<Shape> where_rule(const ShapeContext& c) {
  return {broadcast_shapes(broadcast_shapes(c.in(0), c.in(1)), c.in(2))};
}

// Cast: same shape; the attribute names the target dtype.
std::vector<Shape> cast_rule(const ShapeContext& c) {
  if (!c.attrs().has("to")) fail("needs the attribute 'to' (a dtype name)");
  parse_dtype_or_throw(c.attrs().get_string("to", ""));
  return {c.in(0)};
}

// torch.argmax(x, axis, keepdim): the reduced axis dropped (or kept as 1).
std::vector<Shape> arg_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const auto axis =
      static_cast<std::size_t>(normalize_axis(c.attrs().get_int("axis", 0), x.size()));
  Shape out;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (i != axis) {
      out.push_back(x[i]);
    } else if (c.attrs().get_int("keepdims", 1) != 0) {
      out.push_back(1);
    }
  }
  return {out};
}

}  // namespace dnnroof::shape_detail

// Shape rules of the data-movement ops: concatenation, splitting, slicing,
// reshaping, permuting, padding, gathering (the table: shape_rules.cc).
#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"
#include "graph/detail/shape_rules_family.h"

namespace dnnroof::shape_detail {

// --- Data movement -------------------------------------------------------------

std::vector<Shape> concat_rule(const ShapeContext& c) {
  Shape out = c.in(0);
  const std::int64_t axis = normalize_axis(c.attrs().get_int("axis", 1), out.size());
  for (std::size_t i = 1; i < c.n_in(); ++i) {
    const Shape& s = c.in(i);
    bool ok = s.size() == out.size();
    for (std::size_t d = 0; ok && d < s.size(); ++d) {
      if (static_cast<std::int64_t>(d) != axis && s[d] != out[d]) ok = false;
    }
    if (!ok) {
      fail("input {} has shape {}, incompatible with {} along axis {}", i, shape_str(s),
           shape_str(c.in(0)), axis);
    }
    out[static_cast<std::size_t>(axis)] += s[static_cast<std::size_t>(axis)];
  }
  return {out};
}

std::vector<Shape> split_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const auto axis =
      static_cast<std::size_t>(normalize_axis(c.attrs().get_int("axis", 0), x.size()));
  Ints sizes = c.attrs().get_ints("split", {});
  if (sizes.empty()) {
    const auto parts = static_cast<std::int64_t>(std::max<std::size_t>(c.num_outputs, 1));
    if (x[axis] % parts != 0) {
      fail("dim {} of size {} does not split into {} equal parts", axis, x[axis], parts);
    }
    sizes.assign(static_cast<std::size_t>(parts), x[axis] / parts);
  }
  const std::int64_t total = std::accumulate(sizes.begin(), sizes.end(), std::int64_t{0});
  if (total != x[axis]) fail("split sizes sum to {}, dim {} has {}", total, axis, x[axis]);
  std::vector<Shape> outs;
  for (std::int64_t s : sizes) {
    Shape o = x;
    o[axis] = s;
    outs.push_back(o);
  }
  return outs;
}

// ONNX Slice: negative starts/ends count from the end; clamped to [0, dim]
// (for negative steps to [-1, dim-1]); size = max(0, ceil((end - start)/step)).
std::vector<Shape> slice_rule(const ShapeContext& c) {
  Shape out = c.in(0);
  for (const SliceAxis& s : resolve_slice(c.attrs(), c.in(0))) out[s.axis] = s.size;
  return {out};
}

// Reshape: shape from the attribute or a constant second input; 0 copies the
// input's dim at that position, one -1 is inferred from the element count.
std::vector<Shape> reshape_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  Ints target;
  if (c.attrs().has("shape")) {
    target = c.attrs().get_ints("shape", {});
  } else if (c.n_in() > 1 && !c.graph.value(c.node.inputs[1]).int_data.empty()) {
    target = c.graph.value(c.node.inputs[1]).int_data;
  } else {
    fail("needs a 'shape' attribute or a constant shape input");
  }
  Shape out;
  std::int64_t known = 1;
  int infer_at = -1;
  for (std::size_t i = 0; i < target.size(); ++i) {
    std::int64_t d = target[i];
    if (d == 0) {
      if (i >= x.size()) fail("0 at position {} but the input has rank {}", i, x.size());
      d = x[i];
    }
    if (d == -1) {
      if (infer_at >= 0) fail("more than one -1 in {}", shape_str(target));
      infer_at = static_cast<int>(i);
    } else if (d < 1) {
      fail("invalid dim {} in {}", d, shape_str(target));
    } else {
      known *= d;
    }
    out.push_back(d);
  }
  const std::int64_t n = numel(x);
  if (infer_at >= 0) {
    if (n % known != 0) {
      fail("cannot reshape {} ({} elements) to {}", shape_str(x), n, shape_str(target));
    }
    out[static_cast<std::size_t>(infer_at)] = n / known;
  } else if (known != n) {
    fail("cannot reshape {} ({} elements) to {} ({} elements)", shape_str(x), n, shape_str(target),
         known);
  }
  return {out};
}

// torch.flatten(x, start_dim, end_dim).
std::vector<Shape> flatten_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  if (x.empty()) return {Shape{1}};
  const auto s =
      static_cast<std::size_t>(normalize_axis(c.attrs().get_int("start_dim", 1), x.size()));
  const auto e =
      static_cast<std::size_t>(normalize_axis(c.attrs().get_int("end_dim", -1), x.size()));
  if (s > e) fail("start_dim {} is after end_dim {}", s, e);
  Shape out(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(s));
  std::int64_t m = 1;
  for (std::size_t i = s; i <= e; ++i) m *= x[i];
  out.push_back(m);
  out.insert(out.end(), x.begin() + static_cast<std::ptrdiff_t>(e) + 1, x.end());
  return {out};
}

std::vector<Shape> transpose_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  Ints perm = c.attrs().get_ints("perm", {});
  if (perm.empty()) {
    for (std::size_t i = x.size(); i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  if (perm.size() != x.size()) {
    fail("perm {} has {} entries for rank {}", shape_str(perm), perm.size(), x.size());
  }
  std::vector<bool> seen(x.size(), false);
  Shape out;
  for (std::int64_t p : perm) {
    const auto a = static_cast<std::size_t>(normalize_axis(p, x.size()));
    if (seen[a]) fail("perm {} repeats axis {}", shape_str(perm), a);
    seen[a] = true;
    out.push_back(x[a]);
  }
  return {out};
}

std::vector<Shape> expand_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  Ints target = c.attrs().get_ints("shape", {});
  if (target.empty()) fail("needs a 'shape' attribute");
  // torch's -1 keeps the input's dim; for broadcasting it behaves as 1. With
  // a second input (a reference tensor, only its shape is used), 0 takes
  // that dim of the reference: {0, -1, -1} expands over the reference's
  // batch, so the graph re-infers at another batch size.
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) target[i] = 1;
    if (target[i] == 0) {
      if (c.n_in() < 2) fail("shape dim {} is 0 but there is no reference input", i);
      const Shape& ref = c.in(1);
      if (i >= ref.size()) fail("shape dim {} is 0 but the reference has rank {}", i, ref.size());
      target[i] = ref[i];
    }
  }
  return {broadcast_shapes(x, target)};
}

std::vector<Shape> roll_rule(const ShapeContext& c) {
  const Ints shifts = c.attrs().get_ints("shifts", {});
  const Ints axes = c.attrs().get_ints("axes", {});
  if (!axes.empty() && axes.size() != shifts.size()) fail("shifts and axes differ in length");
  for (std::int64_t a : axes) normalize_axis(a, c.in(0).size());
  return {c.in(0)};
}

std::vector<Shape> pad_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Ints pads = c.attrs().get_ints("pads", {});
  if (pads.size() != 2 * x.size()) {
    fail("pads has {} values, expected {} (begins then ends, one per dim)", pads.size(),
         2 * x.size());
  }
  Shape out = x;
  for (std::size_t i = 0; i < x.size(); ++i) {
    out[i] = x[i] + pads[i] + pads[i + x.size()];
    if (out[i] < 1) fail("padding leaves dim {} with size {}", i, out[i]);
  }
  return {out};
}

std::vector<Shape> channel_shuffle_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 2, "input");
  const std::int64_t g = c.attrs().get_int("groups", 1);
  if (g < 1 || x[1] % g != 0) fail("{} channels are not divisible by {} groups", x[1], g);
  return {x};
}

// torch.index_select/ONNX Gather: data.shape[:axis] + indices.shape + data.shape[axis+1:].
std::vector<Shape> gather_rule(const ShapeContext& c) {
  const Shape& data = c.in(0);
  const Shape& idx = c.in(1);
  const auto a =
      static_cast<std::size_t>(normalize_axis(c.attrs().get_int("axis", 0), data.size()));
  Shape out(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(a));
  out.insert(out.end(), idx.begin(), idx.end());
  out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(a) + 1, data.end());
  return {out};
}

// torch.nn.Embedding: indices [...], table [num, dim] -> [..., dim].
std::vector<Shape> embedding_rule(const ShapeContext& c) {
  const Shape& t = c.in(1);
  if (t.size() != 2) fail("table {} must be [num_embeddings, dim]", shape_str(t));
  Shape out = c.in(0);
  out.push_back(t[1]);
  return {out};
}

}  // namespace dnnroof::shape_detail

namespace dnnroof {

std::vector<SliceAxis> resolve_slice(const Attributes& attrs, const Shape& input) {
  using shape_detail::ceil_div;
  using Ints = shape_detail::Ints;
  const Ints starts = attrs.get_ints("starts", {});
  const Ints ends = attrs.get_ints("ends", {});
  Ints axes = attrs.get_ints("axes", {});
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  const Ints steps = attrs.get_ints("steps", Ints(starts.size(), 1));
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    fail("starts, ends, axes and steps must have the same length");
  }
  std::vector<SliceAxis> out;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    SliceAxis s;
    s.axis = static_cast<std::size_t>(normalize_axis(axes[i], input.size()));
    const std::int64_t dim = input[s.axis];
    s.step = steps[i];
    if (s.step == 0) fail("slice step 0 on axis {}", s.axis);
    auto clamp = [&](std::int64_t v) {
      if (v < 0) v += dim;
      return s.step > 0 ? std::clamp<std::int64_t>(v, 0, dim)
                        : std::clamp<std::int64_t>(v, -1, dim - 1);
    };
    s.start = clamp(starts[i]);
    s.end = clamp(ends[i]);
    s.size = std::max<std::int64_t>(0, ceil_div(s.end - s.start, s.step));
    out.push_back(s);
  }
  return out;
}

}  // namespace dnnroof

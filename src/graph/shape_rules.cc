// The shape face of the op table: one row per OpKind, checked against
// OpKind::count at compile time. Each rule reads its inputs' shapes and its
// attributes and returns the output shapes; a rule throws plain Error text
// and infer_node_shapes() prefixes it with the node's name and op.
#include <algorithm>
#include <array>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/strings.h"
#include "graph/graph.h"
#include "graph/shape_rules.h"

namespace dnnroof {
namespace {

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

struct ShapeRow {
  int min_in;
  int max_in;  // < 0: unbounded
  ShapeFn fn;
};

// An attribute list with one entry per spatial dim, `def` filled when absent.
Ints per_dim(const Attributes& a, std::string_view key, std::size_t dims, std::int64_t def) {
  Ints v = a.get_ints(key, Ints(dims, def));
  if (v.size() == 1 && dims > 1) v.assign(dims, v[0]);
  if (v.size() != dims) {
    fail("attribute '{}' has {} values, expected {} (one per spatial dim)", key, v.size(), dims);
  }
  return v;
}

// Pads as (begins..., ends...); a list of `dims` values means symmetric.
Ints pads_for(const Attributes& a, std::size_t dims) {
  Ints p = a.get_ints("pads", Ints(2 * dims, 0));
  if (p.size() == dims) p.insert(p.end(), p.begin(), p.end());
  if (p.size() == 1) p.assign(2 * dims, p[0]);
  if (p.size() != 2 * dims) {
    fail("attribute 'pads' has {} values, expected {} (begins then ends)", p.size(), 2 * dims);
  }
  return p;
}

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

// --- Matrix-class -----------------------------------------------------------

// torch.nn.ConvNd: x [N, C, *spatial], weight [Cout, C/groups, *kernel],
// bias [Cout]; out = floor((in + pb + pe - d*(k-1) - 1) / s) + 1.
std::vector<Shape> conv_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Shape& w = c.in(1);
  require_rank_at_least(x, 3, "input");
  const std::size_t dims = x.size() - 2;
  if (w.size() != x.size()) {
    fail("weight {} has rank {}, expected {} like the input {}", shape_str(w), w.size(), x.size(),
         shape_str(x));
  }
  const std::int64_t groups = c.attrs().get_int("group", 1);
  if (groups < 1) fail("group must be >= 1, got {}", groups);
  if (x[1] != w[1] * groups) {
    fail("input has {} channels, weight expects {} ({} x {} groups)", x[1], w[1] * groups, w[1],
         groups);
  }
  if (w[0] % groups != 0) fail("{} output channels are not divisible by {} groups", w[0], groups);
  if (c.n_in() > 2 && c.in(2) != Shape{w[0]}) {
    fail("bias has shape {}, expected [{}]", shape_str(c.in(2)), w[0]);
  }
  const Ints kernel = per_dim(c.attrs(), "kernel", dims, 0);
  const Ints stride = per_dim(c.attrs(), "stride", dims, 1);
  const Ints dil = per_dim(c.attrs(), "dilation", dims, 1);
  const Ints pads = pads_for(c.attrs(), dims);
  Shape out{x[0], w[0]};
  for (std::size_t i = 0; i < dims; ++i) {
    const std::int64_t k = w[i + 2];
    if (kernel[i] != 0 && kernel[i] != k) {
      fail("attribute kernel[{}] = {} but the weight's kernel is {}", i, kernel[i], k);
    }
    if (stride[i] < 1 || dil[i] < 1) fail("stride and dilation must be >= 1");
    const std::int64_t span = x[i + 2] + pads[i] + pads[i + dims] - dil[i] * (k - 1) - 1;
    if (span < 0) {
      fail("input {} is smaller than the dilated kernel {} along spatial dim {}", shape_str(x),
           dil[i] * (k - 1) + 1, i);
    }
    out.push_back(span / stride[i] + 1);
  }
  return {out};
}

// torch.nn.ConvTransposeNd: weight [Cin, Cout/groups, *kernel];
// out = (in - 1)*s - pb - pe + d*(k-1) + output_padding + 1.
std::vector<Shape> conv_transpose_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Shape& w = c.in(1);
  require_rank_at_least(x, 3, "input");
  const std::size_t dims = x.size() - 2;
  if (w.size() != x.size()) {
    fail("weight {} has rank {}, expected {}", shape_str(w), w.size(), x.size());
  }
  const std::int64_t groups = c.attrs().get_int("group", 1);
  if (groups < 1) fail("group must be >= 1, got {}", groups);
  if (x[1] != w[0]) fail("input has {} channels, weight expects {}", x[1], w[0]);
  if (w[0] % groups != 0) fail("{} input channels are not divisible by {} groups", w[0], groups);
  const std::int64_t cout = w[1] * groups;
  if (c.n_in() > 2 && c.in(2) != Shape{cout}) {
    fail("bias has shape {}, expected [{}]", shape_str(c.in(2)), cout);
  }
  const Ints stride = per_dim(c.attrs(), "stride", dims, 1);
  const Ints dil = per_dim(c.attrs(), "dilation", dims, 1);
  const Ints outpad = per_dim(c.attrs(), "output_padding", dims, 0);
  const Ints pads = pads_for(c.attrs(), dims);
  Shape out{x[0], cout};
  for (std::size_t i = 0; i < dims; ++i) {
    if (outpad[i] >= std::max(stride[i], dil[i])) {
      fail("output_padding {} must be smaller than stride or dilation", outpad[i]);
    }
    out.push_back((x[i + 2] - 1) * stride[i] - pads[i] - pads[i + dims] + dil[i] * (w[i + 2] - 1) +
                  outpad[i] + 1);
  }
  return {out};
}

// torch.nn.Linear: x [..., in], weight [out, in], bias [out] -> [..., out].
std::vector<Shape> gemm_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const Shape& w = c.in(1);
  require_rank_at_least(x, 1, "input");
  if (w.size() != 2) fail("weight {} must be [out, in]", shape_str(w));
  if (x.back() != w[1]) fail("input has {} features, weight expects {}", x.back(), w[1]);
  if (c.n_in() > 2 && c.in(2) != Shape{w[0]}) {
    fail("bias has shape {}, expected [{}]", shape_str(c.in(2)), w[0]);
  }
  Shape out = x;
  out.back() = w[0];
  return {out};
}

// torch.matmul: 1-D operands get a dim prepended (a) or appended (b) that is
// removed afterwards; batch dims broadcast. trans_b = 1 reads b as [..., N, K].
std::vector<Shape> matmul_rule(const ShapeContext& c) {
  Shape a = c.in(0);
  Shape b = c.in(1);
  if (a.empty() || b.empty()) fail("matmul of a scalar");
  const bool trans_b = c.attrs().get_int("trans_b", 0) != 0;
  const bool a_vec = a.size() == 1;
  const bool b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  if (trans_b && !b_vec) std::swap(b[b.size() - 1], b[b.size() - 2]);
  const std::int64_t m = a[a.size() - 2];
  const std::int64_t k = a.back();
  const std::int64_t kb = b[b.size() - 2];
  const std::int64_t n = b.back();
  if (k != kb) {
    fail("inner dimensions differ: {} x {}{} (K = {} vs {})", shape_str(c.in(0)),
         shape_str(c.in(1)), trans_b ? "^T" : "", k, kb);
  }
  Shape out = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
  if (!a_vec) out.push_back(m);
  if (!b_vec) out.push_back(n);
  return {out};
}

// Scaled-dot-product attention: q [..., L, d], k [..., S, d], v [..., S, dv]
// (usually [N, heads, ., .]), optional mask broadcastable to [..., L, S]
// -> [..., L, dv].
std::vector<Shape> attention_rule(const ShapeContext& c) {
  const Shape& q = c.in(0);
  const Shape& k = c.in(1);
  const Shape& v = c.in(2);
  require_rank_at_least(q, 2, "q");
  if (k.size() != q.size() || v.size() != q.size()) {
    fail("q {}, k {}, v {} must have the same rank", shape_str(q), shape_str(k), shape_str(v));
  }
  const std::size_t r = q.size();
  if (q[r - 1] != k[r - 1]) fail("q has head dim {}, k has {}", q[r - 1], k[r - 1]);
  if (k[r - 2] != v[r - 2]) fail("k has {} positions, v has {}", k[r - 2], v[r - 2]);
  Shape batch = broadcast_shapes(Shape(q.begin(), q.end() - 2), Shape(k.begin(), k.end() - 2));
  batch = broadcast_shapes(batch, Shape(v.begin(), v.end() - 2));
  if (c.n_in() > 3) {
    Shape scores = batch;
    scores.push_back(q[r - 2]);
    scores.push_back(k[r - 2]);
    if (broadcast_shapes(scores, c.in(3)) != scores) {
      fail("mask {} does not broadcast to the scores {}", shape_str(c.in(3)), shape_str(scores));
    }
  }
  Shape out = batch;
  out.push_back(q[r - 2]);
  out.push_back(v[r - 1]);
  return {out};
}

// --- Normalisation ------------------------------------------------------------

// x [N, C, ...]; scale, shift, running_mean, running_var all [C].
std::vector<Shape> batch_norm_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 2, "input");
  for (std::size_t i = 1; i < c.n_in(); ++i) {
    if (c.in(i) != Shape{x[1]}) {
      fail("input {} of shape {} should be [{}] (the channels)", i, shape_str(c.in(i)), x[1]);
    }
  }
  return {x};
}

// torch.nn.LayerNorm: normalises dims axis..end; scale, shift = x.shape[axis:].
std::vector<Shape> layer_norm_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  const std::int64_t axis = normalize_axis(c.attrs().get_int("axis", -1), x.size());
  const Shape norm(x.begin() + axis, x.end());
  for (std::size_t i = 1; i < c.n_in(); ++i) {
    if (c.in(i) != norm) {
      fail("input {} of shape {} should be the normalised shape {}", i, shape_str(c.in(i)),
           shape_str(norm));
    }
  }
  return {x};
}

// torch.nn.GroupNorm: C divisible by num_groups; scale, shift [C].
std::vector<Shape> group_norm_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 2, "input");
  const std::int64_t g = c.attrs().get_int("num_groups", 1);
  if (g < 1 || x[1] % g != 0) fail("{} channels are not divisible by {} groups", x[1], g);
  for (std::size_t i = 1; i < c.n_in(); ++i) {
    if (c.in(i) != Shape{x[1]}) {
      fail("input {} of shape {} should be [{}]", i, shape_str(c.in(i)), x[1]);
    }
  }
  return {x};
}

// Same shape as the (first) input: activations, LRN, Dropout, Identity, Roll.
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

// --- Pooling -------------------------------------------------------------------

// torch.nn.MaxPoolNd/AvgPoolNd: out = floor_or_ceil((in + pb + pe - d*(k-1) - 1)/s) + 1,
// and with ceil_mode the last window must start inside the input or the left
// padding: if (out - 1)*s >= in + pb then out -= 1.
std::vector<Shape> pool_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 3, "input");
  const std::size_t dims = x.size() - 2;
  const Ints kernel = per_dim(c.attrs(), "kernel", dims, 0);
  const Ints stride = c.attrs().has("stride") ? per_dim(c.attrs(), "stride", dims, 1) : kernel;
  const Ints dil = per_dim(c.attrs(), "dilation", dims, 1);
  const Ints pads = pads_for(c.attrs(), dims);
  const bool ceil_mode = c.attrs().get_int("ceil_mode", 0) != 0;
  Shape out{x[0], x[1]};
  for (std::size_t i = 0; i < dims; ++i) {
    if (kernel[i] < 1) fail("attribute 'kernel' must be set and >= 1");
    if (stride[i] < 1) fail("stride must be >= 1");
    if (2 * std::max(pads[i], pads[i + dims]) > kernel[i]) {
      fail("padding {} is more than half the kernel {}", std::max(pads[i], pads[i + dims]),
           kernel[i]);
    }
    const std::int64_t span = x[i + 2] + pads[i] + pads[i + dims] - dil[i] * (kernel[i] - 1) - 1;
    if (span < 0) fail("input {} is smaller than the kernel along spatial dim {}", shape_str(x), i);
    std::int64_t o = (ceil_mode ? ceil_div(span, stride[i]) : span / stride[i]) + 1;
    if (ceil_mode && (o - 1) * stride[i] >= x[i + 2] + pads[i]) --o;
    out.push_back(o);
  }
  return {out};
}

std::vector<Shape> global_pool_rule(const ShapeContext& c) {
  Shape out = c.in(0);
  require_rank_at_least(out, 3, "input");
  std::fill(out.begin() + 2, out.end(), 1);
  return {out};
}

std::vector<Shape> adaptive_pool_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 3, "input");
  const std::size_t dims = x.size() - 2;
  const Ints size = per_dim(c.attrs(), "output_size", dims, 1);
  Shape out{x[0], x[1]};
  for (std::size_t i = 0; i < dims; ++i) out.push_back(size[i] == 0 ? x[i + 2] : size[i]);
  return {out};
}

// --- Elementwise binary --------------------------------------------------------

std::vector<Shape> broadcast_rule(const ShapeContext& c) {
  return {broadcast_shapes(c.in(0), c.in(1))};
}

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
  const Ints starts = c.attrs().get_ints("starts", {});
  const Ints ends = c.attrs().get_ints("ends", {});
  Ints axes = c.attrs().get_ints("axes", {});
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  const Ints steps = c.attrs().get_ints("steps", Ints(starts.size(), 1));
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    fail("starts, ends, axes and steps must have the same length");
  }
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto a = static_cast<std::size_t>(normalize_axis(axes[i], out.size()));
    const std::int64_t dim = c.in(0)[a];
    const std::int64_t step = steps[i];
    if (step == 0) fail("slice step 0 on axis {}", a);
    auto clamp = [&](std::int64_t v) {
      if (v < 0) v += dim;
      return step > 0 ? std::clamp<std::int64_t>(v, 0, dim)
                      : std::clamp<std::int64_t>(v, -1, dim - 1);
    };
    const std::int64_t s = clamp(starts[i]);
    const std::int64_t e = clamp(ends[i]);
    out[a] = std::max<std::int64_t>(0, ceil_div(e - s, step));
  }
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

// The table: {min inputs, max inputs (-1 unbounded), rule}, in OpKind order.
constexpr std::array<ShapeRow, kOpKindCount> kShapeRows{{
    {2, 3, conv_rule},             // Conv
    {2, 3, conv_transpose_rule},   // ConvTranspose
    {2, 3, gemm_rule},             // Gemm
    {2, 2, matmul_rule},           // MatMul
    {3, 4, attention_rule},        // Attention
    {5, 5, batch_norm_rule},       // BatchNorm
    {1, 3, layer_norm_rule},       // LayerNorm
    {1, 3, group_norm_rule},       // GroupNorm
    {1, 1, same_rule},             // Lrn
    {1, 1, same_rule},             // Relu
    {1, 1, same_rule},             // Relu6
    {1, 1, same_rule},             // LeakyRelu
    {2, 2, prelu_rule},            // PRelu
    {1, 1, same_rule},             // Elu
    {1, 1, same_rule},             // Selu
    {1, 1, same_rule},             // Gelu
    {1, 1, same_rule},             // Silu
    {1, 1, same_rule},             // Hardswish
    {1, 1, same_rule},             // Hardsigmoid
    {1, 1, same_rule},             // Sigmoid
    {1, 1, same_rule},             // Tanh
    {1, 1, same_rule},             // Clip
    {1, 1, softmax_rule},          // Softmax
    {1, 1, softmax_rule},          // LogSoftmax
    {1, 1, pool_rule},             // MaxPool
    {1, 1, pool_rule},             // AvgPool
    {1, 1, global_pool_rule},      // GlobalAvgPool
    {1, 1, global_pool_rule},      // GlobalMaxPool
    {1, 1, adaptive_pool_rule},    // AdaptiveAvgPool
    {1, 1, adaptive_pool_rule},    // AdaptiveMaxPool
    {2, 2, broadcast_rule},        // Add
    {2, 2, broadcast_rule},        // Sub
    {2, 2, broadcast_rule},        // Mul
    {2, 2, broadcast_rule},        // Div
    {1, -1, concat_rule},          // Concat
    {1, 1, split_rule},            // Split
    {1, 1, slice_rule},            // Slice
    {1, 2, reshape_rule},          // Reshape
    {1, 1, flatten_rule},          // Flatten
    {1, 1, transpose_rule},        // Transpose
    {1, 2, expand_rule},           // Expand
    {1, 1, roll_rule},             // Roll
    {1, 1, pad_rule},              // Pad
    {1, 1, channel_shuffle_rule},  // ChannelShuffle
    {2, 2, gather_rule},           // Gather
    {2, 2, embedding_rule},        // Embedding
    {1, 1, same_rule},             // Dropout
    {1, 1, same_rule},             // Identity
    {1, 1, reduce_rule},           // ReduceMean
    {1, 1, reduce_rule},           // ReduceSum
    {1, 1, same_rule},             // Exp
    {1, 1, same_rule},             // Log
    {1, 1, same_rule},             // Neg
    {1, 1, same_rule},             // Abs
    {1, 1, same_rule},             // Sqrt
    {1, 1, same_rule},             // Reciprocal
    {1, 1, same_rule},             // Softplus
    {2, 2, broadcast_rule},        // Pow
    {2, 2, broadcast_rule},        // Max
    {2, 2, broadcast_rule},        // Min
    {1, 1, tile_rule},             // Tile
    {2, 2, broadcast_rule},        // Equal
    {2, 2, broadcast_rule},        // Less
    {2, 2, broadcast_rule},        // Greater
    {1, 1, same_rule},             // Not
    {3, 3, where_rule},            // Where
    {1, 1, cast_rule},             // Cast
    {1, 1, reduce_rule},           // ReduceMax
    {1, 1, reduce_rule},           // ReduceMin
    {1, 1, arg_rule},              // ArgMax
    {1, 1, arg_rule},              // ArgMin
}};

constexpr bool all_rows_filled() {
  for (const auto& r : kShapeRows) {
    if (r.fn == nullptr || r.min_in < 1) return false;
  }
  return true;
}
static_assert(all_rows_filled(), "kShapeRows must have a rule for every OpKind");

const ShapeRow& row(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= kShapeRows.size()) fail("op kind {} out of range", i);
  return kShapeRows[i];
}

}  // namespace

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

// Shape rules of the matrix-class, normalisation and pooling ops (the table
// that assigns them to op kinds: shape_rules.cc).
#include <algorithm>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"
#include "graph/detail/shape_rules_family.h"

namespace dnnroof::shape_detail {

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
  const Ints kernel = spatial_attr(c.attrs(), "kernel", dims, 0);
  const Ints stride = spatial_attr(c.attrs(), "stride", dims, 1);
  const Ints dil = spatial_attr(c.attrs(), "dilation", dims, 1);
  const Ints pads = pads_attr(c.attrs(), dims);
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
  const Ints stride = spatial_attr(c.attrs(), "stride", dims, 1);
  const Ints dil = spatial_attr(c.attrs(), "dilation", dims, 1);
  const Ints outpad = spatial_attr(c.attrs(), "output_padding", dims, 0);
  const Ints pads = pads_attr(c.attrs(), dims);
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

// --- Pooling -------------------------------------------------------------------

// torch.nn.MaxPoolNd/AvgPoolNd: out = floor_or_ceil((in + pb + pe - d*(k-1) - 1)/s) + 1,
// and with ceil_mode the last window must start inside the input or the left
// padding: if (out - 1)*s >= in + pb then out -= 1.
std::vector<Shape> pool_rule(const ShapeContext& c) {
  const Shape& x = c.in(0);
  require_rank_at_least(x, 3, "input");
  const std::size_t dims = x.size() - 2;
  const Ints kernel = spatial_attr(c.attrs(), "kernel", dims, 0);
  const Ints stride = c.attrs().has("stride") ? spatial_attr(c.attrs(), "stride", dims, 1) : kernel;
  const Ints dil = spatial_attr(c.attrs(), "dilation", dims, 1);
  const Ints pads = pads_attr(c.attrs(), dims);
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
  const Ints size = spatial_attr(c.attrs(), "output_size", dims, 1);
  Shape out{x[0], x[1]};
  for (std::size_t i = 0; i < dims; ++i) out.push_back(size[i] == 0 ? x[i + 2] : size[i]);
  return {out};
}

}  // namespace dnnroof::shape_detail

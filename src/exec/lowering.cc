// The lowering face of the op table: one row per OpKind, naming it, in OpKind order,
// checked at compile time with rows_in_op_order (as the shape rules in
// src/graph/shape_rules.cc are). A row is a function from the node's input tensors
// and attributes to its output tensors, written with ATen calls only; a row
// with no function names the reason the op is not supported.
//
// Static shapes: ops that only re-shape (Reshape, Flatten, Expand, Split)
// take their target from the output Value's shape, which the IR's shape rule
// already resolved (0 and -1 included).
#include "exec/detail/lowering.h"

#include <ATen/ops/abs.h>
#include <ATen/ops/adaptive_avg_pool1d.h>
#include <ATen/ops/adaptive_avg_pool2d.h>
#include <ATen/ops/adaptive_avg_pool3d.h>
#include <ATen/ops/adaptive_max_pool1d.h>
#include <ATen/ops/adaptive_max_pool2d.h>
#include <ATen/ops/adaptive_max_pool3d.h>
#include <ATen/ops/add.h>
#include <ATen/ops/amax.h>
#include <ATen/ops/amin.h>
#include <ATen/ops/argmax.h>
#include <ATen/ops/argmin.h>
#include <ATen/ops/avg_pool1d.h>
#include <ATen/ops/avg_pool2d.h>
#include <ATen/ops/avg_pool3d.h>
#include <ATen/ops/batch_norm.h>
#include <ATen/ops/cat.h>
#include <ATen/ops/clamp.h>
#include <ATen/ops/constant_pad_nd.h>
#include <ATen/ops/convolution.h>
#include <ATen/ops/div.h>
#include <ATen/ops/dropout.h>
#include <ATen/ops/elu.h>
#include <ATen/ops/embedding.h>
#include <ATen/ops/eq.h>
#include <ATen/ops/exp.h>
#include <ATen/ops/from_blob.h>
#include <ATen/ops/gelu.h>
#include <ATen/ops/group_norm.h>
#include <ATen/ops/gt.h>
#include <ATen/ops/hardsigmoid.h>
#include <ATen/ops/hardswish.h>
#include <ATen/ops/hardtanh.h>
#include <ATen/ops/index_select.h>
#include <ATen/ops/layer_norm.h>
#include <ATen/ops/leaky_relu.h>
#include <ATen/ops/linear.h>
#include <ATen/ops/log.h>
#include <ATen/ops/log_softmax.h>
#include <ATen/ops/logical_not.h>
#include <ATen/ops/lt.h>
#include <ATen/ops/matmul.h>
#include <ATen/ops/max_pool1d.h>
#include <ATen/ops/max_pool2d.h>
#include <ATen/ops/max_pool3d.h>
#include <ATen/ops/maximum.h>
#include <ATen/ops/mean.h>
#include <ATen/ops/minimum.h>
#include <ATen/ops/mul.h>
#include <ATen/ops/neg.h>
#include <ATen/ops/ones.h>
#include <ATen/ops/ones_like.h>
#include <ATen/ops/pad.h>
#include <ATen/ops/pow.h>
#include <ATen/ops/prelu.h>
#include <ATen/ops/reciprocal.h>
#include <ATen/ops/relu.h>
#include <ATen/ops/repeat.h>
#include <ATen/ops/roll.h>
#include <ATen/ops/selu.h>
#include <ATen/ops/sigmoid.h>
#include <ATen/ops/silu.h>
#include <ATen/ops/softmax.h>
#include <ATen/ops/softplus.h>
#include <ATen/ops/sqrt.h>
#include <ATen/ops/sub.h>
#include <ATen/ops/sum.h>
#include <ATen/ops/tanh.h>
#include <ATen/ops/where.h>
#include <c10/util/Exception.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "core/error.h"
#include "exec/executor.h"
#include "graph/detail/op_table.h"
#include "graph/detail/shape_rules.h"

namespace dnnroof::exec_detail {
namespace {

using Ints = std::vector<std::int64_t>;
using Out = std::vector<at::Tensor>;

std::size_t spatial_dims(const LowerContext& c) {
  const auto r = static_cast<std::size_t>(c.in(0).dim());
  if (r < 3) fail("input has rank {}, expected [N, C, spatial...]", r);
  return r - 2;
}

bool symmetric(const Ints& pads) {
  const std::size_t dims = pads.size() / 2;
  for (std::size_t i = 0; i < dims; ++i) {
    if (pads[i] != pads[i + dims]) return false;
  }
  return true;
}

// (begins..., ends...) over the last dims -> torch's pad list (last dim first).
Ints torch_pad_list(const Ints& pads) {
  const std::size_t dims = pads.size() / 2;
  Ints out;
  for (std::size_t i = dims; i-- > 0;) {
    out.push_back(pads[i]);
    out.push_back(pads[i + dims]);
  }
  return out;
}

c10::optional<at::Tensor> opt(const LowerContext& c, std::size_t i) {
  if (!c.has(i) || !c.in(i).defined()) return c10::nullopt;
  return c.in(i);
}

// --- Matrix-class ---------------------------------------------------------------

Out conv(const LowerContext& c) {
  const std::size_t dims = spatial_dims(c);
  const Ints stride = spatial_attr(c.attrs(), "stride", dims, 1);
  const Ints dil = spatial_attr(c.attrs(), "dilation", dims, 1);
  const Ints pads = pads_attr(c.attrs(), dims);
  at::Tensor x = c.in(0);
  Ints padding(pads.begin(), pads.begin() + static_cast<std::ptrdiff_t>(dims));
  if (!symmetric(pads)) {
    x = at::constant_pad_nd(x, torch_pad_list(pads), 0);
    padding.assign(dims, 0);
  }
  return {at::convolution(x, c.in(1), opt(c, 2), stride, padding, dil, false, Ints(dims, 0),
                          c.attrs().get_int("group", 1))};
}

Out conv_transpose(const LowerContext& c) {
  const std::size_t dims = spatial_dims(c);
  const Ints stride = spatial_attr(c.attrs(), "stride", dims, 1);
  const Ints dil = spatial_attr(c.attrs(), "dilation", dims, 1);
  const Ints outpad = spatial_attr(c.attrs(), "output_padding", dims, 0);
  const Ints pads = pads_attr(c.attrs(), dims);
  // torch pads both sides alike: take the smaller and crop the rest.
  Ints padding(dims);
  for (std::size_t i = 0; i < dims; ++i) padding[i] = std::min(pads[i], pads[i + dims]);
  at::Tensor y = at::convolution(c.in(0), c.in(1), opt(c, 2), stride, padding, dil, true, outpad,
                                 c.attrs().get_int("group", 1));
  for (std::size_t i = 0; i < dims; ++i) {
    const std::int64_t extra_begin = pads[i] - padding[i];
    const std::int64_t extra_end = pads[i + dims] - padding[i];
    if (extra_begin + extra_end > 0) {
      const auto d = static_cast<std::int64_t>(i + 2);
      y = y.narrow(d, extra_begin, y.size(d) - extra_begin - extra_end);
    }
  }
  return {y};
}

Out gemm(const LowerContext& c) { return {at::linear(c.in(0), c.in(1), opt(c, 2))}; }

Out matmul(const LowerContext& c) {
  at::Tensor b = c.in(1);
  if (c.attrs().get_int("trans_b", 0) != 0 && b.dim() >= 2) b = b.transpose(-1, -2);
  return {at::matmul(c.in(0), b)};
}

// softmax(q k^T * scale + mask) v; causal masks the upper triangle.
Out attention(const LowerContext& c) {
  const at::Tensor& q = c.in(0);
  const std::int64_t d = q.size(-1);
  const double scale = c.attrs().get_float("scale", 1.0 / std::sqrt(static_cast<double>(d)));
  at::Tensor scores = at::mul(at::matmul(q, c.in(1).transpose(-1, -2)), scale);
  if (c.has(3)) {
    const at::Tensor& mask = c.in(3);
    if (mask.scalar_type() == at::kBool) {
      scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<double>::infinity());
    } else {
      scores = at::add(scores, mask);
    }
  }
  if (c.attrs().get_int("causal", 0) != 0) {
    const std::int64_t l = scores.size(-2);
    const std::int64_t s = scores.size(-1);
    at::Tensor upper = at::ones({l, s}, scores.options().dtype(at::kBool)).triu(s - l + 1);
    scores = scores.masked_fill(upper, -std::numeric_limits<double>::infinity());
  }
  return {at::matmul(at::softmax(scores, -1), c.in(2))};
}

// --- Normalisation ------------------------------------------------------------------

// torch's momentum weighs the new batch statistic; ONNX's (default 0.9)
// weighs the running one. The zoo stores torch's (0.1), the ONNX importer
// ONNX's: a value above 0.5 is read as ONNX's.
Out batch_norm(const LowerContext& c) {
  double m = c.attrs().get_float("momentum", 0.1);
  if (m > 0.5) m = 1.0 - m;
  return {at::batch_norm(c.in(0), c.in(1), c.in(2), c.in(3), c.in(4), c.training, m,
                         c.attrs().get_float("epsilon", 1e-5), true)};
}

Out layer_norm(const LowerContext& c) {
  const at::Tensor& x = c.in(0);
  const auto axis = static_cast<std::size_t>(
      normalize_axis(c.attrs().get_int("axis", -1), static_cast<std::size_t>(x.dim())));
  const auto sizes = x.sizes();
  const Ints normalized(sizes.begin() + static_cast<std::ptrdiff_t>(axis), sizes.end());
  return {at::layer_norm(x, normalized, opt(c, 1), opt(c, 2), c.attrs().get_float("epsilon", 1e-5),
                         true)};
}

Out group_norm(const LowerContext& c) {
  return {at::group_norm(c.in(0), c.attrs().get_int("num_groups", 1), opt(c, 1), opt(c, 2),
                         c.attrs().get_float("epsilon", 1e-5), true)};
}

// ONNX LRN: y = x / (bias + alpha/size * sum of x^2 over the channel window
// [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
Out lrn(const LowerContext& c) {
  const at::Tensor& x = c.in(0);
  if (x.dim() < 3) fail("input has rank {}, expected [N, C, spatial...]", x.dim());
  const std::int64_t size = c.attrs().get_int("size", 5);
  const double alpha = c.attrs().get_float("alpha", 1e-4);
  const double beta = c.attrs().get_float("beta", 0.75);
  const double bias = c.attrs().get_float("bias", 1.0);
  const std::int64_t n = x.size(0);
  const std::int64_t ch = x.size(1);
  at::Tensor sq = at::mul(x, x).reshape({n, 1, ch, -1});
  const std::int64_t before = (size - 1) / 2;
  const std::int64_t after = size - 1 - before;
  sq = at::constant_pad_nd(sq, {0, 0, before, after}, 0);
  at::Tensor avg = at::avg_pool2d(sq, {size, 1}, {1, 1}, {0, 0}, false, true);
  at::Tensor div = at::add(at::mul(avg, alpha), bias).pow(beta).reshape(x.sizes());
  return {at::div(x, div)};
}

// --- Activations ------------------------------------------------------------------

Out relu(const LowerContext& c) { return {at::relu(c.in(0))}; }
Out relu6(const LowerContext& c) { return {at::hardtanh(c.in(0), 0.0, 6.0)}; }
Out leaky_relu(const LowerContext& c) {
  return {at::leaky_relu(c.in(0), c.attrs().get_float("alpha", 0.01))};
}
Out prelu(const LowerContext& c) {
  at::Tensor w = c.in(1);
  // torch.prelu wants [C] or [1] against dim 1; a 1-D input reads its only dim.
  if (c.in(0).dim() == 1 && w.numel() > 1)
    return {at::where(c.in(0).ge(0), c.in(0), at::mul(c.in(0), w))};
  return {at::prelu(c.in(0), w.reshape({w.numel()}))};
}
Out elu(const LowerContext& c) { return {at::elu(c.in(0), c.attrs().get_float("alpha", 1.0))}; }
Out selu(const LowerContext& c) {
  if (!c.attrs().has("alpha") && !c.attrs().has("gamma")) return {at::selu(c.in(0))};
  return {at::elu(c.in(0), c.attrs().get_float("alpha", 1.67326319217681884765625),
                  c.attrs().get_float("gamma", 1.05070102214813232421875), 1.0)};
}
Out gelu(const LowerContext& c) {
  const std::string approx = c.attrs().get_string("approximate", "none");
  if (approx != "none" && approx != "tanh") fail("approximate '{}' is not none or tanh", approx);
  return {at::gelu(c.in(0), approx)};
}
Out silu(const LowerContext& c) { return {at::silu(c.in(0))}; }
Out hardswish(const LowerContext& c) { return {at::hardswish(c.in(0))}; }
// torch's hardsigmoid is ONNX's with alpha 1/6, beta 0.5.
Out hardsigmoid(const LowerContext& c) {
  if (!c.attrs().has("alpha") && !c.attrs().has("beta")) return {at::hardsigmoid(c.in(0))};
  const double alpha = c.attrs().get_float("alpha", 0.2);
  const double beta = c.attrs().get_float("beta", 0.5);
  return {at::clamp(at::add(at::mul(c.in(0), alpha), beta), 0.0, 1.0)};
}
Out sigmoid(const LowerContext& c) { return {at::sigmoid(c.in(0))}; }
Out tanh_(const LowerContext& c) { return {at::tanh(c.in(0))}; }
Out clip(const LowerContext& c) {
  c10::optional<at::Scalar> lo;
  c10::optional<at::Scalar> hi;
  if (c.attrs().has("min")) lo = at::Scalar(c.attrs().get_float("min", 0));
  if (c.attrs().has("max")) hi = at::Scalar(c.attrs().get_float("max", 0));
  if (!lo && !hi) return {c.in(0)};
  return {at::clamp(c.in(0), lo, hi)};
}
Out softmax(const LowerContext& c) {
  return {at::softmax(c.in(0), c.attrs().get_int("axis", -1), c10::nullopt)};
}
Out log_softmax(const LowerContext& c) {
  return {at::log_softmax(c.in(0), c.attrs().get_int("axis", -1), c10::nullopt)};
}

// --- Pooling ---------------------------------------------------------------------

struct PoolArgs {
  Ints kernel, stride, dilation, pads;
  bool ceil_mode;
};

PoolArgs pool_args(const LowerContext& c) {
  const std::size_t dims = spatial_dims(c);
  PoolArgs p;
  p.kernel = spatial_attr(c.attrs(), "kernel", dims, 1);
  p.stride = c.attrs().has("stride") ? spatial_attr(c.attrs(), "stride", dims, 1) : p.kernel;
  p.dilation = spatial_attr(c.attrs(), "dilation", dims, 1);
  p.pads = pads_attr(c.attrs(), dims);
  p.ceil_mode = c.attrs().get_int("ceil_mode", 0) != 0;
  return p;
}

Out max_pool(const LowerContext& c) {
  PoolArgs p = pool_args(c);
  const std::size_t dims = p.kernel.size();
  at::Tensor x = c.in(0);
  Ints padding(p.pads.begin(), p.pads.begin() + static_cast<std::ptrdiff_t>(dims));
  if (!symmetric(p.pads)) {
    x = at::constant_pad_nd(x, torch_pad_list(p.pads), -std::numeric_limits<double>::infinity());
    padding.assign(dims, 0);
  }
  switch (dims) {
    case 1:
      return {at::max_pool1d(x, p.kernel, p.stride, padding, p.dilation, p.ceil_mode)};
    case 2:
      return {at::max_pool2d(x, p.kernel, p.stride, padding, p.dilation, p.ceil_mode)};
    case 3:
      return {at::max_pool3d(x, p.kernel, p.stride, padding, p.dilation, p.ceil_mode)};
    default:
      fail("{} spatial dims; MaxPool runs on 1 to 3", dims);
  }
}

at::Tensor avg_pool_nd(const at::Tensor& x, const PoolArgs& p, const Ints& padding,
                       bool count_include_pad) {
  switch (p.kernel.size()) {
    case 1:
      return at::avg_pool1d(x, p.kernel, p.stride, padding, p.ceil_mode, count_include_pad);
    case 2:
      return at::avg_pool2d(x, p.kernel, p.stride, padding, p.ceil_mode, count_include_pad);
    case 3:
      return at::avg_pool3d(x, p.kernel, p.stride, padding, p.ceil_mode, count_include_pad);
    default:
      fail("{} spatial dims; AvgPool runs on 1 to 3", p.kernel.size());
  }
}

Out avg_pool(const LowerContext& c) {
  PoolArgs p = pool_args(c);
  const std::size_t dims = p.kernel.size();
  const bool include_pad = c.attrs().get_int("count_include_pad", 1) != 0;
  if (symmetric(p.pads)) {
    const Ints padding(p.pads.begin(), p.pads.begin() + static_cast<std::ptrdiff_t>(dims));
    return {avg_pool_nd(c.in(0), p, padding, include_pad)};
  }
  // Asymmetric pads: pool the zero-padded input; without count_include_pad,
  // divide by the pooled mask of real elements.
  const Ints pad_list = torch_pad_list(p.pads);
  const Ints zero(dims, 0);
  at::Tensor sum = avg_pool_nd(at::constant_pad_nd(c.in(0), pad_list, 0), p, zero, true);
  if (include_pad) return {sum};
  at::Tensor ones = at::ones_like(c.in(0));
  at::Tensor count = avg_pool_nd(at::constant_pad_nd(ones, pad_list, 0), p, zero, true);
  return {at::div(sum, count)};
}

Ints spatial_axes(const at::Tensor& x) {
  Ints axes;
  for (std::int64_t d = 2; d < x.dim(); ++d) axes.push_back(d);
  return axes;
}

Out global_avg_pool(const LowerContext& c) {
  return {at::mean(c.in(0), spatial_axes(c.in(0)), true)};
}
Out global_max_pool(const LowerContext& c) {
  return {at::amax(c.in(0), spatial_axes(c.in(0)), true)};
}

Ints output_size(const LowerContext& c) {
  const Shape& out = c.out_shape();
  return Ints(out.begin() + 2, out.end());
}

Out adaptive_avg_pool(const LowerContext& c) {
  const Ints size = output_size(c);
  switch (size.size()) {
    case 1:
      return {at::adaptive_avg_pool1d(c.in(0), size)};
    case 2:
      return {at::adaptive_avg_pool2d(c.in(0), size)};
    case 3:
      return {at::adaptive_avg_pool3d(c.in(0), size)};
    default:
      fail("{} spatial dims; AdaptiveAvgPool runs on 1 to 3", size.size());
  }
}

Out adaptive_max_pool(const LowerContext& c) {
  const Ints size = output_size(c);
  switch (size.size()) {
    case 1:
      return {std::get<0>(at::adaptive_max_pool1d(c.in(0), size))};
    case 2:
      return {std::get<0>(at::adaptive_max_pool2d(c.in(0), size))};
    case 3:
      return {std::get<0>(at::adaptive_max_pool3d(c.in(0), size))};
    default:
      fail("{} spatial dims; AdaptiveMaxPool runs on 1 to 3", size.size());
  }
}

// --- Elementwise binary -----------------------------------------------------------

Out add(const LowerContext& c) { return {at::add(c.in(0), c.in(1))}; }
Out sub(const LowerContext& c) { return {at::sub(c.in(0), c.in(1))}; }
Out mul(const LowerContext& c) { return {at::mul(c.in(0), c.in(1))}; }
// ONNX's integer Div truncates.
Out div(const LowerContext& c) {
  if (!at::isFloatingType(c.in(0).scalar_type()) && !at::isFloatingType(c.in(1).scalar_type())) {
    return {at::div(c.in(0), c.in(1), "trunc")};
  }
  return {at::div(c.in(0), c.in(1))};
}

// --- Data movement ------------------------------------------------------------------

Out concat(const LowerContext& c) { return {at::cat(c.inputs, c.attrs().get_int("axis", 1))}; }

// Sizes from the output values (the shape rule resolved equal parts).
Out split(const LowerContext& c) {
  const at::Tensor& x = c.in(0);
  const std::int64_t axis =
      normalize_axis(c.attrs().get_int("axis", 0), static_cast<std::size_t>(x.dim()));
  Out outs;
  std::int64_t start = 0;
  for (std::size_t o = 0; o < c.node.outputs.size(); ++o) {
    const std::int64_t len = c.out_shape(o).at(static_cast<std::size_t>(axis));
    outs.push_back(x.narrow(axis, start, len));
    start += len;
  }
  return outs;
}

// ONNX Slice (negative starts/ends from the end, clamped; negative steps).
Out slice(const LowerContext& c) {
  at::Tensor x = c.in(0);
  const Shape shape(x.sizes().begin(), x.sizes().end());
  for (const SliceAxis& sa : resolve_slice(c.attrs(), shape)) {
    const auto a = static_cast<std::int64_t>(sa.axis);
    const std::int64_t s = sa.start;
    const std::int64_t e = sa.end;
    const std::int64_t step = sa.step;
    if (step > 0) {
      x = x.slice(a, s, std::max(s, e), step);
    } else {
      Ints index;
      for (std::int64_t k = s; k > e; k += step) index.push_back(k);
      if (index.empty()) fail("slice of axis {} is empty", a);
      at::Tensor idx = at::from_blob(index.data(), {static_cast<std::int64_t>(index.size())},
                                     at::TensorOptions().dtype(at::kLong))
                           .to(x.device());
      x = at::index_select(x, a, idx);
    }
  }
  return {x};
}

Out reshape(const LowerContext& c) { return {c.in(0).reshape(c.out_shape())}; }

Out transpose(const LowerContext& c) {
  Ints perm = c.attrs().get_ints("perm", {});
  if (perm.empty()) {
    for (std::int64_t i = c.in(0).dim(); i-- > 0;) perm.push_back(i);
  }
  return {c.in(0).permute(perm)};
}

Out expand(const LowerContext& c) { return {c.in(0).expand(c.out_shape())}; }

Out roll(const LowerContext& c) {
  return {at::roll(c.in(0), c.attrs().get_ints("shifts", {}), c.attrs().get_ints("axes", {}))};
}

// ONNX Pad: pads (begins..., ends...) over every dim; modes constant, reflect, edge.
Out pad(const LowerContext& c) {
  const at::Tensor& x = c.in(0);
  const Ints pads = c.attrs().get_ints("pads", {});
  const auto rank = static_cast<std::size_t>(x.dim());
  if (pads.size() != 2 * rank) fail("pads has {} values for rank {}", pads.size(), rank);
  const std::string mode = c.attrs().get_string("mode", "constant");
  if (mode == "constant") {
    return {at::constant_pad_nd(x, torch_pad_list(pads), c.attrs().get_float("value", 0.0))};
  }
  std::string torch_mode;
  if (mode == "reflect") {
    torch_mode = "reflect";
  } else if (mode == "edge") {
    torch_mode = "replicate";
  } else if (mode == "wrap") {
    torch_mode = "circular";
  } else {
    fail("pad mode '{}' is not constant, reflect, edge or wrap", mode);
  }
  // torch pads the last 1 to 3 dims of a [N, C, ...] tensor: fold the
  // unpadded leading dims into C.
  std::size_t first = rank;
  for (std::size_t i = 0; i < rank; ++i) {
    if (pads[i] != 0 || pads[i + rank] != 0) {
      first = i;
      break;
    }
  }
  if (first == rank) return {x};
  const std::size_t k = rank - first;
  if (k > 3) fail("mode '{}' pads {} trailing dims; at most 3 are supported", mode, k);
  Ints folded{1, -1};
  for (std::size_t i = first; i < rank; ++i) folded.push_back(x.size(static_cast<std::int64_t>(i)));
  Ints sub_pads;
  for (std::size_t i = first; i < rank; ++i) sub_pads.push_back(pads[i]);
  for (std::size_t i = first; i < rank; ++i) sub_pads.push_back(pads[i + rank]);
  at::Tensor y = at::pad(x.reshape(folded), torch_pad_list(sub_pads), torch_mode, c10::nullopt);
  return {y.reshape(c.out_shape())};
}

Out channel_shuffle(const LowerContext& c) {
  const at::Tensor& x = c.in(0);
  const std::int64_t g = c.attrs().get_int("groups", 1);
  Ints split{x.size(0), g, x.size(1) / g};
  for (std::int64_t d = 2; d < x.dim(); ++d) split.push_back(x.size(d));
  return {x.reshape(split).transpose(1, 2).reshape(x.sizes())};
}

// ONNX Gather (negative indices count from the end).
Out gather(const LowerContext& c) {
  const at::Tensor& data = c.in(0);
  const std::int64_t axis =
      normalize_axis(c.attrs().get_int("axis", 0), static_cast<std::size_t>(data.dim()));
  at::Tensor idx = c.in(1).reshape({-1}).to(at::kLong);
  idx = at::where(idx.lt(0), at::add(idx, data.size(axis)), idx);
  return {at::index_select(data, axis, idx).reshape(c.out_shape())};
}

Out embedding(const LowerContext& c) {
  return {at::embedding(c.in(1), c.in(0).to(at::kLong), -1, false, false)};
}

Out dropout(const LowerContext& c) {
  if (!c.training) return {c.in(0)};
  return {at::dropout(c.in(0), c.attrs().get_float("ratio", 0.5), true)};
}

Out identity(const LowerContext& c) { return {c.in(0)}; }

Ints reduce_axes(const LowerContext& c) {
  Ints axes = c.attrs().get_ints("axes", {});
  if (axes.empty()) {
    for (std::int64_t d = 0; d < c.in(0).dim(); ++d) axes.push_back(d);
  }
  return axes;
}

Out reduce_mean(const LowerContext& c) {
  return {at::mean(c.in(0), reduce_axes(c), c.attrs().get_int("keepdims", 1) != 0, c10::nullopt)};
}
Out reduce_sum(const LowerContext& c) {
  return {at::sum(c.in(0), reduce_axes(c), c.attrs().get_int("keepdims", 1) != 0, c10::nullopt)};
}

// Elementwise math (torch semantics; Softplus with beta 1, threshold 20).
Out exp_(const LowerContext& c) { return {at::exp(c.in(0))}; }
Out log_(const LowerContext& c) { return {at::log(c.in(0))}; }
Out neg(const LowerContext& c) { return {at::neg(c.in(0))}; }
Out abs_(const LowerContext& c) { return {at::abs(c.in(0))}; }
Out sqrt_(const LowerContext& c) { return {at::sqrt(c.in(0))}; }
Out reciprocal(const LowerContext& c) { return {at::reciprocal(c.in(0))}; }
Out softplus(const LowerContext& c) { return {at::softplus(c.in(0), 1.0, 20.0)}; }
Out pow_(const LowerContext& c) { return {at::pow(c.in(0), c.in(1))}; }
Out maximum(const LowerContext& c) { return {at::maximum(c.in(0), c.in(1))}; }
Out minimum(const LowerContext& c) { return {at::minimum(c.in(0), c.in(1))}; }
// Tile: torch's repeat with one repeat per dim.
Out tile(const LowerContext& c) { return {c.in(0).repeat(c.attrs().get_ints("repeats", {}))}; }

// Comparisons give bool tensors; Where takes a bool (or 0/1) condition.
Out equal(const LowerContext& c) { return {at::eq(c.in(0), c.in(1))}; }
Out less(const LowerContext& c) { return {at::lt(c.in(0), c.in(1))}; }
Out greater(const LowerContext& c) { return {at::gt(c.in(0), c.in(1))}; }
Out logical_not(const LowerContext& c) { return {at::logical_not(c.in(0))}; }
Out where(const LowerContext& c) { return {at::where(c.in(0).to(at::kBool), c.in(1), c.in(2))}; }
// Cast: to an integer or bool type as asked; to a floating type, a floating
// input keeps the executor's compute precision and an integer one becomes
// fp32 (fp64 when asked).
Out cast(const LowerContext& c) {
  const DType to = c.out_value(0).dtype;
  if (is_floating(to)) {
    if (at::isFloatingType(c.in(0).scalar_type())) return {c.in(0)};
    return {c.in(0).to(to == DType::fp64 ? at::kDouble : at::kFloat)};
  }
  switch (to) {
    case DType::int8:
      return {c.in(0).to(at::kChar)};
    case DType::int32:
      return {c.in(0).to(at::kInt)};
    case DType::int64:
      return {c.in(0).to(at::kLong)};
    case DType::boolean:
      return {c.in(0).to(at::kBool)};
    default:
      fail("Cast to {} has no LibTorch tensor type", dtype_name(to));
  }
}

Out reduce_max(const LowerContext& c) {
  return {at::amax(c.in(0), reduce_axes(c), c.attrs().get_int("keepdims", 1) != 0)};
}
Out reduce_min(const LowerContext& c) {
  return {at::amin(c.in(0), reduce_axes(c), c.attrs().get_int("keepdims", 1) != 0)};
}
// ArgMax/ArgMin over one axis: int64 indices (the first extremum, as ONNX's
// default select_last_index = 0).
Out arg_max(const LowerContext& c) {
  return {at::argmax(c.in(0), c.attrs().get_int("axis", 0), c.attrs().get_int("keepdims", 1) != 0)};
}
Out arg_min(const LowerContext& c) {
  return {at::argmin(c.in(0), c.attrs().get_int("axis", 0), c.attrs().get_int("keepdims", 1) != 0)};
}

// The table. A row: the lowering, or nullptr and the reason it has none.
struct LowerRow {
  OpKind op;
  LowerFn fn;
  const char* unsupported;
};

constexpr std::array<LowerRow, kOpKindCount> kLowerRows{{
    {OpKind::Conv, conv, nullptr},
    {OpKind::ConvTranspose, conv_transpose, nullptr},
    {OpKind::Gemm, gemm, nullptr},
    {OpKind::MatMul, matmul, nullptr},
    {OpKind::Attention, attention, nullptr},
    {OpKind::BatchNorm, batch_norm, nullptr},
    {OpKind::LayerNorm, layer_norm, nullptr},
    {OpKind::GroupNorm, group_norm, nullptr},
    {OpKind::Lrn, lrn, nullptr},
    {OpKind::Relu, relu, nullptr},
    {OpKind::Relu6, relu6, nullptr},
    {OpKind::LeakyRelu, leaky_relu, nullptr},
    {OpKind::PRelu, prelu, nullptr},
    {OpKind::Elu, elu, nullptr},
    {OpKind::Selu, selu, nullptr},
    {OpKind::Gelu, gelu, nullptr},
    {OpKind::Silu, silu, nullptr},
    {OpKind::Hardswish, hardswish, nullptr},
    {OpKind::Hardsigmoid, hardsigmoid, nullptr},
    {OpKind::Sigmoid, sigmoid, nullptr},
    {OpKind::Tanh, tanh_, nullptr},
    {OpKind::Clip, clip, nullptr},
    {OpKind::Softmax, softmax, nullptr},
    {OpKind::LogSoftmax, log_softmax, nullptr},
    {OpKind::MaxPool, max_pool, nullptr},
    {OpKind::AvgPool, avg_pool, nullptr},
    {OpKind::GlobalAvgPool, global_avg_pool, nullptr},
    {OpKind::GlobalMaxPool, global_max_pool, nullptr},
    {OpKind::AdaptiveAvgPool, adaptive_avg_pool, nullptr},
    {OpKind::AdaptiveMaxPool, adaptive_max_pool, nullptr},
    {OpKind::Add, add, nullptr},
    {OpKind::Sub, sub, nullptr},
    {OpKind::Mul, mul, nullptr},
    {OpKind::Div, div, nullptr},
    {OpKind::Concat, concat, nullptr},
    {OpKind::Split, split, nullptr},
    {OpKind::Slice, slice, nullptr},
    {OpKind::Reshape, reshape, nullptr},
    {OpKind::Flatten, reshape, nullptr},
    {OpKind::Transpose, transpose, nullptr},
    {OpKind::Expand, expand, nullptr},
    {OpKind::Roll, roll, nullptr},
    {OpKind::Pad, pad, nullptr},
    {OpKind::ChannelShuffle, channel_shuffle, nullptr},
    {OpKind::Gather, gather, nullptr},
    {OpKind::Embedding, embedding, nullptr},
    {OpKind::Dropout, dropout, nullptr},
    {OpKind::Identity, identity, nullptr},
    {OpKind::ReduceMean, reduce_mean, nullptr},
    {OpKind::ReduceSum, reduce_sum, nullptr},
    {OpKind::Exp, exp_, nullptr},
    {OpKind::Log, log_, nullptr},
    {OpKind::Neg, neg, nullptr},
    {OpKind::Abs, abs_, nullptr},
    {OpKind::Sqrt, sqrt_, nullptr},
    {OpKind::Reciprocal, reciprocal, nullptr},
    {OpKind::Softplus, softplus, nullptr},
    {OpKind::Pow, pow_, nullptr},
    {OpKind::Max, maximum, nullptr},
    {OpKind::Min, minimum, nullptr},
    {OpKind::Tile, tile, nullptr},
    {OpKind::Equal, equal, nullptr},
    {OpKind::Less, less, nullptr},
    {OpKind::Greater, greater, nullptr},
    {OpKind::Not, logical_not, nullptr},
    {OpKind::Where, where, nullptr},
    {OpKind::Cast, cast, nullptr},
    {OpKind::ReduceMax, reduce_max, nullptr},
    {OpKind::ReduceMin, reduce_min, nullptr},
    {OpKind::ArgMax, arg_max, nullptr},
    {OpKind::ArgMin, arg_min, nullptr},
}};

constexpr bool all_rows_decided() {
  for (const auto& r : kLowerRows) {
    if ((r.fn == nullptr) == (r.unsupported == nullptr)) return false;
  }
  return true;
}
static_assert(rows_in_op_order(kLowerRows), "kLowerRows: one row per OpKind, in OpKind order");
static_assert(all_rows_decided(),
              "kLowerRows needs, for every OpKind, a lowering or the reason it has none");

const LowerRow& lower_row(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= kLowerRows.size()) fail("op kind {} out of range", i);
  return kLowerRows[i];
}

}  // namespace

LowerFn lowering_of(OpKind op) { return lower_row(op).fn; }
const char* unsupported_reason_of(OpKind op) { return lower_row(op).unsupported; }

std::vector<at::Tensor> run_node(const LowerContext& c) {
  const LowerFn fn = lowering_of(c.node.op);
  if (fn == nullptr) {
    fail("node '{}' ({}): not supported by the executor: {}", c.node.name, op_name(c.node.op),
         lower_row(c.node.op).unsupported);
  }
  try {
    std::vector<at::Tensor> out = fn(c);
    if (out.size() != c.node.outputs.size()) {
      fail("the lowering gave {} outputs, the node has {}", out.size(), c.node.outputs.size());
    }
    return out;
  } catch (const Error& e) {
    fail("node '{}' ({}): {}", c.node.name, op_name(c.node.op), e.what());
  } catch (const c10::Error& e) {
    fail("node '{}' ({}): LibTorch: {}", c.node.name, op_name(c.node.op),
         e.what_without_backtrace());
  } catch (const std::exception& e) {
    fail("node '{}' ({}): {}", c.node.name, op_name(c.node.op), e.what());
  }
}

}  // namespace dnnroof::exec_detail

namespace dnnroof {

bool has_lowering(OpKind op) { return exec_detail::lowering_of(op) != nullptr; }

std::optional<std::string> unsupported_op_reason(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= kOpKindCount) return std::string("not an op kind");
  if (exec_detail::lowering_of(op) != nullptr) return std::nullopt;
  return std::string(exec_detail::unsupported_reason_of(op));
}

}  // namespace dnnroof

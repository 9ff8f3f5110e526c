// The per-op converters: one function per ONNX op type of the default domain,
// each mapping the node (attributes that later opsets turned into inputs
// included) onto IR nodes whose shapes the IR's own rules infer. The table at
// the end is the list of supported ops (docs/onnx.md mirrors it).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "graph/detail/shape_rules.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {
namespace {

using Ints = std::vector<std::int64_t>;

Attributes attrs_with(std::initializer_list<std::pair<std::string, AttrValue>> kv) {
  Attributes a;
  for (const auto& [k, val] : kv) a.set(k, val);
  return a;
}

// A scalar float constant as an IR leaf (for Gemm's alpha/beta).
ValueId scalar(const NodeView& v, double x, std::string_view suffix) {
  Value c;
  Graph& g = v.importer().graph();
  c.name = v.importer().unique_value_name(v.name() + std::string(suffix));
  c.shape = {};
  c.dtype = DType::fp32;
  c.role = ValueRole::constant;
  c.float_data = {x};
  g.values.push_back(std::move(c));
  return static_cast<ValueId>(g.values.size() - 1);
}

// --- Conv, pooling: kernel, strides, dilations, pads with auto_pad ---------------

// Larger window attributes would overflow the shape arithmetic.
constexpr std::int64_t kMaxWindowValue = std::int64_t{1} << 31;

struct Window {
  Ints kernel, stride, dilation, pads;  // pads: begins..., ends...
};

Window window(const NodeView& v, const Shape& x, const Ints& kernel_from_weight, bool transpose,
              const Ints& output_padding = {}) {
  if (x.size() < 3) v.reject("input {} must be [N, C, spatial...]", shape_str(x));
  const std::size_t dims = x.size() - 2;
  Window w;
  w.kernel = v.attr_ints("kernel_shape", kernel_from_weight);
  if (w.kernel.size() != dims) {
    v.reject("kernel_shape has {} values for {} spatial dims", w.kernel.size(), dims);
  }
  w.stride = v.attr_ints("strides", Ints(dims, 1));
  w.dilation = v.attr_ints("dilations", Ints(dims, 1));
  if (w.stride.size() != dims || w.dilation.size() != dims) {
    v.reject("strides/dilations need {} values", dims);
  }
  for (std::size_t i = 0; i < dims; ++i) {
    if (w.kernel[i] < 1 || w.stride[i] < 1 || w.dilation[i] < 1) {
      v.reject("kernel, strides and dilations must be >= 1");
    }
  }
  const std::string auto_pad = v.attr_string("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    w.pads = v.attr_ints("pads", Ints(2 * dims, 0));
    if (w.pads.size() != 2 * dims)
      v.reject("pads has {} values, expected {}", w.pads.size(), 2 * dims);
  } else if (auto_pad == "VALID") {
    w.pads.assign(2 * dims, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    w.pads.assign(2 * dims, 0);
    for (std::size_t i = 0; i < dims; ++i) {
      const std::int64_t in = x[i + 2];
      const std::int64_t eff = (w.kernel[i] - 1) * w.dilation[i] + 1;
      std::int64_t total = 0;
      if (transpose) {
        const std::int64_t op = i < output_padding.size() ? output_padding[i] : 0;
        total = std::max<std::int64_t>(0, w.stride[i] * (in - 1) + op + eff - in * w.stride[i]);
      } else {
        const std::int64_t out = (in + w.stride[i] - 1) / w.stride[i];
        total = std::max<std::int64_t>(0, (out - 1) * w.stride[i] + eff - in);
      }
      const bool upper = auto_pad == "SAME_UPPER";
      w.pads[i] = upper ? total / 2 : total - total / 2;
      w.pads[i + dims] = total - w.pads[i];
    }
  } else {
    v.reject("auto_pad '{}' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID", auto_pad);
  }
  for (std::int64_t p : w.pads) {
    if (p < 0) v.reject("negative pads are not supported");
  }
  for (const Ints* list : {&w.kernel, &w.stride, &w.dilation, &w.pads}) {
    for (std::int64_t value : *list) {
      if (value > kMaxWindowValue) {
        v.reject("kernel, stride, dilation or pad {} is implausibly large", value);
      }
    }
  }
  return w;
}

void convert_conv(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const Shape& wshape = v.input_shape(1);
  if (wshape.size() != x.size() || x.size() < 3) {
    v.reject("weight {} and input {} must both be [N, C, spatial...]", shape_str(wshape),
             shape_str(x));
  }
  const Window w = window(v, x, Ints(wshape.begin() + 2, wshape.end()), false);
  Attributes a = attrs_with({{"kernel", w.kernel},
                             {"stride", w.stride},
                             {"dilation", w.dilation},
                             {"pads", w.pads},
                             {"group", v.attr_int("group", 1)}});
  std::vector<ValueId> in{v.data(0), v.weight(1, ValueRole::parameter)};
  if (v.has_input(2)) in.push_back(v.weight(2, ValueRole::parameter, Shape{wshape[0]}));
  v.emit(OpKind::Conv, in, a);
}

void convert_conv_transpose(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const Shape& wshape = v.input_shape(1);
  if (wshape.size() != x.size() || x.size() < 3) {
    v.reject("weight {} and input {} must both be [N, C, spatial...]", shape_str(wshape),
             shape_str(x));
  }
  const std::size_t dims = x.size() - 2;
  Ints outpad = v.attr_ints("output_padding", Ints(dims, 0));
  if (outpad.size() != dims) v.reject("output_padding needs {} values", dims);
  Window w = window(v, x, Ints(wshape.begin() + 2, wshape.end()), true, outpad);
  const std::int64_t group = v.attr_int("group", 1);
  if (v.has_attr("output_shape")) {
    // Pads follow from the requested output (ONNX: total = s*(in-1) + op + eff - out).
    Ints out = v.attr_ints("output_shape", {});
    if (out.size() == dims + 2) out.erase(out.begin(), out.begin() + 2);
    if (out.size() != dims) v.reject("output_shape needs {} values", dims);
    const bool upper = v.attr_string("auto_pad", "NOTSET") != "SAME_LOWER";
    for (std::size_t i = 0; i < dims; ++i) {
      const std::int64_t eff = (w.kernel[i] - 1) * w.dilation[i] + 1;
      const std::int64_t total = w.stride[i] * (x[i + 2] - 1) + outpad[i] + eff - out[i];
      if (total < 0) {
        v.reject("output_shape {} is larger than the transposed conv can produce", shape_str(out));
      }
      w.pads[i] = upper ? total / 2 : total - total / 2;
      w.pads[i + dims] = total - w.pads[i];
    }
  }
  Attributes a = attrs_with({{"kernel", w.kernel},
                             {"stride", w.stride},
                             {"dilation", w.dilation},
                             {"pads", w.pads},
                             {"group", group},
                             {"output_padding", outpad}});
  std::vector<ValueId> in{v.data(0), v.weight(1, ValueRole::parameter)};
  if (v.has_input(2)) in.push_back(v.weight(2, ValueRole::parameter, Shape{wshape[1] * group}));
  v.emit(OpKind::ConvTranspose, in, a);
}

void convert_pool(const NodeView& v, OpKind op) {
  const Shape& x = v.input_shape(0);
  if (!v.has_attr("kernel_shape")) v.reject("needs kernel_shape");
  const Window w = window(v, x, {}, false);
  if (op == OpKind::AvgPool && v.has_attr("dilations")) {
    for (std::int64_t d : w.dilation) {
      if (d != 1) v.reject("AveragePool with dilations is not supported");
    }
  }
  if (v.attr_int("storage_order", 0) != 0) v.reject("storage_order 1 is not supported");
  Attributes a = attrs_with({{"kernel", w.kernel},
                             {"stride", w.stride},
                             {"pads", w.pads},
                             {"ceil_mode", v.attr_int("ceil_mode", 0)}});
  if (op == OpKind::MaxPool) a.set("dilation", w.dilation);
  // ONNX's count_include_pad defaults to 0 (torch's to 1).
  if (op == OpKind::AvgPool) a.set("count_include_pad", v.attr_int("count_include_pad", 0));
  v.emit(op, {v.data(0)}, a);
}

void convert_max_pool(const NodeView& v) { convert_pool(v, OpKind::MaxPool); }
void convert_avg_pool(const NodeView& v) { convert_pool(v, OpKind::AvgPool); }
void convert_global_avg_pool(const NodeView& v) { v.emit(OpKind::GlobalAvgPool, {v.data(0)}, {}); }
void convert_global_max_pool(const NodeView& v) { v.emit(OpKind::GlobalMaxPool, {v.data(0)}, {}); }

void convert_lrn(const NodeView& v) {
  if (!v.has_attr("size")) v.reject("needs the size attribute");
  v.emit(OpKind::Lrn, {v.data(0)},
         attrs_with({{"size", v.attr_int("size", 5)},
                     {"alpha", v.attr_float("alpha", 1e-4)},
                     {"beta", v.attr_float("beta", 0.75)},
                     {"bias", v.attr_float("bias", 1.0)}}));
}

// --- Matrix ------------------------------------------------------------------------

void convert_gemm(const NodeView& v) {
  const Shape& a = v.input_shape(0);
  const Shape& b = v.input_shape(1);
  if (a.size() != 2 || b.size() != 2) {
    v.reject("A {} and B {} must be matrices", shape_str(a), shape_str(b));
  }
  if (v.attr_int("transA", 0) != 0) v.reject("transA=1 is not supported (export with transA=0)");
  const bool trans_b = v.attr_int("transB", 0) != 0;
  const double alpha = v.attr_float("alpha", 1.0);
  const double beta = v.attr_float("beta", 1.0);
  const std::int64_t n = trans_b ? b[0] : b[1];
  const bool has_c = v.has_input(2) && beta != 0;
  // The bias folds into the Gemm node when it is a constant of n elements
  // and neither alpha nor beta scales anything.
  const bool bias_inside = has_c && trans_b && alpha == 1.0 && beta == 1.0 &&
                           v.input(2).is_constant && numel(v.input_shape(2)) == n;
  int result_output = 0;
  const bool more = alpha != 1.0 || (has_c && !bias_inside);
  if (more) result_output = -1;
  ValueId y = kNoValue;
  if (trans_b) {
    std::vector<ValueId> in{v.data(0), v.weight(1, ValueRole::parameter)};
    if (bias_inside) in.push_back(v.weight(2, ValueRole::parameter, Shape{n}));
    y = v.emit(OpKind::Gemm, in, {}, {result_output})[0];
  } else {
    y = v.emit(OpKind::MatMul, {v.data(0), v.data(1)}, {}, {result_output}, "/matmul")[0];
  }
  if (alpha != 1.0) {
    const bool last = !(has_c && !bias_inside);
    y = v.emit(OpKind::Mul, {y, scalar(v, alpha, "/alpha")}, {}, {last ? 0 : -1}, "/alpha_mul")[0];
  }
  if (has_c && !bias_inside) {
    ValueId c = v.data(2);
    if (beta != 1.0)
      c = v.emit(OpKind::Mul, {c, scalar(v, beta, "/beta")}, {}, {-1}, "/beta_mul")[0];
    v.emit(OpKind::Add, {y, c}, {}, {0}, "/add_c");
  }
}

void convert_matmul(const NodeView& v) { v.emit(OpKind::MatMul, {v.data(0), v.data(1)}, {}); }

// --- Normalisation -----------------------------------------------------------------

void convert_batch_norm(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  if (x.size() < 2) v.reject("input {} must be [N, C, ...]", shape_str(x));
  if (v.opset() < 9 && v.attr_int("spatial", 1) == 0) {
    v.reject("spatial=0 (per-element statistics) is not supported");
  }
  if (v.attr_int("training_mode", 0) != 0) {
    v.reject("training_mode=1 is not supported; export the model in eval mode");
  }
  const Shape c{x[1]};
  v.emit(OpKind::BatchNorm,
         {v.data(0), v.weight(1, ValueRole::parameter, c), v.weight(2, ValueRole::parameter, c),
          v.weight(3, ValueRole::buffer, c), v.weight(4, ValueRole::buffer, c)},
         attrs_with({{"epsilon", v.attr_float("epsilon", 1e-5)},
                     {"momentum", v.attr_float("momentum", 0.9)}}));
}

void convert_layer_norm(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const std::int64_t axis = normalize_axis(v.attr_int("axis", -1), x.size());
  const Shape norm(x.begin() + axis, x.end());
  std::vector<ValueId> in{v.data(0), v.weight(1, ValueRole::parameter, norm)};
  if (v.has_input(2)) in.push_back(v.weight(2, ValueRole::parameter, norm));
  v.emit(OpKind::LayerNorm, in,
         attrs_with({{"axis", axis}, {"epsilon", v.attr_float("epsilon", 1e-5)}}));
}

void convert_group_norm_like(const NodeView& v, std::int64_t groups) {
  const Shape& x = v.input_shape(0);
  const Shape c{x[1]};
  if (numel(v.input_shape(1)) != x[1]) {
    v.reject(
        "scale {} is not per channel ({} channels); the opset-18 per-group scale is not "
        "supported",
        shape_str(v.input_shape(1)), x[1]);
  }
  std::vector<ValueId> in{v.data(0), v.weight(1, ValueRole::parameter, c)};
  if (v.has_input(2)) in.push_back(v.weight(2, ValueRole::parameter, c));
  v.emit(OpKind::GroupNorm, in,
         attrs_with({{"num_groups", groups}, {"epsilon", v.attr_float("epsilon", 1e-5)}}));
}

void convert_instance_norm(const NodeView& v) {
  if (v.input_shape(0).size() < 3) v.reject("input must be [N, C, spatial...]");
  convert_group_norm_like(v, v.input_shape(0)[1]);
}

void convert_group_norm(const NodeView& v) {
  if (v.input_shape(0).size() < 3) v.reject("input must be [N, C, spatial...]");
  if (!v.has_attr("num_groups")) v.reject("needs num_groups");
  convert_group_norm_like(v, v.attr_int("num_groups", 1));
}

// --- Activations -------------------------------------------------------------------

void unary(const NodeView& v, OpKind op, Attributes a = {}) { v.emit(op, {v.data(0)}, a); }
void convert_relu(const NodeView& v) { unary(v, OpKind::Relu); }
void convert_sigmoid(const NodeView& v) { unary(v, OpKind::Sigmoid); }
void convert_tanh(const NodeView& v) { unary(v, OpKind::Tanh); }
void convert_hardswish(const NodeView& v) { unary(v, OpKind::Hardswish); }
void convert_leaky_relu(const NodeView& v) {
  unary(v, OpKind::LeakyRelu, attrs_with({{"alpha", v.attr_float("alpha", 0.01)}}));
}
void convert_elu(const NodeView& v) {
  unary(v, OpKind::Elu, attrs_with({{"alpha", v.attr_float("alpha", 1.0)}}));
}
void convert_selu(const NodeView& v) {
  unary(v, OpKind::Selu,
        attrs_with({{"alpha", v.attr_float("alpha", 1.67326319217681884765625)},
                    {"gamma", v.attr_float("gamma", 1.05070102214813232421875)}}));
}
void convert_gelu(const NodeView& v) {
  unary(v, OpKind::Gelu, attrs_with({{"approximate", v.attr_string("approximate", "none")}}));
}
void convert_hard_sigmoid(const NodeView& v) {
  unary(v, OpKind::Hardsigmoid,
        attrs_with({{"alpha", v.attr_float("alpha", 0.2)}, {"beta", v.attr_float("beta", 0.5)}}));
}

void convert_prelu(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const std::int64_t n = numel(v.input_shape(1));
  if (n != 1 && (x.size() < 2 || n != x[1])) {
    v.reject("slope {} must have 1 or {} (channels) elements", shape_str(v.input_shape(1)),
             x.size() >= 2 ? x[1] : 1);
  }
  v.emit(OpKind::PRelu, {v.data(0), v.weight(1, ValueRole::parameter, Shape{n})}, {});
}

void convert_clip(const NodeView& v) {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  if (v.opset() < 11) {
    lo = v.attr_float("min", lo);
    hi = v.attr_float("max", hi);
  } else {
    if (v.has_input(1)) lo = v.const_float(1);
    if (v.has_input(2)) hi = v.const_float(2);
  }
  Attributes a;
  if (std::isfinite(lo)) a.set("min", lo);
  if (std::isfinite(hi)) a.set("max", hi);
  unary(v, OpKind::Clip, a);
}

// Softmax before opset 13 coerces the input to 2-D [prod(:axis), prod(axis:)]
// and normalises each row; from 13 on it normalises along `axis` alone.
void convert_softmax_like(const NodeView& v, OpKind op) {
  const Shape& x = v.input_shape(0);
  if (x.empty()) v.reject("softmax of a scalar");
  const bool old = v.opset() < 13;
  const std::int64_t axis = normalize_axis(v.attr_int("axis", old ? 1 : -1), x.size());
  const auto last = static_cast<std::int64_t>(x.size()) - 1;
  if (!old || axis == last) {
    unary(v, op, attrs_with({{"axis", axis == last ? std::int64_t{-1} : axis}}));
    return;
  }
  std::int64_t rows = 1;
  for (std::int64_t i = 0; i < axis; ++i) rows *= x[static_cast<std::size_t>(i)];
  const ValueId flat =
      v.emit(OpKind::Reshape, {v.data(0)}, attrs_with({{"shape", Ints{rows, numel(x) / rows}}}),
             {-1}, "/to_2d")[0];
  const ValueId s = v.emit(op, {flat}, attrs_with({{"axis", std::int64_t{-1}}}), {-1})[0];
  v.emit(OpKind::Reshape, {s}, attrs_with({{"shape", Ints(x.begin(), x.end())}}), {0}, "/from_2d");
}
void convert_softmax(const NodeView& v) { convert_softmax_like(v, OpKind::Softmax); }
void convert_log_softmax(const NodeView& v) { convert_softmax_like(v, OpKind::LogSoftmax); }

// --- Elementwise ---------------------------------------------------------------------

// Before opset 7, broadcasting was opt-in (broadcast=1) and aligned B with A
// from `axis` on (default: the trailing dims); B gets trailing 1s to match
// numpy's right alignment.
void binary(const NodeView& v, OpKind op) {
  ValueId b = kNoValue;
  if (v.opset() < 7 && v.attr_int("broadcast", 0) != 0 && v.has_attr("axis")) {
    const Shape& sa = v.input_shape(0);
    const Shape& sb = v.input_shape(1);
    const std::int64_t axis = normalize_axis(v.attr_int("axis", 0), sa.size());
    const auto trailing =
        static_cast<std::int64_t>(sa.size()) - axis - static_cast<std::int64_t>(sb.size());
    if (trailing < 0)
      v.reject("B {} does not fit A {} at axis {}", shape_str(sb), shape_str(sa), axis);
    if (trailing > 0) {
      Shape aligned = sb;
      aligned.insert(aligned.end(), static_cast<std::size_t>(trailing), 1);
      b = v.input(1).is_constant
              ? v.weight(1,
                         is_floating(v.input(1).dtype) && numel(sb) > 1 ? ValueRole::parameter
                                                                        : ValueRole::constant,
                         aligned)
              : v.emit(OpKind::Reshape, {v.data(1)},
                       attrs_with({{"shape", Ints(aligned.begin(), aligned.end())}}), {-1},
                       "/broadcast_b")[0];
    }
  }
  v.emit(op, {v.data(0), b == kNoValue ? v.data(1) : b}, {});
}
void convert_add(const NodeView& v) { binary(v, OpKind::Add); }
void convert_sub(const NodeView& v) { binary(v, OpKind::Sub); }
void convert_mul(const NodeView& v) { binary(v, OpKind::Mul); }
void convert_div(const NodeView& v) { binary(v, OpKind::Div); }

void convert_pow(const NodeView& v) { binary(v, OpKind::Pow); }

// Sum, Max and Min take one or more inputs (numpy broadcasting from opset 8):
// a chain of binary nodes, the last bound to the output; one input is an alias.
void variadic(const NodeView& v, OpKind op, std::string_view step) {
  if (v.num_inputs() < 1) v.reject("needs at least one input");
  if (v.num_inputs() == 1) {
    v.bind(0, v.data(0));
    return;
  }
  ValueId acc = v.data(0);
  for (int i = 1; i < v.num_inputs(); ++i) {
    const bool last = i + 1 == v.num_inputs();
    acc = v.emit(op, {acc, v.data(i)}, {}, {last ? 0 : -1},
                 last ? "" : fmt::format("/{}{}", step, i))[0];
  }
}
void convert_sum(const NodeView& v) { variadic(v, OpKind::Add, "add"); }
void convert_max(const NodeView& v) { variadic(v, OpKind::Max, "max"); }
void convert_min(const NodeView& v) { variadic(v, OpKind::Min, "min"); }

void convert_equal(const NodeView& v) { binary(v, OpKind::Equal); }
void convert_less(const NodeView& v) { binary(v, OpKind::Less); }
void convert_greater(const NodeView& v) { binary(v, OpKind::Greater); }
void convert_not(const NodeView& v) { unary(v, OpKind::Not); }
void convert_where(const NodeView& v) {
  v.emit(OpKind::Where, {v.data(0), v.data(1), v.data(2)}, {});
}

void convert_exp(const NodeView& v) { unary(v, OpKind::Exp); }
void convert_log(const NodeView& v) { unary(v, OpKind::Log); }
void convert_neg(const NodeView& v) { unary(v, OpKind::Neg); }
void convert_abs(const NodeView& v) { unary(v, OpKind::Abs); }
void convert_sqrt(const NodeView& v) { unary(v, OpKind::Sqrt); }
void convert_reciprocal(const NodeView& v) { unary(v, OpKind::Reciprocal); }
void convert_softplus(const NodeView& v) { unary(v, OpKind::Softplus); }

// --- Data movement -------------------------------------------------------------------

void convert_concat(const NodeView& v) {
  if (!v.has_attr("axis")) v.reject("needs the axis attribute");
  std::vector<ValueId> in;
  for (int i = 0; i < v.num_inputs(); ++i) {
    if (v.has_input(i)) in.push_back(v.data(i));
  }
  v.emit(OpKind::Concat, in, attrs_with({{"axis", v.attr_int("axis", 0)}}));
}

void convert_split(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const std::int64_t axis = normalize_axis(v.attr_int("axis", 0), x.size());
  Ints sizes;
  if (v.opset() >= 13) {
    if (v.has_input(1)) sizes = v.const_ints(1);
  } else {
    sizes = v.attr_ints("split", {});
  }
  const int n = v.num_outputs();
  if (sizes.empty() && v.has_attr("num_outputs")) {
    // Opset 18: the last chunk may be smaller.
    const std::int64_t parts = v.attr_int("num_outputs", n);
    const std::int64_t dim = x[static_cast<std::size_t>(axis)];
    const std::int64_t chunk = (dim + parts - 1) / parts;
    for (std::int64_t left = dim; left > 0; left -= chunk) sizes.push_back(std::min(chunk, left));
  }
  if (!sizes.empty() && static_cast<int>(sizes.size()) != n) {
    v.reject("{} split sizes for {} outputs", sizes.size(), n);
  }
  Attributes a = attrs_with({{"axis", axis}});
  if (!sizes.empty()) a.set("split", sizes);
  std::vector<int> outs(static_cast<std::size_t>(n));
  std::iota(outs.begin(), outs.end(), 0);
  v.emit(OpKind::Split, {v.data(0)}, a, outs);
}

void convert_slice(const NodeView& v) {
  auto [starts, ends, axes, steps] = slice_args(v);
  Attributes a = attrs_with({{"starts", starts}, {"ends", ends}});
  if (!axes.empty()) a.set("axes", axes);
  if (!steps.empty()) a.set("steps", steps);
  v.emit(OpKind::Slice, {v.data(0)}, a);
}

// The IR rules multiply dims in int64: a target whose positive entries
// overflow is refused here first.
void check_target(const Ints& target) {
  Shape positive;
  for (std::int64_t d : target) {
    if (d > 0) positive.push_back(d);
  }
  checked_numel(positive, "the target shape");
}

void convert_reshape(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  Ints target = v.const_ints(1);
  check_target(target);
  const bool allow_zero = v.attr_int("allowzero", 0) != 0;
  if (allow_zero && std::find(target.begin(), target.end(), 0) != target.end()) {
    v.reject("allowzero=1 with a 0 in the target shape (an empty tensor) is not supported");
  }
  // A fixed-batch export re-batched with --batch: a target that starts with
  // the file's batch keeps the input's dim 0.
  const auto batch = v.importer().options().batch;
  const auto file_batch = v.importer().file_batch();
  if (batch && file_batch && v.importer().options().override_fixed_batch && *batch != *file_batch &&
      !target.empty() && !x.empty() && target[0] == *file_batch && x[0] == *batch) {
    target[0] = 0;
  }
  v.emit(OpKind::Reshape, {v.data(0)}, attrs_with({{"shape", target}}));
}

void convert_flatten(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  const std::int64_t axis = normalize_axis(v.attr_int("axis", 1), x.size() + 1);
  if (axis == 1 && x.size() >= 2) {
    v.emit(OpKind::Flatten, {v.data(0)},
           attrs_with({{"start_dim", std::int64_t{1}}, {"end_dim", std::int64_t{-1}}}));
    return;
  }
  std::int64_t outer = 1;
  for (std::int64_t i = 0; i < axis; ++i) outer *= x[static_cast<std::size_t>(i)];
  v.emit(OpKind::Reshape, {v.data(0)}, attrs_with({{"shape", Ints{outer, numel(x) / outer}}}));
}

void convert_transpose(const NodeView& v) {
  Attributes a;
  if (v.has_attr("perm")) a.set("perm", v.attr_ints("perm", {}));
  v.emit(OpKind::Transpose, {v.data(0)}, a);
}

void convert_unsqueeze(const NodeView& v) {
  const Shape out = unsqueezed(v, v.input_shape(0), axes_of(v, 13));
  v.emit(OpKind::Reshape, {v.data(0)}, attrs_with({{"shape", Ints(out.begin(), out.end())}}));
}

void convert_squeeze(const NodeView& v) {
  const Shape out = squeezed(v, v.input_shape(0), axes_of(v, 13));
  v.emit(OpKind::Reshape, {v.data(0)}, attrs_with({{"shape", Ints(out.begin(), out.end())}}));
}

void convert_pad(const NodeView& v) {
  const Shape& x = v.input_shape(0);
  Ints pads;
  double value = 0;
  if (v.opset() < 11) {
    pads = v.attr_ints("pads", {});
    value = v.attr_float("value", 0.0);
  } else {
    pads = v.const_ints(1);
    if (v.has_input(2)) value = v.const_float(2);
    if (v.has_input(3)) {
      // Opset 18: pads for these axes only.
      const Ints axes = v.const_ints(3);
      if (pads.size() != 2 * axes.size()) v.reject("pads and axes differ in length");
      Ints full(2 * x.size(), 0);
      for (std::size_t i = 0; i < axes.size(); ++i) {
        const auto a = static_cast<std::size_t>(normalize_axis(axes[i], x.size()));
        full[a] = pads[i];
        full[a + x.size()] = pads[i + axes.size()];
      }
      pads = full;
    }
  }
  v.emit(
      OpKind::Pad, {v.data(0)},
      attrs_with({{"pads", pads}, {"mode", v.attr_string("mode", "constant")}, {"value", value}}));
}

void convert_dropout(const NodeView& v) {
  double ratio = v.attr_float("ratio", 0.5);
  if (v.opset() >= 12) ratio = v.has_input(1) ? v.const_float(1) : 0.5;
  v.emit(OpKind::Dropout, {v.data(0)}, attrs_with({{"ratio", ratio}}));
}

void convert_reduce(const NodeView& v, OpKind op, int axes_input_since) {
  const Ints axes = axes_of(v, axes_input_since);
  if (axes.empty() && v.attr_int("noop_with_empty_axes", 0) != 0) {
    v.bind(0, v.data(0));
    return;
  }
  v.emit(op, {v.data(0)}, attrs_with({{"axes", axes}, {"keepdims", v.attr_int("keepdims", 1)}}));
}
void convert_reduce_mean(const NodeView& v) { convert_reduce(v, OpKind::ReduceMean, 18); }
void convert_reduce_sum(const NodeView& v) { convert_reduce(v, OpKind::ReduceSum, 13); }
void convert_reduce_max(const NodeView& v) { convert_reduce(v, OpKind::ReduceMax, 18); }
void convert_reduce_min(const NodeView& v) { convert_reduce(v, OpKind::ReduceMin, 18); }

// ArgMax/ArgMin: axis (default 0), keepdims (default 1); the last index of
// tied extrema (select_last_index = 1, opset 12) is not supported.
void convert_arg(const NodeView& v, OpKind op) {
  if (v.attr_int("select_last_index", 0) != 0) {
    v.reject("select_last_index=1 is not supported (torch returns the first extremum)");
  }
  const std::int64_t axis = normalize_axis(v.attr_int("axis", 0), v.input_shape(0).size());
  v.emit(op, {v.data(0)}, attrs_with({{"axis", axis}, {"keepdims", v.attr_int("keepdims", 1)}}));
}
void convert_arg_max(const NodeView& v) { convert_arg(v, OpKind::ArgMax); }
void convert_arg_min(const NodeView& v) { convert_arg(v, OpKind::ArgMin); }

void convert_gather(const NodeView& v) {
  const Entry& data = v.input(0);
  const Entry& idx = v.input(1);
  const std::int64_t axis = v.attr_int("axis", 0);
  if (data.is_constant && !idx.is_constant && data.shape.size() == 2 && axis == 0 &&
      is_floating(data.dtype)) {
    v.emit(OpKind::Embedding, {v.data(1), v.weight(0, ValueRole::parameter)}, {});
    return;
  }
  const ValueId indices = idx.is_constant ? v.weight(1, ValueRole::constant) : v.data(1);
  v.emit(OpKind::Gather, {v.data(0), indices}, attrs_with({{"axis", axis}}));
}

void convert_identity(const NodeView& v) { v.bind(0, v.data(0)); }

// A Cast to the input's own dtype is an alias; any other is an IR Cast.
void convert_cast(const NodeView& v) {
  const DType to = dtype_of(static_cast<std::int32_t>(v.attr_int("to", 1)), "attribute 'to'");
  if (to == v.input(0).dtype) {
    v.bind(0, v.data(0));
    return;
  }
  v.emit(OpKind::Cast, {v.data(0)}, attrs_with({{"to", std::string(dtype_name(to))}}));
}

// Tile (opset 6 on): repeats is a constant input, one entry per dim.
void convert_tile(const NodeView& v) {
  const Ints repeats = v.const_ints(1);
  const Shape& x = v.input_shape(0);
  if (repeats.size() != x.size()) {
    v.reject("repeats {} has {} entries for an input of rank {}", shape_str(repeats),
             repeats.size(), x.size());
  }
  v.emit(OpKind::Tile, {v.data(0)}, attrs_with({{"repeats", repeats}}));
}

void convert_expand(const NodeView& v) {
  const Ints target = v.const_ints(1);
  check_target(target);
  v.emit(OpKind::Expand, {v.data(0)}, attrs_with({{"shape", target}}));
}

struct ConvertRow {
  std::string_view op;
  ConvertFn fn;
};

constexpr ConvertRow kConverters[] = {
    {"Conv", convert_conv},
    {"ConvTranspose", convert_conv_transpose},
    {"Gemm", convert_gemm},
    {"MatMul", convert_matmul},
    {"BatchNormalization", convert_batch_norm},
    {"LayerNormalization", convert_layer_norm},
    {"InstanceNormalization", convert_instance_norm},
    {"GroupNormalization", convert_group_norm},
    {"LRN", convert_lrn},
    {"Relu", convert_relu},
    {"LeakyRelu", convert_leaky_relu},
    {"PRelu", convert_prelu},
    {"Elu", convert_elu},
    {"Selu", convert_selu},
    {"Gelu", convert_gelu},
    {"Sigmoid", convert_sigmoid},
    {"Tanh", convert_tanh},
    {"HardSigmoid", convert_hard_sigmoid},
    {"HardSwish", convert_hardswish},
    {"Clip", convert_clip},
    {"Softmax", convert_softmax},
    {"LogSoftmax", convert_log_softmax},
    {"MaxPool", convert_max_pool},
    {"AveragePool", convert_avg_pool},
    {"GlobalAveragePool", convert_global_avg_pool},
    {"GlobalMaxPool", convert_global_max_pool},
    {"Add", convert_add},
    {"Sub", convert_sub},
    {"Mul", convert_mul},
    {"Div", convert_div},
    {"Sum", convert_sum},
    {"Pow", convert_pow},
    {"Max", convert_max},
    {"Min", convert_min},
    {"Equal", convert_equal},
    {"Less", convert_less},
    {"Greater", convert_greater},
    {"Not", convert_not},
    {"Where", convert_where},
    {"Exp", convert_exp},
    {"Log", convert_log},
    {"Neg", convert_neg},
    {"Abs", convert_abs},
    {"Sqrt", convert_sqrt},
    {"Reciprocal", convert_reciprocal},
    {"Softplus", convert_softplus},
    {"Concat", convert_concat},
    {"Split", convert_split},
    {"Slice", convert_slice},
    {"Reshape", convert_reshape},
    {"Flatten", convert_flatten},
    {"Transpose", convert_transpose},
    {"Squeeze", convert_squeeze},
    {"Unsqueeze", convert_unsqueeze},
    {"Pad", convert_pad},
    {"Dropout", convert_dropout},
    {"ReduceMean", convert_reduce_mean},
    {"ReduceSum", convert_reduce_sum},
    {"ReduceMax", convert_reduce_max},
    {"ReduceMin", convert_reduce_min},
    {"ArgMax", convert_arg_max},
    {"ArgMin", convert_arg_min},
    {"Gather", convert_gather},
    {"Identity", convert_identity},
    {"Cast", convert_cast},
    {"Expand", convert_expand},
    {"Tile", convert_tile},
};

}  // namespace

ConvertFn find_converter(std::string_view op_type) {
  for (const auto& r : kConverters) {
    if (r.op == op_type) return r.fn;
  }
  return nullptr;
}

}  // namespace dnnroof::onnx_import

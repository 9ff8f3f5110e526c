// The converters of network layers: Conv, ConvTranspose, pooling, LRN,
// Gemm and MatMul, normalisations, activations, Softmax. Each maps an ONNX
// node (attributes that later opsets turned into inputs included) onto IR
// nodes whose shapes the IR's own rules infer; the rows at the end are this
// family's part of the supported-op table (docs/onnx.md mirrors it).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "graph/detail/shape_rules.h"
#include "onnx/detail/convert_ops.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {
namespace {

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

constexpr ConvertRow kNnConverters[] = {
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
};

}  // namespace

std::span<const ConvertRow> nn_converters() { return kNnConverters; }

}  // namespace dnnroof::onnx_import

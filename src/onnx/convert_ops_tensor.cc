// The converters of tensor ops: elementwise arithmetic, comparisons and
// logic, data movement (Concat, Split, Slice, Reshape, Transpose, Pad, ...),
// reductions, Gather, Cast, Tile, Expand. The rows at the end are this
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

constexpr ConvertRow kTensorConverters[] = {
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

std::span<const ConvertRow> tensor_converters() { return kTensorConverters; }

}  // namespace dnnroof::onnx_import

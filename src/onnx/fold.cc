// Constant folding: the subgraphs of an exported model that compute shapes
// (Shape -> Gather -> Unsqueeze -> Concat -> Reshape), constants (Constant,
// ConstantOfShape, Cast, Range) or re-laid-out weights (a Reshape or
// Transpose of an initializer) are evaluated at import time and never become
// IR nodes.
//
// Weights stay weights: a float tensor of more than one element folds only
// through ops that keep its elements (Reshape, Squeeze, Unsqueeze, Flatten,
// Transpose, Identity, Cast), so an Expand or Concat of a learned tensor is
// an IR node over a parameter and is never counted as a larger parameter.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <string_view>
#include <utility>

#include "core/error.h"
#include "graph/detail/shape_rules.h"
#include "onnx/detail/fold_util.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {

namespace fold_detail {

// An integer tensor, or a float scalar: data that shape arithmetic uses.
bool is_small(const Entry& e) {
  return e.is_constant && e.has_data && (!is_floating(e.dtype) || numel(e.shape) <= 1);
}

bool all_small(const NodeView& v) {
  for (int i = 0; i < v.num_inputs(); ++i) {
    if (v.has_input(i) && !is_small(v.input(i))) return false;
  }
  return true;
}

// A constant with known elements that arithmetic may fold: small data, or a
// float tensor that is not a weight (a ConstantOfShape, a computed mask).
bool is_foldable(const Entry& e) {
  return is_small(e) || (e.is_constant && e.has_data && !e.stored);
}

bool all_foldable(const NodeView& v) {
  for (int i = 0; i < v.num_inputs(); ++i) {
    if (v.has_input(i) && !is_foldable(v.input(i))) return false;
  }
  return true;
}

// A folded float result of more than one element is a computed constant.
void mark_computed(Entry& e) {
  e.stored = false;
  e.computed = is_floating(e.dtype) && numel(e.shape) > 1;
}

Ints strides_of(const Shape& s) {
  Ints st(s.size(), 1);
  for (std::size_t i = s.size(); i-- > 1;) st[i - 1] = st[i] * s[i];
  return st;
}

// Calls f(index) for every multi-index of `shape` in row-major order.
void for_each_index(const Shape& shape, const std::function<void(const Ints&)>& f) {
  if (numel(shape) == 0) return;
  Ints idx(shape.size(), 0);
  for (;;) {
    f(idx);
    std::size_t d = shape.size();
    while (d > 0) {
      --d;
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
      if (d == 0) return;
    }
    if (shape.empty()) return;
  }
}

// A value of element `flat` as double, and the output's storage.
double at(const Entry& e, std::int64_t flat) {
  const auto i = static_cast<std::size_t>(flat);
  return e.floats.empty() ? static_cast<double>(e.ints.at(i)) : e.floats.at(i);
}

// An integer result outside int64 (or NaN) is an Error, never a wrapped value.
void push(Entry& e, double v) {
  if (is_floating(e.dtype)) {
    e.floats.push_back(v);
    return;
  }
  // 2^63 is exact in double; the range is [-2^63, 2^63).
  constexpr double kLimit = 9223372036854775808.0;
  if (!(v >= -kLimit && v < kLimit)) {
    fail("a folded {} value, {}, does not fit in int64", dtype_name(e.dtype), v);
  }
  e.ints.push_back(static_cast<std::int64_t>(v));
}

// Overwrites element `flat` of a folded tensor (with push()'s int64 check).
void set(Entry& e, std::int64_t flat, double v) {
  const auto i = static_cast<std::size_t>(flat);
  if (is_floating(e.dtype)) {
    e.floats.at(i) = v;
    return;
  }
  Entry one;
  one.dtype = e.dtype;
  push(one, v);
  e.ints.at(i) = one.ints.at(0);
}

Entry make(const Shape& shape, DType dtype) {
  Entry e;
  e.is_constant = true;
  e.has_data = true;
  e.shape = shape;
  e.dtype = dtype;
  return e;
}

// Reads element `out_idx` of a broadcast input.
std::int64_t broadcast_flat(const Shape& in, const Shape& out, const Ints& out_idx) {
  const Ints st = strides_of(in);
  std::int64_t flat = 0;
  const std::size_t off = out.size() - in.size();
  for (std::size_t d = 0; d < in.size(); ++d) {
    if (in[d] != 1) flat += out_idx[d + off] * st[d];
  }
  return flat;
}

}  // namespace fold_detail

namespace {

using namespace fold_detail;  // NOLINT(google-build-using-namespace): this file's helpers

Entry tensor_attr(const NodeView& v, std::string_view key) {
  const auto* a = v.find(key);
  if (a == nullptr || !a->has_t()) v.reject("attribute '{}' must be a tensor", key);
  return tensor_entry(a->t(), fmt::format("attribute '{}'", key), nullptr,
                      &v.importer().external_data());
}

bool fold_constant(const NodeView& v) {
  Entry e;
  if (v.has_attr("value")) {
    e = tensor_attr(v, "value");
  } else if (v.has_attr("value_float")) {
    e = make({}, DType::fp32);
    e.floats = {v.attr_float("value_float", 0)};
  } else if (v.has_attr("value_floats")) {
    e.floats = v.attr_floats("value_floats");
    e = make({static_cast<std::int64_t>(v.attr_floats("value_floats").size())}, DType::fp32);
    e.floats = v.attr_floats("value_floats");
  } else if (v.has_attr("value_int")) {
    e = make({}, DType::int64);
    e.ints = {v.attr_int("value_int", 0)};
  } else if (v.has_attr("value_ints")) {
    const Ints d = v.attr_ints("value_ints", {});
    e = make({static_cast<std::int64_t>(d.size())}, DType::int64);
    e.ints = d;
  } else {
    v.reject(
        "needs a value, value_float(s) or value_int(s) attribute (sparse and string "
        "constants are not supported)");
  }
  e.stored = true;
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_shape(const NodeView& v) {
  const Shape& s = v.input_shape(0);
  const auto rank = static_cast<std::int64_t>(s.size());
  auto clampi = [&](std::int64_t i) {
    return std::clamp<std::int64_t>(i < 0 ? i + rank : i, 0, rank);
  };
  const std::int64_t start = clampi(v.attr_int("start", 0));
  const std::int64_t end = clampi(v.attr_int("end", rank));
  Ints dims;
  for (std::int64_t i = start; i < end; ++i) dims.push_back(s[static_cast<std::size_t>(i)]);
  Entry e = make({static_cast<std::int64_t>(dims.size())}, DType::int64);
  e.ints = dims;
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_size(const NodeView& v) {
  Entry e = make({}, DType::int64);
  e.ints = {numel(v.input_shape(0))};
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_constant_of_shape(const NodeView& v) {
  if (!v.input(0).is_constant) return false;
  const Ints shape = v.const_ints(0);
  Entry value = v.has_attr("value") ? tensor_attr(v, "value") : make({1}, DType::fp32);
  if (!v.has_attr("value")) value.floats = {0.0};
  if (!value.has_data || value.ints.size() + value.floats.size() != 1) {
    v.reject("attribute 'value' must hold one element");
  }
  Entry e;
  e.is_constant = true;
  e.shape = shape;
  e.dtype = value.dtype;
  const std::int64_t n = checked_numel(e.shape, "the ConstantOfShape output");
  if (n <= kMaxFoldElements) {
    e.has_data = true;
    const double x = at(value, 0);
    for (std::int64_t i = 0; i < n; ++i) push(e, x);
  }
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_cast(const NodeView& v) {
  const Entry& in = v.input(0);
  if (!in.is_constant) return false;
  Entry e = in;
  e.dtype = dtype_of(static_cast<std::int32_t>(v.attr_int("to", 1)), "attribute 'to'");
  e.ints.clear();
  e.floats.clear();
  if (in.has_data) {
    for (std::int64_t i = 0; i < numel(in.shape); ++i) push(e, at(in, i));
  }
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_identity(const NodeView& v) {
  if (!v.input(0).is_constant) return false;
  Entry e = v.input(0);
  if (e.alias_of.empty()) e.alias_of = v.proto().input(0);
  v.bind_constant(0, std::move(e));
  return true;
}

}  // namespace

// Ops that only re-shape: same elements in the same order.
Shape unsqueezed(const NodeView& v, const Shape& in, const Ints& axes_in) {
  const std::size_t rank = in.size() + axes_in.size();
  std::vector<bool> is_new(rank, false);
  for (std::int64_t a : axes_in) {
    const auto k = static_cast<std::size_t>(normalize_axis(a, rank));
    if (is_new[k]) v.reject("axis {} appears twice", a);
    is_new[k] = true;
  }
  Shape out;
  std::size_t j = 0;
  for (std::size_t k = 0; k < rank; ++k) out.push_back(is_new[k] ? 1 : in.at(j++));
  return out;
}

Shape squeezed(const NodeView& v, const Shape& in, const Ints& axes_in) {
  std::vector<bool> drop(in.size(), axes_in.empty());
  for (std::int64_t a : axes_in) {
    const auto k = static_cast<std::size_t>(normalize_axis(a, in.size()));
    if (in[k] != 1) v.reject("cannot squeeze axis {} of size {}", a, in[k]);
    drop[k] = true;
  }
  Shape out;
  for (std::size_t k = 0; k < in.size(); ++k) {
    if (!drop[k] || in[k] != 1) out.push_back(in[k]);
  }
  return out;
}

Ints axes_of(const NodeView& v, int since_opset_as_input) {
  if (v.opset() >= since_opset_as_input) return v.has_input(1) ? v.const_ints(1) : Ints{};
  return v.attr_ints("axes", {});
}

SliceArgs slice_args(const NodeView& v) {
  SliceArgs a;
  if (v.opset() >= 10) {
    a.starts = v.const_ints(1);
    a.ends = v.const_ints(2);
    if (v.has_input(3)) a.axes = v.const_ints(3);
    if (v.has_input(4)) a.steps = v.const_ints(4);
  } else {
    a.starts = v.attr_ints("starts", {});
    a.ends = v.attr_ints("ends", {});
    a.axes = v.attr_ints("axes", {});
  }
  return a;
}

namespace {

bool fold_reshape_like(const NodeView& v) {
  const Entry& in = v.input(0);
  if (!in.is_constant) return false;
  for (int i = 1; i < v.num_inputs(); ++i) {
    if (v.has_input(i) && !is_small(v.input(i))) return false;
  }
  const std::string& op = v.proto().op_type();
  Shape out;
  if (op == "Unsqueeze") {
    out = unsqueezed(v, in.shape, axes_of(v, 13));
  } else if (op == "Squeeze") {
    out = squeezed(v, in.shape, axes_of(v, 13));
  } else if (op == "Flatten") {
    const auto a =
        static_cast<std::size_t>(normalize_axis(v.attr_int("axis", 1), in.shape.size() + 1));
    std::int64_t outer = 1;
    for (std::size_t k = 0; k < a; ++k) outer *= in.shape[k];
    out = {outer, numel(in.shape) / std::max<std::int64_t>(outer, 1)};
  } else {  // Reshape
    const Ints target = v.opset() >= 5 ? v.const_ints(1) : v.attr_ints("shape", {});
    std::int64_t known = 1;
    int infer = -1;
    for (std::size_t k = 0; k < target.size(); ++k) {
      std::int64_t d = target[k];
      if (d == 0 && v.attr_int("allowzero", 0) == 0) d = k < in.shape.size() ? in.shape[k] : 0;
      if (d == -1) {
        if (infer >= 0) v.reject("more than one -1 in the target shape");
        infer = static_cast<int>(k);
      } else if (d < 0) {
        v.reject("invalid target dim {}", d);
      } else {
        if (d > 0 && known > std::numeric_limits<std::int64_t>::max() / d) {
          v.reject("target shape {} is too large", shape_str(target));
        }
        known *= d;
      }
      out.push_back(d);
    }
    const std::int64_t n = numel(in.shape);
    if (infer >= 0) {
      if (known == 0 || n % known != 0)
        v.reject("cannot reshape {} to {}", shape_str(in.shape), shape_str(target));
      out[static_cast<std::size_t>(infer)] = n / known;
    } else if (known != n) {
      v.reject("cannot reshape {} to {}", shape_str(in.shape), shape_str(target));
    }
  }
  Entry e = in;
  e.shape = out;
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_transpose(const NodeView& v) {
  const Entry& in = v.input(0);
  if (!in.is_constant) return false;
  Ints perm = v.attr_ints("perm", {});
  if (perm.empty()) {
    for (std::size_t k = in.shape.size(); k-- > 0;) perm.push_back(static_cast<std::int64_t>(k));
  }
  if (perm.size() != in.shape.size())
    v.reject("perm has {} entries for rank {}", perm.size(), in.shape.size());
  Shape out;
  std::vector<bool> seen(perm.size(), false);
  for (std::int64_t p : perm) {
    const auto k = static_cast<std::size_t>(normalize_axis(p, in.shape.size()));
    if (seen[k]) v.reject("perm repeats axis {}", p);
    seen[k] = true;
    out.push_back(in.shape[k]);
  }
  Entry e = in;
  e.shape = out;
  e.ints.clear();
  e.floats.clear();
  if (in.has_data) {
    const Ints st = strides_of(in.shape);
    for_each_index(out, [&](const Ints& idx) {
      std::int64_t flat = 0;
      for (std::size_t k = 0; k < idx.size(); ++k) {
        flat += idx[k] * st[static_cast<std::size_t>(normalize_axis(perm[k], perm.size()))];
      }
      push(e, at(in, flat));
    });
  }
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_gather(const NodeView& v) {
  if (!all_foldable(v)) return false;
  const Entry& data = v.input(0);
  const Entry& idx = v.input(1);
  if (data.shape.empty()) v.reject("gather from a scalar");
  const auto axis =
      static_cast<std::size_t>(normalize_axis(v.attr_int("axis", 0), data.shape.size()));
  Shape out(data.shape.begin(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis));
  out.insert(out.end(), idx.shape.begin(), idx.shape.end());
  out.insert(out.end(), data.shape.begin() + static_cast<std::ptrdiff_t>(axis) + 1,
             data.shape.end());
  Entry e = make(out, data.dtype);
  const Ints st = strides_of(data.shape);
  const Ints ist = strides_of(idx.shape);
  for_each_index(out, [&](const Ints& o) {
    std::int64_t iflat = 0;
    for (std::size_t k = 0; k < idx.shape.size(); ++k) iflat += o[axis + k] * ist[k];
    std::int64_t j = static_cast<std::int64_t>(at(idx, iflat));
    if (j < 0) j += data.shape[axis];
    if (j < 0 || j >= data.shape[axis])
      v.reject("index {} out of range for dim {}", j, data.shape[axis]);
    std::int64_t flat = j * st[axis];
    for (std::size_t k = 0; k < axis; ++k) flat += o[k] * st[k];
    for (std::size_t k = axis + 1; k < data.shape.size(); ++k) {
      flat += o[k + idx.shape.size() - 1] * st[k];
    }
    push(e, at(data, flat));
  });
  mark_computed(e);
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_concat(const NodeView& v) {
  if (!all_foldable(v) || v.num_inputs() == 0) return false;
  const Shape& first = v.input_shape(0);
  if (first.empty()) v.reject("concat of scalars");
  const auto axis = static_cast<std::size_t>(normalize_axis(v.attr_int("axis", 0), first.size()));
  Shape out = first;
  out[axis] = 0;
  for (int i = 0; i < v.num_inputs(); ++i) {
    const Shape& s = v.input_shape(i);
    if (s.size() != first.size()) v.reject("inputs differ in rank");
    for (std::size_t k = 0; k < s.size(); ++k) {
      if (k != axis && s[k] != first[k])
        v.reject("input {} has shape {}, input 0 {}", i, shape_str(s), shape_str(first));
    }
    out[axis] += s[axis];
  }
  Entry e = make(out, v.input(0).dtype);
  for (int i = 0; i < v.num_inputs(); ++i) {
    if (is_floating(v.input(i).dtype)) e.dtype = v.input(i).dtype;
  }
  std::int64_t outer = 1;
  for (std::size_t k = 0; k < axis; ++k) outer *= first[k];
  for (std::int64_t o = 0; o < outer; ++o) {
    for (int i = 0; i < v.num_inputs(); ++i) {
      const Entry& in = v.input(i);
      const std::int64_t chunk = outer > 0 ? numel(in.shape) / outer : 0;
      for (std::int64_t k = 0; k < chunk; ++k) push(e, at(in, o * chunk + k));
    }
  }
  mark_computed(e);
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_slice(const NodeView& v) {
  if (!all_foldable(v)) return false;
  const Entry& in = v.input(0);
  auto [starts, ends, axes, steps] = slice_args(v);
  if (axes.empty()) {
    axes.resize(starts.size());
    std::iota(axes.begin(), axes.end(), 0);
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() ||
      steps.size() != starts.size()) {
    v.reject("starts, ends, axes and steps differ in length");
  }
  Ints first(in.shape.size(), 0), step(in.shape.size(), 1);
  Shape out = in.shape;
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto a = static_cast<std::size_t>(normalize_axis(axes[i], in.shape.size()));
    const std::int64_t dim = in.shape[a];
    if (steps[i] == 0) v.reject("slice step 0");
    // (A plain copy: clang before 16 cannot capture a structured binding.)
    const std::int64_t step_i = steps[i];
    auto clampv = [dim, step_i](std::int64_t x) {
      if (x < 0) x += dim;
      return step_i > 0 ? std::clamp<std::int64_t>(x, 0, dim)
                        : std::clamp<std::int64_t>(x, -1, dim - 1);
    };
    const std::int64_t s = clampv(starts[i]);
    const std::int64_t e = clampv(ends[i]);
    const std::int64_t n =
        steps[i] > 0 ? (e - s + steps[i] - 1) / steps[i] : (s - e - steps[i] - 1) / -steps[i];
    out[a] = std::max<std::int64_t>(0, n);
    first[a] = s;
    step[a] = steps[i];
  }
  Entry r = make(out, in.dtype);
  const Ints st = strides_of(in.shape);
  for_each_index(out, [&](const Ints& o) {
    std::int64_t flat = 0;
    for (std::size_t k = 0; k < o.size(); ++k) flat += (first[k] + o[k] * step[k]) * st[k];
    push(r, at(in, flat));
  });
  mark_computed(r);
  v.bind_constant(0, std::move(r));
  return true;
}

struct FoldRow {
  std::string_view op;
  FoldFn fn;
  bool only;  // exists only to compute constants
};

constexpr FoldRow kFolders[] = {
    {"Constant", fold_constant, true},
    {"Shape", fold_shape, true},
    {"Size", fold_size, true},
    {"ConstantOfShape", fold_constant_of_shape, true},
    {"Range", fold_range, true},
    {"ScatterND", fold_scatter_nd, true},
    {"Equal", fold_elementwise, false},
    {"Less", fold_elementwise, false},
    {"Greater", fold_elementwise, false},
    {"LessOrEqual", fold_elementwise, false},
    {"GreaterOrEqual", fold_elementwise, false},
    {"And", fold_elementwise, false},
    {"Or", fold_elementwise, false},
    {"Xor", fold_elementwise, false},
    {"Not", fold_elementwise, false},
    {"Where", fold_elementwise, false},
    {"Cast", fold_cast, false},
    {"Identity", fold_identity, false},
    {"Reshape", fold_reshape_like, false},
    {"Unsqueeze", fold_reshape_like, false},
    {"Squeeze", fold_reshape_like, false},
    {"Flatten", fold_reshape_like, false},
    {"Transpose", fold_transpose, false},
    {"Gather", fold_gather, false},
    {"Concat", fold_concat, false},
    {"Slice", fold_slice, false},
    {"Expand", fold_expand, false},
    {"Add", fold_elementwise, false},
    {"Sub", fold_elementwise, false},
    {"Mul", fold_elementwise, false},
    {"Div", fold_elementwise, false},
    {"Mod", fold_elementwise, false},
    {"Floor", fold_elementwise, false},
    {"Ceil", fold_elementwise, false},
    {"Round", fold_elementwise, false},
    {"Sign", fold_elementwise, false},
    {"Neg", fold_elementwise, false},
    {"Abs", fold_elementwise, false},
    {"Sqrt", fold_elementwise, false},
    {"Exp", fold_elementwise, false},
    {"Log", fold_elementwise, false},
    {"Reciprocal", fold_elementwise, false},
    {"Pow", fold_elementwise, false},
    {"Max", fold_elementwise, false},
    {"Min", fold_elementwise, false},
};

}  // namespace

FoldFn find_folder(std::string_view op_type) {
  for (const auto& r : kFolders) {
    if (r.op == op_type) return r.fn;
  }
  return nullptr;
}

bool is_fold_only(std::string_view op_type) {
  for (const auto& r : kFolders) {
    if (r.op == op_type) return r.only;
  }
  return false;
}

}  // namespace dnnroof::onnx_import

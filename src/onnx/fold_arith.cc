// Constant folding of arithmetic: elementwise ops (numpy broadcasting;
// integer Div truncates, integer Mod follows the divisor's sign unless
// fmod=1, Round halves to even), Expand, ScatterND (the ONNX spec's
// semantics, reductions included) and Range. They fold integer tensors,
// float scalars, and float tensors that are not weights (fold_util.h); a
// float result of more than one element is a computed constant.
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

namespace dnnroof::onnx_import::fold_detail {

bool fold_elementwise(const NodeView& v) {
  if (!all_foldable(v)) return false;
  const std::string& op = v.proto().op_type();
  Shape out = v.input_shape(0);
  for (int i = 1; i < v.num_inputs(); ++i) out = broadcast_shapes(out, v.input_shape(i));
  if (numel(out) > kMaxComputedElements) return false;
  DType dt = op == "Where" ? v.input(1).dtype : v.input(0).dtype;
  if (op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" ||
      op == "GreaterOrEqual" || op == "Not" || op == "And" || op == "Or" || op == "Xor") {
    dt = DType::boolean;
  }
  const bool c_mod = is_floating(dt) || v.attr_int("fmod", 0) != 0;
  Entry e = make(out, dt);
  // Per input: its entry and its strides over `out` (0 along a broadcast dim),
  // looked up once, not per element (swin_t's masks have 153,664).
  std::vector<const Entry*> ins;
  std::vector<Ints> bstrides;
  for (int i = 0; i < v.num_inputs(); ++i) {
    ins.push_back(&v.input(i));
    const Shape& s = ins.back()->shape;
    const Ints st = strides_of(s);
    Ints b(out.size(), 0);
    const std::size_t off = out.size() - s.size();
    for (std::size_t d = 0; d < s.size(); ++d) b[d + off] = s[d] == 1 ? 0 : st[d];
    bstrides.push_back(std::move(b));
  }
  // The op, resolved once (not a string compare per element).
  enum class Fn {
    kAdd,
    kSub,
    kMul,
    kDiv,
    kMod,
    kFloor,
    kCeil,
    kRound,
    kSign,
    kEqual,
    kLess,
    kGreater,
    kLessOrEqual,
    kGreaterOrEqual,
    kAnd,
    kOr,
    kXor,
    kNot,
    kWhere,
    kNeg,
    kAbs,
    kSqrt,
    kExp,
    kLog,
    kReciprocal,
    kPow,
    kMax,
    kMin
  };
  static constexpr std::pair<std::string_view, Fn> kFns[] = {
      {"Add", Fn::kAdd},
      {"Sub", Fn::kSub},
      {"Mul", Fn::kMul},
      {"Div", Fn::kDiv},
      {"Mod", Fn::kMod},
      {"Floor", Fn::kFloor},
      {"Ceil", Fn::kCeil},
      {"Round", Fn::kRound},
      {"Sign", Fn::kSign},
      {"Equal", Fn::kEqual},
      {"Less", Fn::kLess},
      {"Greater", Fn::kGreater},
      {"LessOrEqual", Fn::kLessOrEqual},
      {"GreaterOrEqual", Fn::kGreaterOrEqual},
      {"And", Fn::kAnd},
      {"Or", Fn::kOr},
      {"Xor", Fn::kXor},
      {"Not", Fn::kNot},
      {"Where", Fn::kWhere},
      {"Neg", Fn::kNeg},
      {"Abs", Fn::kAbs},
      {"Sqrt", Fn::kSqrt},
      {"Exp", Fn::kExp},
      {"Log", Fn::kLog},
      {"Reciprocal", Fn::kReciprocal},
      {"Pow", Fn::kPow},
      {"Max", Fn::kMax},
      {"Min", Fn::kMin}};
  Fn f{};
  bool found = false;
  for (const auto& [name, fn] : kFns) {
    if (name == op) {
      f = fn;
      found = true;
    }
  }
  if (!found) v.reject("no folding rule");
  for_each_index(out, [&](const Ints& idx) {
    auto x = [&](int i) {
      const Ints& b = bstrides[static_cast<std::size_t>(i)];
      std::int64_t flat = 0;
      for (std::size_t d = 0; d < idx.size(); ++d) flat += idx[d] * b[d];
      return at(*ins[static_cast<std::size_t>(i)], flat);
    };
    double r = 0;
    if (f == Fn::kAdd)
      r = x(0) + x(1);
    else if (f == Fn::kSub)
      r = x(0) - x(1);
    else if (f == Fn::kMul)
      r = x(0) * x(1);
    else if (f == Fn::kDiv) {
      if (x(1) == 0) v.reject("division by zero while folding");
      r = is_floating(dt) ? x(0) / x(1)
                          : static_cast<double>(static_cast<std::int64_t>(x(0)) /
                                                static_cast<std::int64_t>(x(1)));
    } else if (f == Fn::kMod) {
      // fmod=1 (and every float Mod): the sign of the dividend, as C's fmod;
      // fmod=0 on integers: the sign of the divisor, as Python's %.
      const double b = x(1);
      if (b == 0) v.reject("division by zero while folding");
      if (c_mod) {
        r = std::fmod(x(0), b);
      } else {
        const auto ai = static_cast<std::int64_t>(x(0));
        const auto bi = static_cast<std::int64_t>(b);
        std::int64_t m = ai % bi;
        if (m != 0 && ((m < 0) != (bi < 0))) m += bi;
        r = static_cast<double>(m);
      }
    } else if (f == Fn::kFloor)
      r = std::floor(x(0));
    else if (f == Fn::kCeil)
      r = std::ceil(x(0));
    else if (f == Fn::kRound)
      r = std::nearbyint(x(0));  // halves to even (the default rounding mode), as ONNX says
    else if (f == Fn::kSign)
      r = x(0) > 0 ? 1 : (x(0) < 0 ? -1 : 0);
    else if (f == Fn::kEqual)
      r = x(0) == x(1) ? 1 : 0;
    else if (f == Fn::kLess)
      r = x(0) < x(1) ? 1 : 0;
    else if (f == Fn::kGreater)
      r = x(0) > x(1) ? 1 : 0;
    else if (f == Fn::kLessOrEqual)
      r = x(0) <= x(1) ? 1 : 0;
    else if (f == Fn::kGreaterOrEqual)
      r = x(0) >= x(1) ? 1 : 0;
    else if (f == Fn::kAnd)
      r = x(0) != 0 && x(1) != 0 ? 1 : 0;
    else if (f == Fn::kOr)
      r = x(0) != 0 || x(1) != 0 ? 1 : 0;
    else if (f == Fn::kXor)
      r = (x(0) != 0) != (x(1) != 0) ? 1 : 0;
    else if (f == Fn::kNot)
      r = x(0) == 0 ? 1 : 0;
    else if (f == Fn::kWhere)
      r = x(0) != 0 ? x(1) : x(2);
    else if (f == Fn::kNeg)
      r = -x(0);
    else if (f == Fn::kAbs)
      r = std::abs(x(0));
    else if (f == Fn::kSqrt)
      r = std::sqrt(x(0));
    else if (f == Fn::kExp)
      r = std::exp(x(0));
    else if (f == Fn::kLog)
      r = std::log(x(0));
    else if (f == Fn::kReciprocal) {
      if (x(0) == 0) v.reject("division by zero while folding");
      r = 1.0 / x(0);
    } else if (f == Fn::kPow)
      r = std::pow(x(0), x(1));
    else if (f == Fn::kMax || f == Fn::kMin) {
      r = x(0);
      for (int i = 1; i < v.num_inputs(); ++i)
        r = f == Fn::kMax ? std::max(r, x(i)) : std::min(r, x(i));
    }
    push(e, r);
  });
  mark_computed(e);
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_expand(const NodeView& v) {
  if (!all_foldable(v)) return false;
  const Entry& in = v.input(0);
  Ints target = v.const_ints(1);
  const Shape out = broadcast_shapes(in.shape, target);
  if (numel(out) > kMaxComputedElements) return false;
  Entry e = make(out, in.dtype);
  for_each_index(out,
                 [&](const Ints& idx) { push(e, at(in, broadcast_flat(in.shape, out, idx))); });
  mark_computed(e);
  v.bind_constant(0, std::move(e));
  return true;
}

// ScatterND (opset 11; `reduction` add/mul from 16, max/min from 18): a copy
// of `data` where each k-tuple of `indices` (k = indices.shape[-1]; negative
// values count from the end) addresses an element (k = rank) or a slice,
// replaced by, or with `reduction` combined with, the matching slice of
// `updates` (shape indices.shape[:-1] + data.shape[k:]). Updates apply in
// order, so with duplicate indices and no reduction the last one wins.
bool fold_scatter_nd(const NodeView& v) {
  if (!all_foldable(v)) return false;
  const Entry& data = v.input(0);
  const Entry& idx = v.input(1);
  const Entry& upd = v.input(2);
  if (data.shape.empty()) v.reject("data must have rank >= 1");
  if (idx.shape.empty()) v.reject("indices must have rank >= 1");
  if (is_floating(idx.dtype) || idx.dtype == DType::boolean) {
    v.reject("indices must be integers, not {}", dtype_name(idx.dtype));
  }
  const std::int64_t k = idx.shape.back();
  if (k < 1 || k > static_cast<std::int64_t>(data.shape.size())) {
    v.reject("indices.shape[-1] is {}, data has rank {}", k, data.shape.size());
  }
  Shape want(idx.shape.begin(), idx.shape.end() - 1);
  want.insert(want.end(), data.shape.begin() + k, data.shape.end());
  if (upd.shape != want) {
    v.reject("updates have shape {}; indices {} and data {} need {}", shape_str(upd.shape),
             shape_str(idx.shape), shape_str(data.shape), shape_str(want));
  }
  const std::string reduction = v.attr_string("reduction", "none");
  const bool known = reduction == "none" ||
                     (v.opset() >= 16 && (reduction == "add" || reduction == "mul")) ||
                     (v.opset() >= 18 && (reduction == "max" || reduction == "min"));
  if (!known) v.reject("reduction '{}' is not defined at opset {}", reduction, v.opset());
  Entry e = make(data.shape, data.dtype);
  const std::int64_t n = numel(data.shape);
  for (std::int64_t i = 0; i < n; ++i) push(e, at(data, i));
  const Ints st = strides_of(data.shape);
  const std::int64_t slice = st[static_cast<std::size_t>(k - 1)];
  const std::int64_t count = numel(idx.shape) / k;
  for (std::int64_t u = 0; u < count; ++u) {
    std::int64_t offset = 0;
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t dim = data.shape[static_cast<std::size_t>(j)];
      std::int64_t x = static_cast<std::int64_t>(at(idx, u * k + j));
      if (x < -dim || x >= dim) {
        v.reject("index {} of update {} is out of range for dim {} of size {}", x, u, j, dim);
      }
      if (x < 0) x += dim;
      offset += x * st[static_cast<std::size_t>(j)];
    }
    for (std::int64_t s = 0; s < slice; ++s) {
      const double old = at(e, offset + s);
      const double y = at(upd, u * slice + s);
      double r = y;
      if (reduction == "add") {
        r = old + y;
      } else if (reduction == "mul") {
        r = old * y;
      } else if (reduction == "max") {
        r = std::max(old, y);
      } else if (reduction == "min") {
        r = std::min(old, y);
      }
      set(e, offset + s, r);
    }
  }
  mark_computed(e);
  v.bind_constant(0, std::move(e));
  return true;
}

bool fold_range(const NodeView& v) {
  if (!all_small(v)) return false;
  const double start = v.const_float(0);
  const double limit = v.const_float(1);
  const double delta = v.const_float(2);
  if (delta == 0) v.reject("delta is 0");
  const auto n = static_cast<std::int64_t>(std::max(0.0, std::ceil((limit - start) / delta)));
  if (n > kMaxFoldElements) v.reject("a range of {} elements is too large to fold", n);
  Entry e = make({n}, v.input(0).dtype);
  for (std::int64_t i = 0; i < n; ++i) push(e, start + static_cast<double>(i) * delta);
  v.bind_constant(0, std::move(e));
  return true;
}

}  // namespace dnnroof::onnx_import::fold_detail

#pragma once
// Helpers shared by the constant folders (fold.cc: constants, shapes,
// re-layouts, data movement, and the table; fold_arith.cc: elementwise
// arithmetic, Expand, ScatterND, Range). Internal to src/onnx.

#include <cstdint>
#include <functional>
#include <vector>

#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import::fold_detail {

using Ints = std::vector<std::int64_t>;

// An integer tensor, or a float scalar: data that shape arithmetic uses.
bool is_small(const Entry& e);
bool all_small(const NodeView& v);
// A constant with known elements that arithmetic may fold: small data, or a
// float tensor that is not a weight (a ConstantOfShape, a computed mask).
bool is_foldable(const Entry& e);
bool all_foldable(const NodeView& v);
// A folded float result of more than one element is a computed constant.
void mark_computed(Entry& e);
Ints strides_of(const Shape& s);
// Calls f(index) for every multi-index of `shape` in row-major order.
void for_each_index(const Shape& shape, const std::function<void(const Ints&)>& f);
// A value of element `flat` as double.
double at(const Entry& e, std::int64_t flat);
// Appends a value; an integer result outside int64 (or NaN) is an Error,
// never a wrapped value.
void push(Entry& e, double v);
// Overwrites element `flat` of a folded tensor (with push()'s int64 check).
void set(Entry& e, std::int64_t flat, double v);
// An empty constant with known data of `shape` and `dtype`.
Entry make(const Shape& shape, DType dtype);
// The flat index of a broadcast input's element for output index `out_idx`.
std::int64_t broadcast_flat(const Shape& in, const Shape& out, const Ints& out_idx);

// The arithmetic folders (fold_arith.cc).
bool fold_elementwise(const NodeView& v);
bool fold_expand(const NodeView& v);
bool fold_scatter_nd(const NodeView& v);
bool fold_range(const NodeView& v);

}  // namespace dnnroof::onnx_import::fold_detail

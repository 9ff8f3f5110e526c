// NodeView: what a converter or folder sees of one ONNX node: typed
// attributes, its inputs as Entries (constants with their data, or IR
// values), the IR leaves of constant inputs (parameters, buffers,
// constants; one tensor read in two layouts is one leaf and a Reshape
// view), and emit/bind to define its outputs.
#include <fmt/format.h>

#include <string>

#include "core/error.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {

const onnx::AttributeProto* NodeView::find(std::string_view key) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == key) return &a;
  }
  return nullptr;
}

std::int64_t NodeView::attr_int(std::string_view key, std::int64_t def) const {
  const auto* a = find(key);
  if (a == nullptr) return def;
  if (a->type() != onnx::AttributeProto::INT && !a->has_i()) {
    fail("attribute '{}' should be an int", key);
  }
  return a->i();
}

double NodeView::attr_float(std::string_view key, double def) const {
  const auto* a = find(key);
  if (a == nullptr) return def;
  if (a->type() == onnx::AttributeProto::INT) return static_cast<double>(a->i());
  if (a->type() != onnx::AttributeProto::FLOAT && !a->has_f()) {
    fail("attribute '{}' should be a float", key);
  }
  return a->f();
}

std::string NodeView::attr_string(std::string_view key, std::string def) const {
  const auto* a = find(key);
  if (a == nullptr) return def;
  if (a->type() != onnx::AttributeProto::STRING && !a->has_s()) {
    fail("attribute '{}' should be a string", key);
  }
  return a->s();
}

std::vector<std::int64_t> NodeView::attr_ints(std::string_view key,
                                              std::vector<std::int64_t> def) const {
  const auto* a = find(key);
  if (a == nullptr) return def;
  if (a->type() == onnx::AttributeProto::INT) return {a->i()};
  return {a->ints().begin(), a->ints().end()};
}

std::vector<double> NodeView::attr_floats(std::string_view key) const {
  const auto* a = find(key);
  if (a == nullptr) return {};
  return {a->floats().begin(), a->floats().end()};
}

const Entry& NodeView::input(int i) const {
  if (!has_input(i)) fail("input {} is missing", i);
  return imp_.entry(node_.input(i), name_);
}

std::vector<std::int64_t> NodeView::const_ints(int i) const {
  const Entry& e = input(i);
  if (!e.is_constant) {
    fail("input {} ('{}') must be a constant, but it is computed at run time", i, node_.input(i));
  }
  if (!e.has_data) {
    if (!e.no_data.empty())
      fail("input {} ('{}') is a constant whose data is unknown: {}", i, node_.input(i), e.no_data);
    fail("input {} ('{}') is a constant too large to fold", i, node_.input(i));
  }
  if (!e.ints.empty() || e.floats.empty()) return e.ints;
  std::vector<std::int64_t> v;
  for (double f : e.floats) v.push_back(static_cast<std::int64_t>(f));
  return v;
}

double NodeView::const_float(int i) const {
  const Entry& e = input(i);
  if (!e.is_constant || !e.has_data) {
    fail("input {} ('{}') must be a constant scalar{}", i, node_.input(i),
         e.no_data.empty() ? std::string() : "; its data is unknown: " + e.no_data);
  }
  if (e.ints.size() + e.floats.size() != 1) {
    fail("input {} ('{}') must be a scalar, it has shape {}", i, node_.input(i),
         shape_str(e.shape));
  }
  return e.floats.empty() ? static_cast<double>(e.ints[0]) : e.floats[0];
}

ValueId NodeView::data(int i) const {
  const Entry& e = input(i);
  if (!e.is_constant) return e.id;
  const bool is_float = is_floating(e.dtype);
  const ValueRole role = is_float && !e.computed && checked_numel(e.shape, node_.input(i)) > 1
                             ? ValueRole::parameter
                             : ValueRole::constant;
  return constant_leaf(i, role, e.shape);
}

ValueId NodeView::constant_leaf(int i, ValueRole role, const Shape& shape) const {
  // An alias (Identity of a constant) shares the leaves of the constant it names.
  const std::string& storage = input(i).alias_of.empty() ? node_.input(i) : input(i).alias_of;
  const Entry& e = imp_.entry(storage, name_);
  if (e.leaves.count(shape) != 0 || e.leaves.empty() || role == ValueRole::constant) {
    return imp_.leaf(storage, role, shape);
  }
  // Already an IR leaf in another layout (a bias read as [C] and as [1, C]):
  // a Reshape view of it, so the tensor is counted once.
  Attributes a;
  a.set("shape", std::vector<std::int64_t>(shape.begin(), shape.end()));
  return emit(OpKind::Reshape, {e.leaves.begin()->second}, a, {-1},
              "/reshape_input" + std::to_string(i))[0];
}

ValueId NodeView::weight(int i, ValueRole role, std::optional<Shape> shape) const {
  const Entry& e = input(i);
  const Shape s = shape.value_or(e.shape);
  if (!e.is_constant) {
    if (e.shape == s) return e.id;
    // A weight computed at run time in another layout: a Reshape view.
    Attributes a;
    a.set("shape", std::vector<std::int64_t>(s.begin(), s.end()));
    return emit(OpKind::Reshape, {e.id}, a, {-1}, "/reshape_input" + std::to_string(i))[0];
  }
  if (checked_numel(s, node_.input(i)) != checked_numel(e.shape, node_.input(i))) {
    fail("input {} ('{}') has shape {}, expected {} elements as {}", i, node_.input(i),
         shape_str(e.shape), numel(s), shape_str(s));
  }
  return constant_leaf(i, role, s);
}

bool NodeView::output_used(int i) const {
  return i < node_.output_size() && !node_.output(i).empty() && imp_.used(node_.output(i));
}

std::vector<ValueId> NodeView::emit(OpKind op, std::vector<ValueId> inputs, Attributes attrs,
                                    std::vector<int> out, std::string_view suffix) const {
  std::vector<std::string> names;
  for (int o : out) {
    if (o >= 0 && o < node_.output_size() && !node_.output(o).empty()) {
      names.push_back(imp_.unique_value_name(node_.output(o)));
    } else {
      names.push_back(imp_.unique_value_name(name_ + std::string(suffix)));
    }
  }
  std::vector<ValueId> ids =
      imp_.add_ir_node(op, name_ + std::string(suffix), std::move(inputs), std::move(attrs), names);
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k] >= 0) bind(out[k], ids[k]);
  }
  return ids;
}

void NodeView::bind(int i, ValueId id) const {
  if (i >= node_.output_size() || node_.output(i).empty()) return;
  Entry e;
  e.id = id;
  e.shape = imp_.graph().value(id).shape;
  e.dtype = imp_.graph().value(id).dtype;
  imp_.define(node_.output(i), std::move(e));
}

void NodeView::bind_constant(int i, Entry e) const {
  if (i >= node_.output_size() || node_.output(i).empty()) return;
  e.is_constant = true;
  e.id = kNoValue;
  e.leaves.clear();
  checked_numel(e.shape, node_.output(i));
  imp_.define(node_.output(i), std::move(e));
}

}  // namespace dnnroof::onnx_import

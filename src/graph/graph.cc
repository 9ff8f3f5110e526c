// The graph IR: values, attributes, validation and shape inference (the
// builder that writes graphs: graph_builder.cc).
#include "graph/graph.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"

namespace dnnroof {

std::int64_t numel(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::string shape_str(const Shape& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

std::string_view value_role_name(ValueRole r) {
  switch (r) {
    case ValueRole::input:
      return "input";
    case ValueRole::parameter:
      return "parameter";
    case ValueRole::buffer:
      return "buffer";
    case ValueRole::activation:
      return "activation";
    case ValueRole::constant:
      return "constant";
  }
  return "?";
}

// --- Attributes ----------------------------------------------------------------

namespace {

std::string_view attr_type_name(const AttrValue& v) {
  switch (v.index()) {
    case 0:
      return "int";
    case 1:
      return "float";
    case 2:
      return "string";
    case 3:
      return "int list";
    default:
      return "float list";
  }
}

template <typename T>
const T& typed(const AttrValue& v, std::string_view key, std::string_view wanted) {
  const T* p = std::get_if<T>(&v);
  if (p == nullptr) fail("attribute '{}' is a {}, expected {}", key, attr_type_name(v), wanted);
  return *p;
}

}  // namespace

std::int64_t Attributes::get_int(std::string_view key, std::int64_t def) const {
  auto it = map_.find(key);
  return it == map_.end() ? def : typed<std::int64_t>(it->second, key, "int");
}

double Attributes::get_float(std::string_view key, double def) const {
  auto it = map_.find(key);
  if (it == map_.end()) return def;
  // An int where a float is wanted is harmless (1 for 1.0).
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return static_cast<double>(*i);
  return typed<double>(it->second, key, "float");
}

std::string Attributes::get_string(std::string_view key, std::string def) const {
  auto it = map_.find(key);
  if (it == map_.end()) return def;
  return typed<std::string>(it->second, key, "string");
}

std::vector<std::int64_t> Attributes::get_ints(std::string_view key,
                                               std::vector<std::int64_t> def) const {
  auto it = map_.find(key);
  if (it == map_.end()) return def;
  // A single int where a list is wanted is the one-element list.
  if (const auto* i = std::get_if<std::int64_t>(&it->second)) return {*i};
  return typed<std::vector<std::int64_t>>(it->second, key, "int list");
}

std::vector<double> Attributes::get_floats(std::string_view key, std::vector<double> def) const {
  auto it = map_.find(key);
  if (it == map_.end()) return def;
  return typed<std::vector<double>>(it->second, key, "float list");
}

// --- Validation and inference --------------------------------------------------

void validate(const Graph& graph) {
  const auto nv = graph.values.size();
  std::vector<bool> defined(nv, false);
  std::set<std::string, std::less<>> value_names;
  for (std::size_t i = 0; i < nv; ++i) {
    const Value& v = graph.values[i];
    if (!value_names.insert(v.name).second) fail("value name '{}' is used twice", v.name);
    for (std::int64_t d : v.shape) {
      if (d < 1) fail("value '{}' has a non-positive dimension: {}", v.name, shape_str(v.shape));
    }
    if (v.role != ValueRole::activation) {
      if (v.producer != -1) {
        fail("value '{}' is a {} but has a producer", v.name, value_role_name(v.role));
      }
      defined[i] = true;
    }
  }
  for (ValueId id : graph.inputs) {
    if (id < 0 || static_cast<std::size_t>(id) >= nv) fail("graph input {} is not a value", id);
    if (graph.value(id).role != ValueRole::input) {
      fail("graph input '{}' has role {}", graph.value(id).name,
           value_role_name(graph.value(id).role));
    }
  }
  std::set<std::string, std::less<>> node_names;
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    if (!node_names.insert(node.name).second) {
      fail("node '{}' ({}): the name is used twice", node.name, op_name(node.op));
    }
    if (static_cast<std::size_t>(node.op) >= kOpKindCount) {
      fail("node '{}': unknown op kind", node.name);
    }
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      if (id < 0 || static_cast<std::size_t>(id) >= nv) {
        fail("node '{}' ({}): input {} is not a value", node.name, op_name(node.op), i);
      }
      if (!defined[static_cast<std::size_t>(id)]) {
        fail("node '{}' ({}): input '{}' is used before it is produced", node.name,
             op_name(node.op), graph.value(id).name);
      }
    }
    if (node.outputs.empty()) fail("node '{}' ({}): has no outputs", node.name, op_name(node.op));
    const std::vector<Shape> shapes = infer_node_shapes(graph, node, node.outputs.size());
    if (shapes.size() != node.outputs.size()) {
      fail("node '{}' ({}): has {} outputs, its shape rule gives {}", node.name, op_name(node.op),
           node.outputs.size(), shapes.size());
    }
    for (std::size_t o = 0; o < node.outputs.size(); ++o) {
      const ValueId id = node.outputs[o];
      if (id < 0 || static_cast<std::size_t>(id) >= nv) {
        fail("node '{}' ({}): output {} is not a value", node.name, op_name(node.op), o);
      }
      const Value& v = graph.value(id);
      if (v.role != ValueRole::activation || v.producer != static_cast<std::int32_t>(n)) {
        fail("node '{}' ({}): output '{}' is not an activation produced by it", node.name,
             op_name(node.op), v.name);
      }
      if (defined[static_cast<std::size_t>(id)]) {
        fail("node '{}' ({}): output '{}' is produced twice", node.name, op_name(node.op), v.name);
      }
      if (v.shape != shapes[o]) {
        fail("node '{}' ({}): output '{}' has shape {}, the shape rule gives {}", node.name,
             op_name(node.op), v.name, shape_str(v.shape), shape_str(shapes[o]));
      }
      defined[static_cast<std::size_t>(id)] = true;
    }
  }
  for (ValueId id : graph.outputs) {
    if (id < 0 || static_cast<std::size_t>(id) >= nv || !defined[static_cast<std::size_t>(id)]) {
      fail("graph output {} is not produced", id);
    }
  }
}

void infer_shapes(Graph& graph) {
  for (const Node& node : graph.nodes) {
    std::vector<Shape> shapes = infer_node_shapes(graph, node, node.outputs.size());
    if (shapes.size() != node.outputs.size()) {
      fail("node '{}' ({}): has {} outputs, its shape rule gives {}", node.name, op_name(node.op),
           node.outputs.size(), shapes.size());
    }
    const DType dt = infer_node_dtype(graph, node);
    for (std::size_t o = 0; o < shapes.size(); ++o) {
      Value& v = graph.value(node.outputs[o]);
      v.shape = std::move(shapes[o]);
      v.dtype = dt;
    }
  }
}

}  // namespace dnnroof

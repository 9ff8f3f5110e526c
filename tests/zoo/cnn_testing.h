#pragma once
// Shared helpers for the classic CNN families' tests (ResNet, AlexNet, VGG,
// SqueezeNet, GoogLeNet/Inception, DenseNet): build a zoo model, count its
// graph's parameter values, find nodes and values by name. The comparison
// with torchvision's published figures is one table (published_test.cc).
// The family tests live in namespace dnnroof::cnn_testing, so they use these
// helpers by their plain names.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "zoo/zoo.h"

namespace dnnroof::cnn_testing {

inline Graph build(std::string_view name, std::int64_t batch = 1, std::int64_t image_size = 0,
                   std::int64_t num_classes = 1000) {
  ZooOptions o;
  o.batch = batch;
  o.image_size = image_size;
  o.num_classes = num_classes;
  return build_zoo_model(name, o);
}

// Sum of the elements of every value with role parameter.
inline std::int64_t graph_parameter_count(const Graph& g) {
  std::int64_t total = 0;
  for (const Value& v : g.values) {
    if (v.role == ValueRole::parameter) total += numel(v.shape);
  }
  return total;
}

inline const Node& node_named(const Graph& g, std::string_view name) {
  for (const Node& n : g.nodes) {
    if (n.name == name) return n;
  }
  throw Error("no node named " + std::string(name) + " in " + g.name);
}

inline const Value& value_named(const Graph& g, std::string_view name) {
  for (const Value& v : g.values) {
    if (v.name == name) return v;
  }
  throw Error("no value named " + std::string(name) + " in " + g.name);
}

inline Shape output_of(const Graph& g, std::string_view node) {
  return g.value(node_named(g, node).outputs.at(0)).shape;
}

inline double node_macs(const ModelCost& c, std::string_view node) {
  for (const NodeCost& n : c.nodes) {
    if (n.name == node) return n.forward.macs;
  }
  throw Error("no node cost named " + std::string(node));
}

inline int count_ops(const Graph& g, OpKind op) {
  int n = 0;
  for (const Node& node : g.nodes) n += node.op == op ? 1 : 0;
  return n;
}

}  // namespace dnnroof::cnn_testing

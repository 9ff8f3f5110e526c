#pragma once
// Shared checks for the classic CNN families' tests (ResNet, AlexNet, VGG,
// SqueezeNet, GoogLeNet/Inception, DenseNet): build a zoo model, count its
// parameters two ways (the cost model's count of parameters that nodes read,
// and the graph's parameter values), find nodes by name, and compare with the
// figures torchvision publishes.
//
// Published figures: the "Params" and "GFLOPS" columns of torchvision's
// "Table of all available classification weights"
// (https://pytorch.org/vision/stable/models.html), which are the weights'
// meta["num_params"] and meta["_ops"] in torchvision/models/<family>.py.
// "GFLOPS" there is GMACs of Conv2d and Linear at batch 1, at the weights'
// crop size (224, 299 for inception_v3).

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

// The published row of one model. `gmacs` is the table's "GFLOPS" column.
struct Published {
  const char* name;
  std::int64_t params;
  double gmacs;
};

// Parameters exactly, output [1, 1000], MACs within 0.5% of the table (it
// rounds to 3 or 4 significant digits), FLOPs of Conv/Gemm = 2 x MACs.
inline void expect_matches_published(const Published& p) {
  SCOPED_TRACE(p.name);
  const Graph g = build(p.name);
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.params), p.params);
  EXPECT_EQ(graph_parameter_count(g), p.params);
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 1000}));
  EXPECT_NEAR(c.forward.macs / 1e9, p.gmacs, 0.005 * p.gmacs);
  EXPECT_DOUBLE_EQ(c.forward.matmul_flops, 2 * c.forward.macs);
  EXPECT_TRUE(c.uncovered.empty()) << c.coverage_line();
}

}  // namespace dnnroof::cnn_testing

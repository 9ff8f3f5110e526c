#pragma once
// Helpers for the zoo tests of the mobile and transformer families: build a
// model and cost it, find a node's cost. The comparison with torchvision's
// published figures is one table (published_test.cc). The family tests live
// in namespace dnnroof::zoo_test, so they use these helpers by their plain
// names.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cost/cost.h"
#include "zoo/zoo.h"

namespace dnnroof::zoo_test {

inline ModelCost cost_of(std::string_view model, const ZooOptions& options = {},
                         bool training = false) {
  CostOptions o;
  o.training = training;
  return estimate_cost(build_zoo_model(model, options), o);
}

// The NodeCost named `name`; a failed assertion and an empty row when absent.
inline NodeCost node_named(const ModelCost& cost, std::string_view name) {
  for (const NodeCost& n : cost.nodes) {
    if (n.name == name) return n;
  }
  ADD_FAILURE() << "no node named " << name << " in " << cost.graph_name;
  return {};
}

// The sum of the parameters of the nodes whose name starts with `prefix`
// (one block of a model).
inline double params_under(const ModelCost& cost, std::string_view prefix) {
  double total = 0;
  for (const NodeCost& n : cost.nodes) {
    if (n.name.rfind(prefix, 0) == 0) total += n.params;
  }
  return total;
}

// A node and its forward MACs as the test works them out by hand.
struct NodeMacs {
  std::string_view node;
  double macs = 0;
};

// Each row's node has the row's forward MACs.
inline void expect_macs(const ModelCost& cost, std::initializer_list<NodeMacs> rows) {
  for (const NodeMacs& r : rows) {
    EXPECT_DOUBLE_EQ(node_named(cost, r.node).forward.macs, r.macs) << r.node;
  }
}

}  // namespace dnnroof::zoo_test

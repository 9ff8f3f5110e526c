#pragma once
// Helpers for the zoo tests of the mobile and transformer families: build a
// model and cost it, find a node's cost. The comparison with torchvision's
// published figures is one table (published_test.cc).

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
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

}  // namespace dnnroof::zoo_test

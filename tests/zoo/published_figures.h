#pragma once
// Helpers for the zoo tests of the mobile and transformer families: build a
// model, cost it, and compare with torchvision's published figures.
//
// Where the published figures come from: torchvision's model documentation
// ("Table of all available classification weights", the Params and GFLOPS
// columns) renders each weight's meta "num_params" and "_ops" from
// torchvision/models/<family>.py (torchvision >= 0.15). "_ops" is in fact giga
// multiply-accumulates at batch 1 and the crop size of those weights: while
// writing these builders every figure used below was reproduced to all its
// published decimals by counting the MACs of aten.convolution, aten.mm/addmm
// and aten.bmm/baddbmm under a TorchDispatchMode (torchvision 0.14, ViT run
// outside the fused inference fast path so its attention shows as bmm). So
// the figures include the attention matrix products (Q K^T and A V in ViT's
// MultiheadAttention and in Swin's window attention) and nothing else: no
// bias, normalisation, activation, softmax or pooling. That is exactly
// dnnroof's forward `macs` (DESIGN.md, "Counting conventions").

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

// Checks a model at its default options against torchvision's published
// Params (exact) and GFLOPS (= GMACs, within 1%, or within the rounding of
// the three published decimals, +-0.0005, for the tiniest models such as
// shufflenet_v2_x0_5's 0.040), and that its output is [1, 1000].
inline void expect_published(std::string_view model, std::int64_t params, double gmacs) {
  SCOPED_TRACE(std::string(model));
  const Graph g = build_zoo_model(model, {});
  ASSERT_EQ(g.outputs.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).shape, (Shape{1, 1000}));
  const ModelCost c = estimate_cost(g);
  EXPECT_EQ(static_cast<std::int64_t>(c.params), params);
  EXPECT_NEAR(c.forward.macs / 1e9, gmacs, std::max(0.01 * gmacs, 0.0005));
  EXPECT_TRUE(c.uncovered.empty());
}

// A graph built at batch 1, given batch 3 on its input and re-inferred
// (infer_shapes), equals the graph built at batch 3: same output shape, MACs
// and parameters (the builders write reshapes with 0 / -1 for the batch).
inline void expect_rebatches(std::string_view model, ZooOptions options = {}) {
  SCOPED_TRACE(std::string(model));
  options.batch = 1;
  Graph g = build_zoo_model(model, options);
  g.value(g.inputs[0]).shape[0] = 3;
  infer_shapes(g);
  options.batch = 3;
  const Graph direct = build_zoo_model(model, options);
  EXPECT_EQ(g.value(g.outputs[0]).shape, direct.value(direct.outputs[0]).shape);
  const ModelCost a = estimate_cost(g);
  const ModelCost b = estimate_cost(direct);
  EXPECT_DOUBLE_EQ(a.forward.macs, b.forward.macs);
  EXPECT_DOUBLE_EQ(a.forward.flops(), b.forward.flops());
  EXPECT_DOUBLE_EQ(a.params, b.params);
}

}  // namespace dnnroof::zoo_test

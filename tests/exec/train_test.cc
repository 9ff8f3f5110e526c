// The training step: phases timed, and the loss on the fixed batch falls
// after a few SGD steps.
#include <gtest/gtest.h>

#include <cmath>

#include "exec/executor.h"

namespace dnnroof {
namespace {

Graph small_cnn() {
  GraphBuilder b("small_cnn", DType::fp32);
  ValueId x = b.input("x", {8, 3, 16, 16});
  x = b.conv(x, ConvOptions{.out_channels = 8, .kernel = {3, 3}, .padding = {1, 1}, .bias = false},
             "conv1");
  x = b.batch_norm(x, 1e-5, "bn1");
  x = b.relu(x);
  x = b.max_pool(x, PoolOptions{.kernel = {2, 2}});
  x = b.global_avg_pool(x);
  x = b.flatten(x);
  x = b.linear(x, 10, true, "fc");
  b.output(x);
  return b.finish();
}

TEST(ExecTrain, LossFallsOnAFixedBatch) {
  ExecOptions o;
  o.learning_rate = 0.1;
  auto e = make_executor(small_cnn(), o);
  const TrainStepTimes first = e->train_step();
  EXPECT_GT(first.forward_s, 0);
  EXPECT_GT(first.backward_s, 0);
  EXPECT_GT(first.optimizer_s, 0);
  EXPECT_GE(first.step_s, first.forward_s + first.backward_s + first.optimizer_s);
  // Random labels over 10 classes and a near-zero init: loss ~ ln(10).
  EXPECT_NEAR(first.loss, std::log(10.0), 0.1);
  double last = first.loss;
  for (int i = 0; i < 20; ++i) last = e->train_step().loss;
  EXPECT_LT(last, first.loss * 0.9) << "first " << first.loss << ", after 20 steps " << last;
}

// bf16 on the CPU trains too (LibTorch 1.13 has bf16 CPU kernels for the
// convolution, BatchNorm and pooling backward): the loss falls as in fp32.
TEST(ExecTrain, Bf16LossFalls) {
  ExecOptions o;
  o.dtype = DType::bf16;
  o.learning_rate = 0.1;
  auto e = make_executor(small_cnn(), o);
  const double first = e->train_step().loss;
  double last = first;
  for (int i = 0; i < 20; ++i) last = e->train_step().loss;
  EXPECT_TRUE(std::isfinite(last));
  EXPECT_LT(last, first * 0.9) << "first " << first << ", after 20 steps " << last;
}

TEST(ExecTrain, PerLayerTimesCoverEveryNode) {
  const Graph g = small_cnn();
  auto e = make_executor(g, {});
  const auto inf = e->time_layers(false);
  ASSERT_EQ(inf.size(), g.nodes.size());
  for (std::size_t i = 0; i < inf.size(); ++i) {
    EXPECT_EQ(inf[i].node, g.nodes[i].name);
    EXPECT_GT(inf[i].forward_s, 0);
    EXPECT_EQ(inf[i].backward_s, 0);
  }
  const auto tr = e->time_layers(true);
  ASSERT_EQ(tr.size(), g.nodes.size());
  // conv1 is fed by the data but has a weight: it has a backward; so does every later node.
  for (const auto& t : tr) EXPECT_GT(t.backward_s, 0) << t.node;
}

}  // namespace
}  // namespace dnnroof

// Every zoo model (all 41, default input sizes) builds an executor and runs
// one inference at batch 1 with finite outputs of the right shape. About 3
// minutes on 2 cores: label "long", and it runs only with
// DNNROOF_LONG_TESTS=1 (DNNROOF_LONG_TESTS=1 ctest -L long).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "exec/executor.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

void run_model(const std::string& name, std::int64_t image_size) {
  ZooOptions zo;
  zo.batch = 1;
  zo.image_size = image_size;
  if (name == "gpt2") zo.seq_len = 16;
  const Graph g = build_zoo_model(name, zo);
  auto e = make_executor(g, {});
  const auto outs = e->run({});
  ASSERT_EQ(outs.size(), g.outputs.size());
  const Value& out = g.value(g.outputs[0]);
  EXPECT_EQ(outs[0].dims, out.shape) << name;
  std::vector<float> v(outs[0].data.size() / 4);
  std::memcpy(v.data(), outs[0].data.data(), outs[0].data.size());
  for (float f : v) ASSERT_TRUE(std::isfinite(f)) << name << " gave a non-finite output";
  EXPECT_GT(e->infer(), 0.0);
}

TEST(ExecZooLong, EveryModelRunsAtBatch1) {
  if (std::getenv("DNNROOF_LONG_TESTS") == nullptr) GTEST_SKIP() << "set DNNROOF_LONG_TESTS=1";
  int n = 0;
  for (const ZooEntry& z : zoo_models()) {
    SCOPED_TRACE(z.name);
    run_model(z.name, 0);
    std::fprintf(stderr, "ran %s\n", z.name.c_str());
    ++n;
  }
  std::printf("%d zoo models ran\n", n);
}

}  // namespace
}  // namespace dnnroof

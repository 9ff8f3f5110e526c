// Small zoo models build an executor and run one inference at batch 1 (all
// 41 models: zoo_long_test.cc, label "long"); bf16 against fp32.
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "exec/executor.h"
#include "zoo_run.h"

namespace dnnroof {
namespace {

using testing_zoo::run_model;

// Small enough for the default test run (at a reduced image size where the
// architecture allows it).
TEST(ExecZoo, SmallModelsRunAtBatch1) {
  for (const char* name : {"resnet18", "mobilenet_v2", "squeezenet1_0", "shufflenet_v2_x0_5",
                           "mnasnet0_5", "alexnet"}) {
    SCOPED_TRACE(name);
    run_model(name, name == std::string("alexnet") ? 0 : 64);
  }
}

// bf16 on the CPU: the same resnet18 (same seeded weights and input) in bf16
// stays close to fp32. bf16 keeps 8 mantissa bits (relative step 2^-8 =
// 0.4%) and the error grows over 20 layers, so the bound is loose: the
// logits' max difference within 10% of their range, and most of the top-5
// classes shared.
TEST(ExecZoo, Bf16OnTheCpuIsCloseToFp32) {
  ZooOptions zo;
  zo.image_size = 64;
  const Graph g = build_zoo_model("resnet18", zo);
  ExecOptions o32;
  ExecOptions o16;
  o16.dtype = DType::bf16;
  const auto a = make_executor(g, o32)->run({});
  const auto b = make_executor(g, o16)->run({});
  ASSERT_EQ(b[0].dtype, DType::bf16);
  std::vector<float> x(a[0].data.size() / 4);
  std::memcpy(x.data(), a[0].data.data(), a[0].data.size());
  std::vector<float> y(x.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    std::uint16_t h = 0;
    std::memcpy(&h, b[0].data.data() + 2 * i, 2);
    const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
    std::memcpy(&y[i], &bits, 4);
  }
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(double{x[i]} - y[i]));
  EXPECT_LT(worst, 0.1 * (*hi - *lo)) << "range " << *lo << " .. " << *hi;
  auto top5 = [](const std::vector<float>& v) {
    std::vector<std::size_t> idx(v.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::partial_sort(idx.begin(), idx.begin() + 5, idx.end(),
                      [&](std::size_t p, std::size_t q) { return v[p] > v[q]; });
    idx.resize(5);
    return idx;
  };
  const auto ta = top5(x);
  const auto tb = top5(y);
  int shared = 0;
  for (std::size_t i : ta) shared += std::count(tb.begin(), tb.end(), i) > 0 ? 1 : 0;
  EXPECT_GE(shared, 3);
  std::printf(
      "resnet18 bf16 vs fp32: max |diff| %.4f over logits in [%.3f, %.3f], top-5 shared %d\n",
      worst, *lo, *hi, shared);
}

}  // namespace
}  // namespace dnnroof

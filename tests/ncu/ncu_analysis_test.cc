// Work per kernel, groups, totals, roofline points and the comparison with
// the cost model, on the fixtures. Every expected value is summed by hand
// from the fixture's cells (tests/ncu/data), in the units they are written.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"
#include "cost/cost.h"
#include "ncu/ncu.h"
#include "ncu/results.h"
#include "support/study_fixtures.h"

namespace dnnroof {
namespace {

const std::string kData = std::string(DNNROOF_SOURCE_DIR) + "/tests/ncu/data/";

// Raw fixture, by hand:
//  time [us]  61.47 + 9.22 + 5.12 + 12.38 + 23.45 + 4.10 + 14.21
//  DRAM read [MB] 3.21 x 4 + 1.03 + 0.10035 + 2.05; write [KB] 3211.26 x 3 + 802.82 + 200.70 + 2.05
//  + 4.10 FP32: 2 x (118,013,952 + 802,816 + 512,000) ffma + (12,544 + 25,088) fadd + (12,544 +
//  512) fmul L1 [MB] 48.23 + 6.42 + 6.42 + 7.23 + 9.87 + 2.30 (one n/a); L2 [GB] sums of 7 cells
constexpr double kRawTime = (61.47 + 9.22 + 5.12 + 12.38 + 23.45 + 4.10 + 14.21) * 1e-6;
constexpr double kRawDram =
    (3.21 * 4 + 1.03 + 0.10035 + 2.05) * 1e6 + (3211.26 * 3 + 802.82 + 200.70 + 2.05 + 4.10) * 1e3;
constexpr double kRawFp32 = 2.0 * (118013952 + 802816 + 512000) + (12544 + 25088) + (12544 + 512);
constexpr double kRawL1 = (48.23 + 6.42 + 6.42 + 7.23 + 9.87 + 2.30) * 1e6;
constexpr double kRawL2 =
    (0.01285 + 0.00645 + 0.00642 + 0.00401 + 0.00312 + 0.00012 + 0.0021) * 1e9;

// Whether one of the comparison's explanations says `part`.
bool explains(const NcuComparison& c, const std::string& part) {
  return std::any_of(c.explanations.begin(), c.explanations.end(),
                     [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

// The profile `csv` compared with a cost of `matmul_flops` forward matrix
// FLOPs, `bytes_read` forward bytes read and `compulsory_bytes` of
// compulsory traffic (nothing else).
NcuComparison compare_csv(const std::string& csv, double matmul_flops, double bytes_read,
                          double compulsory_bytes = 0) {
  ModelCost cost;
  cost.forward.matmul_flops = matmul_flops;
  cost.forward.bytes_read = bytes_read;
  cost.compulsory_forward_bytes = compulsory_bytes;
  return compare_with_cost(summarize(parse_ncu_csv(csv, "t.csv")), cost);
}

TEST(NcuGroups, ByNamePattern) {
  EXPECT_EQ(kernel_group("void implicit_convolve_sgemm<float, float, 128>(int)"), "conv");
  EXPECT_EQ(kernel_group("sm80_xmma_fprop_implicit_gemm_tf32f32_tf32f32_f32_nhwckrsc"), "conv");
  EXPECT_EQ(kernel_group("sm80_xmma_wgrad_implicit_gemm_indexed_tf32f32"), "conv");
  EXPECT_EQ(kernel_group("ampere_sgemm_32x32_sliced1x4_tn"), "gemm");
  EXPECT_EQ(kernel_group("void cutlass::Kernel<cutlass_80_tensorop_s1688gemm_128x128>"), "gemm");
  EXPECT_EQ(kernel_group("void cudnn::bn_fw_inf_1C11_kernel_NCHW<float, float, true, 1>"), "norm");
  EXPECT_EQ(kernel_group("void at::native::(anonymous namespace)::max_pool_forward_nchw<float>"),
            "pool");
  EXPECT_EQ(kernel_group("void at::native::reduce_kernel<512, 1>"), "reduce");
  EXPECT_EQ(kernel_group("void at::native::vectorized_elementwise_kernel<4, CUDAFunctor_add>"),
            "elementwise");
  EXPECT_EQ(kernel_group("void at::native::(anonymous namespace)::cunn_SoftMaxForward<4>"),
            "softmax");
  EXPECT_EQ(kernel_group("void at::native::multi_tensor_apply_kernel<SGD>"), "optimizer");
  EXPECT_EQ(kernel_group("void nchwToNhwcKernel<float>"), "copy");
  EXPECT_EQ(kernel_group("my_kernel"), "other");
}

TEST(NcuWork, RawTotalsByHand) {
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_raw.csv"));
  ASSERT_EQ(s.kernels.size(), 7u);
  const KernelWork& t = s.total;
  EXPECT_NEAR(*t.time_s, kRawTime, 1e-15);
  EXPECT_NEAR(*t.dram_bytes, kRawDram, 1e-6);
  EXPECT_DOUBLE_EQ(*t.fp32_flops, kRawFp32);
  EXPECT_DOUBLE_EQ(*t.fp64_flops, 0.0);  // collected, all zero
  EXPECT_DOUBLE_EQ(*t.fp16_flops, 0.0);
  EXPECT_NEAR(*t.l1_bytes, kRawL1, 1e-6);
  EXPECT_NEAR(*t.l2_bytes, kRawL2, 1e-3);
  EXPECT_DOUBLE_EQ(*t.tensor_inst, 28224.0);
  EXPECT_FALSE(t.tensor_flops.has_value());
  EXPECT_TRUE(s.tensor_flops_unknown);
  EXPECT_DOUBLE_EQ(*t.flops(), kRawFp32);
  // The reduce kernel's L1 cell is n/a: its L1 is absent, not zero.
  EXPECT_FALSE(s.kernels[5].work.l1_bytes.has_value());
  EXPECT_TRUE(s.missing.empty() ||
              std::none_of(s.missing.begin(), s.missing.end(),
                           [](const std::string& m) { return m.find("L1") != std::string::npos; }));
}

TEST(NcuWork, RawGroupsSortedByTime) {
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_raw.csv"));
  ASSERT_EQ(s.groups.size(), 6u);  // conv, gemm, pool, norm, elementwise, reduce
  EXPECT_EQ(s.groups[0].group, "conv");
  EXPECT_EQ(s.groups[0].kernels, 2);
  EXPECT_NEAR(*s.groups[0].work.time_s, (61.47 + 23.45) * 1e-6, 1e-15);
  EXPECT_DOUBLE_EQ(*s.groups[0].work.flops(), 2.0 * 118013952 + 12544 + 12544);
  EXPECT_EQ(s.groups[1].group, "gemm");  // 14.21 us
  EXPECT_EQ(s.groups[2].group, "pool");  // 12.38 us
  EXPECT_EQ(s.groups[3].group, "norm");  // 9.22 us
  EXPECT_EQ(s.groups[4].group, "elementwise");
  EXPECT_EQ(s.groups[5].group, "reduce");
}

TEST(NcuWork, TensorFlopsPerInstructionWhenGiven) {
  KernelWorkOptions o;
  o.tensor_flops_per_inst = 512;
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_raw.csv"), o);
  EXPECT_DOUBLE_EQ(*s.total.tensor_flops, 28224.0 * 512);
  EXPECT_FALSE(s.tensor_flops_unknown);
  EXPECT_DOUBLE_EQ(*s.total.flops(), kRawFp32 + 28224.0 * 512);
}

TEST(NcuWork, DetailsTotalsByHand) {
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_details.csv"));
  const KernelWork& t = s.total;
  // 0.03172 ms + 4,896 ns + 3.52 us
  EXPECT_NEAR(*t.time_s, 31.72e-6 + 4.896e-6 + 3.52e-6, 1e-15);
  // dram__bytes.sum: 2.58 MB + 1,204,224 B + 102.40 KB
  EXPECT_NEAR(*t.dram_bytes, 2580000.0 + 1204224.0 + 102400.0, 1e-6);
  // L2: 0.0121 GB + 1,210.50 KB + 0.11 MB
  EXPECT_NEAR(*t.l2_bytes, 12100000.0 + 1210500.0 + 110000.0, 1e-6);
  // sm__ prefix: 2 x 401,408 ffma + 100,352 + 25,088 fadd + 512 fmul
  EXPECT_DOUBLE_EQ(*t.fp32_flops, 2.0 * 401408 + 100352 + 25088 + 512);
  EXPECT_DOUBLE_EQ(*t.tensor_flops, 231211008.0);
  EXPECT_FALSE(s.tensor_flops_unknown);
  EXPECT_FALSE(t.fp16_flops.has_value());  // no h* metric collected
  EXPECT_FALSE(t.l1_bytes.has_value());
  EXPECT_DOUBLE_EQ(*t.flops(), 2.0 * 401408 + 100352 + 25088 + 512 + 231211008.0);
  const bool l1_missing = std::any_of(s.missing.begin(), s.missing.end(), [](const std::string& m) {
    return m.find("L1 bytes") != std::string::npos;
  });
  EXPECT_TRUE(l1_missing);
  ASSERT_EQ(s.groups.size(), 3u);
  EXPECT_EQ(s.groups[0].group, "conv");
  EXPECT_EQ(s.groups[1].group, "elementwise");
  EXPECT_EQ(s.groups[2].group, "pool");
}

TEST(NcuPoints, HierarchicalRooflinePoints) {
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_raw.csv"));
  const std::vector<MeasuredPoint> pts = measured_points(s);
  ASSERT_GE(pts.size(), 3u);
  EXPECT_EQ(pts[0].label, "total");
  EXPECT_EQ(pts[0].level, "DRAM");
  EXPECT_NEAR(pts[0].intensity, kRawFp32 / kRawDram, 1e-9);
  EXPECT_NEAR(pts[0].flops_per_s / (kRawFp32 / kRawTime), 1.0, 1e-12);
  EXPECT_EQ(pts[1].level, "L2");
  EXPECT_NEAR(pts[1].intensity, kRawFp32 / kRawL2, 1e-6);
  EXPECT_EQ(pts[2].level, "L1");
  EXPECT_NEAR(pts[2].intensity, kRawFp32 / kRawL1, 1e-9);
  // Total (3 levels), conv, gemm, norm (3 each), reduce (DRAM, L2; its L1 is
  // n/a); pool and elementwise did no FLOPs and give no point.
  EXPECT_EQ(pts.size(), 3u + 3u + 3u + 3u + 2u);
  EXPECT_TRUE(std::none_of(pts.begin(), pts.end(), [](const MeasuredPoint& p) {
    return p.label == "pool" || p.label == "elementwise";
  }));
  // A work with no time gives no point.
  KernelWork w;
  w.fp32_flops = 10;
  w.dram_bytes = 5;
  EXPECT_TRUE(measured_points("x", w).empty());
}

TEST(NcuCompare, AgainstAHandMadeCost) {
  const NcuSummary s = summarize(read_ncu_csv(kData + "resnet18_a100_raw.csv"));
  // 240e6 + 2e6 FLOPs, 20e6 + 10e6 B of traffic, 12e6 B compulsory.
  ModelCost cost = test::ncu_fixture_cost();
  const NcuComparison c = compare_with_cost(s, cost);
  ASSERT_EQ(c.rows.size(), 5u);
  EXPECT_DOUBLE_EQ(c.rows[0].analytic, 242e6);
  EXPECT_DOUBLE_EQ(*c.rows[0].measured, kRawFp32);
  EXPECT_DOUBLE_EQ(*c.rows[0].ratio, kRawFp32 / 242e6);
  // conv + gemm kernels: 2 x 118,013,952 + 12,544 + 12,544 + 2 x 512,000
  EXPECT_DOUBLE_EQ(*c.rows[1].measured, 2.0 * 118013952 + 12544 + 12544 + 2.0 * 512000);
  EXPECT_DOUBLE_EQ(c.rows[1].analytic, 240e6);
  EXPECT_NEAR(*c.rows[2].ratio, kRawDram / 30e6, 1e-12);
  EXPECT_NEAR(*c.rows[3].ratio, kRawDram / 12e6, 1e-12);
  EXPECT_NEAR(c.rows[4].analytic, 242e6 / 30e6, 1e-12);
  EXPECT_NEAR(*c.rows[4].measured, kRawFp32 / kRawDram, 1e-9);
  // Explanations follow the numbers: tensor instructions without FLOPs, and
  // DRAM traffic 89% of the no-reuse model.
  EXPECT_TRUE(explains(c, "28224 tensor-core instructions were counted"));
  EXPECT_TRUE(explains(c, "DRAM traffic is 89% of the no-reuse model"));
  EXPECT_FALSE(explains(c, "below the compulsory traffic"));
  EXPECT_FALSE(explains(c, "x the analytic count"));
  EXPECT_FALSE(explains(c, "covers only part of an iteration"));
  // 20 nodes that move data and only 7 kernels: part of an iteration.
  for (int i = 0; i < 20; ++i) {
    NodeCost n;
    n.forward.bytes_read = 1;
    cost.nodes.push_back(n);
  }
  const NcuComparison partial = compare_with_cost(s, cost);
  ASSERT_FALSE(partial.explanations.empty());
  EXPECT_NE(partial.explanations[0].find("the profile holds 7 kernels but the model has 20 nodes"),
            std::string::npos)
      << partial.explanations[0];
  // The ratio-based reasons would mislead on a partial profile: only the
  // timing note follows.
  ASSERT_EQ(partial.explanations.size(), 2u);
  EXPECT_NE(partial.explanations[1].find("clocks locked to base"), std::string::npos);
}

TEST(NcuCompare, MissingTensorMetricsExplainLowFlops) {
  // One FP32 kernel doing a third of the analytic FLOPs, no tensor metric.
  const std::string csv =
      "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"dram__bytes_read.sum\","
      "\"dram__bytes_write.sum\",\"smsp__sass_thread_inst_executed_op_ffma_pred_on.sum\"\n"
      "\"\",\"\",\"usecond\",\"byte\",\"byte\",\"inst\"\n"
      "\"0\",\"sm80_xmma_fprop_implicit_gemm\",\"10\",\"1,000\",\"500\",\"50\"\n";
  const NcuComparison c = compare_csv(csv, 300, 1000, 2000);
  EXPECT_DOUBLE_EQ(*c.rows[0].ratio, 100.0 / 300.0);
  EXPECT_TRUE(
      explains(c, "measured FLOPs are 33% of the analytic count and no tensor-core metric"));
  EXPECT_TRUE(explains(c, "DRAM traffic is 1.50x the no-reuse model"));
  EXPECT_TRUE(explains(c, "below the compulsory traffic"));  // 1,500 B < 2,000 B
}

TEST(NcuCompare, OptimizerKernelsAreLeftOut) {
  // A training step's SGD update: measured, but the cost model has no rule.
  const std::string csv =
      "\"ID\",\"Kernel Name\",\"gpu__time_duration.sum\",\"dram__bytes.sum\","
      "\"smsp__sass_thread_inst_executed_op_ffma_pred_on.sum\"\n"
      "\"\",\"\",\"usecond\",\"byte\",\"inst\"\n"
      "\"0\",\"ampere_sgemm_64x64_nn\",\"10\",\"1,000\",\"400\"\n"
      "\"1\",\"void at::native::multi_tensor_apply_kernel<SGD>\",\"2\",\"600\",\"30\"\n";
  const NcuComparison c = compare_csv(csv, 800, 1000);
  EXPECT_DOUBLE_EQ(*c.rows[0].measured, 2.0 * 400);  // not 2 x (400 + 30)
  EXPECT_DOUBLE_EQ(*c.rows[2].measured, 1000.0);     // not 1,600
  EXPECT_TRUE(
      explains(c, "the 1 optimizer kernel(s) (60 FLOPs, 600 bytes of DRAM traffic) are left out"));
}

TEST(NcuResultsFile, RoundTrip) {
  NcuResults r;
  r.model = "resnet18";
  r.batch = 1;
  r.mode = "infer";
  r.device_chip = "a100-sxm4-40gb";
  r.summary = summarize(read_ncu_csv(kData + "resnet18_a100_details.csv"));
  r.points = measured_points(r.summary);
  ModelCost cost;
  cost.graph_name = "resnet18";
  cost.batch = 1;
  cost.forward.matmul_flops = 240e6;
  cost.forward.bytes_read = 4e6;
  r.comparison = compare_with_cost(r.summary, cost);
  const NcuResults back = ncu_results_from_json(ncu_results_to_json(r), "mem");
  EXPECT_EQ(back.model, "resnet18");
  EXPECT_EQ(back.device_chip, "a100-sxm4-40gb");
  ASSERT_EQ(back.summary.kernels.size(), 3u);
  EXPECT_EQ(back.summary.kernels[1].group, "elementwise");
  EXPECT_DOUBLE_EQ(*back.summary.total.tensor_flops, 231211008.0);
  EXPECT_FALSE(back.summary.total.l1_bytes.has_value());
  ASSERT_EQ(back.points.size(), r.points.size());
  EXPECT_DOUBLE_EQ(back.points[0].flops_per_s, r.points[0].flops_per_s);
  ASSERT_TRUE(back.comparison.has_value());
  EXPECT_EQ(back.comparison->rows.size(), 5u);
  EXPECT_EQ(back.comparison->explanations, r.comparison->explanations);
  EXPECT_THROW(ncu_results_from_json("{\"kind\": \"other\"}", "x.json"), Error);
}

}  // namespace
}  // namespace dnnroof

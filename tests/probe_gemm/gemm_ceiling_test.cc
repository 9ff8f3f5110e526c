#include "probe_gemm/gemm_ceiling.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

TEST(GemmCeiling, FlopsAreTwoMacsPerOutputTerm) {
  // C[2x3] = A[2x4] B[4x3]: 6 outputs, each 4 multiply-adds = 24 MACs.
  EXPECT_DOUBLE_EQ(gemm_flops(2, 3, 4), 48.0);
  // 4096^3 x 2 = 137438953472.
  EXPECT_DOUBLE_EQ(gemm_flops(4096, 4096, 4096), 137438953472.0);
}

TEST(GemmCeiling, MinimumBytesReadAAndBWriteC) {
  // A 2x4 (8), B 4x3 (12), C 2x3 (6): 26 elements x 4 B.
  EXPECT_DOUBLE_EQ(gemm_min_bytes(2, 3, 4, 4), 104.0);
  // Square n = 1024 in bf16: 3 x 1024^2 x 2 B.
  EXPECT_DOUBLE_EQ(gemm_min_bytes(1024, 1024, 1024, 2), 6291456.0);
}

TEST(GemmCeiling, RejectsEmptyOrNegativeSizes) {
  EXPECT_THROW(gemm_flops(0, 3, 4), Error);
  EXPECT_THROW(gemm_flops(2, -1, 4), Error);
  EXPECT_THROW(gemm_min_bytes(2, 3, 4, 0), Error);
}

TEST(GemmCeiling, RejectsBadOptions) {
  GemmCeilingOptions o;
  o.threads = 0;
  EXPECT_THROW(measure_gemm_ceilings(o), Error);
  o.threads = 1;
  o.size = -5;
  EXPECT_THROW(measure_gemm_ceilings(o), Error);
}

TEST(GemmCeiling, MeasuresASmallFp32Gemm) {
  if (!gemm_ceiling_available()) GTEST_SKIP() << gemm_backend_description();
  GemmCeilingOptions o;
  o.dtypes = {DType::fp32};
  o.size = 192;
  o.threads = 1;
  o.quick = true;
  const auto out = measure_gemm_ceilings(o);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].precision, DType::fp32);
  EXPECT_EQ(out[0].size, 192);
  EXPECT_EQ(out[0].threads, 1);
  // The result was checked against a double-precision recomputation inside;
  // a wrong product leaves rate 0 with a note. (A note about OpenBLAS's
  // kernel choice may be there.)
  EXPECT_EQ(out[0].note.find("wrong result"), std::string::npos) << out[0].note;
  EXPECT_GT(out[0].rate.best, 0);
  EXPECT_GE(out[0].rate.best, out[0].rate.median);
  EXPECT_GE(out[0].rate.samples, 5u);
  EXPECT_NE(out[0].backend.find("LibTorch"), std::string::npos);
}

TEST(GemmCeiling, UnofferedPrecisionSaysSo) {
  if (!gemm_ceiling_available()) GTEST_SKIP() << gemm_backend_description();
  GemmCeilingOptions o;
  o.dtypes = {DType::int8};
  o.size = 64;
  const auto out = measure_gemm_ceilings(o);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].rate.best, 0);
  EXPECT_NE(out[0].note.find("not offered"), std::string::npos);
}

}  // namespace
}  // namespace dnnroof

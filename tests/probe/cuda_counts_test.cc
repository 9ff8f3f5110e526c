// The CUDA probe's counts from launch configurations, derived by hand; no GPU
// needed.
#include "probe/cuda_counts.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

TEST(CudaCounts, FmaFlopsFromTheLaunch) {
  // 4 blocks x 128 threads = 512 threads, 1000 iterations, 8 chains, 1 lane:
  // 512 x 1000 x 8 = 4,096,000 FMAs = 8,192,000 FLOP.
  EXPECT_DOUBLE_EQ(cuda_fma_flops({4, 128}, 1000, 8, 1), 8192000.0);
  // The packed half2 form does two multiply-adds per instruction.
  EXPECT_EQ(cuda_fma_lanes(true), 2);
  EXPECT_EQ(cuda_fma_lanes(false), 1);
  EXPECT_DOUBLE_EQ(cuda_fma_flops({4, 128}, 1000, 8, 2), 16384000.0);
  EXPECT_THROW(cuda_fma_flops({0, 128}, 1000, 8, 1), Error);
  EXPECT_THROW(cuda_fma_flops({4, 128}, 1000, 0, 1), Error);
}

TEST(CudaCounts, FmaLaunchFillsEverySm) {
  // H100 SXM: 132 SMs x 2048 threads; block 256 -> 8 blocks per SM, 4 waves:
  // 132 x 8 x 4 = 4224 blocks.
  const CudaLaunch l = cuda_fma_launch(132, 2048, 256, 4);
  EXPECT_EQ(l.grid, 4224);
  EXPECT_EQ(l.block, 256);
  EXPECT_DOUBLE_EQ(l.threads(), 1081344.0);
  // T4: 40 SMs x 1024 threads: 4 blocks per SM -> 40 x 4 x 4 = 640.
  EXPECT_EQ(cuda_fma_launch(40, 1024, 256, 4).grid, 640);
  // A block larger than an SM's threads still gets one block per SM.
  EXPECT_EQ(cuda_fma_launch(10, 512, 1024, 1).grid, 10);
  EXPECT_THROW(cuda_fma_launch(0, 2048), Error);
}

TEST(CudaCounts, StreamLaunchAndBytes) {
  // 1,000,000 elements, block 256: 3907 blocks needed; 132 SMs x 16 = 2112 cap.
  EXPECT_EQ(cuda_stream_launch(1000000, 132).grid, 2112);
  // 10,000 elements: ceil(10000 / 256) = 40 blocks, under the cap.
  EXPECT_EQ(cuda_stream_launch(10000, 132).grid, 40);
  EXPECT_THROW(cuda_stream_launch(0, 132), Error);
  // STREAM counting: 8, 16, 24 B per element.
  EXPECT_DOUBLE_EQ(cuda_stream_bytes(0, 1000), 8000.0);
  EXPECT_DOUBLE_EQ(cuda_stream_bytes(1, 1000), 16000.0);
  EXPECT_DOUBLE_EQ(cuda_stream_bytes(2, 1000), 24000.0);
  EXPECT_THROW(cuda_stream_bytes(3, 1000), Error);
}

TEST(CudaCounts, WorkingSets) {
  // 50 MiB L2 (H100): half of it over 3 arrays of doubles:
  // 52428800 / 2 / 3 / 8 = 1092266.67 -> 1092266, down to a multiple of 256:
  // 4266 x 256 = 1092096.
  EXPECT_EQ(cuda_l2_elements(50.0 * 1024 * 1024), 1092096u);
  EXPECT_EQ(cuda_l2_elements(0), 0u);
  // 80 GB of memory: a quarter over 3 arrays is 6.67 GB, capped at 1 GiB per
  // array = 134217728 doubles.
  EXPECT_EQ(cuda_dram_elements(80e9, 50.0 * 1024 * 1024), 134217728u);
  // 2 GB: 2e9 x 0.25 / 3 = 166,666,666.7 B = 20,833,333 doubles -> 20833280
  // (81380 x 256); 32 x a 4 MiB L2 over 3 arrays (44.7 MB) is less.
  EXPECT_EQ(cuda_dram_elements(2e9, 4.0 * 1024 * 1024), 20833280u);
  EXPECT_THROW(cuda_dram_elements(0, 1), Error);
}

}  // namespace
}  // namespace dnnroof

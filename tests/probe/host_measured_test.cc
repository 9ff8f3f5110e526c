// The measured host as a catalog chip: the TOML written loads back through
// Catalog::load_text to the same numbers.

#include <gtest/gtest.h>

#include "hw/catalog.h"
#include "probe/host_measured.h"

namespace dnnroof {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * kKiB;

ProbeResult synthetic_result() {
  ProbeResult r;
  r.host.cpu_model = "Test \"Quoted\" CPU";
  r.host.physical_cores = 2;
  r.host.logical_cpus = 2;
  r.host.isa = {"avx2", "fma", "avx512f", "avx512_bf16"};
  r.host.clock_hz = 2.5e9;
  r.host.l1d_bytes = 96 * kKiB;
  r.host.l2_bytes = 4 * kMiB;
  r.host.l3_bytes = 32 * kMiB;
  r.host.memory_bytes = 16 * 1024 * kMiB;
  r.isa = SimdIsa::avx512;
  r.all_threads = 2;
  Rate one_core;
  one_core.median = 0.8e11;
  r.compute.push_back({"avx512-fp64-fma", DType::fp64, 1, one_core});  // not the all-core one
  Rate fp64;
  fp64.median = 1.4999999999999998e11;  // not round: the file must keep every digit
  fp64.samples = 10;
  fp64.converged = true;
  r.compute.push_back({"avx512-fp64-fma", DType::fp64, 2, fp64});
  Rate fp32;
  fp32.median = 3.1e11;
  r.compute.push_back({"avx512-fp32-fma", DType::fp32, 2, fp32});
  Rate bf16;
  bf16.median = 5.5e11;
  r.compute.push_back({"avx512-bf16-vdpbf16ps", DType::bf16, 2, bf16});

  BandwidthCurve triad;
  triad.kind = MemoryKernelKind::triad;
  triad.threads = 2;
  BandwidthPoint last;
  last.working_set_bytes = 512 * kMiB;
  last.rate.median = 19e9;
  triad.points.push_back(last);
  triad.plateaus = {{"L1d", 0, 1, 4 * kKiB, 32 * kKiB, 400e9},
                    {"L2", 2, 3, 128 * kKiB, 1 * kMiB, 200e9},
                    {"L3", 4, 5, 8 * kMiB, 16 * kMiB, 80e9},
                    {"DRAM", 6, 8, 128 * kMiB, 512 * kMiB, 20.5e9}};
  r.curves.push_back(triad);
  return r;
}

TEST(HostMeasured, TomlLoadsBackWithTheSameNumbers) {
  const Chip chip = host_measured_chip(synthetic_result());
  Catalog catalog;
  catalog.load_text(chip_catalog_toml(chip), "host-measured.toml");
  const Chip& m = catalog.get("host-measured");
  EXPECT_EQ(m.kind, ChipKind::cpu);
  EXPECT_EQ(m.name, "Test \"Quoted\" CPU (measured)");
  // Peaks: the all-core medians, bit for bit; nothing unmeasured.
  EXPECT_EQ(*m.peak_flops(DType::fp64), 1.4999999999999998e11);
  EXPECT_EQ(*m.peak_flops(DType::fp32), 3.1e11);
  EXPECT_EQ(*m.peak_flops(DType::bf16), 5.5e11);
  EXPECT_FALSE(m.peak_flops(DType::int8).has_value());
  EXPECT_FALSE(m.peak_flops(DType::fp16).has_value());
  EXPECT_NE(m.peak.at(DType::fp64).derivation.find("avx512-fp64-fma on 2 threads"),
            std::string::npos);
  // Levels: the plateaus' bandwidths and the host's capacities.
  ASSERT_EQ(m.memory.size(), 4u);
  EXPECT_EQ(m.find_level("L1d")->bandwidth.value, 400e9);
  EXPECT_EQ(m.find_level("L1d")->capacity.value, 98304.0);  // 96 KiB
  EXPECT_EQ(m.find_level("L2")->bandwidth.value, 200e9);
  EXPECT_EQ(m.find_level("L3")->bandwidth.value, 80e9);
  EXPECT_EQ(m.find_level("L3")->capacity.value, 33554432.0);
  EXPECT_EQ(m.main_memory().name, "DRAM");
  EXPECT_EQ(m.main_memory().bandwidth.value, 20.5e9);
  EXPECT_EQ(m.main_memory().capacity.value, 17179869184.0);  // 16 GiB
  // The ridge point follows: 1.4999999999999998e11 / 20.5e9.
  EXPECT_DOUBLE_EQ(ridge_point(m, DType::fp64), 1.4999999999999998e11 / 20.5e9);
}

TEST(HostMeasured, DramFallsBackToTheLargestWorkingSet) {
  ProbeResult r = synthetic_result();
  r.curves[0].plateaus.pop_back();  // no DRAM plateau found
  const Chip chip = host_measured_chip(r);
  Catalog catalog;
  catalog.load_text(chip_catalog_toml(chip), "host-measured.toml");
  const MemoryLevel& dram = catalog.get("host-measured").main_memory();
  EXPECT_EQ(dram.bandwidth.value, 19e9);
  EXPECT_NE(dram.bandwidth.derivation.find("largest working set"), std::string::npos);
}

}  // namespace
}  // namespace dnnroof

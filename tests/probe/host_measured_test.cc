// The measured host as a catalog chip: the TOML written loads back through
// Catalog::load_text to the same numbers.

#include "probe/host_measured.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "core/error.h"
#include "hw/catalog.h"

namespace dnnroof {
namespace {

constexpr double kKiB = 1024;
constexpr double kMiB = 1024 * kKiB;

// A triad curve on `threads` threads whose last point (512 MiB) ran at
// `best` (`median`: 0 when the test leaves it out), and its plateaus.
BandwidthCurve triad_curve(int threads, double best, double median, std::vector<Plateau> plateaus) {
  BandwidthCurve c;
  c.kind = MemoryKernelKind::triad;
  c.threads = threads;
  BandwidthPoint last;
  last.working_set_bytes = 512 * kMiB;
  last.rate.best = best;
  last.rate.median = median;
  c.points.push_back(last);
  c.plateaus = std::move(plateaus);
  return c;
}

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
  one_core.best = 0.8e11;
  r.compute.push_back({"avx512-fp64-fma", DType::fp64, 1, one_core});  // not the all-core one
  Rate fp64;
  fp64.best = 1.4999999999999998e11;
  fp64.median = 1.2e11;  // not round: the file must keep every digit
  fp64.samples = 10;
  fp64.converged = true;
  r.compute.push_back({"avx512-fp64-fma", DType::fp64, 2, fp64});
  Rate fp32;
  fp32.best = 3.1e11;
  r.compute.push_back({"avx512-fp32-fma", DType::fp32, 2, fp32});
  Rate bf16;
  bf16.best = 5.5e11;
  r.compute.push_back({"avx512-bf16-vdpbf16ps", DType::bf16, 2, bf16});

  r.curves.push_back(triad_curve(2, 19e9, 15e9,
                                 {{"L1d", 0, 1, 4 * kKiB, 32 * kKiB, 400e9},
                                  {"L2", 2, 3, 128 * kKiB, 1 * kMiB, 200e9},
                                  {"L3", 4, 5, 8 * kMiB, 16 * kMiB, 80e9},
                                  {"DRAM", 6, 8, 128 * kMiB, 512 * kMiB, 20.5e9}}));
  return r;
}

// The ceilings of every thread count measured are kept apart and load back:
// a 1-thread run is judged against the 1-thread figures, not the all-core ones.
TEST(HostMeasured, CeilingsPerThreadCountLoadBack) {
  ProbeResult r = synthetic_result();
  r.curves.push_back(triad_curve(
      1, 11e9, 0,
      {{"L1d", 0, 1, 4 * kKiB, 16 * kKiB, 210e9}, {"DRAM", 6, 8, 128 * kMiB, 512 * kMiB, 12.5e9}}));
  GemmCeiling g1;
  g1.precision = DType::fp32;
  g1.size = 2048;
  g1.threads = 1;
  g1.rate.best = 0.7e11;
  r.gemm.push_back(g1);
  const Chip chip = host_measured_chip(r);
  Catalog catalog;
  catalog.load_text(chip_catalog_toml(chip), "host-measured.toml");
  const Chip& m = catalog.get("host-measured");
  ASSERT_EQ(m.thread_ceilings.size(), 2U);
  const ThreadCeilings& t1 = m.thread_ceilings[0];
  const ThreadCeilings& t2 = m.thread_ceilings[1];
  EXPECT_EQ(t1.threads, 1);
  EXPECT_EQ(t2.threads, 2);
  // 1 thread: only the fp64 peak was measured on one core (0.8e11), the
  // GEMM on one thread, the 1-thread triad's plateaus.
  ASSERT_EQ(t1.peak.size(), 1U);
  EXPECT_EQ(t1.peak.at(DType::fp64).value, 0.8e11);
  EXPECT_EQ(t1.practical.at(DType::fp32).value, 0.7e11);
  EXPECT_EQ(t1.bandwidth.at("L1d").value, 210e9);
  EXPECT_EQ(t1.bandwidth.at("DRAM").value, 12.5e9);
  EXPECT_EQ(t1.bandwidth.count("L2"), 0U);  // no 1-thread L2 plateau: unknown, not borrowed
  // 2 threads: the same figures as the chip's own (all-core) ones.
  EXPECT_EQ(t2.peak.at(DType::fp32).value, 3.1e11);
  EXPECT_EQ(t2.bandwidth.at("DRAM").value, 20.5e9);
  EXPECT_EQ(*m.peak_flops(DType::fp32), 3.1e11);
  // chip_for_threads picks the entry: 1 thread's DRAM roof, never 2's.
  const auto at1 = chip_for_threads(m, 1);
  ASSERT_TRUE(at1.has_value());
  EXPECT_EQ(at1->main_memory().bandwidth.value, 12.5e9);
  EXPECT_FALSE(at1->peak_flops(DType::fp32).has_value());
  EXPECT_FALSE(chip_for_threads(m, 3).has_value());
}

TEST(HostMeasured, TomlLoadsBackWithTheSameNumbers) {
  const Chip chip = host_measured_chip(synthetic_result());
  Catalog catalog;
  catalog.load_text(chip_catalog_toml(chip), "host-measured.toml");
  const Chip& m = catalog.get("host-measured");
  EXPECT_EQ(m.kind, ChipKind::cpu);
  EXPECT_EQ(m.name, "Test \"Quoted\" CPU (measured)");
  // Peaks: the fastest all-core samples, bit for bit; nothing unmeasured.
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

TEST(HostMeasured, GemmCeilingsArePracticalCeilings) {
  ProbeResult r = synthetic_result();
  Rate fp32;
  fp32.best = 2.3456789012345678e11;
  fp32.median = 2.2e11;
  fp32.samples = 8;
  fp32.converged = true;
  r.gemm.push_back({DType::fp32, 2048, 2, "LibTorch test backend", fp32, ""});
  r.gemm.push_back({DType::bf16, 2048, 2, "LibTorch test backend", Rate{}, "not fast"});
  const Chip chip = host_measured_chip(r);
  const std::string toml = chip_catalog_toml(chip);
  EXPECT_NE(toml.find("[chip.practical]"), std::string::npos);
  Catalog catalog;
  catalog.load_text(toml, "host-measured.toml");
  const Chip& m = catalog.get("host-measured");
  // The measured GEMM, bit for bit; the unmeasured bf16 one is left out; the
  // FMA peaks are untouched.
  ASSERT_EQ(m.practical.size(), 1u);
  EXPECT_EQ(m.practical.at(DType::fp32).value, 2.3456789012345678e11);
  EXPECT_NE(
      m.practical.at(DType::fp32).derivation.find("2048^3 GEMM through LibTorch test backend"),
      std::string::npos);
  EXPECT_EQ(*m.peak_flops(DType::fp32), 3.1e11);
}

TEST(HostMeasured, PracticalTableIsCheckedLikePeaks) {
  const std::string base =
      "[[chip]]\nid = \"x\"\nname = \"X\"\nkind = \"gpu\"\nsource = \"s\"\n"
      "[chip.peak]\nfp32 = \"10 TFLOP/s\"\n[[chip.memory]]\nname = \"HBM\"\nmain = true\n"
      "bandwidth = \"1 TB/s\"\n";
  Catalog ok;
  ok.load_text(base + "[chip.practical]\nfp32 = \"7.5 TFLOP/s\"\n", "ok.toml");
  EXPECT_EQ(ok.get("x").practical.at(DType::fp32).value, 7.5e12);
  Catalog bad;
  try {
    bad.load_text(base + "[chip.practical]\nfp33 = \"7.5 TFLOP/s\"\n", "bad.toml");
    FAIL() << "an unknown precision in [chip.practical] must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("practical.fp33"), std::string::npos) << e.what();
  }
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

// No plateau for L1d: its roof is the fastest working set that fits in the
// L1d the threads can use (2 threads of 2 cores: all 96 KiB), not a larger one.
TEST(HostMeasured, CacheLevelWithoutAPlateauTakesTheFastestFittingWorkingSet) {
  ProbeResult r = synthetic_result();
  r.curves[0].plateaus.erase(r.curves[0].plateaus.begin());  // no L1d plateau found
  auto point = [](double bytes, double rate) {
    BandwidthPoint p;
    p.working_set_bytes = bytes;
    p.rate.best = rate;
    return p;
  };
  // 48 KiB at 350 GB/s and 96 KiB at 380 GB/s fit in L1d; 192 KiB (faster
  // here, as noise could make it) does not and must not be taken.
  r.curves[0].points = {point(48 * kKiB, 350e9), point(96 * kKiB, 380e9), point(192 * kKiB, 390e9),
                        point(512 * kMiB, 19e9)};
  const Chip chip = host_measured_chip(r);
  Catalog catalog;
  catalog.load_text(chip_catalog_toml(chip), "host-measured.toml");
  const Chip& loaded = catalog.get("host-measured");
  const MemoryLevel* l1 = nullptr;
  for (const MemoryLevel& m : loaded.memory) {
    if (m.name == "L1d") l1 = &m;
  }
  ASSERT_NE(l1, nullptr);
  EXPECT_EQ(l1->bandwidth.value, 380e9);
  EXPECT_NE(l1->bandwidth.derivation.find("no flat region"), std::string::npos)
      << l1->bandwidth.derivation;
}

TEST(HostMeasured, LoadCatalogPicksUpTheSavedFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / fmt::format("dnnroof-probe-test-{}", ::getpid());
  std::filesystem::create_directories(dir);
  ::setenv("DNNROOF_CACHE_DIR", dir.c_str(), 1);
  EXPECT_EQ(host_measured_catalog_path(), (dir / "host-measured.toml").string());
  EXPECT_EQ(load_catalog({}).find("host-measured"), nullptr);  // not there yet
  {
    std::ofstream out(dir / "host-measured.toml");
    out << chip_catalog_toml(host_measured_chip(synthetic_result()));
  }
  const Catalog c = load_catalog({});
  ASSERT_NE(c.find("host-measured"), nullptr);
  EXPECT_EQ(c.get("host-measured").main_memory().bandwidth.value, 20.5e9);
  EXPECT_EQ(c.chips().back().id, "host");  // the detected host still comes last
  ::unsetenv("DNNROOF_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnnroof

// Host detection: sane on the machine the tests run on, and the ISA -> peak
// rules on hand-made HostInfo values.

#include "hw/host.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace dnnroof {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(Host, DetectionIsSaneHere) {
  const HostInfo info = detect_host_info();
  EXPECT_FALSE(info.cpu_model.empty());
  EXPECT_GE(info.sockets, 1);
  EXPECT_GE(info.physical_cores, 1);
  EXPECT_GE(info.logical_cpus, info.physical_cores);
  EXPECT_GT(info.l1d_bytes, 0);
  EXPECT_GE(info.l2_bytes, info.l1d_bytes);
  EXPECT_GT(info.memory_bytes, 64.0 * 1024 * 1024);
  EXPECT_GT(info.clock_hz, 0.5e9);
  EXPECT_LT(info.clock_hz, 6e9);
  EXPECT_FALSE(info.clock_note.empty());
#if defined(__x86_64__)
  EXPECT_TRUE(contains(info.isa, "sse4_2")) << "x86-64 machines since 2008 have SSE4.2";
#endif
  if (info.virtualized) {
    EXPECT_NE(info.clock_note.find("virtual machine"), std::string::npos) << info.clock_note;
  }
}

TEST(Host, DetectedChipHasPeaksAndCaches) {
  const Chip chip = detect_host();
  EXPECT_EQ(chip.id, "host");
  EXPECT_EQ(chip.kind, ChipKind::cpu);
  ASSERT_TRUE(chip.peak_flops(DType::fp32).has_value());
  EXPECT_GT(*chip.peak_flops(DType::fp32), 0);
  ASSERT_NE(chip.find_level("L1d"), nullptr);
  EXPECT_GT(chip.find_level("L1d")->capacity.value, 0);
  EXPECT_EQ(chip.main_memory().name, "DRAM");
  EXPECT_FALSE(chip.peak.at(DType::fp32).derivation.empty());
}

HostInfo avx2_quad_core() {
  HostInfo info;
  info.cpu_model = "Test CPU @ 3.00GHz";
  info.sockets = 1;
  info.physical_cores = 4;
  info.logical_cpus = 8;
  info.isa = {"sse4_2", "avx", "avx2", "fma"};
  info.clock_hz = 3.0e9;
  info.clock_note = "test";
  info.l1d_bytes = 4 * 32 * 1024;
  info.l2_bytes = 4 * 256 * 1024;
  info.l3_bytes = 8 * 1024 * 1024;
  info.memory_bytes = 16e9;
  return info;
}

TEST(HostChip, Avx2WithTwoFmaUnits) {
  const Chip chip = host_chip(avx2_quad_core());
  ASSERT_TRUE(chip.cpu.has_value());
  EXPECT_EQ(chip.cpu->simd_bits, 256);
  EXPECT_EQ(chip.cpu->fma_units, 2);
  EXPECT_EQ(chip.cpu->threads_per_core, 2);
  // fp64: 4 lanes x 2 (FMA) x 2 units = 16 FLOP/cycle; 4 cores x 3e9 x 16 = 192e9.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp64), 192e9);
  // fp32: 32 FLOP/cycle; 4 x 3e9 x 32 = 384e9.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp32), 384e9);
  EXPECT_FALSE(chip.peak_flops(DType::bf16).has_value());
  EXPECT_FALSE(chip.peak_flops(DType::int8).has_value());
  EXPECT_EQ(chip.peak.at(DType::fp32).derivation,
            "1 socket x 4 cores x 3.0 GHz x 32 FLOP/cycle = 384 GFLOP/s (fallback clock; 32 "
            "FLOP/cycle: 256-bit vector FMA)");
  EXPECT_TRUE(contains(chip.cpu->isa, "sse4.2"));
  // Memory: L1d, L2, L3, then DRAM (main, capacity only).
  ASSERT_EQ(chip.memory.size(), 4u);
  EXPECT_EQ(chip.memory[0].name, "L1d");
  EXPECT_DOUBLE_EQ(chip.memory[0].capacity.value, 131072.0);  // 4 x 32 KiB
  EXPECT_DOUBLE_EQ(chip.main_memory().capacity.value, 16e9);
  EXPECT_DOUBLE_EQ(chip.main_memory().bandwidth.value, 0.0);
  EXPECT_NE(chip.notes.find("assume 2 FMA units"), std::string::npos) << chip.notes;
  EXPECT_NE(chip.notes.find("dnnroof probe"), std::string::npos) << chip.notes;
}

TEST(HostChip, Avx512WithBf16AndVnni) {
  HostInfo info = avx2_quad_core();
  info.sockets = 2;
  info.physical_cores = 16;  // 8 per socket
  info.isa = {"sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16"};
  info.clock_hz = 2.0e9;
  const Chip chip = host_chip(info);
  EXPECT_EQ(chip.cpu->cores_per_socket, 8);
  // fp64: 8 lanes x 2 x 2 units = 32/cycle; 2 x 8 x 2e9 x 32 = 1.024e12.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp64), 1.024e12);
  // fp32 64/cycle -> 2.048e12; bf16 2 x fp32 = 128/cycle -> 4.096e12.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp32), 2.048e12);
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::bf16), 4.096e12);
  // int8 (VNNI) 4 x fp32 = 256/cycle -> 8.192e12.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::int8), 8.192e12);
  EXPECT_FALSE(chip.peak_flops(DType::fp16).has_value());
}

TEST(HostChip, AmxTiles) {
  HostInfo info = avx2_quad_core();
  info.isa = {"avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"};
  info.amx_usable = true;
  const Chip chip = host_chip(info);
  EXPECT_TRUE(chip.cpu->amx);
  // AMX: 1024 bf16 FLOP/cycle/core: 4 x 3e9 x 1024 = 12.288e12; int8 2048 -> 24.576e12.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::bf16), 12.288e12);
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::int8), 24.576e12);
  EXPECT_TRUE(contains(chip.cpu->isa, "amx-bf16"));
}

TEST(HostChip, SseOnly) {
  HostInfo info = avx2_quad_core();
  info.isa = {"sse4_2"};
  const Chip chip = host_chip(info);
  EXPECT_EQ(chip.cpu->simd_bits, 128);
  // 2 lanes x 2 x 1 unit = 4 FLOP/cycle fp64: 4 x 3e9 x 4 = 48e9.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp64), 48e9);
  EXPECT_NE(chip.notes.find("assume 1 FMA unit "), std::string::npos) << chip.notes;
}

TEST(HostChip, AmxListedButNotUsableIsNotTheoretical) {
  HostInfo info = avx2_quad_core();
  info.isa = {"avx2", "fma", "avx512f", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"};
  info.amx_usable = false;  // e.g. the kernel refused the tile state
  const Chip chip = host_chip(info);
  EXPECT_FALSE(chip.cpu->amx);
  // Back to the vector formula's bf16 (not in the table: 4 x fp64 = 128).
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::bf16), 4 * 3e9 * 128);
}

// A 2-core KVM guest of a Sapphire Rapids class CPU reporting model 167
// (the development machine), with AMX hidden.
HostInfo spr_vm() {
  HostInfo info = avx2_quad_core();
  info.cpu_model = "Intel(R) Xeon(R) Processor";
  info.vendor_id = "GenuineIntel";
  info.cpu_family = 6;
  info.cpu_model_number = 167;
  info.physical_cores = 2;
  info.logical_cpus = 2;
  info.virtualized = true;
  info.isa = {"sse4_2",  "avx",         "avx2",        "fma",
              "avx512f", "avx512_vnni", "avx512_bf16", "avx512_fp16"};
  info.fallback_clock_hz = 2.3e9;  // the TSC's rate, as 'cpu MHz'
  info.fallback_clock_note = "'cpu MHz' (TSC)";
  info.clock_hz = 2.3e9;
  info.clock_note = "fallback, not measured";
  return info;
}

TEST(HostChip, TableRatesForASapphireRapidsGuest) {
  const Chip chip = host_chip(spr_vm());
  // fp32: 2 cores x 2.3 GHz x 64 = 294.4 GFLOP/s (the TSC fallback);
  // bf16 (VDPBF16PS, AMX hidden): 2 x 2.3e9 x 32 = 147.2 GFLOP/s.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp32), 294.4e9);
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::bf16), 147.2e9);
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp16), 2 * 2.3e9 * 128);
  EXPECT_NE(chip.notes.find("Sapphire"), std::string::npos) << chip.notes;
  EXPECT_NE(chip.peak.at(DType::bf16).derivation.find("VDPBF16PS"), std::string::npos)
      << chip.peak.at(DType::bf16).derivation;
  EXPECT_NE(chip.peak.at(DType::fp32).derivation.find("fallback clock"), std::string::npos);
  EXPECT_NE(chip.peak.at(DType::bf16).source.find("X86SchedSapphireRapids.td"), std::string::npos);
}

TEST(HostChip, MeasuredClocksDriveThePeaks) {
  HostInfo info = spr_vm();
  // 1 core alone at 2.8 GHz, both at 2.75 GHz (made-up measurements).
  set_measured_clocks(info, {{1, 2.8e9, "measured: test 1"}, {2, 2.75e9, "measured: test 2"}});
  EXPECT_TRUE(info.clock_measured);
  EXPECT_DOUBLE_EQ(info.clock_hz, 2.75e9);
  EXPECT_NE(info.clock_note.find("measured: test 2"), std::string::npos) << info.clock_note;
  EXPECT_NE(info.clock_note.find("is not used"), std::string::npos) << info.clock_note;
  const Chip chip = host_chip(info);
  // 2 x 2.75e9 x 64 = 352 GFLOP/s: above the 346 the probe measured here,
  // where the TSC's 2.3 GHz gave 294.4.
  EXPECT_DOUBLE_EQ(*chip.peak_flops(DType::fp32), 352e9);
  EXPECT_NE(chip.peak.at(DType::fp32).derivation.find("measured clock"), std::string::npos);
  // Per thread count: 1 thread uses the 1-core clock: 1 x 2.8e9 x 64.
  EXPECT_DOUBLE_EQ(host_peak_flops(info, DType::fp32, 1), 179.2e9);
  EXPECT_DOUBLE_EQ(host_peak_flops(info, DType::fp32, 2), 352e9);
  // More threads than cores: capped at the cores.
  EXPECT_DOUBLE_EQ(host_peak_flops(info, DType::fp32, 8), 352e9);
  std::string origin;
  EXPECT_DOUBLE_EQ(host_clock_hz(info, 1, &origin), 2.8e9);
  EXPECT_EQ(origin, "measured: test 1");
  // Replacing one count keeps the other.
  set_measured_clocks(info, {{2, 2.7e9, "measured: again"}});
  EXPECT_EQ(info.measured_clocks.size(), 2u);
  EXPECT_DOUBLE_EQ(info.clock_hz, 2.7e9);
}

TEST(HostChip, UnmeasuredThreadCountsUseTheNearestBelow) {
  HostInfo info = avx2_quad_core();  // 4 cores
  info.fallback_clock_hz = 2.0e9;
  set_measured_clocks(info, {{1, 3.5e9, "one"}, {4, 3.0e9, "four"}});
  std::string origin;
  // 2 threads: none measured; the 1-thread clock (higher) keeps it an upper bound.
  EXPECT_DOUBLE_EQ(host_clock_hz(info, 2, &origin), 3.5e9);
  EXPECT_NE(origin.find("none measured on 2 threads"), std::string::npos) << origin;
  HostInfo bare = avx2_quad_core();
  bare.fallback_clock_hz = 2.0e9;
  bare.fallback_clock_note = "tsc";
  EXPECT_DOUBLE_EQ(host_clock_hz(bare, 2, &origin), 2.0e9);
  EXPECT_NE(origin.find("fallback, not measured"), std::string::npos) << origin;
}

TEST(HostClock, SavedClocksAreLoadedInTheSameBootOnly) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dnnroof-clock-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  setenv("DNNROOF_CACHE_DIR", dir.c_str(), 1);
  const std::string path = host_clock_cache_path();
  EXPECT_EQ(path, (dir / "host-clock.txt").string());
  HostInfo info = detect_host_info();
  set_measured_clocks(info, {{1, 2.5e9, "measured: saved"}});
  ASSERT_TRUE(save_measured_clocks(info, path));
  const HostInfo again = detect_host_info();
  ASSERT_EQ(again.measured_clocks.size(), 1u);
  EXPECT_DOUBLE_EQ(again.measured_clocks[0].hz, 2.5e9);
  EXPECT_TRUE(again.clock_measured);
  EXPECT_NE(again.clock_note.find("saved by dnnroof"), std::string::npos) << again.clock_note;
  // Another boot id: ignored.
  std::string text;
  {
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) text += line + "\n";
  }
  const auto at = text.find("boot_id = ");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, text.find('\n', at) - at, "boot_id = another-boot");
  {
    std::ofstream out(path, std::ios::trunc);
    out << text;
  }
  EXPECT_TRUE(detect_host_info().measured_clocks.empty());
  EXPECT_FALSE(detect_host_info().clock_measured);
  unsetenv("DNNROOF_CACHE_DIR");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dnnroof

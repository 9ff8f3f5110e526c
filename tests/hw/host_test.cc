// Host detection: sane on the machine the tests run on, and the ISA -> peak
// rules on hand-made HostInfo values.

#include "hw/host.h"

#include <gtest/gtest.h>

#include <algorithm>

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
            "1 socket x 4 cores x 3.0 GHz x 32 FLOP/cycle = 384 GFLOP/s");
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

}  // namespace
}  // namespace dnnroof

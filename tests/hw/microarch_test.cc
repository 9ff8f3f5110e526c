// The per-microarchitecture FLOP/cycle table: identification (by model, and
// by ISA when a hypervisor reports a model number that does not fit) and the
// rates, checked against figures worked out here by hand from the cited
// sources (lanes x 2 FLOP per FMA x instructions per cycle).

#include "hw/detail/microarch.h"

#include <gtest/gtest.h>

#include <set>

namespace dnnroof {
namespace {

const std::vector<std::string> kSprFlags{"sse4_2",   "avx",         "avx2",        "fma",
                                         "avx512f",  "avx512_vnni", "avx512_bf16", "avx512_fp16",
                                         "amx_tile", "amx_bf16",    "amx_int8"};

double rate(const std::vector<MicroarchRate>& rates, DType p) {
  for (const auto& r : rates) {
    if (r.precision == p) return r.per_cycle;
  }
  return 0;
}

TEST(Microarch, SapphireRapidsByModel) {
  const MicroarchMatch m = identify_microarch("GenuineIntel", 6, 0x8F, kSprFlags);
  ASSERT_NE(m.entry, nullptr);
  EXPECT_EQ(m.entry->id, "sapphire-rapids");
  EXPECT_EQ(m.how, "cpuid family 6 model 143");
  // With AMX usable: bf16 on the tile unit, 16x16 outputs x 32 bf16 products
  // every 16 cycles = 512 MAC/cycle = 1024 FLOP/cycle; int8 K = 64: 2048.
  const auto amx = usable_rates(m, kSprFlags, true);
  EXPECT_DOUBLE_EQ(rate(amx, DType::bf16), 16.0 * 16 * 32 / 16 * 2);
  EXPECT_DOUBLE_EQ(rate(amx, DType::int8), 16.0 * 16 * 64 / 16 * 2);
  // fp32: 16 lanes x 2 FLOP x 2 FMA/cycle = 64; fp64 8 lanes: 32.
  EXPECT_DOUBLE_EQ(rate(amx, DType::fp32), 16.0 * 2 * 2);
  EXPECT_DOUBLE_EQ(rate(amx, DType::fp64), 8.0 * 2 * 2);
  // fp16 (AVX512-FP16): 32 lanes x 2 x 2/cycle = 128.
  EXPECT_DOUBLE_EQ(rate(amx, DType::fp16), 32.0 * 2 * 2);
}

TEST(Microarch, SapphireRapidsWithoutAmxHasBf16AtTheFp32Rate) {
  const MicroarchMatch m = identify_microarch("GenuineIntel", 6, 0xCF, kSprFlags);
  ASSERT_NE(m.entry, nullptr);
  // AMX not granted: VDPBF16PS zmm = 16 lanes x 2 products x 2 FLOP = 64
  // FLOP per instruction, one every 2 cycles (LLVM's SPR model) = 32, which
  // is half of the 64 FLOP/cycle of fp32 FMA, not twice it.
  const auto r = usable_rates(m, kSprFlags, false);
  EXPECT_DOUBLE_EQ(rate(r, DType::bf16), 16.0 * 2 * 2 / 2);
  EXPECT_LT(rate(r, DType::bf16), rate(r, DType::fp32));
  // int8 VPDPBUSD zmm: 16 lanes x 4 products x 2 OP x 2/cycle = 256.
  EXPECT_DOUBLE_EQ(rate(r, DType::int8), 16.0 * 4 * 2 * 2);
  // AMX flags absent from the ISA (hidden by a hypervisor): same.
  const std::vector<std::string> hidden{"avx2",        "fma",         "avx512f",
                                        "avx512_vnni", "avx512_bf16", "avx512_fp16"};
  EXPECT_DOUBLE_EQ(rate(usable_rates(m, hidden, true), DType::bf16), 32);
}

TEST(Microarch, MaskedModelNumberIsRecognisedByIsa) {
  // This development VM: KVM reports model 167 (Rocket Lake, a client core
  // with one 512-bit FMA and no AVX512-FP16/AMX) for a Sapphire Rapids class
  // core. The model match does not fit the flags, so the ISA decides.
  const MicroarchMatch m = identify_microarch("GenuineIntel", 6, 167, kSprFlags);
  ASSERT_NE(m.entry, nullptr);
  EXPECT_EQ(m.entry->id, "sapphire-rapids");
  EXPECT_NE(m.how.find("by its ISA flags"), std::string::npos) << m.how;
  EXPECT_NE(m.how.find("Rocket Lake"), std::string::npos) << m.how;
  // A real Rocket Lake (no FP16, no AMX): one 512-bit FMA, 16 x 2 x 1 = 32.
  const std::vector<std::string> rkl{"avx2", "fma", "avx512f", "avx512_vnni"};
  const MicroarchMatch r = identify_microarch("GenuineIntel", 6, 167, rkl);
  ASSERT_NE(r.entry, nullptr);
  EXPECT_EQ(r.entry->id, "sunny-cove-client");
  EXPECT_DOUBLE_EQ(rate(usable_rates(r, rkl, false), DType::fp32), 32);
}

TEST(Microarch, UnknownModelTakesTheFastestClassTheFlagsFit) {
  // AVX-512 without FP16: Skylake-SP, Ice Lake-SP or a client Sunny Cove;
  // the upper bound (2 x 512-bit FMA) is taken and said to be one.
  const std::vector<std::string> f{"avx2", "fma", "avx512f", "avx512_vnni"};
  const MicroarchMatch m = identify_microarch("GenuineIntel", 6, 0x01, f);
  ASSERT_NE(m.entry, nullptr);
  EXPECT_DOUBLE_EQ(rate(usable_rates(m, f, false), DType::fp32), 64);
  EXPECT_NE(m.how.find("upper bound"), std::string::npos) << m.how;
}

TEST(Microarch, SkylakeSpHalfRateSkus) {
  const std::vector<std::string> f{"avx2", "fma", "avx512f"};
  const MicroarchMatch gold6 =
      identify_microarch("GenuineIntel", 6, 0x55, f, "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz");
  const MicroarchMatch silver =
      identify_microarch("GenuineIntel", 6, 0x55, f, "Intel(R) Xeon(R) Silver 4114 CPU @ 2.20GHz");
  ASSERT_NE(gold6.entry, nullptr);
  ASSERT_NE(silver.entry, nullptr);
  EXPECT_FALSE(gold6.half_rate);
  EXPECT_TRUE(silver.half_rate);
  EXPECT_DOUBLE_EQ(rate(usable_rates(gold6, f, false), DType::fp64), 32);
  EXPECT_DOUBLE_EQ(rate(usable_rates(silver, f, false), DType::fp64), 16);
  // No VNNI flag (Skylake-SP, not Cascade Lake): no int8 rate.
  EXPECT_DOUBLE_EQ(rate(usable_rates(gold6, f, false), DType::int8), 0);
}

TEST(Microarch, AmdGenerations) {
  const std::vector<std::string> avx2{"avx2", "fma"};
  // Zen (family 17h, model 01h): 2 FMA pipes of 128 bits: fp64 2 lanes x 2 x 2 = 8.
  const MicroarchMatch zen = identify_microarch("AuthenticAMD", 0x17, 0x01, avx2);
  ASSERT_NE(zen.entry, nullptr);
  EXPECT_EQ(zen.entry->id, "zen");
  EXPECT_DOUBLE_EQ(rate(usable_rates(zen, avx2, false), DType::fp64), 8);
  // Zen 2 (17h model 31h, EPYC Rome): 256-bit pipes: 4 x 2 x 2 = 16; fp32 32.
  const MicroarchMatch zen2 = identify_microarch("AuthenticAMD", 0x17, 0x31, avx2);
  ASSERT_NE(zen2.entry, nullptr);
  EXPECT_EQ(zen2.entry->id, "zen2");
  EXPECT_DOUBLE_EQ(rate(usable_rates(zen2, avx2, false), DType::fp32), 32);
  // Zen 4 (19h model 11h, EPYC Genoa): AVX-512 over 256-bit pipes, so fp32
  // is still 32 FLOP/cycle, not the 64 of a 2 x 512-bit Intel core.
  const std::vector<std::string> avx512{"avx2", "fma", "avx512f", "avx512_bf16"};
  const MicroarchMatch zen4 = identify_microarch("AuthenticAMD", 0x19, 0x11, avx512);
  ASSERT_NE(zen4.entry, nullptr);
  EXPECT_EQ(zen4.entry->id, "zen4");
  EXPECT_DOUBLE_EQ(rate(usable_rates(zen4, avx512, false), DType::fp32), 32);
  EXPECT_DOUBLE_EQ(rate(usable_rates(zen4, avx512, false), DType::bf16), 0);  // not tabulated
}

TEST(Microarch, UnknownVendorIsNotInTheTable) {
  EXPECT_EQ(identify_microarch("HygonGenuine", 0x18, 0, {"avx2"}).entry, nullptr);
  EXPECT_EQ(identify_microarch("", 0, 0, {}).entry, nullptr);
}

TEST(Microarch, EveryRateHasASourceAndAnInstruction) {
  std::set<std::string_view> ids;
  for (const MicroarchEntry& e : microarch_table()) {
    EXPECT_TRUE(ids.insert(e.id).second) << "duplicate id " << e.id;
    EXPECT_FALSE(e.name.empty());
    EXPECT_FALSE(e.models.empty()) << e.id;
    EXPECT_FALSE(e.rates.empty()) << e.id;
    for (const MicroarchRate& r : e.rates) {
      EXPECT_GT(r.per_cycle, 0) << e.id;
      EXPECT_FALSE(r.path.empty()) << e.id;
      EXPECT_GT(r.source.size(), 20u) << e.id;
    }
  }
}

}  // namespace
}  // namespace dnnroof

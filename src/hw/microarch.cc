#include "hw/detail/microarch.h"

#include <algorithm>
#include <map>

namespace dnnroof {
namespace {

// Sources, cited by every rate that rests on them.
constexpr std::string_view kIntelOrm =
    "Intel 64 and IA-32 Architectures Optimization Reference Manual (order no. 248966), the "
    "execution-unit tables of each microarchitecture";
constexpr std::string_view kAgner =
    "Agner Fog, 'Instruction tables' and 'The microarchitecture of Intel, AMD and VIA CPUs' "
    "(agner.org/optimize)";
constexpr std::string_view kSkxFma =
    "Intel Optimization Reference Manual (248966), Skylake Server microarchitecture: 512-bit FMA "
    "on port 0 (ports 0+1 fused) and, on Xeon Platinum and most Gold 6xxx, a second on port 5 "
    "(the manual's FMA-unit-count test tells them apart); WikiChip 'Skylake (server)'";
constexpr std::string_view kSprFma =
    "Chips and Cheese, 'Sapphire Rapids: Golden Cove Hits Servers' "
    "(chipsandcheese.com/p/a-peek-at-sapphire-rapids): 2 x 512-bit FMA throughput as on Intel "
    "server cores since Skylake-X; Intel Optimization Reference Manual (248966)";
constexpr std::string_view kSprBf16 =
    "LLVM's Sapphire Rapids scheduling model (llvm-project "
    "llvm/lib/Target/X86/X86SchedSapphireRapids.td, SPRWriteResGroup289): VDPBF16PSZr takes "
    "port 0 and port 5 for 2 cycles each (4 uops), so one 512-bit VDPBF16PS (32 bf16 "
    "multiply-adds) every 2 cycles; dnnroof probe measured the same here (docs/probe.md)";
constexpr std::string_view kAmx =
    "Intel, 'Accelerate Artificial Intelligence (AI) Workloads with Intel Advanced Matrix "
    "Extensions (Intel AMX)': 2048 INT8 or 1024 BF16 operations per cycle per core "
    "(TDPBUSD/TDPBF16PS: 16x16 tile x K=64/32 every 16 cycles)";
constexpr std::string_view kVnni512 =
    "Intel Optimization Reference Manual (248966), AVX-512 VNNI: VPDPBUSD runs on the 512-bit "
    "FMA ports (0 and 5), 64 u8 x s8 multiply-adds per instruction; measured 2 per cycle here "
    "(docs/probe.md)";
constexpr std::string_view kAmdZen =
    "AMD Software Optimization Guide for AMD Family 17h Processors (pub. 55723): four FP pipes, "
    "two of them FMA, 128 bits wide (Zen, Zen+)";
constexpr std::string_view kAmdZen2 =
    "AMD Software Optimization Guide for AMD Family 17h Models 30h and Greater (pub. 56305) and "
    "Family 19h (pub. 56665): two 256-bit FMA pipes (Zen 2, Zen 3)";
constexpr std::string_view kAmdZen4 =
    "AMD Software Optimization Guide for AMD Family 19h Models 10h+ (Zen 4, pub. 57647): two "
    "256-bit FMA pipes; a 512-bit operation occupies a pipe for two cycles ('double pumped'); "
    "Chips and Cheese 'AMD's Zen 4 Part 1'";

std::vector<MicroarchEntry> make_table() {
  using R = MicroarchRate;
  std::vector<MicroarchEntry> t;

  // --- Intel (family 6) ---
  t.push_back({"haswell",
               "Intel Haswell / Broadwell",
               "GenuineIntel",
               6,
               {{0x3C, 0x3C},
                {0x3F, 0x3F},
                {0x45, 0x46},
                {0x3D, 0x3D},
                {0x47, 0x47},
                {0x4F, 0x4F},
                {0x56, 0x56}},
               {"avx2", "fma"},
               {"avx512f"},
               {R{DType::fp64, 16, "fma", "VFMADD231PD ymm x 2/cycle (ports 0, 1)", kIntelOrm},
                R{DType::fp32, 32, "fma", "VFMADD231PS ymm x 2/cycle (ports 0, 1)", kIntelOrm}},
               {},
               ""});
  t.push_back({"skylake-client",
               "Intel Skylake / Kaby / Coffee / Comet Lake (client)",
               "GenuineIntel",
               6,
               {{0x4E, 0x4E}, {0x5E, 0x5E}, {0x8E, 0x8E}, {0x9E, 0x9E}, {0xA5, 0xA6}},
               {"avx2", "fma"},
               {"avx512f"},
               {R{DType::fp64, 16, "fma", "VFMADD231PD ymm x 2/cycle (ports 0, 1)", kAgner},
                R{DType::fp32, 32, "fma", "VFMADD231PS ymm x 2/cycle (ports 0, 1)", kAgner}},
               {},
               ""});
  t.push_back({"alder-lake",
               "Intel Alder Lake / Raptor Lake (Golden / Raptor Cove P-cores)",
               "GenuineIntel",
               6,
               {{0x97, 0x97}, {0x9A, 0x9A}, {0xB7, 0xB7}, {0xBA, 0xBA}, {0xBF, 0xBF}},
               {"avx2", "fma"},
               {"avx512f"},
               {R{DType::fp64, 16, "fma", "VFMADD231PD ymm x 2/cycle (ports 0, 1)", kIntelOrm},
                R{DType::fp32, 32, "fma", "VFMADD231PS ymm x 2/cycle (ports 0, 1)", kIntelOrm},
                R{DType::int8, 128, "avx_vnni", "VPDPBUSD ymm x 2/cycle (ports 0, 1)", kIntelOrm}},
               {},
               "hybrid: the E-cores (Gracemont) have 128-bit FMA units, so the P-core rate "
               "taken for every core is an upper bound"});
  t.push_back(
      {"sunny-cove-client",
       "Intel Ice Lake / Tiger Lake / Rocket Lake (client, one 512-bit FMA)",
       "GenuineIntel",
       6,
       {{0x7D, 0x7E}, {0x8C, 0x8D}, {0xA7, 0xA7}},
       {"avx512f"},
       {"avx512_fp16", "amx_tile", "amx_bf16"},
       {R{DType::fp64, 16, "avx512f", "VFMADD231PD zmm x 1/cycle (ports 0+1 fused)", kIntelOrm},
        R{DType::fp32, 32, "avx512f", "VFMADD231PS zmm x 1/cycle (ports 0+1 fused)", kIntelOrm},
        R{DType::int8, 128, "avx512_vnni", "VPDPBUSD zmm x 1/cycle (ports 0+1 fused)", kIntelOrm}},
       {},
       ""});
  t.push_back(
      {"skylake-sp",
       "Intel Skylake-SP / Cascade Lake / Cooper Lake (Xeon Scalable 1st-3rd gen)",
       "GenuineIntel",
       6,
       {{0x55, 0x55}},
       {"avx512f"},
       {"avx512_fp16", "amx_tile", "amx_bf16"},
       {R{DType::fp64, 32, "avx512f", "VFMADD231PD zmm x 2/cycle (ports 0, 5)", kSkxFma},
        R{DType::fp32, 64, "avx512f", "VFMADD231PS zmm x 2/cycle (ports 0, 5)", kSkxFma},
        R{DType::int8, 256, "avx512_vnni", "VPDPBUSD zmm x 2/cycle (ports 0, 5)", kVnni512}},
       {"Bronze", "Silver", "Gold 5"},
       "Xeon Bronze, Silver and most Gold 5xxx have one 512-bit FMA unit (half these "
       "rates; Gold 5122/5222 have two); Cooper Lake's AVX512_BF16 rate is not tabulated"});
  t.push_back(
      {"ice-lake-sp",
       "Intel Ice Lake-SP (Xeon Scalable 3rd gen)",
       "GenuineIntel",
       6,
       {{0x6A, 0x6A}, {0x6C, 0x6C}},
       {"avx512f", "avx512_vnni"},
       {"avx512_fp16", "amx_tile", "amx_bf16", "avx512_bf16"},
       {R{DType::fp64, 32, "avx512f", "VFMADD231PD zmm x 2/cycle (ports 0, 5)", kIntelOrm},
        R{DType::fp32, 64, "avx512f", "VFMADD231PS zmm x 2/cycle (ports 0, 5)", kIntelOrm},
        R{DType::int8, 256, "avx512_vnni", "VPDPBUSD zmm x 2/cycle (ports 0, 5)", kVnni512}},
       {},
       ""});
  t.push_back(
      {"sapphire-rapids",
       "Intel Sapphire / Emerald / Granite Rapids (Xeon Scalable 4th-6th gen server cores)",
       "GenuineIntel",
       6,
       {{0x8F, 0x8F}, {0xCF, 0xCF}, {0xAD, 0xAE}},
       {"avx512f", "avx512_fp16"},
       {},
       {R{DType::fp64, 32, "avx512f", "VFMADD231PD zmm x 2/cycle (ports 0, 5)", kSprFma},
        R{DType::fp32, 64, "avx512f", "VFMADD231PS zmm x 2/cycle (ports 0, 5)", kSprFma},
        R{DType::fp16, 128, "avx512_fp16", "VFMADD231PH zmm x 2/cycle (ports 0, 5)", kSprFma},
        R{DType::bf16, 32, "avx512_bf16",
          "VDPBF16PS zmm x 1 per 2 cycles (ports 0 and 5, 2 cycles each): the same rate as "
          "fp32, not twice it",
          kSprBf16},
        R{DType::int8, 256, "avx512_vnni", "VPDPBUSD zmm x 2/cycle (ports 0, 5)", kVnni512},
        R{DType::bf16, 1024, "amx_bf16", "AMX TDPBF16PS (tile unit)", kAmx, true},
        R{DType::int8, 2048, "amx_int8", "AMX TDPBUSD (tile unit)", kAmx, true}},
       {},
       "bf16 and int8 run fastest on AMX, which counts only where cpuid lists it, XCR0 enables "
       "its state and the kernel grants it (arch_prctl ARCH_REQ_XCOMP_PERM); without AMX bf16 is "
       "the AVX-512 VDPBF16PS rate, the same as fp32"});

  // --- AMD ---
  t.push_back(
      {"zen",
       "AMD Zen / Zen+",
       "AuthenticAMD",
       0x17,
       {{0x00, 0x2F}},
       {"avx2", "fma"},
       {"avx512f"},
       {R{DType::fp64, 8, "fma", "VFMADD231PD ymm as 2 x 128-bit halves, 2 pipes", kAmdZen},
        R{DType::fp32, 16, "fma", "VFMADD231PS ymm as 2 x 128-bit halves, 2 pipes", kAmdZen}},
       {},
       ""});
  t.push_back({"zen2",
               "AMD Zen 2",
               "AuthenticAMD",
               0x17,
               {{0x30, 0xFF}},
               {"avx2", "fma"},
               {"avx512f"},
               {R{DType::fp64, 16, "fma", "VFMADD231PD ymm x 2/cycle", kAmdZen2},
                R{DType::fp32, 32, "fma", "VFMADD231PS ymm x 2/cycle", kAmdZen2}},
               {},
               ""});
  t.push_back({"zen3",
               "AMD Zen 3",
               "AuthenticAMD",
               0x19,
               {{0x00, 0x0F}, {0x20, 0x5F}},
               {"avx2", "fma"},
               {"avx512f"},
               {R{DType::fp64, 16, "fma", "VFMADD231PD ymm x 2/cycle", kAmdZen2},
                R{DType::fp32, 32, "fma", "VFMADD231PS ymm x 2/cycle", kAmdZen2}},
               {},
               ""});
  t.push_back(
      {"zen4",
       "AMD Zen 4",
       "AuthenticAMD",
       0x19,
       {{0x10, 0x1F}, {0x60, 0xAF}},
       {"avx512f"},
       {},
       {R{DType::fp64, 16, "avx512f", "VFMADD231PD zmm x 1/cycle (2 x 256-bit pipes)", kAmdZen4},
        R{DType::fp32, 32, "avx512f", "VFMADD231PS zmm x 1/cycle (2 x 256-bit pipes)", kAmdZen4}},
       {},
       "AVX-512 BF16 and VNNI rates are not tabulated for Zen 4"});
  return t;
}

bool has(const std::vector<std::string>& isa, std::string_view flag) {
  return std::find(isa.begin(), isa.end(), flag) != isa.end();
}

// The flags of `isa` that contradict `e` ("" when none): a never_isa flag
// present, or a has_isa flag missing.
std::string misfit(const MicroarchEntry& e, const std::vector<std::string>& isa) {
  for (auto f : e.never_isa) {
    if (has(isa, f)) return std::string(f);
  }
  for (auto f : e.has_isa) {
    if (!has(isa, f)) return "no " + std::string(f);
  }
  return {};
}

double fp32_rate(const MicroarchEntry& e) {
  for (const auto& r : e.rates) {
    if (r.precision == DType::fp32) return r.per_cycle;
  }
  return 0;
}

bool half_rate_brand(const MicroarchEntry& e, std::string_view brand) {
  return std::any_of(e.half_rate_brands.begin(), e.half_rate_brands.end(),
                     [&](std::string_view m) { return brand.find(m) != std::string_view::npos; });
}

}  // namespace

std::span<const MicroarchEntry> microarch_table() {
  static const std::vector<MicroarchEntry> table = make_table();
  return table;
}

MicroarchMatch identify_microarch(std::string_view vendor, int family, int model,
                                  const std::vector<std::string>& isa, std::string_view brand) {
  MicroarchMatch m;
  std::string rejected;
  for (const MicroarchEntry& e : microarch_table()) {
    if (e.vendor != vendor || e.family != family) continue;
    const bool listed = std::any_of(e.models.begin(), e.models.end(), [&](const auto& range) {
      return model >= range.first && model <= range.second;
    });
    if (!listed) continue;
    if (const std::string bad = misfit(e, isa); !bad.empty()) {
      rejected = "cpuid family " + std::to_string(family) + " model " + std::to_string(model) +
                 " would be " + std::string(e.name) + ", which does not fit its flags (" + bad +
                 ")";
      break;
    }
    m.entry = &e;
    m.how = "cpuid family " + std::to_string(family) + " model " + std::to_string(model);
    m.half_rate = half_rate_brand(e, brand);
    return m;
  }
  // By ISA: the fastest entry of this vendor the flags fit (an upper bound
  // when the flags cannot tell classes apart).
  const MicroarchEntry* best = nullptr;
  for (const MicroarchEntry& e : microarch_table()) {
    if (e.vendor != vendor || !misfit(e, isa).empty()) continue;
    if (best == nullptr || fp32_rate(e) > fp32_rate(*best) ||
        (fp32_rate(e) == fp32_rate(*best) && e.has_isa.size() > best->has_isa.size())) {
      best = &e;
    }
  }
  if (best == nullptr) return m;
  m.entry = best;
  m.how = "by its ISA flags (" +
          (rejected.empty() ? "cpuid family " + std::to_string(family) + " model " +
                                  std::to_string(model) + " is not in the table"
                            : rejected) +
          "); the fastest class these flags fit, an upper bound";
  m.half_rate = half_rate_brand(*best, brand);
  return m;
}

std::vector<MicroarchRate> usable_rates(const MicroarchMatch& match,
                                        const std::vector<std::string>& isa, bool matrix_usable) {
  std::vector<MicroarchRate> out;
  if (match.entry == nullptr) return out;
  std::map<DType, MicroarchRate> best;
  for (MicroarchRate r : match.entry->rates) {
    if (!r.needs.empty() && !has(isa, r.needs)) continue;
    if (r.matrix && !matrix_usable) continue;
    if (match.half_rate && !r.matrix) r.per_cycle /= 2;
    auto it = best.find(r.precision);
    if (it == best.end() || r.per_cycle > it->second.per_cycle) best[r.precision] = r;
  }
  for (const auto& [p, r] : best) out.push_back(r);
  return out;
}

}  // namespace dnnroof

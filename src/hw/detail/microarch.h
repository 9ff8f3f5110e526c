#pragma once
// Per-microarchitecture FLOP/cycle/core, with sources. The host's
// theoretical peak is cores x sustained clock x FLOP/cycle; the FLOP/cycle
// of each precision comes from this table, not from the vector width alone:
// an instruction set extension says what a core can execute, not how fast
// (AVX-512 BF16's VDPBF16PS runs at half the rate of a 512-bit FMA on
// Sapphire Rapids, so bf16 there is not 2 x fp32). A CPU that is not in the
// table gets the vector-width formula as a stated assumption (host.cc).

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"

namespace dnnroof {

// One precision's dense rate on one core.
struct MicroarchRate {
  DType precision = DType::fp32;
  double per_cycle = 0;     // FLOP (int8: OP) per cycle per core
  std::string_view needs;   // ISA flag (HostInfo spelling) the rate needs; empty: none
  std::string_view path;    // the instruction and how it issues: "VFMADD231PS zmm x 2/cycle"
  std::string_view source;  // where the figure comes from
  bool matrix = false;      // a matrix engine (AMX): needs the OS to grant its state
};

struct MicroarchEntry {
  std::string_view id;      // "sapphire-rapids"
  std::string_view name;    // "Intel Sapphire Rapids / Emerald Rapids (Golden Cove server cores)"
  std::string_view vendor;  // cpuid vendor: "GenuineIntel", "AuthenticAMD"
  int family = 0;           // display family (cpuid leaf 1, with the extended family)
  // Display models (with the extended model) as inclusive ranges.
  std::vector<std::pair<int, int>> models;
  // ISA flags every CPU of this class has: used to recognise it when the
  // model number is masked (virtual machines), and to reject a model match
  // whose flags do not fit.
  std::vector<std::string_view> has_isa;
  // Flags no CPU of this class has: a model match showing one is rejected
  // (a hypervisor reporting a client model number for a server core).
  std::vector<std::string_view> never_isa;
  std::vector<MicroarchRate> rates;
  // Brand-string markers of SKUs with half the 512-bit FMA rate (one FMA
  // unit: Xeon Bronze/Silver, most Gold 5xxx of Skylake-SP/Cascade Lake).
  std::vector<std::string_view> half_rate_brands;
  std::string_view note;  // anything a reader of the figures should know
};

// The table, in the order entries are tried.
std::span<const MicroarchEntry> microarch_table();

// What identified the CPU and how.
struct MicroarchMatch {
  const MicroarchEntry* entry = nullptr;  // nullptr: not in the table
  std::string how;         // "cpuid family 6 model 143" / "by its ISA (model 167 is ...)"
  bool half_rate = false;  // a half-rate SKU (one 512-bit FMA unit), from the brand
};

// Identifies a CPU: by vendor, family and model when an entry lists them
// and the ISA flags fit it (none of its never_isa flags, all of its
// has_isa); else by ISA flags alone among the entries of the same vendor
// (the most specific, i.e. longest has_isa, that fits). Pure.
MicroarchMatch identify_microarch(std::string_view vendor, int family, int model,
                                  const std::vector<std::string>& isa, std::string_view brand = {});

// The rates of `match` that this CPU can use: those whose `needs` flag is in
// `isa` (matrix rates also need `matrix_usable`), halved for a half-rate
// SKU's vector rates. One per precision: the highest. Pure.
std::vector<MicroarchRate> usable_rates(const MicroarchMatch& match,
                                        const std::vector<std::string>& isa, bool matrix_usable);

}  // namespace dnnroof

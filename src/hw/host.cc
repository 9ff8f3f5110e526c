#include "hw/host.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "core/strings.h"
#include "core/text_file.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "hw/detail/dmi.h"
#include "hw/detail/host_clock_file.h"
#include "hw/detail/microarch.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define DNNROOF_X86 1
#else
#define DNNROOF_X86 0
#endif

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

// "48K", "2048K", "256M", "1G" (sysfs cache sizes, binary) -> bytes; 0 if bad.
double parse_sysfs_size(std::string_view text) {
  std::size_t i = 0;
  double v = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') v = v * 10 + (text[i++] - '0');
  if (i == 0) return 0;
  const std::string_view suffix = text.substr(i);
  if (suffix.empty()) return v;
  if (suffix == "K") return v * 1024.0;
  if (suffix == "M") return v * 1024.0 * 1024.0;
  if (suffix == "G") return v * 1024.0 * 1024.0 * 1024.0;
  return 0;
}

struct CpuinfoFacts {
  std::string model;
  std::vector<std::string> flags;  // "flags" (x86) or "Features" (Arm)
  int processors = 0;
  std::set<std::string> packages;                       // physical id
  std::set<std::pair<std::string, std::string>> cores;  // (physical id, core id)
  double mhz = 0;                                       // "cpu MHz" of the first CPU
  std::string vendor;                                   // "vendor_id"
  int family = 0;                                       // "cpu family"
  int model_number = 0;                                 // "model"
};

CpuinfoFacts read_cpuinfo() {
  CpuinfoFacts facts;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  std::string package;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, colon));
    const std::string value = trim(std::string_view(line).substr(colon + 1));
    if (key == "processor") {
      ++facts.processors;
    } else if ((key == "model name" || key == "Processor" || key == "cpu model") &&
               facts.model.empty()) {
      facts.model = value;
    } else if ((key == "flags" || key == "Features") && facts.flags.empty()) {
      for (auto& f : split(value, ' ')) {
        if (!f.empty()) facts.flags.push_back(f);
      }
    } else if (key == "physical id") {
      package = value;
      facts.packages.insert(value);
    } else if (key == "core id") {
      facts.cores.emplace(package, value);
    } else if (key == "cpu MHz" && facts.mhz == 0) {
      facts.mhz = std::atof(value.c_str());
    } else if (key == "vendor_id" && facts.vendor.empty()) {
      facts.vendor = value;
    } else if (key == "cpu family" && facts.family == 0) {
      facts.family = std::atoi(value.c_str());
    } else if (key == "model" && facts.model_number == 0) {
      facts.model_number = std::atoi(value.c_str());
    }
  }
  return facts;
}

// The logical CPUs' directories in sysfs (/sys/devices/system/cpu/cpuN);
// empty when there is no sysfs.
std::vector<fs::path> sysfs_cpu_dirs() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/devices/system/cpu", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 4 || name.compare(0, 3, "cpu") != 0 ||
        !std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    out.push_back(entry.path());
  }
  return out;
}

// Sockets and physical cores from /sys when /proc/cpuinfo has no topology.
void read_sysfs_topology(HostInfo& info) {
  std::set<std::string> packages;
  std::set<std::pair<std::string, std::string>> cores;
  const std::vector<fs::path> cpus = sysfs_cpu_dirs();
  for (const fs::path& cpu : cpus) {
    const std::string pkg = read_first_line(cpu / "topology/physical_package_id");
    const std::string core = read_first_line(cpu / "topology/core_id");
    packages.insert(pkg);
    cores.emplace(pkg, core.empty() ? cpu.filename().string() : core);
  }
  const int logical = static_cast<int>(cpus.size());
  if (logical == 0) return;
  if (info.logical_cpus == 0) info.logical_cpus = logical;
  info.sockets = std::max<int>(1, static_cast<int>(packages.size()));
  info.physical_cores = static_cast<int>(cores.size());
}

// Whole-machine cache sizes: each distinct (level, type, shared_cpu_list)
// counted once.
void read_caches(HostInfo& info) {
  std::set<std::string> seen;
  for (const fs::path& cpu : sysfs_cpu_dirs()) {
    const fs::path cache = cpu / "cache";
    std::error_code ec2;
    if (!fs::is_directory(cache, ec2)) continue;
    for (const auto& index : fs::directory_iterator(cache, ec2)) {
      if (index.path().filename().string().rfind("index", 0) != 0) continue;
      const std::string level = read_first_line(index.path() / "level");
      const std::string type = read_first_line(index.path() / "type");
      const std::string shared = read_first_line(index.path() / "shared_cpu_list");
      const double bytes = parse_sysfs_size(read_first_line(index.path() / "size"));
      if (level.empty() || bytes <= 0) continue;
      if (!seen.insert(fmt::format("{}/{}/{}", level, type, shared)).second) continue;
      if (level == "1" && type == "Data") info.l1d_bytes += bytes;
      if (level == "2" && type != "Instruction") info.l2_bytes += bytes;
      if (level == "3" && type != "Instruction") info.l3_bytes += bytes;
    }
  }
}

double read_memtotal_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit) {
    if (key == "MemTotal:") return kib * 1024.0;
  }
  return 0;
}

// The ISA flags dnnroof cares about, in Linux /proc/cpuinfo spelling.
constexpr std::array<std::string_view, 24> kInterestingFlags{
    "sse4_2",   "avx",      "avx2",        "fma",      "avx512f",     "avx512dq",
    "avx512bw", "avx512vl", "avx512_vnni", "avx_vnni", "avx512_bf16", "avx512_fp16",
    "amx_tile", "amx_bf16", "amx_int8",    "asimd",    "asimdhp",     "asimddp",
    "fphp",     "sve",      "sve2",        "bf16",     "i8mm",        "neon"};

struct CpuidFacts {
  bool available = false;
  std::string brand;
  std::string hypervisor;  // "KVM", "Microsoft Hv", ... when the hypervisor bit is set
  bool hypervisor_bit = false;
  std::vector<std::string> isa;
  double max_mhz = 0;  // leaf 0x16 EBX
  std::string vendor;  // leaf 0: "GenuineIntel"
  int family = 0;      // display family
  int model = 0;       // display model
};

#if DNNROOF_X86
// XCR0: which register states the OS saves (AVX needs bits 1-2, AVX-512
// 5-7, AMX 17-18).
std::uint64_t read_xcr0() {
  std::uint32_t eax = 0;
  std::uint32_t edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<std::uint64_t>(edx) << 32) | eax;
}

std::string registers_text(std::initializer_list<unsigned> regs) {
  std::string out;
  for (unsigned r : regs) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((r >> (8 * i)) & 0xff);
  }
  return out;
}

CpuidFacts read_cpuid() {
  CpuidFacts facts;
  unsigned a = 0, b = 0, c = 0, d = 0;
  const unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1) return facts;
  facts.available = true;
  __cpuid(0, a, b, c, d);
  facts.vendor = registers_text({b, d, c});
  if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
    std::string brand;
    for (unsigned leaf = 0x80000002; leaf <= 0x80000004; ++leaf) {
      __cpuid(leaf, a, b, c, d);
      brand += registers_text({a, b, c, d});
    }
    facts.brand = trim(brand.c_str());
  }
  __cpuid(1, a, b, c, d);
  {
    const unsigned base_family = (a >> 8) & 0xf;
    const unsigned base_model = (a >> 4) & 0xf;
    facts.family =
        static_cast<int>(base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family);
    facts.model = static_cast<int>((base_family == 0x6 || base_family == 0xf)
                                       ? (((a >> 16) & 0xf) << 4) | base_model
                                       : base_model);
  }
  const bool osxsave = (c >> 27) & 1;
  const std::uint64_t xcr0 = osxsave ? read_xcr0() : 0;
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;
  const bool os_amx = (xcr0 & 0x60000) == 0x60000;
  auto add = [&](bool present, std::string_view name) {
    if (present) facts.isa.emplace_back(name);
  };
  add((c >> 20) & 1, "sse4_2");
  add(((c >> 28) & 1) && os_avx, "avx");
  facts.hypervisor_bit = (c >> 31) & 1;
  const bool fma = ((c >> 12) & 1) && os_avx;
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    const unsigned sub_leaves = a;
    add(((b >> 5) & 1) && os_avx, "avx2");
    add(fma, "fma");
    add(((b >> 16) & 1) && os_avx512, "avx512f");
    add(((b >> 17) & 1) && os_avx512, "avx512dq");
    add(((b >> 30) & 1) && os_avx512, "avx512bw");
    add(((b >> 31) & 1) && os_avx512, "avx512vl");
    add(((c >> 11) & 1) && os_avx512, "avx512_vnni");
    const unsigned edx7 = d;
    if (sub_leaves >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      add(((a >> 4) & 1) && os_avx, "avx_vnni");
      add(((a >> 5) & 1) && os_avx512, "avx512_bf16");
    }
    add(((edx7 >> 23) & 1) && os_avx512, "avx512_fp16");
    add(((edx7 >> 24) & 1) && os_amx, "amx_tile");
    add(((edx7 >> 22) & 1) && os_amx, "amx_bf16");
    add(((edx7 >> 25) & 1) && os_amx, "amx_int8");
  } else {
    add(fma, "fma");
  }
  if (max_leaf >= 0x16) {
    __cpuid_count(0x16, 0, a, b, c, d);
    facts.max_mhz = b & 0xffff;
  }
  if (facts.hypervisor_bit) {
    __cpuid(0x40000000, a, b, c, d);
    facts.hypervisor = trim(registers_text({b, c, d}).c_str());
    if (facts.hypervisor == "KVMKVMKVM") facts.hypervisor = "KVM";
  }
  return facts;
}
#else
CpuidFacts read_cpuid() { return {}; }
#endif

// "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz" -> 2.4e9; 0 when absent.
double brand_clock_hz(std::string_view brand) {
  const auto at = brand.find('@');
  if (at == std::string_view::npos) return 0;
  const std::string rest = trim(brand.substr(at + 1));
  try {
    return parse_quantity(rest, "Hz");
  } catch (const std::exception&) {
    return 0;
  }
}

bool has(const std::vector<std::string>& isa, std::string_view flag) {
  return std::find(isa.begin(), isa.end(), flag) != isa.end();
}

// Catalog spelling of an ISA flag: "sse4.2", "amx-bf16"; others unchanged.
std::string catalog_isa_name(std::string_view flag) {
  if (flag == "sse4_2") return "sse4.2";
  std::string out(flag);
  if (out.rfind("amx_", 0) == 0) out[3] = '-';
  return out;
}

// AMX usable by this process: the kernel grants the tile-data state
// (Linux: arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); see the
// kernel's Documentation/arch/x86/xstate.rst). Only asked when cpuid and
// XCR0 already allow AMX. `why` says what refused it.
bool amx_permitted(std::string& why) {
#if defined(__linux__) && DNNROOF_X86
  constexpr long kArchReqXcompPerm = 0x1023;
  constexpr long kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0) return true;
  why = "the kernel refused the tile-data state (arch_prctl ARCH_REQ_XCOMP_PERM)";
  return false;
#else
  why = "no way to ask this OS for the AMX state";
  return false;
#endif
}

std::string threads_text(int n) { return fmt::format("{} thread{}", n, n == 1 ? "" : "s"); }

}  // namespace

HostInfo detect_host_info() {
  HostInfo info;
  const CpuidFacts cpuid = read_cpuid();
  const CpuinfoFacts cpuinfo = read_cpuinfo();

  info.cpu_model = !cpuid.brand.empty() ? cpuid.brand : cpuinfo.model;
  if (info.cpu_model.empty()) info.cpu_model = "unknown CPU";
  info.vendor_id = !cpuid.vendor.empty() ? cpuid.vendor : cpuinfo.vendor;
  info.cpu_family = cpuid.available ? cpuid.family : cpuinfo.family;
  info.cpu_model_number = cpuid.available ? cpuid.model : cpuinfo.model_number;
  info.virtualized = cpuid.hypervisor_bit || has(cpuinfo.flags, "hypervisor");
  if (cpuid.available) {
    info.isa = cpuid.isa;
  } else {
    for (auto f : kInterestingFlags) {
      if (has(cpuinfo.flags, f)) info.isa.emplace_back(f);
    }
  }
  // AMX: cpuid lists it and XCR0 enables it (read_cpuid requires both), and
  // the kernel must grant it to this process.
  if (has(info.isa, "amx_tile")) {
    std::string why;
    info.amx_usable = amx_permitted(why);
    if (info.amx_usable) {
      info.amx_note = "AMX usable: cpuid lists it, XCR0 enables its state, the kernel granted it";
    } else {
      info.amx_note = fmt::format("AMX not usable: {}; not part of the theoretical peak", why);
      std::erase_if(info.isa, [](const std::string& f) { return f.rfind("amx_", 0) == 0; });
    }
  } else if (has(cpuinfo.flags, "amx_tile")) {
    info.amx_note =
        "AMX not usable: /proc/cpuinfo lists it but XCR0 does not enable its state (the "
        "hypervisor or the OS hides it); not part of the theoretical peak";
  }

  info.logical_cpus = cpuinfo.processors;
  if (!cpuinfo.cores.empty()) {
    info.sockets = std::max<int>(1, static_cast<int>(cpuinfo.packages.size()));
    info.physical_cores = static_cast<int>(cpuinfo.cores.size());
  } else {
    read_sysfs_topology(info);
  }
  if (info.logical_cpus == 0) {
    info.logical_cpus = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  if (info.physical_cores == 0) info.physical_cores = info.logical_cpus;

  read_caches(info);
  info.memory_bytes = read_memtotal_bytes();
  if (auto dmi = detail::read_dmi_memory()) {
    info.memory_dimms = dmi->populated_devices;
    info.memory_mts = dmi->speed_mts;
  }

  // The fallback clock: the best of what this machine tells, in order of
  // trust. Used only when no clock was measured.
  const std::string max_freq =
      read_first_line("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");  // [kHz]
  const double brand_hz = brand_clock_hz(info.cpu_model);
  std::string& note = info.fallback_clock_note;
  if (!max_freq.empty() && std::atof(max_freq.c_str()) > 0) {
    info.fallback_clock_hz = std::atof(max_freq.c_str()) * 1e3;
    note =
        "cpufreq cpuinfo_max_freq: the highest (single-core turbo) clock; the all-core clock "
        "under a full load is lower, so the peaks are an upper bound";
  } else if (cpuid.max_mhz > 0) {
    info.fallback_clock_hz = cpuid.max_mhz * 1e6;
    note = "cpuid leaf 0x16 maximum frequency (no cpufreq in this system)";
  } else if (brand_hz > 0) {
    info.fallback_clock_hz = brand_hz;
    note = "the nominal clock in the CPU's brand string (no cpufreq, no cpuid leaf 0x16)";
  } else if (cpuinfo.mhz > 0) {
    info.fallback_clock_hz = cpuinfo.mhz * 1e6;
    note =
        "'cpu MHz' of /proc/cpuinfo, the TSC clock the kernel measured (no cpufreq, no cpuid "
        "leaf 0x16, no clock in the brand string)";
  } else {
    note = "unknown: no cpufreq, cpuid leaf 0x16, brand-string clock or 'cpu MHz'";
  }
  if (info.virtualized && max_freq.empty()) {
    note += fmt::format(
        "; this is a virtual machine{} that hides the real turbo clock, so this clock may "
        "understate what the cores reach",
        cpuid.hypervisor.empty() ? "" : fmt::format(" ({})", cpuid.hypervisor));
  }
  info.clock_hz = info.fallback_clock_hz;
  info.clock_note = fmt::format(
      "fallback, not measured: {}; `dnnroof probe` or `dnnroof chips show host` measures the "
      "sustained clock",
      note);
  if (std::vector<CoreClock> saved = load_saved_clocks(info); !saved.empty()) {
    set_measured_clocks(info, saved);
  }
  return info;
}

void set_measured_clocks(HostInfo& info, const std::vector<CoreClock>& clocks) {
  for (const CoreClock& c : clocks) {
    if (c.threads < 1 || !(c.hz > 0)) continue;
    std::erase_if(info.measured_clocks,
                  [&](const CoreClock& old) { return old.threads == c.threads; });
    info.measured_clocks.push_back(c);
  }
  std::sort(info.measured_clocks.begin(), info.measured_clocks.end(),
            [](const CoreClock& a, const CoreClock& b) { return a.threads < b.threads; });
  if (info.measured_clocks.empty()) return;
  // The peaks are all-core figures: the clock measured with the most cores.
  const CoreClock& all = info.measured_clocks.back();
  info.clock_hz = all.hz;
  info.clock_measured = true;
  std::vector<std::string> others;
  for (const CoreClock& c : info.measured_clocks) {
    others.push_back(fmt::format("{} on {}", format_si(c.hz, "Hz", 4), threads_text(c.threads)));
  }
  info.clock_note =
      fmt::format("{} ({}); the OS's figure, {} ({}), is not used", all.origin, join(others, ", "),
                  format_si(info.fallback_clock_hz, "Hz", 4), info.fallback_clock_note);
}

double host_clock_hz(const HostInfo& info, int threads, std::string* origin) {
  const CoreClock* below = nullptr;
  const CoreClock* above = nullptr;
  for (const CoreClock& c : info.measured_clocks) {
    if (c.threads <= threads && (below == nullptr || c.threads > below->threads)) below = &c;
    if (c.threads > threads && (above == nullptr || c.threads < above->threads)) above = &c;
  }
  const CoreClock* use = below != nullptr ? below : above;
  if (use == nullptr) {
    if (origin != nullptr)
      *origin = fmt::format("fallback, not measured: {}", info.fallback_clock_note);
    return info.fallback_clock_hz;
  }
  if (origin != nullptr) {
    *origin = use->threads == threads
                  ? use->origin
                  : fmt::format("measured on {} (none measured on {}): {}",
                                threads_text(use->threads), threads_text(threads), use->origin);
  }
  return use->hz;
}

HostRate host_rate(const HostInfo& info, DType precision) {
  HostRate out;
  const MicroarchMatch match = identify_microarch(info.vendor_id, info.cpu_family,
                                                  info.cpu_model_number, info.isa, info.cpu_model);
  if (match.entry != nullptr) {
    for (const MicroarchRate& r : usable_rates(match, info.isa, info.amx_usable)) {
      if (r.precision != precision) continue;
      out.per_cycle = r.per_cycle;
      out.path = std::string(r.path);
      if (match.half_rate && !r.matrix) out.path += ", halved: one 512-bit FMA unit on this SKU";
      out.source = std::string(r.source);
      out.from_table = true;
      out.matrix = r.matrix;
    }
    for (const MicroarchRate& r : usable_rates(match, info.isa, false)) {
      if (r.precision == precision) out.vector_per_cycle = r.per_cycle;
    }
    return out;
  }
  // Not in the table: the vector-width formula, an assumption stated as
  // such. The number of FMA pipes is not visible from software: assume 2
  // for AVX-512 and AVX2 cores (an upper bound: some have 1), 1 for
  // SSE-only cores; dot-product extensions at their full width (also an
  // upper bound: Sapphire Rapids runs VDPBF16PS at half that).
  const auto& isa = info.isa;
  int bits = 128;
  int units = 1;
  if (has(isa, "avx512f")) {
    bits = 512;
    units = 2;
  } else if (has(isa, "avx2") && has(isa, "fma")) {
    bits = 256;
    units = 2;
  } else if (has(isa, "avx")) {
    bits = 256;
  } else if (has(isa, "asimd") || has(isa, "neon")) {
    units = 2;
  }
  const double fp64 = 2.0 * (bits / 64.0) * units;
  out.source = fmt::format(
      "assumed, not from the microarchitecture table (no entry for {} family {} model {}): {} "
      "FMA unit{} of {} bits per core, an upper bound",
      info.vendor_id.empty() ? "this CPU" : info.vendor_id, info.cpu_family, info.cpu_model_number,
      units, units == 1 ? "" : "s", bits);
  switch (precision) {
    case DType::fp64:
      out.per_cycle = fp64;
      break;
    case DType::fp32:
      out.per_cycle = 2 * fp64;
      break;
    case DType::fp16:
      if (has(isa, "avx512_fp16") || has(isa, "asimdhp")) out.per_cycle = 4 * fp64;
      break;
    case DType::bf16:
      if (has(isa, "avx512_bf16") || has(isa, "bf16")) out.per_cycle = 4 * fp64;
      if (has(isa, "amx_bf16") && info.amx_usable) out.per_cycle = 1024;
      break;
    case DType::int8:
      if (has(isa, "avx512_vnni") || has(isa, "avx_vnni") || has(isa, "asimddp")) {
        out.per_cycle = 8 * fp64;
      }
      if (has(isa, "amx_int8") && info.amx_usable) out.per_cycle = 2048;
      break;
    default:
      break;
  }
  out.path = fmt::format("{}-bit vector FMA", bits);
  out.vector_per_cycle = out.per_cycle;
  if ((precision == DType::bf16 || precision == DType::int8) && out.per_cycle >= 1024) {
    out.path = "AMX tile unit";
    out.matrix = true;
    out.vector_per_cycle = precision == DType::bf16
                               ? (has(isa, "avx512_bf16") ? 4 * fp64 : 0)
                               : (has(isa, "avx512_vnni") || has(isa, "avx_vnni") ? 8 * fp64 : 0);
  }
  return out;
}

double host_peak_flops(const HostInfo& info, DType precision, int threads) {
  const int cores = std::clamp(threads, 1, std::max(1, info.physical_cores));
  return cores * host_clock_hz(info, cores) * host_rate(info, precision).per_cycle;
}

Chip host_chip(const HostInfo& info) {
  Chip chip;
  chip.id = "host";
  chip.name = fmt::format("{} (this machine)", info.cpu_model);
  chip.kind = ChipKind::cpu;
  if (info.cpu_model.find("Intel") != std::string::npos) chip.vendor = "Intel";
  if (info.cpu_model.find("AMD") != std::string::npos) chip.vendor = "AMD";
  chip.origin = "host";
  chip.source = "detected on this machine (cpuid, /proc/cpuinfo, /sys, /proc/meminfo)";

  CpuMicroarch cpu;
  cpu.sockets = std::max(1, info.sockets);
  cpu.cores_per_socket = std::max(1, info.physical_cores / cpu.sockets);
  cpu.threads_per_core = std::max(1, info.logical_cpus / std::max(1, info.physical_cores));
  cpu.allcore_clock_hz = info.clock_hz;
  cpu.clock_source = info.clock_measured ? "measured sustained all-core clock (see the notes)"
                                         : "fallback clock, not measured (see the notes)";
  for (const auto& f : info.isa) cpu.isa.push_back(catalog_isa_name(f));

  const MicroarchMatch match = identify_microarch(info.vendor_id, info.cpu_family,
                                                  info.cpu_model_number, info.isa, info.cpu_model);
  const auto& isa = info.isa;
  // The widest vector ISA and its FMA pipes, for the record (the rates
  // below come from the table when the CPU is in it).
  if (has(isa, "avx512f")) {
    cpu.simd_bits = 512;
  } else if (has(isa, "avx2") || has(isa, "avx")) {
    cpu.simd_bits = 256;
  } else {
    cpu.simd_bits = 128;
  }
  std::map<DType, HostRate> rates;
  for (DType p : {DType::fp64, DType::fp32, DType::fp16, DType::bf16, DType::int8}) {
    const HostRate r = host_rate(info, p);
    if (r.per_cycle > 0) {
      cpu.flops_per_cycle[p] = r.per_cycle;
      rates[p] = r;
    }
  }
  const double fp64_rate =
      cpu.flops_per_cycle.count(DType::fp64) ? cpu.flops_per_cycle[DType::fp64] : 0;
  cpu.fma_units = std::max(1, static_cast<int>(fp64_rate / (2.0 * cpu.simd_bits / 64.0) + 0.5));
  cpu.amx = info.amx_usable && (has(isa, "amx_bf16") || has(isa, "amx_int8"));
  // DRAM bandwidth needs channels and speed: DMI tells modules, not channels,
  // so take one module per channel (the usual server population; with two
  // per channel this doubles the figure, and the note says so).
  const bool have_dmi = info.memory_dimms > 0 && info.memory_mts > 0;
  if (have_dmi) {
    cpu.memory_channels = std::max(1, info.memory_dimms / cpu.sockets);
    cpu.memory_mts = info.memory_mts;
    cpu.memory_source = fmt::format(
        "DMI type 17: {} populated modules at {:g} MT/s, taken as one module per channel",
        info.memory_dimms, info.memory_mts);
  }
  chip.cpu = cpu;

  auto level = [&](std::string name, double bytes, std::string source) {
    MemoryLevel m;
    m.name = std::move(name);
    m.capacity.value = bytes;
    m.capacity.source = std::move(source);
    chip.memory.push_back(std::move(m));
  };
  const std::string sysfs = "sysfs /sys/devices/system/cpu/cpu*/cache (whole machine)";
  if (info.l1d_bytes > 0) level("L1d", info.l1d_bytes, sysfs);
  if (info.l2_bytes > 0) level("L2", info.l2_bytes, sysfs);
  if (info.l3_bytes > 0) level("L3", info.l3_bytes, sysfs);
  level("DRAM", info.memory_bytes, "/proc/meminfo MemTotal");
  chip.memory.back().is_main = true;

  derive_cpu_figures(chip);
  // Each peak says which clock and which FLOP/cycle figure it rests on.
  const std::string clock_word = info.clock_measured ? "measured clock" : "fallback clock";
  for (auto& [p, f] : chip.peak) {
    auto it = rates.find(p);
    if (it == rates.end()) continue;
    f.derivation += fmt::format(" ({}; {} {}/cycle: {})", clock_word, cpu.flops_per_cycle[p],
                                is_floating(p) ? "FLOP" : "OP", it->second.path);
    f.source = fmt::format("{}; clock: {}", it->second.source, info.clock_note);
  }

  std::vector<std::string> notes;
  if (match.entry != nullptr) {
    notes.push_back(
        fmt::format("microarchitecture: {} (identified {}); FLOP/cycle from "
                    "dnnroof's per-microarchitecture table (src/hw/microarch.cc)",
                    match.entry->name, match.how));
    if (!match.entry->note.empty()) notes.emplace_back(match.entry->note);
  } else {
    notes.push_back(fmt::format(
        "microarchitecture not in dnnroof's table ({} family {} model {}): FLOP/cycle assume {} "
        "FMA unit{} of {} bits per core (not visible from software), an upper bound",
        info.vendor_id.empty() ? "unknown vendor" : info.vendor_id, info.cpu_family,
        info.cpu_model_number, cpu.fma_units, cpu.fma_units == 1 ? "" : "s", cpu.simd_bits));
  }
  if (!info.amx_note.empty()) notes.push_back(info.amx_note);
  notes.push_back(fmt::format("clock: {}", info.clock_note));
  if (have_dmi) {
    notes.emplace_back(
        "DRAM bandwidth: from DMI, assuming one module per channel (two modules per channel "
        "would double-count); `dnnroof probe` measures it");
  } else if (info.virtualized) {
    notes.emplace_back(
        "DRAM bandwidth: not derivable inside a VM (memory channels hidden); run `dnnroof "
        "probe` or give it with --catalog");
  } else {
    notes.emplace_back(
        "DRAM bandwidth: memory channels and speed are not visible without root (DMI); run "
        "`dnnroof probe` or give it with --catalog");
  }
  chip.notes = join(notes, ". ");
  return chip;
}

Chip detect_host() { return host_chip(detect_host_info()); }

}  // namespace dnnroof

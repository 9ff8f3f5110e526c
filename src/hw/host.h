#pragma once
// Detects the machine dnnroof runs on and describes it as a Chip (id "host")
// with derived peaks, so the host is a chip like any other in every command.

#include <string>
#include <vector>

#include "hw/chip.h"

namespace dnnroof {

// A sustained core clock measured with `threads` cores busy at once.
struct CoreClock {
  int threads = 0;
  double hz = 0;       // per core
  std::string origin;  // how it was measured (and when, for a saved one)
};

struct HostInfo {
  std::string cpu_model;     // from cpuid brand string or /proc/cpuinfo
  std::string vendor_id;     // cpuid vendor ("GenuineIntel", "AuthenticAMD"); "" when unknown
  int cpu_family = 0;        // display family (cpuid leaf 1, with the extended family)
  int cpu_model_number = 0;  // display model (with the extended model)
  int sockets = 1;
  int physical_cores = 0;  // all sockets
  int logical_cpus = 0;
  std::vector<std::string> isa;  // from cpuid: sse4_2, avx, avx2, fma, avx512f, ..., amx_bf16
  // AMX (amx_* in `isa`) usable: cpuid lists it, XCR0 enables its state and
  // the kernel grants the tile data (arch_prctl ARCH_REQ_XCOMP_PERM).
  bool amx_usable = false;
  std::string amx_note;  // why AMX is or is not counted; "" when the CPU has no AMX
  // The clock the all-core peaks use: the measured all-core clock when one
  // is known (measured_clocks), else the fallback below.
  double clock_hz = 0;
  std::string clock_note;  // where it came from
  bool clock_measured = false;
  std::vector<CoreClock> measured_clocks;  // by thread count; from a probe or the saved file
  // What the OS tells (cpufreq max, cpuid leaf 0x16, brand string, or the
  // TSC rate as 'cpu MHz'): used only when no clock was measured.
  double fallback_clock_hz = 0;
  std::string fallback_clock_note;
  double l1d_bytes = 0, l2_bytes = 0, l3_bytes = 0;  // whole machine, from sysfs
  double memory_bytes = 0;                           // MemTotal
  bool virtualized = false;                          // cpuid hypervisor bit
  // From the DMI table (type 17) when readable (usually root only); 0 when not.
  int memory_dimms = 0;   // populated memory modules, all sockets
  double memory_mts = 0;  // [MT/s] their lowest configured speed
};

// Detects the host; the measured clocks saved by the last `dnnroof probe`
// (or `chips show host`) in this boot on this CPU are loaded and used.
HostInfo detect_host_info();

// Stores measured clocks (replacing those of the same thread counts) and
// makes the clock of the most threads measured the clock of the peaks.
void set_measured_clocks(HostInfo& info, const std::vector<CoreClock>& clocks);

// The clock of `threads` cores busy at once: the one measured at that count,
// else the one measured at the nearest count below it (a higher clock, so
// peaks stay upper bounds), else the nearest above, else the fallback.
// `origin` (optional) gets its description.
double host_clock_hz(const HostInfo& info, int threads, std::string* origin = nullptr);

// Where measured clocks are saved: host-clock.txt beside host-measured.toml
// (hw/catalog.h); "" when there is no cache directory.
std::string host_clock_cache_path();

// Saves info.measured_clocks for later commands (with the CPU, its logical
// CPU count and the boot id, which must match for them to be loaded).
// Returns false (and leaves no partial file) when it cannot write.
bool save_measured_clocks(const HostInfo& info, const std::string& path);

// The FLOP (int8: OP) per cycle per core of `precision` on this host and
// where the figure comes from; 0 when the host has no such rate.
struct HostRate {
  double per_cycle = 0;
  std::string path;    // the instruction
  std::string source;  // the table's source, or the assumption made
  bool from_table = false;
  bool matrix = false;          // the rate is a matrix engine's (AMX), not the vector units'
  double vector_per_cycle = 0;  // the best vector-unit rate of the precision (= per_cycle
                                // unless `matrix`)
};
HostRate host_rate(const HostInfo& info, DType precision);

// Theoretical peak [FLOP/s] of `threads` cores (at most the physical
// cores): threads x host_clock_hz(threads) x host_rate(...).per_cycle.
double host_peak_flops(const HostInfo& info, DType precision, int threads);

// The host as a chip: id "host", kind cpu, peaks derived from HostInfo.
Chip host_chip(const HostInfo& info);
Chip detect_host();

}  // namespace dnnroof

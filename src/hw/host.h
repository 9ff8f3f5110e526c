#pragma once
// Detects the machine dnnroof runs on and describes it as a Chip (id "host")
// with derived peaks, so the host is a chip like any other in every command.

#include <string>
#include <vector>

#include "hw/chip.h"

namespace dnnroof {

struct HostInfo {
  std::string cpu_model;  // from cpuid brand string or /proc/cpuinfo
  int sockets = 1;
  int physical_cores = 0;  // all sockets
  int logical_cpus = 0;
  std::vector<std::string> isa;  // from cpuid: sse4_2, avx, avx2, fma, avx512f, ..., amx_bf16
  double clock_hz = 0;           // the clock used for peaks
  std::string clock_note;        // where the clock came from / why a fallback was used
  double l1d_bytes = 0, l2_bytes = 0, l3_bytes = 0;  // whole machine, from sysfs
  double memory_bytes = 0;                           // MemTotal
  bool virtualized = false;                          // cpuid hypervisor bit
  // From the DMI table (type 17) when readable (usually root only); 0 when not.
  int memory_dimms = 0;   // populated memory modules, all sockets
  double memory_mts = 0;  // [MT/s] their lowest configured speed
};

HostInfo detect_host_info();

// The host as a chip: id "host", kind cpu, peaks derived from HostInfo.
Chip host_chip(const HostInfo& info);
Chip detect_host();

}  // namespace dnnroof

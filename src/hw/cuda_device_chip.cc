#include <fmt/format.h>

#include "core/units.h"
#include "hw/cuda_devices.h"

namespace dnnroof {

int fp32_lanes_per_sm(int cc_major, int cc_minor) {
  const int cc = cc_major * 10 + cc_minor;
  if (cc == 75 || cc == 80 || cc == 70 || cc == 72) return 64;
  if (cc >= 86) return 128;  // 8.6, 8.7, 8.9 (Ampere GA10x, Ada), 9.0, 10.x, 12.x
  if (cc >= 60) return cc == 60 ? 64 : 128;
  return 0;
}

int fp64_lanes_per_sm(int cc_major, int cc_minor) {
  const int cc = cc_major * 10 + cc_minor;
  if (cc == 60 || cc == 70 || cc == 80) return 32;
  if (cc == 90 || cc == 100) return 64;
  if (cc >= 61) return 2;  // consumer and inference parts: 1/32 or 1/64 of fp32
  return 0;
}

Chip cuda_device_chip(const CudaDeviceInfo& info) {
  Chip chip;
  chip.id = fmt::format("cuda:{}", info.index);
  chip.name = fmt::format("{} (CUDA device {}, this machine)", info.name, info.index);
  chip.kind = ChipKind::gpu;
  chip.vendor = "NVIDIA";
  chip.origin = "cuda";
  chip.source = "CUDA runtime (cudaDeviceGetAttribute)";
  const std::string clock = format_si(info.sm_clock_hz, "Hz", 4);
  for (auto [dtype, lanes] :
       {std::pair{DType::fp32, fp32_lanes_per_sm(info.cc_major, info.cc_minor)},
        std::pair{DType::fp64, fp64_lanes_per_sm(info.cc_major, info.cc_minor)}}) {
    if (lanes == 0 || info.sm_count == 0 || info.sm_clock_hz <= 0) continue;
    Figure f;
    f.value = info.sm_count * static_cast<double>(lanes) * 2.0 * info.sm_clock_hz;
    f.derivation = fmt::format("{} SMs x {} {} lanes x 2 (FMA) x {} = {}", info.sm_count, lanes,
                               dtype_name(dtype), clock, format_si(f.value, "FLOP/s", 4));
    f.source = fmt::format("compute capability {}.{}: lanes per SM from the CUDA programming guide",
                           info.cc_major, info.cc_minor);
    chip.peak[dtype] = f;
  }
  if (info.l2_bytes > 0) {
    MemoryLevel l2;
    l2.name = "L2";
    l2.capacity.value = info.l2_bytes;
    l2.capacity.source = chip.source;
    chip.memory.push_back(l2);
  }
  MemoryLevel dram;
  dram.name = "DRAM";
  dram.is_main = true;
  if (info.memory_clock_hz > 0 && info.memory_bus_bits > 0) {
    dram.bandwidth.value = 2.0 * info.memory_clock_hz * info.memory_bus_bits / 8.0;
    dram.bandwidth.derivation = fmt::format(
        "2 x {} memory clock x {} bits / 8 = {}", format_si(info.memory_clock_hz, "Hz", 4),
        info.memory_bus_bits, format_si(dram.bandwidth.value, "B/s", 4));
    dram.bandwidth.source = chip.source;
  }
  dram.capacity.value = info.memory_bytes;
  dram.capacity.source = chip.source;
  chip.memory.push_back(dram);
  chip.notes = fmt::format(
      "compute capability {}.{}, {} SMs; fp32/fp64 peaks derived from the runtime's clock; "
      "tensor-core peaks are not derivable here (see the catalog entry of this GPU)",
      info.cc_major, info.cc_minor, info.sm_count);
  return chip;
}

}  // namespace dnnroof

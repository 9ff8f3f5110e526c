#pragma once
// The CUDA runtime query (cuda_devices.cu with CUDA, cuda_devices_none.cc
// without). Plain C++17 and no CUDA header, so nvcc compiles it as it is;
// cuda_devices.h turns the devices into chips.

#include <string>
#include <vector>

namespace dnnroof {

// What the CUDA runtime reports of one device.
struct CudaDeviceInfo {
  int index = 0;
  std::string name;
  int cc_major = 0;  // compute capability
  int cc_minor = 0;
  int sm_count = 0;
  double sm_clock_hz = 0;  // peak SM clock
  double memory_clock_hz =
      0;  // peak memory clock (the runtime's value; data moves twice per clock)
  int memory_bus_bits = 0;
  double memory_bytes = 0;
  double l2_bytes = 0;
};

struct CudaDeviceQuery {
  bool built_with_cuda = false;
  // "2 devices", "no CUDA device: cudaGetDeviceCount: <error>", "built without CUDA".
  std::string status;
  std::vector<CudaDeviceInfo> devices;
};

// Asks the CUDA runtime; never throws. Without a GPU or driver (or a build
// without CUDA) it returns no device and says why in `status`.
CudaDeviceQuery query_cuda_devices();

}  // namespace dnnroof

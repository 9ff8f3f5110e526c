// The CUDA runtime query behind cuda_devices.h (built when nvcc is found).
#include <cuda_runtime.h>

#include <string>

#include "hw/cuda_query.h"

namespace dnnroof {

CudaDeviceQuery query_cuda_devices() {
  CudaDeviceQuery q;
  q.built_with_cuda = true;
  int count = 0;
  // Without a GPU or driver this returns an error and may leave count unset.
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    q.status = std::string("no CUDA device: cudaGetDeviceCount: ") + cudaGetErrorString(err);
    cudaGetLastError();  // clear the sticky error
    return q;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    CudaDeviceInfo d;
    d.index = i;
    d.name = prop.name;
    d.cc_major = prop.major;
    d.cc_minor = prop.minor;
    d.sm_count = prop.multiProcessorCount;
    d.memory_bus_bits = prop.memoryBusWidth;
    d.memory_bytes = static_cast<double>(prop.totalGlobalMem);
    d.l2_bytes = static_cast<double>(prop.l2CacheSize);
    int khz = 0;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, i) == cudaSuccess)
      d.sm_clock_hz = khz * 1e3;
    if (cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, i) == cudaSuccess) {
      d.memory_clock_hz = khz * 1e3;
    }
    q.devices.push_back(d);
  }
  q.status = std::to_string(q.devices.size()) + (q.devices.size() == 1 ? " device" : " devices");
  return q;
}

}  // namespace dnnroof

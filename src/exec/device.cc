// The CUDA side of the executor (see device.h): LibTorch's CUDA API and the
// CUDA runtime when DNNROOF_EXEC_CUDA is defined, "no CUDA" otherwise.
#include "exec/detail/device.h"

#include "core/error.h"
#include "measure/cuda_event_timer.h"

#ifdef DNNROOF_EXEC_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_profiler_api.h>
#include <cuda_runtime_api.h>
#endif

namespace dnnroof::exec_detail {

#ifdef DNNROOF_EXEC_CUDA

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) fail("CUDA: {}: {}", what, cudaGetErrorString(e));
}

}  // namespace

bool cuda_built() { return true; }

int cuda_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device" error
    return 0;
  }
  return n;
}

std::string cuda_name(int device) {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  return p.name;
}

bool cuda_supports_bf16(int device) {
  cudaDeviceProp p{};
  check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  return p.major >= 8;
}

void cuda_sync(int device) {
  check(cudaSetDevice(device), "cudaSetDevice");
  check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

std::unique_ptr<Timer> make_cuda_timer(int device) {
  check(cudaSetDevice(device), "cudaSetDevice");
  return make_cuda_event_timer(
      c10::cuda::getCurrentCUDAStream(static_cast<c10::DeviceIndex>(device)).stream());
}

std::optional<double> cuda_peak_bytes(int device) {
  const auto stats =
      c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device));
  // Index 0 is StatType::AGGREGATE (all pools); the enum moved between
  // LibTorch 1.x (c10::cuda::CUDACachingAllocator) and 2.x (c10::CachingAllocator).
  return static_cast<double>(stats.allocated_bytes[0].peak);
}

void cuda_reset_peak(int device) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device));
}

void cuda_profiler_start() { check(cudaProfilerStart(), "cudaProfilerStart"); }
void cuda_profiler_stop() { check(cudaProfilerStop(), "cudaProfilerStop"); }

#else

bool cuda_built() { return false; }
int cuda_count() { return 0; }
std::string cuda_name(int) { return ""; }
bool cuda_supports_bf16(int) { return false; }
void cuda_sync(int) {}
std::unique_ptr<Timer> make_cuda_timer(int) {
  fail("this dnnroof's LibTorch has no CUDA (see README, section CUDA)");
}
std::optional<double> cuda_peak_bytes(int) { return std::nullopt; }
void cuda_reset_peak(int) {}
void cuda_profiler_start() {}
void cuda_profiler_stop() {}

#endif

}  // namespace dnnroof::exec_detail

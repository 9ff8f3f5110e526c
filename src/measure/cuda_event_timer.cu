// The CUDA-event Timer behind cuda_event_timer.h (built when nvcc is found).
#include <cuda_runtime.h>

#include <memory>
#include <string>

#include "measure/cuda_event_timer.h"
#include "measure/detail/cuda_error.h"

namespace dnnroof {
namespace {

void check(cudaError_t err, const char* call) {
  if (err != cudaSuccess) {
    const char* text = cudaGetErrorString(err);
    cudaGetLastError();  // clear a non-sticky error so the next call starts clean
    detail::throw_cuda_error(call, text);
  }
}

class CudaEventTimer final : public Timer {
 public:
  explicit CudaEventTimer(cudaStream_t stream) : stream_(stream) {
    // Default flags: timing enabled (cudaEventDisableTiming would make
    // cudaEventElapsedTime fail).
    check(cudaEventCreate(&start_), "cudaEventCreate");
    const cudaError_t err = cudaEventCreate(&stop_);
    if (err != cudaSuccess) {
      cudaEventDestroy(start_);
      check(err, "cudaEventCreate");
    }
  }
  ~CudaEventTimer() override {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  CudaEventTimer(const CudaEventTimer&) = delete;
  CudaEventTimer& operator=(const CudaEventTimer&) = delete;

  void start() override { check(cudaEventRecord(start_, stream_), "cudaEventRecord (start)"); }

  double stop_s() override {
    check(cudaEventRecord(stop_, stream_), "cudaEventRecord (stop)");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return static_cast<double>(ms) * 1e-3;
  }

 private:
  cudaStream_t stream_;
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

}  // namespace

bool cuda_timing_built() { return true; }

std::string cuda_timing_status() {
  int count = 0;
  // Without a GPU or driver this returns an error and may leave count unset.
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    std::string why = std::string("no CUDA device: cudaGetDeviceCount: ") + cudaGetErrorString(err);
    cudaGetLastError();
    return why;
  }
  if (count <= 0) return "no CUDA device: cudaGetDeviceCount found 0";
  return "";
}

std::unique_ptr<Timer> make_cuda_event_timer(void* stream) {
  const std::string why = cuda_timing_status();
  if (!why.empty()) detail::throw_cuda_error("cudaGetDeviceCount", why.c_str());
  return std::make_unique<CudaEventTimer>(static_cast<cudaStream_t>(stream));
}

}  // namespace dnnroof

#include <cuda_runtime.h>

#include <chrono>
#include <thread>

#include "cuda_host_sleep.h"

namespace dnnroof::testing {
namespace {

void CUDART_CB sleep_host(void* arg) {
  const double seconds = *static_cast<double*>(arg);
  delete static_cast<double*>(arg);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

}  // namespace

bool enqueue_host_sleep(void* stream, double seconds) {
  auto* arg = new double(seconds);
  if (cudaLaunchHostFunc(static_cast<cudaStream_t>(stream), sleep_host, arg) != cudaSuccess) {
    delete arg;
    return false;
  }
  return true;
}

void* create_stream() {
  cudaStream_t s = nullptr;
  if (cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking) != cudaSuccess) return nullptr;
  return s;
}

void destroy_stream(void* stream) { cudaStreamDestroy(static_cast<cudaStream_t>(stream)); }

}  // namespace dnnroof::testing

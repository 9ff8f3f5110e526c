// cuda_event_timer.h for a build without CUDA (no nvcc at configure time).
#include "core/error.h"
#include "measure/cuda_event_timer.h"

namespace dnnroof {

bool cuda_timing_built() { return false; }

std::string cuda_timing_status() {
  return "built without CUDA (nvcc was not found at configure time)";
}

std::unique_ptr<Timer> make_cuda_event_timer(void* /*stream*/) {
  fail(
      "CUDA event timer: this dnnroof was built without CUDA (nvcc was not found at configure "
      "time); rebuild with the CUDA toolkit to time GPU work");
}

}  // namespace dnnroof

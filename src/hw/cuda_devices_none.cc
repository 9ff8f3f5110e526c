// cuda_devices.h for a build without CUDA (no nvcc at configure time).
#include "hw/cuda_query.h"

namespace dnnroof {

CudaDeviceQuery query_cuda_devices() {
  CudaDeviceQuery q;
  q.status = "built without CUDA (nvcc was not found at configure time)";
  return q;
}

}  // namespace dnnroof

// Built without CUDA: no GPU probe.
#include "probe/detail/cuda_probe_device.h"

namespace dnnroof {
namespace {
const char* const kNone = "built without CUDA";
}

bool cuda_probe_built() { return false; }
CudaFmaCheck cuda_fma_check(int, CudaFmaType, std::int64_t, int, int) { return {0, kNone}; }
CudaTimed cuda_time_fma(int, CudaFmaType, std::int64_t, int, int, int) { return {-1, kNone}; }
std::string cuda_alloc(int, std::size_t, CudaBuffers&) { return kNone; }
void cuda_free(CudaBuffers&) {}
CudaTimed cuda_time_stream(const CudaBuffers&, int, std::size_t, std::int64_t, int, int) {
  return {-1, kNone};
}
CudaTimed cuda_time_gemm(const CudaBuffers&, CudaGemmType, int, int) { return {-1, kNone}; }

}  // namespace dnnroof

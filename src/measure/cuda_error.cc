#include "measure/detail/cuda_error.h"

#include "core/error.h"

namespace dnnroof::detail {

void throw_cuda_error(const char* call, const char* message) {
  fail("CUDA event timer: {} failed: {}", call, message);
}

}  // namespace dnnroof::detail

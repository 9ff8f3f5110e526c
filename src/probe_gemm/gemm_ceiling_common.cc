#include <cmath>

#include "core/error.h"
#include "probe_gemm/gemm_ceiling.h"

namespace dnnroof {

double gemm_flops(double m, double n, double k) {
  if (!(m > 0) || !(n > 0) || !(k > 0) || !std::isfinite(m * n * k)) {
    fail("GEMM size {} x {} x {}: every dimension must be a positive number", m, n, k);
  }
  return 2.0 * m * n * k;
}

double gemm_min_bytes(double m, double n, double k, double element_bytes) {
  gemm_flops(m, n, k);  // the same checks
  if (!(element_bytes > 0)) fail("GEMM element size {} B: must be positive", element_bytes);
  return (m * k + k * n + m * n) * element_bytes;
}

}  // namespace dnnroof

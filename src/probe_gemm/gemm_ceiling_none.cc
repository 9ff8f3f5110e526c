// Built when LibTorch was not found: no GEMM ceiling.
#include "core/error.h"
#include "probe_gemm/gemm_ceiling.h"

namespace dnnroof {

bool gemm_ceiling_available() { return false; }

std::string gemm_backend_description() { return "built without LibTorch"; }

std::vector<GemmCeiling> measure_gemm_ceilings(const GemmCeilingOptions& /*options*/) {
  fail("probe: the GEMM ceiling needs LibTorch, and this dnnroof was built without it");
}

}  // namespace dnnroof

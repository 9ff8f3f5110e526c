#include "probe/isa.h"

#include <algorithm>

namespace dnnroof {

std::string_view simd_isa_name(SimdIsa isa) {
  switch (isa) {
    case SimdIsa::portable:
      return "portable";
    case SimdIsa::sse2:
      return "sse2";
    case SimdIsa::avx2:
      return "avx2";
    case SimdIsa::avx512:
      return "avx512";
  }
  return "?";
}

bool has_isa_flag(const std::vector<std::string>& isa_flags, std::string_view flag) {
  return std::find(isa_flags.begin(), isa_flags.end(), flag) != isa_flags.end();
}

bool simd_isa_compiled(SimdIsa isa) {
#if defined(__x86_64__)
  (void)isa;
  return true;
#else
  return isa == SimdIsa::portable;
#endif
}

SimdIsa best_simd_isa(const std::vector<std::string>& isa_flags) {
  // HostInfo::isa already requires the OS to save the wide registers (XCR0),
  // so a flag here means the instructions are usable, not only present.
  if (simd_isa_compiled(SimdIsa::avx512) && has_isa_flag(isa_flags, "avx512f")) {
    return SimdIsa::avx512;
  }
  if (simd_isa_compiled(SimdIsa::avx2) && has_isa_flag(isa_flags, "avx2") &&
      has_isa_flag(isa_flags, "fma")) {
    return SimdIsa::avx2;
  }
  return simd_isa_compiled(SimdIsa::sse2) ? SimdIsa::sse2 : SimdIsa::portable;
}

}  // namespace dnnroof

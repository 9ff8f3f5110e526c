// BLAS detection (see blas.h).
#include "exec/blas.h"

#include <dlfcn.h>

#include <climits>
#include <cstdlib>

#include "core/strings.h"

namespace dnnroof {
namespace {

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

std::string lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

}  // namespace

BlasInfo classify_blas(const std::string& path, const std::optional<std::string>& openblas_config) {
  BlasInfo info;
  info.path = path;
  const std::string p = lower(path);
  if (path.empty()) {
    info.description = "none loaded";
    return info;
  }
  if (contains(p, "openblas")) {
    std::string version = "OpenBLAS";
    if (openblas_config && openblas_config->rfind("OpenBLAS", 0) == 0) {
      // "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64": name and version.
      const std::string& cfg = *openblas_config;
      const auto first = cfg.find(' ');
      const auto second = first == std::string::npos ? first : cfg.find(' ', first + 1);
      version = cfg.substr(0, second);
    }
    std::string variant;
    if (contains(p, "openblas-pthread")) variant = " (pthread)";
    if (contains(p, "openblas-openmp")) variant = " (openmp)";
    if (contains(p, "openblas-serial")) variant = " (serial)";
    info.description = version + variant;
    return info;
  }
  if (contains(p, "mkl")) {
    info.description = "Intel MKL";
    return info;
  }
  if (contains(p, "blis")) {
    info.description = "BLIS";
    return info;
  }
  if (contains(p, "atlas")) {
    info.description = "ATLAS";
    return info;
  }
  // Debian's netlib reference BLAS: /usr/lib/<triplet>/blas/libblas.so.3 (and
  // libblas.so.3.x.y there), the alternative of lowest priority.
  if (contains(p, "/blas/libblas.so") || contains(p, "libblas.so.3")) {
    info.description = "reference BLAS (slow)";
    info.reference = true;
    return info;
  }
  info.description = "unknown BLAS (" + path + ")";
  return info;
}

BlasInfo detect_blas() {
  void* sym = dlsym(RTLD_DEFAULT, "sgemm_");
  std::string path;
  if (sym != nullptr) {
    Dl_info dl{};
    if (dladdr(sym, &dl) != 0 && dl.dli_fname != nullptr) {
      char resolved[PATH_MAX];
      path = realpath(dl.dli_fname, resolved) != nullptr ? std::string(resolved) : dl.dli_fname;
    }
  }
  std::optional<std::string> config;
  using ConfigFn = char* (*)();
  if (void* f = dlsym(RTLD_DEFAULT, "openblas_get_config"); f != nullptr) {
    // POSIX guarantees an object pointer from dlsym converts to a function pointer.
    const auto fn = reinterpret_cast<ConfigFn>(f);
    if (const char* s = fn(); s != nullptr) config = std::string(s);
  }
  BlasInfo info = classify_blas(path, config);
  // The kernel set OpenBLAS chose (or was told to use): a Prescott fallback
  // on a new CPU makes fp32 GEMMs several times slower, so it is recorded.
  using CoreFn = char* (*)();
  if (void* f = dlsym(RTLD_DEFAULT, "openblas_get_corename"); f != nullptr && !info.reference) {
    if (const char* core = reinterpret_cast<CoreFn>(f)(); core != nullptr && *core != '\0') {
      info.description += std::string(", ") + core + " kernels";
      if (const char* from = std::getenv("DNNROOF_OPENBLAS_CORETYPE_FROM"); from != nullptr) {
        info.description +=
            std::string(" (OPENBLAS_CORETYPE set by dnnroof; OpenBLAS chose ") + from + ")";
      } else if (std::getenv("OPENBLAS_CORETYPE") != nullptr) {
        info.description += " (OPENBLAS_CORETYPE)";
      }
    }
  }
  return info;
}

namespace {

// POSIX guarantees an object pointer from dlsym converts to a function pointer.
template <typename Fn>
Fn find_function(const char* name) {
  void* sym = dlsym(RTLD_DEFAULT, name);
  return sym == nullptr ? nullptr : reinterpret_cast<Fn>(sym);
}

}  // namespace

bool set_blas_threads(int threads) {
  const auto set = find_function<void (*)(int)>("openblas_set_num_threads");
  if (set == nullptr) return false;
  set(threads);
  return true;
}

int blas_threads() {
  const auto get = find_function<int (*)()>("openblas_get_num_threads");
  return get == nullptr ? 0 : get();
}

bool set_openmp_threads(int threads) {
  const auto set = find_function<void (*)(int)>("omp_set_num_threads");
  if (set == nullptr) return false;
  set(threads);
  return true;
}

int openmp_max_threads() {
  const auto get = find_function<int (*)()>("omp_get_max_threads");
  return get == nullptr ? 0 : get();
}

}  // namespace dnnroof

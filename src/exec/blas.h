#pragma once
// Which BLAS serves LibTorch's CPU matrix products: Debian's LibTorch calls
// libblas.so.3, which the alternatives system points at OpenBLAS when it is
// installed and at the slow reference BLAS otherwise. No LibTorch include.

#include <optional>
#include <string>

namespace dnnroof {

struct BlasInfo {
  std::string description;  // "OpenBLAS 0.3.21 (pthread)", "reference BLAS (slow)", ...
  std::string path;         // the library that provides sgemm_, "" when none is loaded
  bool reference = false;   // the netlib reference BLAS
};

// Classifies the library at `path` (the real path of the file that provides
// sgemm_) given OpenBLAS's openblas_get_config() string when that symbol
// exists. Pure: the tests feed it paths.
BlasInfo classify_blas(const std::string& path, const std::optional<std::string>& openblas_config);

// The BLAS this process uses: dladdr of the sgemm_ the dynamic linker
// resolves in the global scope (the one LibTorch calls), classified.
BlasInfo detect_blas();

// The thread pools LibTorch does not size itself, found at run time with
// dlsym (whatever BLAS and OpenMP runtime the process loaded):
//  - OpenBLAS keeps its own pthread pool: at::set_num_threads does not reach
//    it, so a "1-thread" run would still multiply matrices on every core.
//  - The OpenMP runtime (libgomp) runs ATen's intra-op loops and oneDNN.
// set_* return false when the process has no such library; *_threads return
// the pool size read back from the library, 0 when it has none.
bool set_blas_threads(int threads);
int blas_threads();
bool set_openmp_threads(int threads);
int openmp_max_threads();

}  // namespace dnnroof

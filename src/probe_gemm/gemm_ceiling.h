#pragma once
// The practical compute ceiling: what a large matrix multiplication reaches
// through LibTorch (its BLAS or oneDNN) on this machine, as opposed to the
// FMA loops' peak. A GEMM is what a model's convolutions and linear layers
// run, so this is the roof a well-tuned layer can hope for.
//
// This header includes no LibTorch header; gemm_ceiling_torch.cc does (built
// when LibTorch is found), gemm_ceiling_none.cc stands in otherwise.

#include <string>
#include <vector>

#include "core/dtype.h"
#include "probe/probe.h"

namespace dnnroof {

// FLOPs of C[m x n] = A[m x k] B[k x n]: 2 m n k (one multiply and one add
// per multiply-add; DESIGN.md's convention). Throws Error for a size <= 0.
double gemm_flops(double m, double n, double k);

// Bytes a GEMM must at least move: A, B read once and C written once, at
// `element_bytes` each (the compulsory traffic; its intensity is flops over it).
double gemm_min_bytes(double m, double n, double k, double element_bytes);

struct GemmCeilingOptions {
  std::vector<DType> dtypes{DType::fp32, DType::bf16};
  int size = 0;     // square n x n x n; 0: 2048 quick, 4096 full
  int threads = 1;  // intra-op threads (LibTorch and OpenBLAS)
  bool quick = false;
  // A precision whose first GEMM takes longer than this [s] is "not fast
  // here" (e.g. a reference fallback) and is not measured further: the probe
  // says so instead. 0: 5 s quick, 15 s full.
  double max_call_s = 0;
};

// Whether this build measures GEMMs (LibTorch found at build time).
bool gemm_ceiling_available();

// "LibTorch 1.13.1, BLAS: OpenBLAS 0.3.21 ... (pthread)": what the GEMMs ran
// on; "built without LibTorch" otherwise.
std::string gemm_backend_description();

// Measures each precision of `options` with the measurement loop
// (src/measure/sampler.h), each sample one at::mm on preallocated random
// matrices, timed with the steady clock. Returns one GemmCeiling per precision
// asked for; a precision that could not run, was too slow or gave a wrong
// product has rate.best = 0 and a `note` saying why. Every product is checked
// against a double-precision recomputation of a few entries. Throws Error when built without
// LibTorch, or for a size < 1 or threads < 1.
std::vector<GemmCeiling> measure_gemm_ceilings(const GemmCeilingOptions& options);

}  // namespace dnnroof

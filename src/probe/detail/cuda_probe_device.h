#pragma once
// The CUDA side of the GPU probe: kernels, cuBLAS GEMMs and their timing with
// CUDA events (cuda_probe.cu when built with CUDA, cuda_probe_none.cc
// otherwise). Plain C++17 and no CUDA header, so nvcc compiles it as it is;
// errors come back as text (cuda_probe.cc turns them into dnnroof::Error),
// never as exceptions.

#include <cstddef>
#include <cstdint>
#include <string>

namespace dnnroof {

enum class CudaFmaType { fp64, fp32, fp16x2, bf16x2 };
enum class CudaGemmType { fp32, tf32, fp16, bf16 };

// Seconds of `launches` back-to-back launches, between two CUDA events on
// the stream that ran them; `error` set (and seconds < 0) on failure.
struct CudaTimed {
  double seconds = -1;
  std::string error;
};

bool cuda_probe_built();

// What the FMA kernel's thread 0 accumulated, for the count check: with
// multiplier 1 and addend 1 every FMA adds exactly 1, so after `iterations`
// the sum over its chains (and lanes) is chains x lanes x iterations while
// that stays exact in the type. `error` set on failure.
struct CudaFmaCheck {
  double thread0_sum = 0;
  std::string error;
};
CudaFmaCheck cuda_fma_check(int device, CudaFmaType type, std::int64_t grid, int block,
                            int iterations);

CudaTimed cuda_time_fma(int device, CudaFmaType type, std::int64_t grid, int block, int iterations,
                        int launches);

// Device buffers a, b, c of `bytes_each` bytes; freed by cuda_free.
struct CudaBuffers {
  void* a = nullptr;
  void* b = nullptr;
  void* c = nullptr;
  std::size_t bytes_each = 0;
  int device = 0;
};
std::string cuda_alloc(int device, std::size_t bytes_each, CudaBuffers& out);  // "" when done
void cuda_free(CudaBuffers& buffers);

// kind: 0 read (sum of a), 1 copy (b = a), 2 triad (a = b + s c) over
// `elements` doubles, grid-stride.
CudaTimed cuda_time_stream(const CudaBuffers& buffers, int kind, std::size_t elements,
                           std::int64_t grid, int block, int launches);

// n x n x n GEMMs C = A B through cuBLAS (cublasGemmEx; fp32 inputs for
// fp32/tf32, compute CUBLAS_COMPUTE_32F or _32F_FAST_TF32; fp16/bf16 inputs
// with fp32 accumulation); the buffers hold n^2 elements of the type.
CudaTimed cuda_time_gemm(const CudaBuffers& buffers, CudaGemmType type, int n, int launches);

}  // namespace dnnroof

// The GPU probe's CUDA side (cuda_probe_device.h): FMA kernels per precision,
// streaming kernels over device memory, cuBLAS GEMMs, all timed with CUDA
// events on the stream that runs them.
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <cstdint>
#include <string>

#include "probe/cuda_counts.h"
#include "probe/detail/cuda_probe_device.h"

namespace dnnroof {
namespace {

std::string cuda_text(const char* what, cudaError_t err) {
  return std::string(what) + ": " + cudaGetErrorString(err);
}

// ---- FMA kernels ----------------------------------------------------------

__device__ inline double fma_op(double a, double m, double c) { return fma(a, m, c); }
__device__ inline float fma_op(float a, float m, float c) { return fmaf(a, m, c); }
__device__ inline __half2 fma_op(__half2 a, __half2 m, __half2 c) { return __hfma2(a, m, c); }
__device__ inline __nv_bfloat162 fma_op(__nv_bfloat162 a, __nv_bfloat162 m, __nv_bfloat162 c) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  return __hfma2(a, m, c);
#else
  return a;  // not launched below compute capability 8.0 (checked on the host)
#endif
}

__device__ inline double to_double(double v) { return v; }
__device__ inline double to_double(float v) { return v; }
__device__ inline double to_double(__half2 v) {
  return static_cast<double>(__low2float(v)) + static_cast<double>(__high2float(v));
}
__device__ inline double to_double(__nv_bfloat162 v) {
  return static_cast<double>(__low2float(v)) + static_cast<double>(__high2float(v));
}

template <typename T>
struct Values {
  T zero, one;
};

// kCudaFmaChains independent chains per thread, each acc = acc * m + c.
template <typename T>
__global__ void fma_kernel(double* out, int iterations, T m, T c, T zero) {
  T acc[kCudaFmaChains];
#pragma unroll
  for (int j = 0; j < kCudaFmaChains; ++j) acc[j] = zero;
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int j = 0; j < kCudaFmaChains; ++j) acc[j] = fma_op(acc[j], m, c);
  }
  double sum = 0;
#pragma unroll
  for (int j = 0; j < kCudaFmaChains; ++j) sum += to_double(acc[j]);
  out[static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x] = sum;
}

std::string check_type(int device, CudaFmaType type) {
  if (type != CudaFmaType::bf16x2) return {};
  cudaDeviceProp prop{};
  const cudaError_t err = cudaGetDeviceProperties(&prop, device);
  if (err != cudaSuccess) return cuda_text("cudaGetDeviceProperties", err);
  if (prop.major < 8) return "bf16 FMA needs compute capability 8.0 or newer";
  return {};
}

void launch_fma(CudaFmaType type, std::int64_t grid, int block, double* out, int iterations) {
  const dim3 g(static_cast<unsigned>(grid));
  switch (type) {
    case CudaFmaType::fp64:
      fma_kernel<double><<<g, block>>>(out, iterations, 1.0, 1.0, 0.0);
      break;
    case CudaFmaType::fp32:
      fma_kernel<float><<<g, block>>>(out, iterations, 1.0f, 1.0f, 0.0f);
      break;
    case CudaFmaType::fp16x2:
      fma_kernel<__half2><<<g, block>>>(out, iterations, __float2half2_rn(1.0f),
                                        __float2half2_rn(1.0f), __float2half2_rn(0.0f));
      break;
    case CudaFmaType::bf16x2:
      fma_kernel<__nv_bfloat162><<<g, block>>>(out, iterations, __float2bfloat162_rn(1.0f),
                                               __float2bfloat162_rn(1.0f),
                                               __float2bfloat162_rn(0.0f));
      break;
  }
}

// Times `launches` launches of `body` between two events on the default stream.
template <typename Body>
CudaTimed time_events(int launches, Body body) {
  CudaTimed t;
  cudaEvent_t start = nullptr, stop = nullptr;
  cudaError_t err = cudaEventCreate(&start);
  if (err == cudaSuccess) err = cudaEventCreate(&stop);
  if (err != cudaSuccess) {
    t.error = cuda_text("cudaEventCreate", err);
    if (start) cudaEventDestroy(start);
    return t;
  }
  cudaEventRecord(start);
  for (int i = 0; i < launches; ++i) {
    const std::string e = body();
    if (!e.empty()) {
      t.error = e;
      break;
    }
  }
  cudaEventRecord(stop);
  err = cudaEventSynchronize(stop);
  if (t.error.empty() && err != cudaSuccess) t.error = cuda_text("kernel", err);
  if (t.error.empty()) {
    err = cudaGetLastError();
    if (err != cudaSuccess) t.error = cuda_text("kernel launch", err);
  }
  float ms = 0;
  if (t.error.empty() && cudaEventElapsedTime(&ms, start, stop) == cudaSuccess) {
    t.seconds = ms * 1e-3;
  }
  cudaEventDestroy(start);
  cudaEventDestroy(stop);
  return t;
}

// ---- streaming kernels ------------------------------------------------------

__global__ void read_kernel(const double2* a, std::size_t n2, double* sink, double sentinel) {
  double s = 0;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n2;
       i += stride) {
    const double2 v = a[i];
    s += v.x + v.y;
  }
  if (s == sentinel) *sink = s;  // never true: keeps the loads
}

__global__ void copy_kernel(const double2* a, double2* b, std::size_t n2) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n2;
       i += stride) {
    b[i] = a[i];
  }
}

__global__ void triad_kernel(double2* a, const double2* b, const double2* c, std::size_t n2,
                             double s) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n2;
       i += stride) {
    const double2 x = b[i];
    const double2 y = c[i];
    a[i] = make_double2(x.x + s * y.x, x.y + s * y.y);
  }
}

template <typename T>
__global__ void fill_kernel(T* p, std::size_t n, unsigned seed) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    unsigned h = static_cast<unsigned>(i) * 2654435761u ^ seed;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    const float v = static_cast<float>(h & 0xffff) / 65536.0f - 0.5f;  // [-0.5, 0.5)
    p[i] = T(v);
  }
}

// ---- cuBLAS -----------------------------------------------------------------

constexpr int kMaxDevices = 64;
cublasHandle_t g_handles[kMaxDevices] = {};

std::string blas_text(const char* what, cublasStatus_t s) {
  return std::string(what) + ": cuBLAS status " + std::to_string(static_cast<int>(s));
}

// cuBLAS is opened on first use, not linked: loading libcublas and
// libcublasLt costs every dnnroof command ~150 MB of resident memory and a
// fraction of a second, for a probe that runs only where a GPU is.
struct CublasApi {
  using CreateFn = cublasStatus_t (*)(cublasHandle_t*);
  using GemmExFn = cublasStatus_t (*)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int,
                                      int, int, const void*, const void*, cudaDataType, int,
                                      const void*, cudaDataType, int, const void*, void*,
                                      cudaDataType, int, cublasComputeType_t, cublasGemmAlgo_t);
  CreateFn create = nullptr;
  GemmExFn gemm_ex = nullptr;
  std::string error;  // why it is not usable; empty when it is
};

const CublasApi& cublas_api() {
  static const CublasApi api = [] {
    CublasApi a;
    const std::string soname = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
    void* lib = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      a.error = "cannot load " + soname + ": " + (why != nullptr ? why : "unknown error");
      return a;
    }
    a.create = reinterpret_cast<CublasApi::CreateFn>(dlsym(lib, "cublasCreate_v2"));
    a.gemm_ex = reinterpret_cast<CublasApi::GemmExFn>(dlsym(lib, "cublasGemmEx"));
    if (a.create == nullptr || a.gemm_ex == nullptr) {
      a.error = soname + " lacks cublasCreate_v2 or cublasGemmEx";
    }
    return a;
  }();
  return api;
}

}  // namespace

bool cuda_probe_built() { return true; }

CudaFmaCheck cuda_fma_check(int device, CudaFmaType type, std::int64_t grid, int block,
                            int iterations) {
  CudaFmaCheck out;
  cudaError_t err = cudaSetDevice(device);
  if (err != cudaSuccess) return {0, cuda_text("cudaSetDevice", err)};
  out.error = check_type(device, type);
  if (!out.error.empty()) return out;
  double* d = nullptr;
  const std::size_t threads = static_cast<std::size_t>(grid) * static_cast<std::size_t>(block);
  err = cudaMalloc(&d, threads * sizeof(double));
  if (err != cudaSuccess) return {0, cuda_text("cudaMalloc", err)};
  launch_fma(type, grid, block, d, iterations);
  err = cudaDeviceSynchronize();
  if (err == cudaSuccess) err = cudaGetLastError();
  if (err == cudaSuccess)
    err = cudaMemcpy(&out.thread0_sum, d, sizeof(double), cudaMemcpyDeviceToHost);
  if (err != cudaSuccess) out.error = cuda_text("FMA kernel", err);
  cudaFree(d);
  return out;
}

CudaTimed cuda_time_fma(int device, CudaFmaType type, std::int64_t grid, int block, int iterations,
                        int launches) {
  cudaError_t err = cudaSetDevice(device);
  if (err != cudaSuccess) return {-1, cuda_text("cudaSetDevice", err)};
  const std::string type_error = check_type(device, type);
  if (!type_error.empty()) return {-1, type_error};
  double* d = nullptr;
  const std::size_t threads = static_cast<std::size_t>(grid) * static_cast<std::size_t>(block);
  err = cudaMalloc(&d, threads * sizeof(double));
  if (err != cudaSuccess) return {-1, cuda_text("cudaMalloc", err)};
  CudaTimed t = time_events(launches, [&] {
    launch_fma(type, grid, block, d, iterations);
    return std::string();
  });
  cudaFree(d);
  return t;
}

std::string cuda_alloc(int device, std::size_t bytes_each, CudaBuffers& out) {
  out = CudaBuffers{};
  out.device = device;
  cudaError_t err = cudaSetDevice(device);
  if (err != cudaSuccess) return cuda_text("cudaSetDevice", err);
  void* p[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; ++i) {
    err = cudaMalloc(&p[i], bytes_each);
    if (err != cudaSuccess) {
      for (int j = 0; j < i; ++j) cudaFree(p[j]);
      return cuda_text("cudaMalloc", err);
    }
  }
  out.a = p[0];
  out.b = p[1];
  out.c = p[2];
  out.bytes_each = bytes_each;
  // Defined contents: 0.5-ish doubles (the read kernel's sentinel is never hit).
  const std::size_t n = bytes_each / sizeof(double);
  for (int i = 0; i < 3; ++i) {
    fill_kernel<double><<<1024, 256>>>(static_cast<double*>(p[i]), n, 17u + i);
  }
  err = cudaDeviceSynchronize();
  return err == cudaSuccess ? std::string() : cuda_text("fill", err);
}

void cuda_free(CudaBuffers& buffers) {
  if (buffers.a == nullptr) return;
  cudaSetDevice(buffers.device);
  cudaFree(buffers.a);
  cudaFree(buffers.b);
  cudaFree(buffers.c);
  buffers = CudaBuffers{};
}

CudaTimed cuda_time_stream(const CudaBuffers& buffers, int kind, std::size_t elements,
                           std::int64_t grid, int block, int launches) {
  if (elements * sizeof(double) > buffers.bytes_each || elements % 2 != 0) {
    return {-1, "stream: " + std::to_string(elements) + " elements do not fit the buffers"};
  }
  cudaError_t err = cudaSetDevice(buffers.device);
  if (err != cudaSuccess) return {-1, cuda_text("cudaSetDevice", err)};
  auto* a = static_cast<double2*>(buffers.a);
  auto* b = static_cast<double2*>(buffers.b);
  auto* c = static_cast<double2*>(buffers.c);
  const std::size_t n2 = elements / 2;
  const dim3 g(static_cast<unsigned>(grid));
  return time_events(launches, [&] {
    if (kind == 0) {
      read_kernel<<<g, block>>>(a, n2, static_cast<double*>(buffers.c), -1.0);
    } else if (kind == 1) {
      copy_kernel<<<g, block>>>(a, b, n2);
    } else {
      triad_kernel<<<g, block>>>(a, b, c, n2, 3.0);
    }
    return std::string();
  });
}

CudaTimed cuda_time_gemm(const CudaBuffers& buffers, CudaGemmType type, int n, int launches) {
  if (buffers.device < 0 || buffers.device >= kMaxDevices) return {-1, "device index too large"};
  const bool wide = type == CudaGemmType::fp32 || type == CudaGemmType::tf32;
  const std::size_t elements = static_cast<std::size_t>(n) * static_cast<std::size_t>(n);
  if (elements * (wide ? 4 : 2) > buffers.bytes_each) {
    return {-1, "GEMM: " + std::to_string(n) + "^2 elements do not fit the buffers"};
  }
  cudaError_t err = cudaSetDevice(buffers.device);
  if (err != cudaSuccess) return {-1, cuda_text("cudaSetDevice", err)};
  const CublasApi& blas = cublas_api();
  if (!blas.error.empty()) return {-1, blas.error};
  cublasHandle_t& handle = g_handles[buffers.device];
  if (handle == nullptr) {
    const cublasStatus_t s = blas.create(&handle);
    if (s != CUBLAS_STATUS_SUCCESS) {
      handle = nullptr;
      return {-1, blas_text("cublasCreate", s)};
    }
  }
  cudaDataType_t data = CUDA_R_32F;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  void* p[3] = {buffers.a, buffers.b, buffers.c};
  for (int i = 0; i < 3; ++i) {
    if (wide) {
      fill_kernel<float><<<1024, 256>>>(static_cast<float*>(p[i]), elements, 5u + i);
    } else if (type == CudaGemmType::fp16) {
      fill_kernel<__half><<<1024, 256>>>(static_cast<__half*>(p[i]), elements, 5u + i);
    } else {
      fill_kernel<__nv_bfloat16>
          <<<1024, 256>>>(static_cast<__nv_bfloat16*>(p[i]), elements, 5u + i);
    }
  }
  if (type == CudaGemmType::tf32) compute = CUBLAS_COMPUTE_32F_FAST_TF32;
  if (type == CudaGemmType::fp16) data = CUDA_R_16F;
  if (type == CudaGemmType::bf16) data = CUDA_R_16BF;
  err = cudaDeviceSynchronize();
  if (err != cudaSuccess) return {-1, cuda_text("fill", err)};
  const float alpha = 1.0f;
  const float beta = 0.0f;
  return time_events(launches, [&] {
    const cublasStatus_t s =
        blas.gemm_ex(handle, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &alpha, buffers.a, data, n,
                     buffers.b, data, n, &beta, buffers.c, data, n, compute, CUBLAS_GEMM_DEFAULT);
    return s == CUBLAS_STATUS_SUCCESS ? std::string() : blas_text("cublasGemmEx", s);
  });
}

}  // namespace dnnroof

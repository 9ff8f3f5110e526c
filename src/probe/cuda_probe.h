#pragma once
// The GPU part of `dnnroof probe`: for every CUDA device, the FMA peak per
// precision (fp64, fp32, fp16 and bf16 as packed half2 / bfloat162 FMAs), the
// device-memory bandwidth (read, copy, triad over arrays far larger than the
// L2), the L2 bandwidth (triad over a working set of half the L2), and the
// tensor-core GEMM ceiling through cuBLAS (fp32, tf32, fp16, bf16), each
// timed with CUDA events under the measurement loop (src/measure). Without a
// GPU (or a build without CUDA) it measures nothing and says why.

#include <functional>
#include <string>
#include <vector>

#include "hw/chip.h"
#include "hw/cuda_query.h"
#include "probe/probe.h"

namespace dnnroof {

struct CudaBandwidth {
  std::string level;  // "DRAM" (device memory) or "L2"
  MemoryKernelKind kind = MemoryKernelKind::triad;
  double working_set_bytes = 0;  // all arrays
  Rate rate;                     // [B/s], STREAM bytes
};

struct CudaDeviceProbe {
  CudaDeviceInfo info;
  std::vector<ComputeCeiling> compute;  // FMA peaks; threads = the launch's threads
  std::vector<CudaBandwidth> bandwidth;
  std::vector<GemmCeiling> gemm;   // cuBLAS; precision tf32 for the TF32 path
  std::vector<std::string> notes;  // what could not be measured, and why
};

struct CudaProbeResult {
  bool built_with_cuda = false;
  std::string status;  // "no CUDA device: ..." or "1 device"
  std::vector<CudaDeviceProbe> devices;
};

// Runs the GPU probes on every device (quick: shorter sampling, smaller
// GEMMs). `progress` gets one line per step. Never throws for a missing GPU;
// throws Error when a kernel fails on a device that exists.
CudaProbeResult run_cuda_probes(bool quick,
                                const std::function<void(const std::string&)>& progress = {});

// The measured GPU as a chip "cuda-<index>-measured" (name "<GPU> (cuda:N,
// measured)"), kind gpu: peaks = FMA peaks, practical = the cuBLAS GEMMs
// (tensor cores), memory L2 and device memory (main) with the triad
// bandwidths; capacities from the runtime. Saved with host-measured.
Chip cuda_measured_chip(const CudaDeviceProbe& probe);

}  // namespace dnnroof

#pragma once
// How the probes sample (measure/sampler.h) and what a sampled kernel's rate
// is: one place for the presets of the CPU kernels (probe.cc), the GPU
// kernels (cuda_probe.cc) and the GEMM ceiling (src/probe_gemm), each quick
// (--quick) or full.

#include "measure/sampler.h"
#include "probe/probe.h"

namespace dnnroof {

enum class ProbeSampling {
  cpu_kernel,  // a thread team's pass: milliseconds, many samples
  gpu_kernel,  // one timed CUDA launch
  gemm,        // one large matrix product: slower, fewer samples
};

// The sampler options of `kind`: warm-up window, floors and caps.
MeasureOptions probe_sampler_options(ProbeSampling kind, bool quick);

// `work` units (FLOPs, bytes) per sample over the sampled times: the rate of
// the median sample and of the fastest (best), with the sample count and
// whether the sampler's criterion was met.
Rate rate_of(const Measurement& m, double work);

}  // namespace dnnroof

#include "probe/cuda_probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/units.h"
#include "hw/cuda_devices.h"
#include "measure/sampler.h"
#include "probe/cuda_counts.h"
#include "probe/detail/cuda_probe_device.h"
#include "probe/sampling.h"

namespace dnnroof {
namespace {

// Sampled seconds of one timed call, `units` of work per call.
Rate sample(const std::function<CudaTimed()>& call, double work, bool quick) {
  const Measurement m = measure(
      [&] {
        const CudaTimed t = call();
        if (!t.error.empty()) fail("GPU probe: {}", t.error);
        return t.seconds;
      },
      probe_sampler_options(ProbeSampling::gpu_kernel, quick));
  return rate_of(m, work);
}

struct FmaCase {
  CudaFmaType type;
  DType precision;
  const char* name;
  bool packed;
};

constexpr FmaCase kFmaCases[] = {
    {CudaFmaType::fp64, DType::fp64, "cuda-fp64-fma", false},
    {CudaFmaType::fp32, DType::fp32, "cuda-fp32-fma", false},
    {CudaFmaType::fp16x2, DType::fp16, "cuda-fp16-hfma2", true},
    {CudaFmaType::bf16x2, DType::bf16, "cuda-bf16-hfma2", true},
};

struct GemmCase {
  CudaGemmType type;
  DType precision;
  const char* name;
  int element_bytes;
};

constexpr GemmCase kGemmCases[] = {
    {CudaGemmType::fp32, DType::fp32, "fp32", 4},
    {CudaGemmType::tf32, DType::tf32, "tf32", 4},
    {CudaGemmType::fp16, DType::fp16, "fp16", 2},
    {CudaGemmType::bf16, DType::bf16, "bf16", 2},
};

void probe_device(CudaDeviceProbe& dev, bool quick,
                  const std::function<void(const std::string&)>& say) {
  const CudaDeviceInfo& info = dev.info;
  const int index = info.index;
  // FMA peaks: a launch of ~4 waves, iterations calibrated to ~2-5 ms.
  const CudaLaunch fma_launch = cuda_fma_launch(info.sm_count, 2048, 256, 4);
  for (const FmaCase& c : kFmaCases) {
    if (c.type == CudaFmaType::bf16x2 && info.cc_major < 8) {
      dev.notes.push_back("bf16 FMA: needs compute capability 8.0 (this GPU has " +
                          fmt::format("{}.{}", info.cc_major, info.cc_minor) + ")");
      continue;
    }
    if (say) say(fmt::format("cuda:{} {} FMA peak", index, dtype_name(c.precision)));
    int iterations = 256;
    // The first launch loads the module: calibrate on the second.
    cuda_time_fma(index, c.type, fma_launch.grid, fma_launch.block, iterations, 1);
    const CudaTimed probe =
        cuda_time_fma(index, c.type, fma_launch.grid, fma_launch.block, iterations, 1);
    if (!probe.error.empty()) fail("GPU probe cuda:{}: {}", index, probe.error);
    iterations = static_cast<int>(std::clamp(
        iterations * (quick ? 0.002 : 0.005) / std::max(probe.seconds, 1e-7), 256.0, 1e7));
    const int lanes = cuda_fma_lanes(c.packed);
    ComputeCeiling cc;
    cc.kernel = c.name;
    cc.precision = c.precision;
    cc.threads = static_cast<int>(fma_launch.threads());
    cc.rate = sample(
        [&] {
          return cuda_time_fma(index, c.type, fma_launch.grid, fma_launch.block, iterations, 1);
        },
        cuda_fma_flops(fma_launch, static_cast<std::uint64_t>(iterations), kCudaFmaChains, lanes),
        quick);
    dev.compute.push_back(cc);
  }

  // Device memory and L2: read, copy, triad over big arrays; triad in L2.
  const std::size_t dram_n = cuda_dram_elements(info.memory_bytes, info.l2_bytes);
  const std::size_t l2_n = cuda_l2_elements(info.l2_bytes);
  int gemm_n = quick ? 4096 : 8192;
  const std::size_t gemm_bytes = static_cast<std::size_t>(gemm_n) * gemm_n * 4;
  CudaBuffers buffers;
  const std::string alloc_error =
      cuda_alloc(index, std::max(dram_n * sizeof(double), gemm_bytes), buffers);
  if (!alloc_error.empty()) fail("GPU probe cuda:{}: {}", index, alloc_error);
  try {
    for (int kind = 0; kind < 3; ++kind) {
      if (quick && kind != 2) continue;
      const auto k = static_cast<MemoryKernelKind>(kind);
      if (say) say(fmt::format("cuda:{} {} device memory", index, memory_kernel_name(k)));
      const CudaLaunch launch = cuda_stream_launch(dram_n, info.sm_count);
      CudaBandwidth b;
      b.level = "DRAM";
      b.kind = k;
      b.working_set_bytes = static_cast<double>(arrays_touched(k)) * dram_n * sizeof(double);
      b.rate = sample(
          [&] { return cuda_time_stream(buffers, kind, dram_n, launch.grid, launch.block, 1); },
          cuda_stream_bytes(kind, dram_n), quick);
      dev.bandwidth.push_back(b);
    }
    if (l2_n >= 512) {
      if (say) say(fmt::format("cuda:{} triad in L2", index));
      const CudaLaunch launch = cuda_stream_launch(l2_n, info.sm_count);
      // Each launch is only microseconds: 50 per timed call.
      constexpr int kLaunches = 50;
      CudaBandwidth b;
      b.level = "L2";
      b.kind = MemoryKernelKind::triad;
      b.working_set_bytes = 3.0 * l2_n * sizeof(double);
      b.rate = sample(
          [&] { return cuda_time_stream(buffers, 2, l2_n, launch.grid, launch.block, kLaunches); },
          cuda_stream_bytes(2, l2_n) * kLaunches, quick);
      dev.bandwidth.push_back(b);
    } else {
      dev.notes.push_back("L2 bandwidth: the runtime reports no L2 size");
    }

    for (const GemmCase& g : kGemmCases) {
      if ((g.type == CudaGemmType::bf16 || g.type == CudaGemmType::tf32) && info.cc_major < 8) {
        dev.notes.push_back(fmt::format("{} GEMM: needs compute capability 8.0", g.name));
        continue;
      }
      if (say) say(fmt::format("cuda:{} {} GEMM {}^3 (cuBLAS)", index, g.name, gemm_n));
      GemmCeiling gc;
      gc.precision = g.precision;
      gc.size = gemm_n;
      gc.threads = 1;
      gc.backend = "cuBLAS cublasGemmEx";
      const int launches = quick ? 2 : 5;
      gc.rate = sample([&] { return cuda_time_gemm(buffers, g.type, gemm_n, launches); },
                       2.0 * gemm_n * static_cast<double>(gemm_n) * gemm_n * launches, quick);
      dev.gemm.push_back(gc);
    }
  } catch (...) {
    cuda_free(buffers);
    throw;
  }
  cuda_free(buffers);
}

}  // namespace

CudaProbeResult run_cuda_probes(bool quick,
                                const std::function<void(const std::string&)>& progress) {
  CudaProbeResult out;
  out.built_with_cuda = cuda_probe_built();
  const CudaDeviceQuery q = query_cuda_devices();
  out.status = q.status;
  if (!out.built_with_cuda || q.devices.empty()) return out;
  for (const CudaDeviceInfo& info : q.devices) {
    CudaDeviceProbe dev;
    dev.info = info;
    probe_device(dev, quick, progress);
    out.devices.push_back(std::move(dev));
  }
  return out;
}

Chip cuda_measured_chip(const CudaDeviceProbe& probe) {
  Chip chip = cuda_device_chip(probe.info);
  chip.id = fmt::format("cuda-{}-measured", probe.info.index);
  chip.name = fmt::format("{} (cuda:{}, measured)", probe.info.name, probe.info.index);
  chip.origin = "dnnroof probe";
  chip.source = "measured on this machine by `dnnroof probe`";
  chip.peak.clear();
  chip.practical.clear();
  for (const ComputeCeiling& c : probe.compute) {
    Figure f;
    f.value = c.rate.best;
    f.derivation = fmt::format(
        "measured by dnnroof probe: {} ({} threads, CUDA events), fastest of "
        "{} samples (median {}{})",
        c.kernel, c.threads, c.rate.samples, format_si(c.rate.median, "FLOP/s", 4),
        c.rate.converged ? "" : ", noisy");
    chip.peak[c.precision] = f;
  }
  for (const GemmCeiling& g : probe.gemm) {
    Figure f;
    f.value = g.rate.best;
    f.derivation = fmt::format(
        "measured by dnnroof probe: {}^3 {} GEMM through {}, fastest of {} "
        "samples (median {})",
        g.size, dtype_name(g.precision), g.backend, g.rate.samples,
        format_si(g.rate.median, "FLOP/s", 4));
    chip.practical[g.precision] = f;
    // A tensor-core precision the FMA kernels do not measure (tf32) gets its
    // GEMM as its peak too, so the chip has a roof at that precision.
    if (chip.peak.count(g.precision) == 0) chip.peak[g.precision] = f;
  }
  for (MemoryLevel& level : chip.memory) {
    level.bandwidth = {};
    for (const CudaBandwidth& b : probe.bandwidth) {
      if (b.kind != MemoryKernelKind::triad) continue;
      if ((level.is_main && b.level == "DRAM") || (!level.is_main && level.name == b.level)) {
        level.bandwidth.value = b.rate.best;
        level.bandwidth.derivation = fmt::format(
            "measured by dnnroof probe: triad over {} (STREAM bytes), CUDA events, fastest of {} "
            "samples (median {})",
            format_binary(b.working_set_bytes), b.rate.samples, format_si(b.rate.median, "B/s", 4));
      }
    }
  }
  chip.notes = "measured with dnnroof's CUDA kernels and cuBLAS";
  return chip;
}

}  // namespace dnnroof

#pragma once
// `dnnroof probe`: what this machine really does. Compute peaks per precision
// with the FMA / dot-product kernels of the widest SIMD level the CPU has, and
// bandwidth curves of read, copy and triad over working sets from a few KiB
// to well past the last-level cache, on one core and on all of them; then
// the plateaus of those curves, named L1, L2, L3, DRAM.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "hw/host.h"
#include "probe/isa.h"
#include "probe/kernels.h"
#include "probe/plateaus.h"

namespace dnnroof {

struct ProbeOptions {
  bool quick = false;  // fewer sizes (x2 apart), shorter sampling: under a minute
  int threads = 0;     // all-core runs: 0 = one per physical core
  // More thread counts to measure compute peaks and bandwidth curves on,
  // besides 1 and the all-core count (e.g. the thread count of a study's
  // runs, so that every run has ceilings of its own thread count).
  std::vector<int> extra_threads;
  // Largest working set of the sweeps [B]; 0 = 2 x LLC (quick, at least
  // 64 MiB) or max(1 GiB, 4 x LLC) (full), at most a quarter of the memory.
  double max_working_set_bytes = 0;
};

// One timed configuration, its rate from the median and the best sample.
// Ceilings use the best: on a shared machine interference only ever slows a
// sample down, so the fastest one is the closest to what the hardware does;
// the median says how often it got there.
struct Rate {
  double median = 0;  // [FLOP/s] or [B/s]
  double best = 0;    // from the fastest sample
  std::size_t samples = 0;
  bool converged = false;  // the sampler's criterion was met (else noisy)
};

struct ComputeCeiling {
  std::string kernel;  // ComputeKernel::name
  DType precision = DType::fp32;
  int threads = 1;
  Rate rate;  // [FLOP/s] (int8: OP/s)
};

// A practical compute ceiling: an n x n x n GEMM through LibTorch
// (src/probe_gemm), on `threads` intra-op threads.
struct GemmCeiling {
  DType precision = DType::fp32;
  int size = 0;  // n
  int threads = 1;
  std::string backend;  // "LibTorch 1.13.1, BLAS: OpenBLAS ..."
  Rate rate;            // [FLOP/s], 2 n^3 per sample; best 0 when not measured
  std::string note;     // why it was not measured, or a remark
};

struct BandwidthPoint {
  MemoryKernelKind kind = MemoryKernelKind::triad;
  int threads = 1;
  double working_set_bytes = 0;  // all arrays of all threads [B]
  Rate rate;                     // [B/s], bytes as bytes_moved() counts them
};

struct BandwidthCurve {
  MemoryKernelKind kind = MemoryKernelKind::triad;
  int threads = 1;
  std::vector<BandwidthPoint> points;  // by working set
  std::vector<Plateau> plateaus;       // named ones, on the best-sample rates
};

struct ProbeResult {
  HostInfo host;
  SimdIsa isa = SimdIsa::portable;
  int all_threads = 1;
  bool pinned = false;  // the all-core threads were pinned to their cores
  std::vector<ComputeCeiling> compute;
  std::vector<BandwidthCurve> curves;
  std::vector<GemmCeiling> gemm;  // filled by the caller (probe_gemm); may be empty
  double seconds = 0;             // wall time of the whole probe [s]

  // The curve of `kind` at `threads`; nullptr when not measured.
  const BandwidthCurve* curve(MemoryKernelKind kind, int threads) const;
};

// The compute kernels this CPU can run: for each precision the kernel of the
// widest level in `isa_flags` (bf16 and int8 only where their own flag is
// present too), in precision order.
std::vector<ComputeKernel> select_compute_kernels(const std::vector<std::string>& isa_flags);

// The memory kernel of `kind` at the widest level in `isa_flags`.
MemoryKernel select_memory_kernel(const std::vector<std::string>& isa_flags, MemoryKernelKind kind);

// Working-set sizes of the sweep [B]: from 4 KiB by factors of `step` up to
// and including the first size >= max_bytes.
std::vector<double> sweep_sizes(double max_bytes, double step);

// Elements per thread for each size: size / bytes_per_element rounded down
// to a multiple of 64 (the kernels' unroll), at least 64; a size that rounds
// to the count of the size before it is dropped, so the counts increase.
std::vector<std::size_t> sweep_element_counts(const std::vector<double>& sizes,
                                              double bytes_per_element);

// The cache capacities a curve at `threads` threads sees: L1 and L2 as the
// threads' share of the private caches (whole-machine size / physical cores x
// threads), L3 whole (shared).
std::vector<LevelCapacity> level_capacities(const HostInfo& host, int threads);

// Progress of a running probe: what runs now and how much is left.
struct ProbeProgress {
  std::size_t step = 0;  // 1-based
  std::size_t steps = 0;
  std::string what;        // "triad, 2 threads, 64 MiB"
  double elapsed_s = 0;    // [s] since the probe started
  double remaining_s = 0;  // [s] estimate; NaN before the first step ends
};
using ProgressFn = std::function<void(const ProbeProgress&)>;

// One compute ceiling: `kernel` on `threads` threads (pinned one per
// physical core while there are cores).
ComputeCeiling measure_compute_ceiling(const ComputeKernel& kernel, int threads, bool quick);

// One bandwidth point: `kernel` over `working_set_bytes` (all arrays, all
// threads) on `threads` threads, arrays first touched by their threads.
BandwidthPoint measure_bandwidth_point(const MemoryKernel& kernel, int threads,
                                       double working_set_bytes, bool quick);

// Runs everything. Throws Error when memory for the sweep cannot be had.
ProbeResult run_probe(const HostInfo& host, const ProbeOptions& options,
                      const ProgressFn& progress = {});

}  // namespace dnnroof

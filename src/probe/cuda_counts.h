#pragma once
// What the CUDA probe kernels do, counted from their launch configuration
// alone (pure C++, tested by hand without a GPU): FLOPs of the FMA kernels,
// bytes of the streaming kernels, the launch shapes and the L2-sized working
// set. cuda_probe.cu launches exactly these shapes.

#include <cstddef>
#include <cstdint>

namespace dnnroof {

struct CudaLaunch {
  std::int64_t grid = 0;  // blocks
  int block = 0;          // threads per block

  double threads() const { return static_cast<double>(grid) * block; }
};

// The FMA kernels: every thread runs `iterations` iterations of `chains`
// independent FMA chains; one FMA instruction does `lanes` multiply-adds (1
// for fp64/fp32, 2 for the packed half2 / bfloat162 forms).
inline constexpr int kCudaFmaChains = 8;
int cuda_fma_lanes(bool packed);  // 2 for half2/bfloat162, else 1

// FLOPs of one launch: 2 x threads x iterations x chains x lanes. Throws
// Error for a non-positive grid, block, chains or lanes.
double cuda_fma_flops(const CudaLaunch& launch, std::uint64_t iterations, int chains, int lanes);

// The FMA launch: enough resident threads to fill every SM `waves` times
// over: grid = sm_count x max(1, max_threads_per_sm / block) x waves (the
// division rounds down). Throws Error when a count is not positive.
CudaLaunch cuda_fma_launch(int sm_count, int max_threads_per_sm, int block = 256, int waves = 4);

// The streaming kernels: grid-stride loops over `elements` doubles; grid =
// min(ceil(elements / block), sm_count x blocks_per_sm) so that every
// thread does several elements. Throws Error for a zero element count.
CudaLaunch cuda_stream_launch(std::size_t elements, int sm_count, int block = 256,
                              int blocks_per_sm = 16);

// Bytes of one pass, STREAM's counting (as the CPU probe): read 8 B, copy
// 16 B, triad 24 B per double element. kind: 0 read, 1 copy, 2 triad.
double cuda_stream_bytes(int kind, std::size_t elements);

// Elements per array for an L2-resident triad: the three arrays together
// take half of the L2 (room for everything else in it), rounded down to a
// multiple of 256 elements; 0 when the L2 size is unknown (<= 0).
std::size_t cuda_l2_elements(double l2_bytes, int arrays = 3);

// Elements per array for the device-memory runs: arrays together about
// `fraction` of the memory (default a quarter) but at most 1 GiB each and at
// least 32 x the L2 in all (so the L2 cannot serve them), multiple of 256.
std::size_t cuda_dram_elements(double memory_bytes, double l2_bytes, int arrays = 3,
                               double fraction = 0.25);

}  // namespace dnnroof

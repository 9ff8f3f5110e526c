#include "probe/cuda_counts.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace dnnroof {

int cuda_fma_lanes(bool packed) { return packed ? 2 : 1; }

double cuda_fma_flops(const CudaLaunch& launch, std::uint64_t iterations, int chains, int lanes) {
  if (launch.grid <= 0 || launch.block <= 0 || chains <= 0 || lanes <= 0) {
    fail("CUDA FMA launch {} x {} with {} chains of {} lanes: every count must be positive",
         launch.grid, launch.block, chains, lanes);
  }
  return 2.0 * launch.threads() * static_cast<double>(iterations) * chains * lanes;
}

CudaLaunch cuda_fma_launch(int sm_count, int max_threads_per_sm, int block, int waves) {
  if (sm_count <= 0 || max_threads_per_sm <= 0 || block <= 0 || waves <= 0) {
    fail("CUDA FMA launch for {} SMs of {} threads, block {}, {} waves: must be positive", sm_count,
         max_threads_per_sm, block, waves);
  }
  const int blocks_per_sm = std::max(1, max_threads_per_sm / block);
  return {static_cast<std::int64_t>(sm_count) * blocks_per_sm * waves, block};
}

CudaLaunch cuda_stream_launch(std::size_t elements, int sm_count, int block, int blocks_per_sm) {
  if (elements == 0 || sm_count <= 0 || block <= 0 || blocks_per_sm <= 0) {
    fail("CUDA stream launch for {} elements on {} SMs, block {}: must be positive", elements,
         sm_count, block);
  }
  const auto needed = static_cast<std::int64_t>((elements + static_cast<std::size_t>(block) - 1) /
                                                static_cast<std::size_t>(block));
  return {std::min<std::int64_t>(needed, static_cast<std::int64_t>(sm_count) * blocks_per_sm),
          block};
}

double cuda_stream_bytes(int kind, std::size_t elements) {
  if (kind < 0 || kind > 2) fail("CUDA stream kernel {}: 0 read, 1 copy or 2 triad", kind);
  return static_cast<double>(kind + 1) * 8.0 * static_cast<double>(elements);
}

std::size_t cuda_l2_elements(double l2_bytes, int arrays) {
  if (!(l2_bytes > 0) || arrays <= 0) return 0;
  const auto n = static_cast<std::size_t>(l2_bytes / 2 / arrays / 8);
  return n / 256 * 256;
}

std::size_t cuda_dram_elements(double memory_bytes, double l2_bytes, int arrays, double fraction) {
  if (!(memory_bytes > 0) || arrays <= 0)
    fail("CUDA memory size {} B: must be positive", memory_bytes);
  double per_array = std::min(memory_bytes * fraction / arrays, 1024.0 * 1024 * 1024);
  per_array = std::max(per_array, 32 * std::max(l2_bytes, 0.0) / arrays);
  per_array = std::min(per_array, memory_bytes * 0.8 / arrays);
  const auto n = static_cast<std::size_t>(per_array / 8);
  return n / 256 * 256;
}

}  // namespace dnnroof

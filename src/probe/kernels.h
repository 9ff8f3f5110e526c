#pragma once
// The probe's kernels: FMA loops that reach a core's peak per precision, and
// streaming loops (read, copy, triad) that reach a memory level's bandwidth.
// Each kernel states exactly how much work one call does, so the measured
// rate is that count over the measured time, and tests check the count on
// small sizes.
//
// Kernels of each SIMD level live in their own translation unit compiled with
// that level's flags (kernels_avx512.cc: -mavx512f -mavx512bf16 -mavx512vnni,
// ...); nothing here may be called unless the CPU has the level (see isa.h).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "core/dtype.h"
#include "probe/isa.h"

namespace dnnroof {

// A peak-FLOP/s loop: `accumulators` independent vector registers (enough to
// hide the FMA latency), each updated once per iteration by one multiply-add
// step that does `macs_per_step` multiply-adds (its lanes; bf16 dot products
// do 2 per fp32 lane, int8 VNNI 4 per int32 lane).
struct ComputeKernel {
  std::string_view name;  // "avx512-fp32-fma"
  SimdIsa isa = SimdIsa::portable;
  DType precision = DType::fp32;  // of the multiplied operands
  // Extra flags the kernel needs besides its level's (HostInfo::isa spelling,
  // e.g. "avx512_bf16"); empty when none.
  std::string_view needs_flag;
  int accumulators = 0;
  int macs_per_step = 0;
  // Runs `iterations` iterations from zero accumulators, every multiplicand
  // and addend equal to `x` (bf16 rounds it, int8 truncates it), and returns
  // the sum of every lane of every accumulator. With x = 1 each multiply-add
  // adds exactly 1, so for small counts the result equals macs(iterations):
  // the proof the loop did the work it claims.
  double (*run)(std::uint64_t iterations, double x) = nullptr;

  double macs(std::uint64_t iterations) const {
    return static_cast<double>(iterations) * accumulators * macs_per_step;
  }
  // FLOP (OP for int8) of `iterations`: 2 per multiply-add.
  double flops(std::uint64_t iterations) const { return 2.0 * macs(iterations); }
};

enum class MemoryKernelKind {
  read,   // s += a[i]:            1 array read
  copy,   // a[i] = b[i]:          1 read, 1 written
  triad,  // a[i] = b[i] + s*c[i]: 2 read, 1 written (STREAM triad)
};
std::string_view memory_kernel_name(MemoryKernelKind kind);  // "read", "copy", "triad"

// Arrays of doubles a kernel touches per element: 1, 2 or 3.
int arrays_touched(MemoryKernelKind kind);

// Bytes one pass over `elements` elements moves, counted as STREAM does:
// every array read or written once, 8 B per double; the write-allocate read
// of the destination's lines is NOT counted (so copy and triad understate the
// real traffic by one array when stores allocate).
double bytes_moved(MemoryKernelKind kind, std::size_t elements);

// One streaming loop over doubles. `run` makes one pass over `elements`
// (any count; a tail is done in scalar code): read returns the sum of a;
// copy writes a = b; triad writes a = b + scalar * c; copy and triad return
// a[elements - 1] (0 when empty), so the compiler cannot drop the pass.
struct MemoryKernel {
  MemoryKernelKind kind = MemoryKernelKind::triad;
  SimdIsa isa = SimdIsa::portable;
  double (*run)(double* a, const double* b, const double* c, std::size_t elements,
                double scalar) = nullptr;
};

// The kernels compiled for each level (empty when the level is not compiled
// into this binary), in precision order fp64, fp32, bf16, int8 and kind
// order read, copy, triad. Calling one without the CPU support faults.
std::span<const ComputeKernel> compute_kernels_for(SimdIsa isa);
std::span<const MemoryKernel> memory_kernels_for(SimdIsa isa);

}  // namespace dnnroof

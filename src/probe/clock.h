#pragma once
// The sustained core clock, measured: a chain of dependent integer
// additions (each needs the previous result, and an integer add has a
// latency of exactly 1 cycle on every x86-64 and Arm64 core; Agner Fog's
// instruction tables) runs for a known number of additions, timed with
// std::chrono::steady_clock. Additions / seconds = cycles / second. In a
// virtual machine this is the clock the cores really run at, where the
// clock the OS reports is the TSC's (a constant rate set at boot).

#include <cstdint>
#include <vector>

#include "hw/host.h"

namespace dnnroof {

// Additions per block of the chain (the kernel's unroll).
inline constexpr std::uint64_t kClockChainBlock = 100;

// True when this build has the chain kernel (x86-64 and AArch64).
bool clock_kernel_available();

// Runs `blocks` x kClockChainBlock dependent additions and returns their
// count (so the work cannot be dropped). 0 when the kernel is unavailable.
std::uint64_t run_add_chain(std::uint64_t blocks);

struct ClockOptions {
  double warmup_s = 0.2;   // [s] spin first, so a core that ramps its clock has ramped
  double measure_s = 0.5;  // [s] of timed samples after the warm-up
  // [s] one sample (at 3 GHz): long against the timer's cost (tens of ns),
  // short against the time slices of other processes and of the hypervisor,
  // so that on a busy machine some samples still run undisturbed.
  double sample_s = 0.001;
};

// The sustained clock of `threads` cores running the chain at once, one
// thread pinned per physical core (as the probe's teams are). Each thread's
// clock is the additions of its fastest sample over that sample's time (on
// a shared machine interference only slows a sample down); the result's
// hz is the mean over the threads, its origin says min and max. hz 0 when
// the kernel is unavailable.
CoreClock measure_core_clock(int threads, const ClockOptions& options = {});

// measure_core_clock for each count (duplicates and counts < 1 dropped).
std::vector<CoreClock> measure_core_clocks(const std::vector<int>& thread_counts,
                                           const ClockOptions& options = {});

}  // namespace dnnroof

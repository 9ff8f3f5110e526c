#include "probe/clock.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "core/units.h"
#include "probe/thread_team.h"

namespace dnnroof {
namespace {

// One addition to the chain (it reads the result of the one before) and the
// loop's end (count down, branch back to 1:), per ISA; one block is 100
// additions.
#if defined(__x86_64__)
#define DNNROOF_ADD1 "add %[inc], %[acc]\n\t"
#define DNNROOF_LOOP_END "dec %[n]\n\tjnz 1b\n\t"
#elif defined(__aarch64__)
#define DNNROOF_ADD1 "add %[acc], %[acc], %[inc]\n\t"
#define DNNROOF_LOOP_END "subs %[n], %[n], #1\n\tb.ne 1b\n\t"
#endif
#define DNNROOF_ADD10                                                                        \
  DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1 \
      DNNROOF_ADD1 DNNROOF_ADD1 DNNROOF_ADD1
#define DNNROOF_ADD100                                                                \
  DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10 \
      DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10 DNNROOF_ADD10

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Blocks per sample so that one sample lasts about `sample_s` at 3 GHz.
std::uint64_t blocks_per_sample(double sample_s) {
  return std::max<std::uint64_t>(
      1000, static_cast<std::uint64_t>(sample_s * 3e9 / static_cast<double>(kClockChainBlock)));
}

}  // namespace

bool clock_kernel_available() {
#if defined(__x86_64__) || defined(__aarch64__)
  return true;
#else
  return false;
#endif
}

std::uint64_t run_add_chain(std::uint64_t blocks) {
  if (blocks == 0) return 0;
  std::uint64_t acc = 0;
  const std::uint64_t inc = 1;
#if defined(__x86_64__) || defined(__aarch64__)
  std::uint64_t n = blocks;
  // On x86 the loop counter (dec/jnz) is independent of the chain and runs
  // on other ports beside it, so a block costs 100 cycles.
  __asm__ volatile("1:\n\t" DNNROOF_ADD100 DNNROOF_LOOP_END
                   : [acc] "+r"(acc), [n] "+r"(n)
                   : [inc] "r"(inc)
                   : "cc");
#else
  (void)inc;
  return 0;
#endif
  return acc;
}

CoreClock measure_core_clock(int threads, const ClockOptions& options) {
  CoreClock out;
  out.threads = std::max(1, threads);
  if (!clock_kernel_available()) {
    out.origin = "not measured: no dependent-add kernel for this CPU architecture";
    return out;
  }
  const std::vector<int> cores = physical_core_cpus();
  std::vector<int> cpus;
  for (int i = 0; i < out.threads; ++i) {
    cpus.push_back(static_cast<std::size_t>(i) < cores.size() ? cores[static_cast<std::size_t>(i)]
                                                              : -1);
  }
  ThreadTeam team(cpus);
  const std::uint64_t blocks = blocks_per_sample(options.sample_s);
  const double adds = static_cast<double>(blocks * kClockChainBlock);
  std::vector<double> best(cpus.size(), 0.0);  // [Hz] per thread
  std::vector<std::uint64_t> sinks(cpus.size(), 0);
  std::vector<int> samples(cpus.size(), 0);
  team.run([&](int t) {
    const auto i = static_cast<std::size_t>(t);
    const auto t0 = Clock::now();
    while (seconds_since(t0) < options.warmup_s) sinks[i] += run_add_chain(blocks / 4 + 1);
    const auto m0 = Clock::now();
    while (seconds_since(m0) < options.measure_s || samples[i] < 3) {
      const auto s0 = Clock::now();
      sinks[i] += run_add_chain(blocks);
      const double s = seconds_since(s0);
      if (s > 0) best[i] = std::max(best[i], adds / s);
      ++samples[i];
    }
  });
  double sum = 0;
  for (double hz : best) sum += hz;
  out.hz = sum / static_cast<double>(best.size());
  const auto [lo, hi] = std::minmax_element(best.begin(), best.end());
  const int total_samples = [&] {
    int n = 0;
    for (int s : samples) n += s;
    return n;
  }();
  out.origin = fmt::format(
      "measured: a chain of dependent integer adds (1 cycle each) on {} core{} at once{}, "
      "{:g} s warm-up then {} samples of {:.0f} M adds timed with steady_clock; fastest sample "
      "per core{}",
      out.threads, out.threads == 1 ? "" : "s", team.pinned() ? " (pinned)" : "", options.warmup_s,
      total_samples, adds / 1e6,
      out.threads == 1 ? ""
                       : fmt::format(", mean of the cores ({} to {})", format_si(*lo, "Hz", 4),
                                     format_si(*hi, "Hz", 4)));
  volatile std::uint64_t keep = sinks[0];
  (void)keep;
  return out;
}

std::vector<CoreClock> measure_core_clocks(const std::vector<int>& thread_counts,
                                           const ClockOptions& options) {
  std::vector<CoreClock> out;
  std::set<int> seen;
  for (int n : thread_counts) {
    if (n < 1 || !seen.insert(n).second) continue;
    out.push_back(measure_core_clock(n, options));
  }
  return out;
}

}  // namespace dnnroof

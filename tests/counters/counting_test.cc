// Real counting on machines that expose hardware counters: a loop of a known
// number of scalar double additions must show up in FP_ARITH_INST_RETIRED.
// Skips (with the reason) where perf_event_open gives no counters, as in
// most VMs and containers.

#include <gtest/gtest.h>

#include "counters/counters.h"

namespace dnnroof {
namespace {

TEST(RealCounters, ScalarDoubleAdditionsAreCounted) {
#if !defined(__x86_64__)
  GTEST_SKIP() << "the loop is written for x86-64";
#else
  CounterSession s;
  if (!s.available()) GTEST_SKIP() << s.reason();
  const CpuId cpu = detect_cpu_id();
  if (cpu.vendor != CpuVendor::intel) GTEST_SKIP() << "exact counts are checked on Intel only";
  constexpr long kAdds = 20'000'000;
  volatile double seed = 1e-9;
  double acc = 0;
  const double inc = seed;
  s.start();
  for (long i = 0; i < kAdds; ++i) {
    acc += inc;
    asm volatile("" : "+x"(acc));  // one scalar addsd per iteration, kept in a register
  }
  const CounterReading r = s.stop();
  seed = acc;
  if (!r.fp_counts) GTEST_SKIP() << "FP events unavailable: " << r.reason;
  // Multiplexed counters are scaled estimates: allow 10%.
  const double tol = r.multiplexed ? 0.10 : 0.01;
  EXPECT_NEAR(r.fp_counts->scalar_double, static_cast<double>(kAdds), tol * kAdds);
  EXPECT_LT(r.fp_counts->packed256_double + r.fp_counts->packed512_double, 0.01 * kAdds);
  EXPECT_GE(*r.flops, (1 - tol) * kAdds);
#endif
}

}  // namespace
}  // namespace dnnroof

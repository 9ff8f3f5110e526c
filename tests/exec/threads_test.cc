// `--threads` that holds: every pool gets the count asked for, the run's
// threads are pinned, and a GEMM-heavy run on one thread uses one core.
#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "exec/blas.h"
#include "exec/executor.h"
#include "hw/cpu_affinity.h"

namespace dnnroof {
namespace {

// Four 1024 x 1024 linear layers on a batch of 128: 4 x 2 x 128 x 1024^2 =
// 1.07 GFLOP of matrix products per pass, nearly all in the BLAS's GEMM.
Graph gemm_heavy() {
  GraphBuilder b("gemm4", DType::fp32);
  ValueId x = b.input("x", {128, 1024});
  for (int i = 0; i < 4; ++i) x = b.linear(x, 1024, true, "fc" + std::to_string(i));
  b.output(x);
  return b.finish();
}

double process_cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double wall_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Process CPU time over wall time across passes of at least 0.6 s of wall
// time, after one warm-up pass. With every pool on one thread it cannot
// exceed 1 by more than the timers' granularity however loaded the machine
// is (a load only lowers it); a BLAS left on its own threads drives it
// towards the number of cores.
double cpu_per_wall(Executor& e) {
  e.infer();
  const double c0 = process_cpu_s();
  const double w0 = wall_s();
  int passes = 0;
  while (passes < 3 || wall_s() - w0 < 0.6) {
    e.infer();
    ++passes;
  }
  return (process_cpu_s() - c0) / (wall_s() - w0);
}

// Cpus_allowed_list of every thread of this process ("0", "0-1").
std::vector<std::string> every_thread_cpus() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream in(task.path() / "status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Cpus_allowed_list:", 0) == 0) {
        const std::size_t v = line.find_first_not_of(" \t", 18);
        out.push_back(v == std::string::npos ? "" : line.substr(v));
      }
    }
  }
  return out;
}

// An executor of gemm_heavy() on `threads` threads, pinned or not.
std::unique_ptr<Executor> gemm_executor(int threads, bool pin = true) {
  ExecOptions o;
  o.threads = threads;
  o.pin = pin;
  return make_executor(gemm_heavy(), o);
}

// Every pool of a run on `threads` threads reads back `threads` (BLAS and
// OpenMP 0 only where the process has no OpenBLAS or no OpenMP runtime), and
// the run is pinned to the CPUs picked for that count.
void expect_every_pool(const ExecInfo& info, int threads) {
  EXPECT_EQ(info.threads, threads);
  EXPECT_EQ(info.interop_threads, threads);
  EXPECT_TRUE(info.blas_threads == threads || info.blas_threads == 0) << info.blas_threads;
  EXPECT_TRUE(info.openmp_threads == threads || info.openmp_threads == 0) << info.openmp_threads;
  EXPECT_EQ(info.pinned_cpus, cpu_list_text(cpus_for_threads(threads)));
}

TEST(ExecThreads, OneThreadEveryPoolAndOneCore) {
  auto e = gemm_executor(1);
  const ExecInfo& info = e->info();
  expect_every_pool(info, 1);
  EXPECT_EQ(current_thread_cpus(), cpus_for_threads(1));
  // Every thread of the process, OpenBLAS's and OpenMP's included, on that CPU.
  for (const std::string& t : every_thread_cpus()) EXPECT_EQ(t, info.pinned_cpus);
  const double ratio = cpu_per_wall(*e);
  EXPECT_LE(ratio, 1.3) << "a 1-thread run used " << ratio << " cores";
}

// Without pinning the pools alone must hold: OpenBLAS's own threads would
// otherwise multiply the matrices on every core.
TEST(ExecThreads, OneThreadHoldsWithoutPinning) {
  auto e = gemm_executor(1, /*pin=*/false);
  EXPECT_EQ(e->info().pinned_cpus, "");
  EXPECT_EQ(blas_threads() == 0 ? 1 : blas_threads(), 1);
  const double ratio = cpu_per_wall(*e);
  EXPECT_LE(ratio, 1.3) << "a 1-thread run used " << ratio << " cores";
}

// Two threads: every pool reads back 2 (a lower bound on CPU time would be
// flaky on a loaded machine, so the pools are checked instead), pinned to
// the first two allowed cores; the launch mask comes back afterwards.
TEST(ExecThreads, TwoThreadsEveryPoolPinnedAndRestored) {
  {
    auto e = gemm_executor(2);
    const ExecInfo& info = e->info();
    expect_every_pool(info, 2);
    // The calling thread is intra-op worker 0: pinned to the first CPU; the
    // OpenMP worker to the second; every other thread to the two.
    EXPECT_EQ(current_thread_cpus(), cpus_for_threads(1));
    const std::vector<int> two = cpus_for_threads(2);
    std::size_t on_second = 0;
    for (const std::string& t : every_thread_cpus()) {
      EXPECT_TRUE(t == info.pinned_cpus || t == std::to_string(two[0]) ||
                  t == std::to_string(two[1]))
          << t;
      on_second += t == std::to_string(two[1]) ? 1 : 0;
    }
    if (info.openmp_threads == 2 && two[0] != two[1]) {
      EXPECT_GE(on_second, 1U);
    }
    e->infer();
  }
  EXPECT_EQ(current_thread_cpus(), launch_allowed_cpus());
}

TEST(ExecThreads, DefaultIsEveryAllowedCore) {
  auto e = make_executor(gemm_heavy(), ExecOptions{});
  EXPECT_EQ(e->info().threads, default_thread_count());
  EXPECT_EQ(e->info().pinned_cpus, cpu_list_text(allowed_core_cpus()));
}

}  // namespace
}  // namespace dnnroof

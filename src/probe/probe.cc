#include "probe/probe.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/error.h"
#include "core/units.h"
#include "measure/sampler.h"
#include "probe/clock.h"
#include "probe/sampling.h"
#include "probe/thread_team.h"

namespace dnnroof {
namespace {

constexpr double kMinWorkingSet = 4096;    // [B]
constexpr std::size_t kElementAlign = 64;  // elements per pass are a multiple of this

// How long one timed sample lasts [s]: long against the start/stop cost of
// the team (a few tens of microseconds), short enough for many samples.
double sample_target_s(bool quick) { return quick ? 0.004 : 0.02; }

struct FreeDeleter {
  void operator()(double* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<double, FreeDeleter>;

// Per-thread arrays for the sweeps: a, b, c of `capacity` elements each in
// one block per thread, allocated and first touched by the thread that uses
// them (so they sit in its NUMA node). The arrays start 64 B apart modulo
// 4 KiB so that a[i], b[i], c[i] do not alias in the L1.
class SweepArrays {
 public:
  SweepArrays(ThreadTeam& team, std::size_t capacity) : capacity_(capacity) {
    stride_ = (capacity + 511) / 512 * 512 + 8;
    blocks_.resize(static_cast<std::size_t>(team.size()));
    std::vector<int> failed(blocks_.size(), 0);
    team.run([&](int t) {
      const std::size_t bytes = (3 * stride_ + 8) * sizeof(double);
      auto* p = static_cast<double*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
      if (p == nullptr) {
        failed[static_cast<std::size_t>(t)] = 1;
        return;
      }
      for (std::size_t i = 0; i < capacity_; ++i) {
        p[i] = 0;
        p[stride_ + i] = 1;
        p[2 * stride_ + i] = 2;
      }
      blocks_[static_cast<std::size_t>(t)].reset(p);
    });
    if (std::find(failed.begin(), failed.end(), 1) != failed.end()) {
      fail("probe: cannot allocate {} per thread for the bandwidth sweep",
           format_binary(3.0 * static_cast<double>(capacity) * sizeof(double)));
    }
  }
  double* a(int t) const { return blocks_[static_cast<std::size_t>(t)].get(); }
  double* b(int t) const { return a(t) + stride_; }
  double* c(int t) const { return a(t) + 2 * stride_; }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::size_t stride_ = 0;
  std::vector<Buffer> blocks_;
};

// One bandwidth point: `elements` per thread, passes per sample calibrated
// to the sample target.
BandwidthPoint measure_point(ThreadTeam& team, const SweepArrays& arrays,
                             const MemoryKernel& kernel, std::size_t elements, bool quick) {
  std::vector<double> sinks(static_cast<std::size_t>(team.size()), 0.0);
  std::size_t passes = 1;
  auto sample = [&] {
    return team.run([&](int t) {
      double sink = 0;
      for (std::size_t p = 0; p < passes; ++p) {
        sink += kernel.run(arrays.a(t), arrays.b(t), arrays.c(t), elements, 3.0);
      }
      sinks[static_cast<std::size_t>(t)] += sink;
    });
  };
  const double one_pass_s = std::max(sample(), 1e-7);
  passes = std::max<std::size_t>(1, static_cast<std::size_t>(sample_target_s(quick) / one_pass_s));
  const Measurement m = measure(sample, probe_sampler_options(ProbeSampling::cpu_kernel, quick));
  BandwidthPoint point;
  point.kind = kernel.kind;
  point.threads = team.size();
  point.working_set_bytes = static_cast<double>(arrays_touched(kernel.kind)) *
                            static_cast<double>(elements) * sizeof(double) * team.size();
  point.rate =
      rate_of(m, bytes_moved(kernel.kind, elements) * static_cast<double>(passes) * team.size());
  // The sinks are only there so that no pass can be optimised away.
  volatile double keep = sinks[0];
  (void)keep;
  return point;
}

ComputeCeiling measure_compute(ThreadTeam& team, const ComputeKernel& kernel, bool quick) {
  std::uint64_t iterations = 1 << 14;
  std::vector<double> sinks(static_cast<std::size_t>(team.size()), 0.0);
  auto sample = [&] {
    return team.run(
        [&](int t) { sinks[static_cast<std::size_t>(t)] += kernel.run(iterations, 1.0); });
  };
  const double calibration_s = std::max(sample(), 1e-7);
  iterations = std::max<std::uint64_t>(
      1000, static_cast<std::uint64_t>(static_cast<double>(iterations) * sample_target_s(quick) /
                                       calibration_s));
  const Measurement m = measure(sample, probe_sampler_options(ProbeSampling::cpu_kernel, quick));
  ComputeCeiling c;
  c.kernel = std::string(kernel.name);
  c.precision = kernel.precision;
  c.threads = team.size();
  c.rate = rate_of(m, kernel.flops(iterations) * team.size());
  volatile double keep = sinks[0];
  (void)keep;
  return c;
}

// Steps of the probe with their estimated cost, for the ETA.
struct Step {
  std::string what;
  double estimate_s = 0;
  std::function<void()> run;
};

// The first `threads` physical-core CPUs; extra threads unpinned.
std::vector<int> team_cpus_for(int threads) {
  const std::vector<int> cpus = physical_core_cpus();
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(std::max(0, threads)));
  for (int i = 0; i < threads; ++i) {
    out.push_back(static_cast<std::size_t>(i) < cpus.size() ? cpus[static_cast<std::size_t>(i)]
                                                            : -1);
  }
  return out;
}

}  // namespace

ComputeCeiling measure_compute_ceiling(const ComputeKernel& kernel, int threads, bool quick) {
  ThreadTeam team(team_cpus_for(std::max(1, threads)));
  return measure_compute(team, kernel, quick);
}

BandwidthPoint measure_bandwidth_point(const MemoryKernel& kernel, int threads,
                                       double working_set_bytes, bool quick) {
  ThreadTeam team(team_cpus_for(std::max(1, threads)));
  const double bytes_per_element = arrays_touched(kernel.kind) * sizeof(double) * team.size();
  const std::size_t elements = std::max<std::size_t>(
      kElementAlign, static_cast<std::size_t>(working_set_bytes / bytes_per_element) /
                         kElementAlign * kElementAlign);
  SweepArrays arrays(team, elements);
  return measure_point(team, arrays, kernel, elements, quick);
}

const BandwidthCurve* ProbeResult::curve(MemoryKernelKind kind, int threads) const {
  for (const auto& c : curves) {
    if (c.kind == kind && c.threads == threads) return &c;
  }
  return nullptr;
}

std::vector<ComputeKernel> select_compute_kernels(const std::vector<std::string>& isa_flags) {
  const SimdIsa best = best_simd_isa(isa_flags);
  std::vector<ComputeKernel> out;
  for (const ComputeKernel& k : compute_kernels_for(best)) {
    if (!k.needs_flag.empty() && !has_isa_flag(isa_flags, k.needs_flag)) continue;
    out.push_back(k);
  }
  return out;
}

MemoryKernel select_memory_kernel(const std::vector<std::string>& isa_flags,
                                  MemoryKernelKind kind) {
  for (const MemoryKernel& k : memory_kernels_for(best_simd_isa(isa_flags))) {
    if (k.kind == kind) return k;
  }
  fail("probe: no {} kernel compiled for {}", memory_kernel_name(kind),
       simd_isa_name(best_simd_isa(isa_flags)));
}

std::vector<double> sweep_sizes(double max_bytes, double step) {
  if (!(step > 1)) fail("probe: sweep step must be > 1, got {}", step);
  std::vector<double> out;
  for (double s = kMinWorkingSet;; s *= step) {
    out.push_back(std::round(s));
    if (s >= max_bytes) break;
  }
  return out;
}

std::vector<std::size_t> sweep_element_counts(const std::vector<double>& sizes,
                                              double bytes_per_element) {
  std::vector<std::size_t> counts;
  for (double size : sizes) {
    const std::size_t elements =
        std::max<std::size_t>(kElementAlign, static_cast<std::size_t>(size / bytes_per_element) /
                                                 kElementAlign * kElementAlign);
    if (counts.empty() || elements > counts.back()) counts.push_back(elements);
  }
  return counts;
}

std::vector<LevelCapacity> level_capacities(const HostInfo& host, int threads) {
  const double cores = std::max(1, host.physical_cores);
  const double share = std::min<double>(threads, cores) / cores;
  return {{"L1d", host.l1d_bytes * share}, {"L2", host.l2_bytes * share}, {"L3", host.l3_bytes}};
}

ProbeResult run_probe(const HostInfo& host, const ProbeOptions& options,
                      const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  ProbeResult result;
  result.host = host;
  result.isa = best_simd_isa(host.isa);

  const int all =
      options.threads > 0 ? options.threads : static_cast<int>(physical_core_cpus().size());
  result.all_threads = all;
  std::vector<int> thread_counts{1, all};
  for (int t : options.extra_threads) {
    if (t < 1) fail("probe: thread count {} is not positive", t);
    thread_counts.push_back(t);
  }
  std::sort(thread_counts.begin(), thread_counts.end());
  thread_counts.erase(std::unique(thread_counts.begin(), thread_counts.end()), thread_counts.end());

  double max_bytes = options.max_working_set_bytes;
  if (!(max_bytes > 0)) {
    const double llc = std::max({host.l3_bytes, host.l2_bytes, 8.0 * 1024 * 1024});
    max_bytes = options.quick ? std::max(2 * llc, 64.0 * 1024 * 1024)
                              : std::max(1024.0 * 1024 * 1024, 4 * llc);
    if (host.memory_bytes > 0) max_bytes = std::min(max_bytes, host.memory_bytes / 4);
  }
  const std::vector<double> sizes = sweep_sizes(max_bytes, options.quick ? 2.0 : std::sqrt(2.0));
  std::vector<MemoryKernelKind> kinds{MemoryKernelKind::triad};
  if (!options.quick) {
    kinds = {MemoryKernelKind::read, MemoryKernelKind::copy, MemoryKernelKind::triad};
  }

  const std::vector<ComputeKernel> compute = select_compute_kernels(host.isa);
  const double per_measure_s = options.quick ? 0.15 : 0.8;

  // The plan: teams are made per thread count, arrays per (count, kind).
  std::vector<Step> steps;
  std::unique_ptr<ThreadTeam> team;
  std::unique_ptr<SweepArrays> arrays;
  // The sustained core clock on each thread count first: the theoretical
  // peaks of the comparison rest on it (probe/clock.h).
  for (int threads : thread_counts) {
    steps.push_back({fmt::format("core clock, {} thread{}", threads, threads == 1 ? "" : "s"),
                     options.quick ? 0.65 : 1.3, [&, threads] {
                       team.reset();  // its threads would share the cores
                       ClockOptions co;
                       co.warmup_s = options.quick ? 0.15 : 0.3;
                       co.measure_s = options.quick ? 0.5 : 1.0;
                       set_measured_clocks(result.host, {measure_core_clock(threads, co)});
                     }});
  }
  for (int threads : thread_counts) {
    const std::vector<int> team_cpus = team_cpus_for(threads);
    for (const ComputeKernel& k : compute) {
      steps.push_back({fmt::format("{} peak, {} thread{}", dtype_name(k.precision), threads,
                                   threads == 1 ? "" : "s"),
                       per_measure_s, [&, team_cpus, k, threads] {
                         if (!team || team->size() != threads) {
                           arrays.reset();
                           team = std::make_unique<ThreadTeam>(team_cpus);
                           if (threads == all) result.pinned = team->pinned();
                         }
                         result.compute.push_back(measure_compute(*team, k, options.quick));
                       }});
    }
    for (MemoryKernelKind kind : kinds) {
      const MemoryKernel kernel = select_memory_kernel(host.isa, kind);
      const double bytes_per_element = arrays_touched(kind) * sizeof(double) * threads;
      const std::vector<std::size_t> counts = sweep_element_counts(sizes, bytes_per_element);
      for (std::size_t i = 0; i < counts.size(); ++i) {
        const std::size_t elements = counts[i];
        const double size = static_cast<double>(elements) * bytes_per_element;
        const bool first = i == 0;
        const bool last = i + 1 == counts.size();
        steps.push_back(
            {fmt::format("{}, {} thread{}, {}", memory_kernel_name(kind), threads,
                         threads == 1 ? "" : "s", format_binary(size)),
             per_measure_s + 3 * size / 5e9,
             [&, team_cpus, kernel, threads, elements, first, last, kind] {
               if (!team || team->size() != threads) {
                 arrays.reset();
                 team = std::make_unique<ThreadTeam>(team_cpus);
               }
               if (first) {
                 const double max_elements =
                     sizes.back() / (sizeof(double) * threads) + kElementAlign;
                 if (!arrays || arrays->capacity() < static_cast<std::size_t>(max_elements)) {
                   arrays.reset();
                   arrays =
                       std::make_unique<SweepArrays>(*team, static_cast<std::size_t>(max_elements));
                 }
                 result.curves.push_back({kind, threads, {}, {}});
               }
               BandwidthCurve& curve = result.curves.back();
               curve.points.push_back(
                   measure_point(*team, *arrays, kernel, elements, options.quick));
               if (last) {
                 std::vector<CurvePoint> pts;
                 for (const auto& p : curve.points) {
                   pts.push_back({p.working_set_bytes, p.rate.best});
                 }
                 curve.plateaus = detect_plateaus(pts, level_capacities(host, threads));
               }
             }});
      }
    }
  }

  double total_estimate = 0;
  for (const auto& s : steps) total_estimate += s.estimate_s;
  double done_estimate = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (progress) {
      ProbeProgress p;
      p.step = i + 1;
      p.steps = steps.size();
      p.what = steps[i].what;
      p.elapsed_s = elapsed;
      p.remaining_s = done_estimate > 0 ? (total_estimate - done_estimate) * elapsed / done_estimate
                                        : std::nan("");
      progress(p);
    }
    steps[i].run();
    done_estimate += steps[i].estimate_s;
  }
  arrays.reset();
  team.reset();
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace dnnroof

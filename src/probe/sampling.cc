#include "probe/sampling.h"

#include <array>
#include <cstddef>

namespace dnnroof {
namespace {

struct Preset {
  ProbeSampling kind;
  std::size_t warmup_window;
  std::size_t min_warmup_iterations;
  double min_warmup_s, max_warmup_s;  // [s]
  std::size_t min_samples;
  double min_time_s, max_time_s;  // [s]
};

// {quick, full} per kind, in ProbeSampling order: {kind, warm-up window,
// min warm-up iterations, min and max warm-up [s], min samples, min and max
// sampling time [s]}.
constexpr std::array<std::array<Preset, 2>, 3> kPresets{{
    {{{ProbeSampling::cpu_kernel, 3, 2, 0.02, 0.3, 5, 0.05, 0.3},
      {ProbeSampling::cpu_kernel, 5, 3, 0.1, 2.0, 10, 0.3, 2.0}}},
    {{{ProbeSampling::gpu_kernel, 3, 3, 0.05, 0.5, 5, 0.1, 0.5},
      {ProbeSampling::gpu_kernel, 3, 3, 0.2, 2.0, 10, 0.5, 2.0}}},
    {{{ProbeSampling::gemm, 2, 2, 0.1, 1.0, 5, 0.3, 1.5},
      {ProbeSampling::gemm, 2, 2, 0.3, 3.0, 8, 1.0, 6.0}}},
}};

constexpr bool presets_in_order() {
  for (std::size_t i = 0; i < kPresets.size(); ++i) {
    for (const Preset& p : kPresets[i]) {
      if (static_cast<std::size_t>(p.kind) != i) return false;
    }
  }
  return true;
}
static_assert(presets_in_order(), "kPresets: one row per ProbeSampling, in its order");

}  // namespace

MeasureOptions probe_sampler_options(ProbeSampling kind, bool quick) {
  const Preset& p = kPresets.at(static_cast<std::size_t>(kind)).at(quick ? 0 : 1);
  MeasureOptions o;
  o.warmup_window = p.warmup_window;
  o.min_warmup_iterations = p.min_warmup_iterations;
  o.min_warmup_s = p.min_warmup_s;
  o.max_warmup_s = p.max_warmup_s;
  o.min_samples = p.min_samples;
  o.min_time_s = p.min_time_s;
  o.max_time_s = p.max_time_s;
  return o;
}

Rate rate_of(const Measurement& m, double work) {
  Rate r;
  r.median = work / m.stats.median;
  r.best = work / m.stats.min;
  r.samples = m.stats.n;
  r.converged = m.converged;
  return r;
}

}  // namespace dnnroof

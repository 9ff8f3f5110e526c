// The statistics on 1e5 synthetic durations: the sampler asks its stop
// criterion every n/32 samples, so this bounds its overhead on long runs.

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "measure/statistics.h"
#include "measure/stop_criterion.h"

namespace {

std::vector<double> lognormal_samples(std::size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> d(-7.0, 0.05);  // ~1 ms, 5% spread
  std::vector<double> x(n);
  for (double& v : x) v = d(rng);
  return x;
}

void summarize_samples(benchmark::State& state) {
  const auto x = lognormal_samples(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    benchmark::DoNotOptimize(dnnroof::summarize(x));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(summarize_samples)->Arg(1000)->Arg(100000)->Unit(benchmark::kMillisecond);

void median_interval_samples(benchmark::State& state) {
  const auto x = lognormal_samples(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    benchmark::DoNotOptimize(dnnroof::median_interval(x));
  }
}
BENCHMARK(median_interval_samples)->Arg(100000)->Unit(benchmark::kMillisecond);

void median_ci_criterion_samples(benchmark::State& state) {
  const auto x = lognormal_samples(static_cast<std::size_t>(state.range(0)));
  const dnnroof::MedianCiCriterion criterion;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    benchmark::DoNotOptimize(criterion.done(x));
  }
}
BENCHMARK(median_ci_criterion_samples)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

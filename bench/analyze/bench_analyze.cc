// The static analysis must feel instant: building, shape-inferring and
// costing every zoo model at 5 batch sizes should take < 0.5 s on one core.
// One benchmark per model ("model/<name>") and one for the whole zoo
// ("all_models"); run with --benchmark_min_time=0.2s for quick numbers.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "cost/cost.h"
#include "graph/graph.h"
#include "zoo/zoo.h"

namespace {

constexpr std::array<std::int64_t, 5> kBatches{1, 8, 32, 64, 256};

// Builds, re-infers the shapes and costs one model at every batch size;
// returns the FLOPs so the work cannot be optimised away.
double analyze_model(const dnnroof::ZooEntry& entry) {
  double flops = 0;
  for (std::int64_t batch : kBatches) {
    dnnroof::ZooOptions options;
    options.batch = batch;
    dnnroof::Graph graph = entry.build(options);
    dnnroof::infer_shapes(graph);
    dnnroof::CostOptions cost_options;
    cost_options.training = true;
    flops += dnnroof::estimate_cost(graph, cost_options).step().flops();
  }
  return flops;
}

void bm_model(benchmark::State& state, const dnnroof::ZooEntry* entry) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    benchmark::DoNotOptimize(analyze_model(*entry));
  }
  state.counters["batches"] = static_cast<double>(kBatches.size());
}

void bm_all_models(benchmark::State& state) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    double flops = 0;
    for (const auto& entry : dnnroof::zoo_models()) flops += analyze_model(entry);
    benchmark::DoNotOptimize(flops);
  }
  state.counters["models"] = static_cast<double>(dnnroof::zoo_models().size());
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& entry : dnnroof::zoo_models()) {
    benchmark::RegisterBenchmark(("model/" + entry.name).c_str(), bm_model, &entry)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("all_models", bm_all_models)->Unit(benchmark::kMillisecond);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

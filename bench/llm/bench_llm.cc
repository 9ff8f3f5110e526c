// The LLM analysis must feel instant: every shipped config x batches
// {1, 8, 64} x contexts {512, 4096, 32768} x {prefill, decode}, each row as
// `dnnroof analyze` computes it (parse the config, cost the phase, bound it on
// a chip, memory needed, time to first token, largest batch and context that
// fit), should take < 0.5 s in all. "all_configs" is the whole sweep.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "hw/catalog.h"
#include "llm/config.h"
#include "llm/cost.h"

namespace {

constexpr std::array<std::int64_t, 3> kBatches{1, 8, 64};
constexpr std::array<std::int64_t, 3> kContexts{512, 4096, 32768};

double analyze_config(const std::string& name, const dnnroof::llm::Roof& roof) {
  using namespace dnnroof::llm;
  const auto cfg = resolve_llm(name);
  const Precision p{"bf16", "bf16", "bf16"};
  double sum = 0;
  for (const auto phase : {Phase::prefill, Phase::decode}) {
    for (const auto batch : kBatches) {
      for (const auto context : kContexts) {
        const Workload w{phase, batch, context};
        const auto cost = phase_cost(cfg, w, p);
        sum += bound_phase(cost, roof).time_s + memory_needed(cfg, w, p).total();
        if (phase == Phase::decode) {
          sum += bound_phase(phase_cost(cfg, Workload{Phase::prefill, batch, context}, p), roof)
                     .time_s;
        }
        sum += static_cast<double>(max_batch_that_fits(cfg, w, p, roof.capacity) +
                                   max_context_that_fits(cfg, w, p, roof.capacity));
      }
    }
  }
  return sum;
}

void bm_all_configs(benchmark::State& state) {
  const auto catalog = dnnroof::Catalog::builtin();
  const auto roof = dnnroof::llm::roof_of(catalog.get("h100-sxm"), dnnroof::DType::bf16);
  const auto names = dnnroof::llm::builtin_llm_names();
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores): the benchmark idiom
    double sum = 0;
    for (const auto& name : names) sum += analyze_config(name, roof);
    benchmark::DoNotOptimize(sum);
  }
  state.counters["rows"] =
      static_cast<double>(names.size() * 2 * kBatches.size() * kContexts.size());
}

}  // namespace

BENCHMARK(bm_all_configs)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

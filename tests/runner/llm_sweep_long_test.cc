// Label "long": gpt2 (124 M parameters) measured with the real language
// model on this CPU, prefill of 128 tokens and a decode step at context 128,
// batch 1, 2 threads: each measured step takes at least the roofline lower
// bound of its workload on the host's chip (host-measured when `dnnroof
// probe` saved it, else the detected host), as physics demands; a time
// below it would mean a wrong count or a wrong ceiling.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "exec/llm_executor.h"
#include "hw/catalog.h"
#include "llm/cost.h"
#include "runner/llm_sweep.h"

namespace dnnroof {
namespace {

TEST(LlmSweepLong, Gpt2StepsTakeAtLeastTheRooflineBound) {
  const Catalog catalog = load_catalog({});
  const Chip& chip =
      catalog.get(catalog.find("host-measured") != nullptr ? "host-measured" : "host");
  llm::Roof roof;
  try {
    roof = llm::roof_of(chip, DType::fp32);
  } catch (const Error& e) {
    GTEST_SKIP() << e.what();
  }
  LlmSweepOptions o;
  o.models = {"gpt2"};
  o.batches = {1};
  o.contexts = {128};
  o.threads = 2;
  o.budget_s = 2;
  o.make_executor = [](const llm::LlmConfig& c, const LlmExecOptions& eo) {
    return make_llm_executor(c, eo);
  };
  const LlmSweepOutcome r = run_llm_sweep(o);
  ASSERT_EQ(r.records.size(), 2u);
  const llm::LlmConfig cfg = llm::resolve_llm("gpt2");
  for (const ResultRecord& rec : r.records) {
    SCOPED_TRACE(rec.llm_phase);
    ASSERT_NE(rec.status, RecordStatus::failed) << rec.status_reason;
    const llm::Workload w{llm::parse_phase(rec.llm_phase), rec.batch, rec.llm_context};
    const double bound =
        llm::bound_phase(llm::phase_cost(cfg, w, llm::Precision{"fp32", "fp32", "fp32"}), roof)
            .time_s;
    EXPECT_GE(rec.timings.at(Phase::forward).median_s, bound) << "on " << roof.chip;
    EXPECT_GT(bound, 0);
  }
}

}  // namespace
}  // namespace dnnroof

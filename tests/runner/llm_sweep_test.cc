// run_llm_sweep with the real LibTorch language model on llama-tiny, with
// budgets of a fraction of a second: records per (phase, batch, context)
// with the cost model's figures (checked against counts by hand), per-op
// times named as the cost model's ops, the results file written after each
// configuration, --resume, a failing configuration recorded, the stop flag.
#include "runner/llm_sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "core/error.h"
#include "exec/llm_executor.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

fs::path temp_file(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / fmt::format("dnnroof-llm-{}-{}", ::getpid(), name);
  fs::remove(p);
  return p;
}

LlmSweepOptions quick(const fs::path& out) {
  LlmSweepOptions o;
  o.models = {"llama-tiny"};
  o.phases = {llm::Phase::prefill, llm::Phase::decode};
  o.batches = {1, 2};
  o.contexts = {8, 32};
  o.threads = 1;
  o.budget_s = 0.05;
  o.target = 0.05;
  o.measure.min_warmup_s = 0;
  o.measure.min_warmup_iterations = 1;
  o.measure.min_samples = 3;
  o.measure.min_time_s = 0;
  o.out = out;
  o.make_executor = [](const llm::LlmConfig& c, const LlmExecOptions& eo) {
    LlmExecOptions e = eo;
    e.pin = false;
    return make_llm_executor(c, e);
  };
  return o;
}

// llama-tiny: h 256, 8 heads x 32, 2 KV heads, I 688, V 2048, 4 layers.
// Matrix products of a decode step at batch B with C cached tokens, by hand:
// per layer QKV 2·B·256·384, QK^T and PV 4·32·8·B·(C+1), o 2·B·256·256,
// SwiGLU 2·B·256·1376 + 2·B·688·256; lm_head 2·B·256·2048.
double tiny_decode_matmul_flops(double B, double C) {
  const double per_layer = 2 * B * 256 * 384 + 4 * 32 * 8 * B * (C + 1) + 2 * B * 256 * 256 +
                           2 * B * 256 * 1376 + 2 * B * 688 * 256;
  return 4 * per_layer + 2 * B * 256 * 2048;
}

TEST(LlmSweep, MeasuresEveryConfigurationIntoTheResultsFile) {
  const fs::path out = temp_file("sweep.json");
  LlmSweepOptions o = quick(out);
  o.layers = true;
  std::vector<std::string> progress;
  o.on_progress = [&](const SweepProgress& p) { progress.push_back(progress_line(p)); };
  std::size_t results_seen = 0;
  o.on_result = [&](const ResultRecord&) {
    // Each configuration is in the file before the next one starts.
    ++results_seen;
    EXPECT_EQ(load_results(out).records.size(), results_seen);
  };
  const LlmSweepOutcome r = run_llm_sweep(o);
  ASSERT_EQ(r.records.size(), 8u);
  ASSERT_EQ(progress.size(), 8u);
  EXPECT_NE(progress[0].find("[1/8] llama-tiny, prefill, batch 1, context 8"), std::string::npos)
      << progress[0];
  const ResultsFile file = load_results(out);
  ASSERT_EQ(file.records.size(), 8u);
  std::set<std::string> keys;
  for (const ResultRecord& rec : file.records) {
    SCOPED_TRACE(rec.llm_phase + " " + std::to_string(rec.batch) + " " +
                 std::to_string(rec.llm_context));
    keys.insert(fmt::format("{}/{}/{}", rec.llm_phase, rec.batch, rec.llm_context));
    EXPECT_EQ(rec.model, "llama-tiny");
    EXPECT_EQ(rec.mode, RunMode::infer);
    ASSERT_NE(rec.status, RecordStatus::failed) << rec.status_reason;
    ASSERT_TRUE(rec.timings.count(Phase::forward));
    EXPECT_GT(rec.timings.at(Phase::forward).median_s, 0);
    ASSERT_TRUE(rec.cost.has_value());
    EXPECT_GT(rec.cost->forward_bytes, rec.cost->compulsory_bytes);
    if (rec.llm_phase == "decode") {
      EXPECT_DOUBLE_EQ(rec.cost->forward_matmul_flops,
                       tiny_decode_matmul_flops(rec.batch, static_cast<double>(rec.llm_context)));
    }
    // Per op: 10 ops in each of 4 layers, plus embedding, final_norm, lm_head;
    // their FLOPs add up to the step's.
    ASSERT_EQ(rec.layers.size(), 43u);
    EXPECT_EQ(rec.layers[0].name, "embedding");
    EXPECT_EQ(rec.layers[3].name, "h.0.attention");
    EXPECT_EQ(rec.layers[3].op, "attention");
    EXPECT_EQ(rec.layers[3].module, "h.0");
    EXPECT_EQ(rec.layers.back().name, "lm_head");
    double flops = 0;
    for (const LayerTiming& l : rec.layers) {
      flops += l.forward_flops;
      EXPECT_GT(l.forward_median_s, 0) << l.name;
    }
    EXPECT_NEAR(flops, rec.cost->forward_flops, 1e-9 * rec.cost->forward_flops);
  }
  EXPECT_EQ(keys.size(), 8u);

  // Resumed: everything is there already.
  LlmSweepOptions again = quick(out);
  again.resume = true;
  std::size_t skipped = 0;
  again.on_skip = [&](const LlmSweepConfig&) { ++skipped; };
  const LlmSweepOutcome r2 = run_llm_sweep(again);
  EXPECT_TRUE(r2.records.empty());
  EXPECT_EQ(skipped, 8u);
  fs::remove(out);
}

// A config.json path; a decode needing more learned positions than the
// model has fails, is recorded with its reason, and the sweep goes on.
TEST(LlmSweep, FailedConfigurationsAreRecordedAndTheSweepGoesOn) {
  const fs::path out = temp_file("fail.json");
  LlmSweepOptions o = quick(out);
  o.models = {temp_file("missing.json").string()};
  EXPECT_THROW(run_llm_sweep(o), Error);  // no such file: refused before measuring

  const fs::path cfg = temp_file("gpt2-tiny.json");
  {
    std::ofstream f(cfg);
    f << R"({"model_type": "gpt2", "vocab_size": 50, "n_embd": 32, "n_layer": 2, "n_head": 4,
            "n_positions": 32})";
  }
  o = quick(out);
  o.models = {cfg.string()};
  o.phases = {llm::Phase::decode};
  o.batches = {1};
  o.contexts = {32, 8};  // 33 positions of 32: fails; 9: fine
  const LlmSweepOutcome r = run_llm_sweep(o);
  ASSERT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.records[0].model, cfg.stem().string());
  EXPECT_EQ(r.records[0].status, RecordStatus::failed);
  EXPECT_NE(r.records[0].status_reason.find("32 learned positions"), std::string::npos)
      << r.records[0].status_reason;
  EXPECT_NE(r.records[1].status, RecordStatus::failed) << r.records[1].status_reason;
  EXPECT_EQ(load_results(out).records.size(), 2u);
  fs::remove(out);
  fs::remove(cfg);
}

TEST(LlmSweep, TheStopFlagEndsTheSweep) {
  const fs::path out = temp_file("stop.json");
  LlmSweepOptions o = quick(out);
  std::atomic<bool> stop{false};
  o.stop = &stop;
  o.on_result = [&](const ResultRecord&) { stop = true; };
  const LlmSweepOutcome r = run_llm_sweep(o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.records.size(), 1u);
  EXPECT_EQ(load_results(out).records.size(), 1u);
  fs::remove(out);
}

TEST(LlmSweep, RefusesBadOptions) {
  LlmSweepOptions o = quick({});
  o.contexts = {0};
  o.phases = {llm::Phase::prefill};
  EXPECT_THROW(run_llm_sweep(o), Error);
  o = quick({});
  o.batches = {0};
  EXPECT_THROW(run_llm_sweep(o), Error);
  o = quick({});
  o.models = {"llama-huge"};
  EXPECT_THROW(run_llm_sweep(o), Error);
  o = quick({});
  o.resume = true;
  EXPECT_THROW(run_llm_sweep(o), Error);
}

}  // namespace
}  // namespace dnnroof

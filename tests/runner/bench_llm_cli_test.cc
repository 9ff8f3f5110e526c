// `dnnroof bench` on a language-model config, end to end through the
// program and the executor module: llama-tiny prefill and decode, the JSON
// rows (tokens/s = tokens / latency, FLOP/B from counts by hand), the
// results file's llm phase and context, and the errors for a mix of LLM
// configs and zoo models and for --phase on a zoo model.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "store/results_file.h"
#include "support/cli.h"
#include "support/cli_suite.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

using test::CliRun;

// Its temporary folder is named after each test.
using BenchLlmCli = test::SuiteCliTest;

TEST_F(BenchLlmCli, LlamaTinyPrefillAndDecode) {
  const fs::path file = dir() / "llm.json";
  const CliRun r =
      run("bench llama-tiny --phase prefill,decode --context 8 --batch 2 "
          "--budget 0.2s --threads 1 --format json --out " +
          file.string());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("[1/2] llama-tiny, prefill, batch 2, context 8"), std::string::npos)
      << r.err;
  const auto rows = nlohmann::json::parse(r.out);
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& row : rows) {
    const bool prefill = row.at("phase") == "prefill";
    const double tokens = prefill ? 2 * 8 : 2;
    EXPECT_NEAR(row.at("tokens_per_s").get<double>(), tokens / row.at("latency_s").get<double>(),
                1e-9 * row.at("tokens_per_s").get<double>());
  }
  // A decode step of llama-tiny at batch 2, fp32, reads every weight but the
  // token embedding's 2048 x 256 (only 2 rows): 3,819,776 - 524,288 + 2 x 256
  // parameters x 4 B = 13.18 MB, far more than its activations and 2 x 9
  // tokens of cache, at about 2 x 2 x 3.3 M FLOPs: intensity about 1 FLOP/B.
  const double decode_intensity = rows[1].at("intensity").get<double>();
  EXPECT_GT(decode_intensity, 0.9);
  EXPECT_LT(decode_intensity, 1.1);

  const ResultsFile f = load_results(file);
  ASSERT_EQ(f.records.size(), 2u);
  EXPECT_EQ(f.records[0].llm_phase, "prefill");
  EXPECT_EQ(f.records[1].llm_phase, "decode");
  EXPECT_EQ(f.records[1].llm_context, 8);
  EXPECT_EQ(f.records[1].model, "llama-tiny");
  EXPECT_EQ(f.records[1].batch, 2);
  ASSERT_TRUE(f.records[1].cost.has_value());
  EXPECT_GT(f.records[1].cost->compulsory_bytes, 4 * (3819776.0 - 524288));
}

TEST_F(BenchLlmCli, RefusesMixesAndPhasesOnZooModels) {
  CliRun r = run("bench llama-tiny squeezenet1_0 --budget 0.1s");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("cannot be measured in one run"), std::string::npos) << r.err;
  r = run("bench squeezenet1_0 --phase decode --budget 0.1s");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--phase and --context apply to language-model configs"), std::string::npos)
      << r.err;
  r = run("bench llama-tiny --mode train --budget 0.1s");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("--mode train"), std::string::npos) << r.err;
  r = run("bench llama-tiny --phase sideways --budget 0.1s");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.err.find("unknown phase 'sideways'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace dnnroof

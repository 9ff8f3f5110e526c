#include "store/export.h"

#include <gtest/gtest.h>

#include <string>

#include "core/strings.h"
#include "fixtures.h"

namespace dnnroof {
namespace {

using testing::infer_record;
using testing::train_record;

// A record whose statistics are exact in binary, so their CSV text is known.
ResultRecord exact_record() {
  ResultRecord r = infer_record("resnet18", 64, 0.25);
  TimingStats& t = r.timings.at(Phase::forward);
  t.n = 20;
  t.mean_s = 0.5;
  t.stdev_s = 0.125;
  t.min_s = 0.125;
  t.max_s = 1;
  t.p5_s = 0.1875;
  t.p95_s = 0.75;
  t.iqr_s = 0.0625;
  t.ci_low_s = 0.1875;
  t.ci_high_s = 0.375;
  t.ci_rel_half_width = 0.5;
  t.converged = true;
  t.warmup_iterations = 12;
  t.total_s = 10;
  r.memory_peak_bytes = 1.5e9;
  return r;
}

TEST(ResultsCsv, OneRecordExactText) {
  ResultsFile file;
  file.records = {exact_record()};
  const std::string csv = results_table(file).to_csv();
  const std::string header =
      "model,source,device,chip,mode,batch,dtype,threads,status,status_reason,"
      "forward_n,forward_median_s,forward_mean_s,forward_stdev_s,forward_min_s,forward_max_s,"
      "forward_p5_s,forward_p95_s,forward_iqr_s,forward_ci_low_s,forward_ci_high_s,"
      "forward_ci_rel_half_width,forward_converged,forward_warmup_iterations,forward_total_s,"
      "throughput_per_s,memory_peak_bytes,host_name,cpu_model,condition_threads,"
      "dnnroof_version,git_revision,date_utc,lib_cuda,lib_libtorch\n";
  // Throughput 64 / 0.25 s = 256 /s; the CPU model has a comma and quotes.
  const std::string row =
      "resnet18,resnet18,cuda:0,h100-sxm,infer,64,fp16,8,ok,,"
      "20,0.25,0.5,0.125,0.125,1,0.1875,0.75,0.0625,0.1875,0.375,0.5,1,12,10,"
      "256,1500000000,node7,\"Xeon, \"\"Sapphire\"\" Rapids\",8,0.1.0,abcdef123456,"
      "2026-11-22T00:33:12Z,12.4,2.5.1\n";
  EXPECT_EQ(csv, header + row);
}

TEST(ResultsCsv, PhasesAreTheUnionAndMissingCellsAreEmpty) {
  ResultsFile file;
  file.records = {infer_record("resnet18", 1, 0.5), train_record("resnet18", 32)};
  file.records[0].conditions.library_versions = {{"onnx", "1.17"}};
  const Table t = results_table(file);
  // 10 identity columns, 4 phases x 15, 8 condition columns, 3 libraries.
  ASSERT_EQ(t.columns().size(), 10u + 4 * 15 + 8 + 3);
  EXPECT_EQ(t.columns()[10], "forward_n");
  EXPECT_EQ(t.columns()[25], "backward_n");
  EXPECT_EQ(t.columns()[40], "optimizer_n");
  EXPECT_EQ(t.columns()[55], "step_n");
  EXPECT_EQ(t.columns()[70], "throughput_per_s");
  EXPECT_EQ(t.columns()[78], "lib_cuda");
  EXPECT_EQ(t.columns()[79], "lib_libtorch");
  EXPECT_EQ(t.columns()[80], "lib_onnx");
  const auto& infer = t.data()[0];
  EXPECT_EQ(infer[25].text, "");  // no backward for inference
  EXPECT_FALSE(infer[25].number.has_value());
  EXPECT_EQ(infer[79].text, "");  // that record names no libtorch
  EXPECT_EQ(infer[80].text, "1.17");
  const auto& train = t.data()[1];
  EXPECT_EQ(*train[55].number, 20);    // step_n
  EXPECT_EQ(*train[70].number, 1000);  // throughput: 32 / 0.032 s
  EXPECT_EQ(train[80].text, "");       // nor this one onnx
}

// The summary table's text for exact_record() marked noisy with `reason`.
std::string noisy_summary(const std::string& reason) {
  ResultsFile file;
  ResultRecord r = exact_record();
  r.status = RecordStatus::noisy;
  r.status_reason = reason;
  file.records = {r};
  return results_summary_table(file).to_text();
}

TEST(ResultsSummary, PeopleSeeLatencyCiAndStatus) {
  const std::string text = noisy_summary("median CI ±5% after the 10 s budget");
  EXPECT_NE(text.find("250 ms (forward)"), std::string::npos) << text;
  EXPECT_NE(text.find("50.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("256 /s"), std::string::npos) << text;
  EXPECT_NE(text.find("noisy: median CI ±5% after the 10 s budget"), std::string::npos) << text;
  EXPECT_NE(text.find(" 20 "), std::string::npos) << text;  // n
}

TEST(ResultsSummary, TheStatusIsNotRepeated) {
  // The sampler writes "noisy: ..." as the reason; the status column says
  // "noisy: " once.
  const std::string text =
      noisy_summary("noisy: median 95% CI ±6.9% after 20 samples, stopped by the time budget");
  EXPECT_EQ(text.find("noisy: noisy:"), std::string::npos) << text;
  EXPECT_NE(text.find("noisy: median 95% CI ±6.9% after 20"), std::string::npos) << text;
}

TEST(ResultsSummary, FewSamplesShowNoInterval) {
  // 3 samples: whatever the record's half-width, no ± (timing_text.h).
  ResultsFile file;
  ResultRecord r = exact_record();
  r.timings.at(Phase::forward).n = 3;
  r.timings.at(Phase::forward).ci_confidence = 0.75;  // [min, max] of 3: 1 - 2/8
  file.records = {r};
  const Table t = results_summary_table(file);
  const std::string text = t.to_text();
  EXPECT_EQ(text.find("±"), std::string::npos) << text;
  EXPECT_NE(text.find("no 95% CI"), std::string::npos) << text;
  EXPECT_NE(text.find(" 3 "), std::string::npos) << text;               // n beside it
  EXPECT_EQ(t.to_csv().find("0.5,"), std::string::npos) << t.to_csv();  // no 50% half-width
}

}  // namespace
}  // namespace dnnroof

#include "store/results_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"
#include "fixtures.h"
#include "store/conditions.h"

namespace dnnroof {
namespace {

using testing::infer_record;
using testing::read_file;
using testing::TempDir;
using testing::train_record;
using testing::write_file;

using test::error_of;

void expect_same(const TimingStats& a, const TimingStats& b) {
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.median_s, b.median_s);
  EXPECT_EQ(a.mean_s, b.mean_s);
  EXPECT_EQ(a.stdev_s, b.stdev_s);
  EXPECT_EQ(a.min_s, b.min_s);
  EXPECT_EQ(a.max_s, b.max_s);
  EXPECT_EQ(a.p5_s, b.p5_s);
  EXPECT_EQ(a.p95_s, b.p95_s);
  EXPECT_EQ(a.iqr_s, b.iqr_s);
  EXPECT_EQ(a.ci_low_s, b.ci_low_s);
  EXPECT_EQ(a.ci_high_s, b.ci_high_s);
  EXPECT_EQ(a.ci_confidence, b.ci_confidence);
  EXPECT_EQ(a.ci_rel_half_width, b.ci_rel_half_width);
  EXPECT_EQ(a.converged, b.converged);
  EXPECT_EQ(a.warmup_iterations, b.warmup_iterations);
  EXPECT_EQ(a.total_s, b.total_s);
}

void expect_same(const ResultRecord& a, const ResultRecord& b) {
  EXPECT_EQ(a.key(), b.key());
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.chip, b.chip);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.status_reason, b.status_reason);
  EXPECT_EQ(a.memory_peak_bytes, b.memory_peak_bytes);
  ASSERT_EQ(a.timings.size(), b.timings.size());
  for (const auto& [phase, stats] : a.timings) expect_same(stats, b.timings.at(phase));
  EXPECT_EQ(a.conditions.host_name, b.conditions.host_name);
  EXPECT_EQ(a.conditions.cpu_model, b.conditions.cpu_model);
  EXPECT_EQ(a.conditions.threads, b.conditions.threads);
  EXPECT_EQ(a.conditions.library_versions, b.conditions.library_versions);
  EXPECT_EQ(a.conditions.dnnroof_version, b.conditions.dnnroof_version);
  EXPECT_EQ(a.conditions.git_revision, b.conditions.git_revision);
  EXPECT_EQ(a.conditions.date_utc, b.conditions.date_utc);
}

TEST(ResultsFile, RoundTrip) {
  TempDir dir("roundtrip");
  ResultsFile file;
  file.records.push_back(infer_record("resnet18", 64, 0.004));
  file.records.push_back(train_record("vit_b_16", 32));
  ResultRecord failed = infer_record("gpt2", 512, 0.1);
  failed.status = RecordStatus::failed;
  failed.status_reason = "CUDA out of memory";
  failed.timings.clear();
  failed.memory_peak_bytes = std::numeric_limits<double>::quiet_NaN();
  file.records.push_back(failed);

  save_results(dir / "r.json", file);
  const ResultsFile back = load_results(dir / "r.json");
  EXPECT_EQ(back.schema_version, kResultsSchemaVersion);
  ASSERT_EQ(back.records.size(), 3u);
  expect_same(back.records[0], file.records[0]);
  expect_same(back.records[1], file.records[1]);
  EXPECT_EQ(back.records[2].status, RecordStatus::failed);
  EXPECT_EQ(back.records[2].status_reason, "CUDA out of memory");
  EXPECT_TRUE(back.records[2].timings.empty());
  EXPECT_TRUE(std::isnan(back.records[2].memory_peak_bytes));  // written as null
}

TEST(ResultsFile, MemoryAtTheStartIsOptional) {
  TempDir dir("memory-start");
  ResultsFile file;
  file.records.push_back(infer_record("resnet18", 1, 0.004));
  file.records[0].memory_start_bytes = 250e6;
  file.records.push_back(infer_record("resnet18", 8, 0.02));  // none: not written
  const nlohmann::json j = results_to_json(file);
  EXPECT_EQ(j.at("records").at(0).at("memory_start_bytes"), 250e6);
  EXPECT_FALSE(j.at("records").at(1).contains("memory_start_bytes"));
  save_results(dir / "r.json", file);
  const ResultsFile back = load_results(dir / "r.json");
  EXPECT_DOUBLE_EQ(back.records[0].memory_start_bytes, 250e6);
  EXPECT_TRUE(std::isnan(back.records[1].memory_start_bytes));
}

TEST(ResultsFile, LlmPhaseAndContextAreWrittenReadAndPartOfTheKey) {
  TempDir dir("llm");
  ResultsFile file;
  ResultRecord prefill = infer_record("gpt2", 1, 0.05);
  prefill.llm_phase = "prefill";
  prefill.llm_context = 128;
  ResultRecord decode = infer_record("gpt2", 1, 0.01);
  decode.llm_phase = "decode";
  decode.llm_context = 128;
  file.records = {prefill, decode, infer_record("resnet18", 1, 0.004)};
  const nlohmann::json j = results_to_json(file);
  EXPECT_EQ(j.at("records").at(0).at("llm").at("phase"), "prefill");
  EXPECT_EQ(j.at("records").at(1).at("llm").at("context"), 128);
  EXPECT_FALSE(j.at("records").at(2).contains("llm"));
  save_results(dir / "r.json", file);
  const ResultsFile back = load_results(dir / "r.json");
  EXPECT_EQ(back.records[0].llm_phase, "prefill");
  EXPECT_EQ(back.records[1].llm_phase, "decode");
  EXPECT_EQ(back.records[1].llm_context, 128);
  EXPECT_TRUE(back.records[2].llm_phase.empty());
  // Same model, device, batch and dtype: only the phase tells them apart.
  EXPECT_NE(back.records[0].key(), back.records[1].key());
  EXPECT_NE(describe(back.records[0].key()).find("prefill (context 128)"), std::string::npos);

  nlohmann::json bad = j;
  bad["records"][0]["llm"]["phase"] = "generate";
  EXPECT_THROW(parse_results(bad.dump(), "bad.json"), Error);
}

TEST(ResultsFile, JsonFieldsAndThroughput) {
  ResultsFile file;
  file.records.push_back(infer_record("resnet18", 64, 0.004));
  file.records.push_back(train_record("vit_b_16", 32));
  const nlohmann::json j = results_to_json(file);
  EXPECT_EQ(j.at("schema_version"), 1);
  const auto& r0 = j.at("records").at(0);
  EXPECT_EQ(r0.at("mode"), "infer");
  EXPECT_EQ(r0.at("dtype"), "fp16");
  EXPECT_EQ(r0.at("timings").at("forward").at("median_s"), 0.004);
  // Inference: 64 / 0.004 s = 16000 /s.
  EXPECT_DOUBLE_EQ(r0.at("throughput_per_s").get<double>(), 16000);
  // Training: the step's median, 32 / 0.032 s = 1000 /s.
  EXPECT_DOUBLE_EQ(j.at("records").at(1).at("throughput_per_s").get<double>(), 1000);
  EXPECT_EQ(j.at("records").at(1).at("conditions").at("library_versions").at("libtorch"), "2.5.1");
}

TEST(ResultsFile, MalformedJsonNamesTheFileAndPosition) {
  const std::string text = "{\n  \"schema_version\": 1,\n  \"records\": [ }\n";
  const std::string msg = error_of([&] { parse_results(text, "runs/a.json"); });
  // Line 3 is two spaces, "records" (9), ':', ' ', '[', ' ', '}': the '}' is column 16.
  EXPECT_NE(msg.find("runs/a.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("line 3, column 16"), std::string::npos) << msg;
}

TEST(ResultsFile, AnotherSchemaVersionIsRefusedNamingBoth) {
  const std::string msg =
      error_of([] { parse_results(R"({"schema_version": 2, "records": []})", "old/b.json"); });
  EXPECT_NE(msg.find("'old/b.json' has schema version 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("reads schema version 1"), std::string::npos) << msg;
  EXPECT_NE(
      error_of([] { parse_results(R"({"records": []})", "c.json"); }).find("no schema_version"),
      std::string::npos);
}

TEST(ResultsFile, BadFieldsNameTheRecordAndField) {
  ResultsFile file;
  file.records = {infer_record("a", 1, 0.5), infer_record("b", 1, 0.5)};
  nlohmann::json j = results_to_json(file);
  j["records"][1]["batch"] = "eight";
  std::string msg = error_of([&] { parse_results(j.dump(), "d.json"); });
  EXPECT_NE(msg.find("results file 'd.json', record 1: field 'batch' must be an integer"),
            std::string::npos)
      << msg;
  j["records"][1]["batch"] = 8;
  j["records"][1].erase("device");
  msg = error_of([&] { parse_results(j.dump(), "d.json"); });
  EXPECT_NE(msg.find("record 1: missing field 'device'"), std::string::npos) << msg;
  j["records"][1]["device"] = "cpu";
  j["records"][1]["timings"]["warmup"] = j["records"][1]["timings"]["forward"];
  msg = error_of([&] { parse_results(j.dump(), "d.json"); });
  EXPECT_NE(msg.find("unknown phase 'warmup'"), std::string::npos) << msg;
}

TEST(ResultsFile, AppendReplacesTheSameKeyAndResumeSkipsFinished) {
  TempDir dir("append");
  const auto path = dir / "sweep.json";
  EXPECT_FALSE(append_record(path, infer_record("resnet18", 1, 0.002)));
  EXPECT_FALSE(append_record(path, infer_record("resnet18", 64, 0.004)));
  ResultRecord oom = infer_record("resnet18", 1024, 0.1);
  oom.status = RecordStatus::failed;
  oom.status_reason = "out of memory";
  EXPECT_FALSE(append_record(path, oom));
  // The same configuration again replaces it, in place.
  EXPECT_TRUE(append_record(path, infer_record("resnet18", 1, 0.003)));

  const ResultsFile file = load_results(path);
  ASSERT_EQ(file.records.size(), 3u);
  EXPECT_EQ(file.records[0].timings.at(Phase::forward).median_s, 0.003);
  EXPECT_EQ(file.records[1].batch, 64);

  // A resumed sweep over batches 1, 64, 1024, 2048 runs the failed 1024 and
  // the new 2048 only.
  const auto done = finished_keys(file);
  std::vector<std::int64_t> to_run;
  for (std::int64_t batch : {1, 64, 1024, 2048}) {
    if (!done.contains(infer_record("resnet18", batch, 1).key())) to_run.push_back(batch);
  }
  EXPECT_EQ(to_run, (std::vector<std::int64_t>{1024, 2048}));
  EXPECT_EQ(finished_keys(file, /*include_failed=*/true).size(), 3u);
  // Another dtype or thread count is another configuration.
  ResultRecord other = infer_record("resnet18", 64, 1);
  other.threads = 4;
  EXPECT_FALSE(done.contains(other.key()));
}

TEST(ResultsFile, AppendToACorruptFileFailsWithoutTouchingIt) {
  TempDir dir("corrupt");
  const auto path = dir / "sweep.json";
  write_file(path, "{\"schema_version\": 1, \"records\": [");
  EXPECT_THROW(append_record(path, infer_record("a", 1, 1)), Error);
  EXPECT_EQ(read_file(path), "{\"schema_version\": 1, \"records\": [");
}

TEST(Conditions, Iso8601Utc) {
  // 1,000,000,000 s after the epoch: 2001-09-09 01:46:40 UTC.
  const auto t = std::chrono::system_clock::time_point(std::chrono::seconds(1000000000)) +
                 std::chrono::milliseconds(999);
  EXPECT_EQ(format_iso8601_utc(t), "2001-09-09T01:46:40Z");
  const Conditions c = current_conditions();
  EXPECT_FALSE(c.host_name.empty());
  EXPECT_EQ(c.date_utc.size(), 20u);
  EXPECT_FALSE(c.git_revision.empty());
}

}  // namespace
}  // namespace dnnroof

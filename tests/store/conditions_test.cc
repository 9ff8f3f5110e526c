#include "store/conditions.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "store/merge.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

EnvLookup env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

// The Slurm task of these tests: job 1235, task 1 of array job 1234, on node
// gpu017 of partition gpu-a100.
void expect_the_slurm_task(const Conditions& c) {
  EXPECT_EQ(c.slurm_job_id, "1235");
  EXPECT_EQ(c.slurm_array_job_id, "1234");
  EXPECT_EQ(c.slurm_array_task_id, "1");
  EXPECT_EQ(c.partition, "gpu-a100");
  EXPECT_EQ(c.slurm_node, "gpu017");
}

TEST(Conditions, SlurmJobFromTheEnvironment) {
  Conditions c;
  add_environment_conditions(c,
                             env_of({{"SLURM_JOB_ID", "1235"},
                                     {"SLURM_ARRAY_JOB_ID", "1234"},
                                     {"SLURM_ARRAY_TASK_ID", "1"},
                                     {"SLURM_JOB_PARTITION", "gpu-a100"},
                                     {"SLURMD_NODENAME", "gpu017"}}),
                             "/nonexistent/nvidia/version");
  expect_the_slurm_task(c);
  EXPECT_EQ(c.gpu_driver, "");

  // A partition already set (bench --partition) is kept; outside Slurm
  // nothing is set.
  Conditions given;
  given.partition = "planned";
  add_environment_conditions(given, env_of({{"SLURM_JOB_PARTITION", "other"}}), "");
  EXPECT_EQ(given.partition, "planned");
  Conditions none;
  add_environment_conditions(none, env_of({}), "");
  EXPECT_EQ(none.partition, "");
  EXPECT_EQ(none.slurm_job_id, "");
}

TEST(Conditions, NvidiaDriverVersion) {
  // /proc/driver/nvidia/version of the proprietary and the open kernel module.
  EXPECT_EQ(nvidia_driver_version("NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  "
                                  "Sat Aug 19 01:15:15 UTC 2023\nGCC version:  gcc version 12.2.0 "
                                  "(Debian 12.2.0-14)\n"),
            "535.104.05");
  EXPECT_EQ(nvidia_driver_version("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  "
                                  "550.54.14  Release Build  (dvs-builder@U16-I3-B03-4-3)  Thu Feb "
                                  "22 01:25:25 UTC 2024\n"),
            "550.54.14");
  EXPECT_EQ(nvidia_driver_version("nothing here"), "");
  const fs::path file = fs::temp_directory_path() / fmt::format("nvidia-version-{}", getpid());
  std::ofstream(file) << "NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.82.01  Fri Oct 22\n";
  Conditions c;
  add_environment_conditions(c, env_of({}), file.string());
  EXPECT_EQ(c.gpu_driver, "470.82.01");
  fs::remove(file);
}

TEST(Conditions, CampaignFieldsRoundTripAndKeepPartitionsApart) {
  ResultRecord r;
  r.model = "resnet18";
  r.source = "resnet18";
  r.device = "cuda:0";
  r.chip = "a100-sxm4-80gb";
  TimingStats t;
  t.n = 3;
  t.median_s = 0.002;
  r.timings[Phase::forward] = t;
  r.conditions.partition = "gpu-a100";
  r.conditions.slurm_node = "gpu017";
  r.conditions.slurm_job_id = "1235";
  r.conditions.slurm_array_job_id = "1234";
  r.conditions.slurm_array_task_id = "1";
  r.conditions.gpu_name = "NVIDIA A100-SXM4-80GB";
  r.conditions.gpu_driver = "535.104.05";
  ResultRecord v100 = r;
  v100.conditions.partition = "gpu-v100";
  ResultsFile f;
  f.records = {r, v100};
  const fs::path path =
      fs::temp_directory_path() / fmt::format("campaign-fields-{}.json", getpid());
  save_results(path, f);
  const ResultsFile back = load_results(path);
  fs::remove(path);
  ASSERT_EQ(back.records.size(), 2u);
  const Conditions& c = back.records[0].conditions;
  expect_the_slurm_task(c);
  EXPECT_EQ(c.gpu_name, "NVIDIA A100-SXM4-80GB");
  EXPECT_EQ(c.gpu_driver, "535.104.05");
  EXPECT_EQ(back.records[1].conditions.partition, "gpu-v100");
  // Same configuration on two partitions: two keys, so merge keeps both.
  EXPECT_FALSE(r.key() == v100.key());
  EXPECT_EQ(describe(r.key()),
            "resnet18 on cuda:0, infer, batch 1, fp32, 0 threads, partition gpu-a100");
  const MergeResult merged =
      merge_results({{"a.json", ResultsFile{1, {r}}}, {"b.json", ResultsFile{1, {v100}}}});
  EXPECT_EQ(merged.results.records.size(), 2u);
  EXPECT_TRUE(merged.warnings.empty());
}

}  // namespace
}  // namespace dnnroof

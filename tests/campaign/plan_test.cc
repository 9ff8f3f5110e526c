#include "campaign/plan.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

PlanOptions two_partitions() {
  PlanOptions o;
  o.name = "study";
  o.dnnroof = "/opt/dnnroof/bin/dnnroof";
  o.partitions = {"gpu-a100", "gpu-v100"};
  o.models = {"resnet18", "alexnet", "vgg16"};
  o.batches = {1, 8};
  o.modes = {RunMode::infer, RunMode::train};
  return o;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / fmt::format("dnnroof-{}-{}", name, getpid());
  fs::remove_all(d);
  return d;
}

TEST(CampaignPlan, OneTaskPerModelAndPartitionByDefault) {
  const CampaignPlan p = make_plan(two_partitions());
  // 2 partitions x 3 models; each task: 2 batches x 2 modes.
  ASSERT_EQ(p.tasks.size(), 6u);
  for (std::size_t i = 0; i < p.tasks.size(); ++i) {
    EXPECT_EQ(p.tasks[i].index, static_cast<int>(i));
    EXPECT_EQ(p.tasks[i].configs.size(), 4u);
    EXPECT_EQ(p.tasks[i].partition, i < 3 ? "gpu-a100" : "gpu-v100");
    // The probe: once per partition, by its first task.
    EXPECT_EQ(p.tasks[i].probe, i == 0 || i == 3);
  }
  EXPECT_EQ(p.tasks[4].configs[0], (PlannedConfig{"alexnet", 1, RunMode::infer}));
  EXPECT_EQ(p.tasks[4].configs[1], (PlannedConfig{"alexnet", 1, RunMode::train}));
  EXPECT_EQ(p.tasks[4].configs[3], (PlannedConfig{"alexnet", 8, RunMode::train}));
  EXPECT_EQ(p.tasks[4].results_file(), "results/task-004-gpu-v100.json");
  EXPECT_EQ(p.job_name(), "dnnroof-study");
}

TEST(CampaignPlan, PerTaskCutsAcrossModelsWithinAPartition) {
  PlanOptions o = two_partitions();
  o.per_task = 5;
  o.probe = false;
  const CampaignPlan p = make_plan(o);
  // 12 configurations per partition in tasks of 5, 5, 2.
  ASSERT_EQ(p.tasks.size(), 6u);
  EXPECT_EQ(p.tasks[0].configs.size(), 5u);
  EXPECT_EQ(p.tasks[1].configs.size(), 5u);
  EXPECT_EQ(p.tasks[2].configs.size(), 2u);
  EXPECT_EQ(p.tasks[1].configs[0], (PlannedConfig{"alexnet", 1, RunMode::train}));
  EXPECT_EQ(p.tasks[3].partition, "gpu-v100");
  for (const CampaignTask& t : p.tasks) EXPECT_FALSE(t.probe);
}

TEST(CampaignPlan, RefusesBadInput) {
  auto refused = [](auto change) {
    PlanOptions o = two_partitions();
    change(o);
    EXPECT_THROW(make_plan(o), Error);
  };
  refused([](PlanOptions& o) { o.partitions = {"gpu a100"}; });
  refused([](PlanOptions& o) { o.partitions = {"cpu", "cpu"}; });
  refused([](PlanOptions& o) { o.partitions.clear(); });
  refused([](PlanOptions& o) { o.models = {"resnet18", "resnet18"}; });
  refused([](PlanOptions& o) { o.batches = {0}; });
  refused([](PlanOptions& o) { o.slurm.time = "half an hour"; });
  refused([](PlanOptions& o) { o.bench.budget = "ten seconds"; });
  refused([](PlanOptions& o) { o.bench.target = "two"; });
  refused([](PlanOptions& o) { o.name = "my study"; });
  refused([](PlanOptions& o) { o.per_task = -1; });
  try {
    PlanOptions o = two_partitions();
    o.partitions = {"gpu;rm"};
    make_plan(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("partition 'gpu;rm'"), std::string::npos);
  }
  for (const char* ok : {"00:30:00", "90", "1-12:00:00", "10:00"}) {
    PlanOptions o = two_partitions();
    o.slurm.time = ok;
    EXPECT_NO_THROW(make_plan(o)) << ok;
  }
}

TEST(CampaignPlan, JsonRoundTrip) {
  PlanOptions o = two_partitions();
  o.slurm.gres = "gpu:1";
  o.slurm.account = "proj42";
  o.slurm.setup = {"module load cuda/12.4"};
  o.bench.device = "cuda";
  o.bench.budget = "20s";
  const CampaignPlan p = make_plan(o);
  const CampaignPlan back = parse_plan(plan_to_json(p), "campaign.json");
  EXPECT_EQ(plan_to_json(back), plan_to_json(p));
  EXPECT_EQ(back.tasks.size(), 6u);
  EXPECT_EQ(back.tasks[5].configs[3], (PlannedConfig{"vgg16", 8, RunMode::train}));
  EXPECT_EQ(back.slurm.setup, std::vector<std::string>{"module load cuda/12.4"});
  EXPECT_EQ(back.bench.device, "cuda");
}

TEST(CampaignPlan, ParseRefusesMalformedPlans) {
  const std::string good = plan_to_json(make_plan(two_partitions()));
  EXPECT_THROW(parse_plan("{", "c.json"), Error);
  EXPECT_THROW(parse_plan("{}", "c.json"), Error);
  std::string other = good;
  other.replace(other.find("\"campaign_version\": 1"), 21, "\"campaign_version\": 2");
  try {
    parse_plan(other, "c.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.json: campaign version 2"), std::string::npos);
  }
  std::string wrong_partition = good;
  wrong_partition.replace(wrong_partition.find("\"partition\": \"gpu-v100\""), 23,
                          "\"partition\": \"gpu-h100\"");
  EXPECT_THROW(parse_plan(wrong_partition, "c.json"), Error);
}

TEST(CampaignPlan, BenchCommandsOfATask) {
  PlanOptions o = two_partitions();
  o.bench.threads = 4;
  o.bench.budget = "5s";
  const CampaignPlan p = make_plan(o);
  const auto commands = task_bench_commands(p, p.tasks[4]);
  ASSERT_EQ(commands.size(), 1u);
  const std::vector<std::string> expected{
      "bench",       "alexnet",     "--batch",  "1,8",     "--mode",
      "infer,train", "--device",    "cpu",      "--dtype", "fp32",
      "--threads",   "4",           "--target", "2%",      "--budget",
      "5s",          "--partition", "gpu-v100", "--out",   "results/task-004-gpu-v100.json",
      "--resume"};
  EXPECT_EQ(commands[0], expected);

  // A task cut so that a model's modes have different batches: one command
  // per mode.
  o.per_task = 3;
  o.models = {"alexnet"};
  const CampaignPlan cut = make_plan(o);
  const auto first = task_bench_commands(cut, cut.tasks[0]);  // (1,i) (1,t) (8,i)
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0][3], "1,8");
  EXPECT_EQ(first[0][5], "infer");
  EXPECT_EQ(first[1][3], "1");
  EXPECT_EQ(first[1][5], "train");
}

TEST(CampaignPlan, PerPartitionDevicesAndGres) {
  PlanOptions o = two_partitions();
  o.partitions = {"gpu-a100:cuda", "gpu-v100:cuda:1", "cpu:cpu"};
  o.models = {"resnet18"};
  o.batches = {1};
  o.modes = {RunMode::infer};
  o.slurm.gres = "gpu:1";
  const CampaignPlan p = make_plan(o);
  EXPECT_EQ(p.partitions, (std::vector<std::string>{"gpu-a100", "gpu-v100", "cpu"}));
  ASSERT_EQ(p.tasks.size(), 3u);
  EXPECT_EQ(task_bench_commands(p, p.tasks[0])[0][7], "cuda");
  EXPECT_EQ(task_bench_commands(p, p.tasks[1])[0][7], "cuda:1");
  EXPECT_EQ(task_bench_commands(p, p.tasks[2])[0][7], "cpu");
  EXPECT_TRUE(p.wants_gres("gpu-a100"));
  EXPECT_FALSE(p.wants_gres("cpu"));
  // Not every partition wants the GPU: no #SBATCH --gres line (submit
  // passes it per partition), a comment says so.
  EXPECT_FALSE(p.gres_in_script());
  const std::string script = job_script(p, "/c");
  EXPECT_EQ(script.find("#SBATCH --gres"), std::string::npos);
  EXPECT_NE(
      script.find(
          "#   with --gres=gpu:1 for the GPU partitions (gpu-a100, gpu-v100); submit adds it"),
      std::string::npos);
  // The devices survive the JSON.
  EXPECT_EQ(parse_plan(plan_to_json(p), "c.json").device_of("gpu-v100"), "cuda:1");
  // All on GPUs: the script asks for the gres itself.
  o.partitions = {"gpu-a100", "gpu-v100"};
  o.bench.device = "cuda";
  const CampaignPlan gpus = make_plan(o);
  EXPECT_TRUE(gpus.gres_in_script());
  EXPECT_NE(job_script(gpus, "/c").find("#SBATCH --gres=gpu:1\n"), std::string::npos);
  o.partitions = {"gpu-a100:tpu"};
  EXPECT_THROW(make_plan(o), Error);
}

TEST(CampaignPlan, ShellQuote) {
  EXPECT_EQ(shell_quote("resnet18"), "resnet18");
  EXPECT_EQ(shell_quote("/data/my model.onnx"), "'/data/my model.onnx'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The job script run by bash, with a stand-in dnnroof that writes down how
// it was called: the task's commands, in its folder, and nothing for a
// task that runs in the wrong partition.
TEST(CampaignPlan, JobScriptRunsTheTasksCommands) {
  const fs::path dir = fresh_dir("campaign-script");
  fs::create_directories(dir);
  const fs::path fake = dir / "fake dnnroof";
  {
    std::ofstream f(fake);
    f << "#!/bin/bash\necho \"$PWD|$*\" >> calls.txt\nif [ \"$1\" = probe ]; then touch \"$4\"; "
         "fi\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  PlanOptions o = two_partitions();
  o.dnnroof = fake.string();
  o.models = {"alexnet", "/models/my net.onnx"};
  o.modes = {RunMode::infer};
  o.slurm.setup = {"export FROM_SETUP=yes", "echo \"setup $FROM_SETUP\" >> calls.txt"};
  const CampaignPlan p = make_plan(o);
  write_campaign(dir, p);
  const std::string script = read(dir / "job.sbatch");
  EXPECT_NE(script.find("#SBATCH --job-name=dnnroof-study\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --time=00:30:00\n"), std::string::npos);
  EXPECT_NE(script.find("#SBATCH --output=" + fs::absolute(dir).lexically_normal().string() +
                        "/logs/task-%a-job-%A.out\n"),
            std::string::npos);
  EXPECT_TRUE(fs::is_directory(dir / "results"));
  EXPECT_TRUE(fs::is_directory(dir / "logs"));

  const std::string run = fmt::format(
      "cd / && env -u SLURM_ARRAY_TASK_ID -u SLURM_JOB_PARTITION DNNROOF_CAMPAIGN_TASK=2 bash "
      "'{}/job.sbatch'",
      dir.string());
  ASSERT_EQ(std::system(run.c_str()), 0);
  // Tasks: 0 gpu-a100/alexnet, 1 gpu-a100/my net, 2 gpu-v100/alexnet, 3
  // gpu-v100/my net. Task 2: the first of gpu-v100, so it probes first (the
  // probe file is missing), then its model.
  const std::string d = fs::absolute(dir).lexically_normal().string();
  const std::string calls = read(dir / "calls.txt");
  EXPECT_EQ(calls,
            "setup yes\n" + d + "|probe --quick --out probe/gpu-v100.toml.part\n" + d +
                "|bench alexnet --batch 1,8 --mode infer --device cpu --dtype fp32 --target 2% "
                "--budget 10s --partition gpu-v100 --out results/task-002-gpu-v100.json "
                "--resume\n");
  fs::remove(dir / "calls.txt");
  // The probe's file was moved into place.
  EXPECT_TRUE(fs::exists(dir / "probe/gpu-v100.toml"));
  // Task 1: a path with a space stays one argument.
  ASSERT_EQ(std::system(fmt::format("cd / && env -u SLURM_JOB_PARTITION SLURM_ARRAY_TASK_ID=1 "
                                    "bash '{}/job.sbatch' > /dev/null",
                                    dir.string())
                            .c_str()),
            0);
  EXPECT_NE(read(dir / "calls.txt").find("|bench /models/my net.onnx --batch 1,8"),
            std::string::npos);
  fs::remove(dir / "calls.txt");
  // Under Slurm, a task in another partition than planned refuses to run.
  const int wrong = std::system(fmt::format("cd / && SLURM_ARRAY_TASK_ID=0 "
                                            "SLURM_JOB_PARTITION=gpu-v100 bash '{}/job.sbatch' "
                                            "2> /dev/null",
                                            dir.string())
                                    .c_str());
  EXPECT_EQ(WEXITSTATUS(wrong), 2);
  EXPECT_FALSE(fs::exists(dir / "calls.txt"));
  // No such task.
  const int none = std::system(
      fmt::format("cd / && SLURM_ARRAY_TASK_ID=17 bash '{}/job.sbatch' 2> /dev/null", dir.string())
          .c_str());
  EXPECT_EQ(WEXITSTATUS(none), 2);

  // The same plan again is fine; another plan in the same folder is refused.
  EXPECT_NO_THROW(write_campaign(dir, p));
  PlanOptions other = o;
  other.batches = {1};
  EXPECT_THROW(write_campaign(dir, make_plan(other)), Error);
  EXPECT_EQ(plan_to_json(load_campaign(dir)), plan_to_json(p));
  fs::remove_all(dir);
}

TEST(CampaignPlan, LoadCampaignSaysWhatIsMissing) {
  try {
    load_campaign("/nonexistent/folder");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/folder/campaign.json' does not exist"),
              std::string::npos);
  }
}

}  // namespace
}  // namespace dnnroof

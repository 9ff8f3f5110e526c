#include "campaign/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "campaign/actions.h"
#include "core/error.h"
#include "store/results_file.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

ResultRecord record(const std::string& model, std::int64_t batch, RunMode mode,
                    const std::string& partition, RecordStatus status = RecordStatus::ok) {
  ResultRecord r;
  r.model = model;
  r.source = model;
  r.device = "cpu";
  r.chip = "host";
  r.batch = batch;
  r.mode = mode;
  r.status = status;
  if (status == RecordStatus::failed) r.status_reason = "out of memory";
  TimingStats t;
  t.n = 10;
  t.median_s = 0.01 * batch;
  t.converged = true;
  if (status != RecordStatus::failed) r.timings[Phase::forward] = t;
  r.conditions.partition = partition;
  r.conditions.host_name = "node1";
  return r;
}

struct CampaignDir {
  fs::path dir;
  CampaignPlan plan;
  CampaignDir() {
    dir = fs::temp_directory_path() / fmt::format("dnnroof-progress-{}", getpid());
    fs::remove_all(dir);
    PlanOptions o;
    o.name = "p";
    o.dnnroof = "/bin/false";
    o.partitions = {"alpha", "beta"};
    o.models = {"alexnet", "resnet18"};
    o.batches = {1, 4};
    plan =
        make_plan(o);  // tasks: 0 alpha/alexnet, 1 alpha/resnet18, 2 beta/alexnet, 3 beta/resnet18
    write_campaign(dir, plan);
  }
  ~CampaignDir() { fs::remove_all(dir); }
  void write(int task, const std::vector<ResultRecord>& records) const {
    ResultsFile f;
    f.records = records;
    save_results(dir / plan.tasks[static_cast<std::size_t>(task)].results_file(), f);
  }
};

TEST(CampaignProgress, FromTheResultsFilesAlone) {
  const CampaignDir c;
  {
    const CampaignProgress p = read_progress(c.plan, c.dir);
    EXPECT_EQ(p.configurations(), 8u);
    EXPECT_EQ(p.pending, 8u);
    // Every task has work, and the first of each partition a probe due.
    EXPECT_EQ(tasks_with_work_left(p), (std::vector<int>{0, 1, 2, 3}));
    EXPECT_TRUE(p.tasks[0].probe_due);
    EXPECT_FALSE(p.tasks[1].probe_due);
  }
  // Task 0: both done. Task 1: batch 1 done, batch 4 failed. Task 2: one
  // record of another partition (not its own) and one done. Task 3: nothing.
  c.write(0, {record("alexnet", 1, RunMode::infer, "alpha"),
              record("alexnet", 4, RunMode::infer, "alpha", RecordStatus::noisy)});
  c.write(1, {record("resnet18", 1, RunMode::infer, "alpha"),
              record("resnet18", 4, RunMode::infer, "alpha", RecordStatus::failed)});
  c.write(2, {record("alexnet", 1, RunMode::infer, "alpha"),
              record("alexnet", 4, RunMode::infer, "beta")});
  std::ofstream(c.dir / probe_file("alpha")) << "# probed\n";
  const CampaignProgress p = read_progress(c.plan, c.dir);
  EXPECT_EQ(p.done, 4u);
  EXPECT_EQ(p.failed, 1u);
  EXPECT_EQ(p.pending, 3u);
  EXPECT_TRUE(p.tasks[0].complete());
  EXPECT_EQ(p.tasks[1].states, (std::vector<ConfigState>{ConfigState::done, ConfigState::failed}));
  EXPECT_EQ(p.tasks[1].failures,
            std::vector<std::string>{"resnet18, batch 4, infer: out of memory"});
  EXPECT_EQ(p.tasks[2].states, (std::vector<ConfigState>{ConfigState::pending, ConfigState::done}));
  EXPECT_TRUE(p.tasks[2].probe_due);  // beta's probe file is still missing
  EXPECT_EQ(p.tasks[3].pending, 2u);
  EXPECT_EQ(tasks_with_work_left(p), (std::vector<int>{1, 2, 3}));

  const CollectOutcome collected = collect_campaign(c.dir);
  EXPECT_EQ(collected.files.size(), 3u);
  // Merge keeps records of different partitions apart: 6 records, less
  // task 2's stray alpha record, the same configuration as task 0's (the
  // later file's wins, with a warning).
  EXPECT_EQ(collected.merged.results.records.size(), 5u);
  ASSERT_EQ(collected.merged.warnings.size(), 1u);
  EXPECT_NE(collected.merged.warnings[0].find("alexnet on cpu, infer, batch 1, fp32, 0 threads, "
                                              "partition alpha"),
            std::string::npos);
  ASSERT_EQ(collected.missing.size(), 4u);
  EXPECT_EQ(collected.missing[0],
            "resnet18, batch 4, infer on alpha (task 1, failed): out of memory");
  EXPECT_EQ(collected.missing[1], "alexnet, batch 1, infer on beta (task 2, pending)");
}

TEST(CampaignProgress, UnreadableResultsFileIsPendingWithANote) {
  const CampaignDir c;
  std::ofstream(c.dir / c.plan.tasks[0].results_file()) << "{ not json";
  const CampaignProgress p = read_progress(c.plan, c.dir);
  EXPECT_EQ(p.tasks[0].pending, 2u);
  EXPECT_NE(p.tasks[0].note.find("task-000-alpha.json"), std::string::npos);
}

TEST(CampaignProgress, StatusWithoutSlurmReadsTheLogs) {
  const CampaignDir c;
  c.write(0, {record("alexnet", 1, RunMode::infer, "alpha")});
  std::ofstream(c.dir / "logs/task-0-job-12.out")
      << "dnnroof campaign p: task 0, partition alpha\n"
      << "slurmstepd-node1: error: *** JOB 13 ON node1 CANCELLED AT 2026-12-06T11:48:26 DUE TO "
         "TIME LIMIT ***\n";
  const CampaignStatus st = campaign_status(c.dir, false);
  ASSERT_EQ(st.tasks.size(), 4u);
  EXPECT_EQ(st.tasks[0].log, "logs/task-0-job-12.out");
  EXPECT_EQ(st.tasks[0].why, "cancelled: time limit");
  EXPECT_EQ(st.tasks[1].why, "");
}

TEST(CampaignProgress, ArrayLists) {
  EXPECT_EQ(array_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
  EXPECT_EQ(array_list({3}), "3");
  EXPECT_EQ(array_list({4, 3, 3}), "3-4");
  EXPECT_EQ(parse_array_list("0-2,5,7-8"), (std::vector<int>{0, 1, 2, 5, 7, 8}));
  EXPECT_EQ(parse_array_list("[4-6%2]"), (std::vector<int>{4, 5, 6}));
  EXPECT_EQ(parse_array_list("12"), (std::vector<int>{12}));
  EXPECT_THROW(parse_array_list("N/A"), Error);
  EXPECT_THROW(parse_array_list("3-1"), Error);
  EXPECT_THROW(parse_array_list(""), Error);
}

}  // namespace
}  // namespace dnnroof

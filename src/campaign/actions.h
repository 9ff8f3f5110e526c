#pragma once
// What `dnnroof campaign submit|status|collect|run --local` do, on a campaign
// folder written by write_campaign. The results files are the only state:
// every action reads them afresh.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "campaign/plan.h"
#include "campaign/progress.h"
#include "campaign/slurm.h"
#include "store/merge.h"

namespace dnnroof {

// What Slurm knows of the campaign's jobs (found by job name, so no job id
// needs keeping): squeue for active tasks, then sacct, or scontrol where
// sacct has no accounting storage.
struct SchedulerView {
  bool available = false;  // squeue could be run
  std::string source;      // "squeue + sacct", "squeue + scontrol", or why none
  std::map<int, SlurmTaskState> tasks;
};
SchedulerView query_scheduler(const CampaignPlan& plan);

struct SubmitOptions {
  bool dry_run = false;                  // print the sbatch commands, run nothing
  std::vector<std::string> sbatch_args;  // passed to every sbatch before the script
};

struct Submission {
  std::string partition;
  std::vector<int> tasks;
  std::vector<std::string> command;  // the sbatch argv
  std::string job_id;                // empty for a dry run
};

struct SubmitOutcome {
  std::vector<Submission> submissions;
  std::vector<int> already_queued;  // tasks with work left that Slurm still runs or holds
  CampaignProgress progress;
};

// Submits the tasks with work left that Slurm does not already hold: one
// `sbatch --parsable --partition=P --array=LIST job.sbatch` per partition.
// Throws Error when sbatch is missing or refuses (with its message).
SubmitOutcome submit_campaign(const std::filesystem::path& dir, const SubmitOptions& options);

// One task's line of `campaign status`.
struct TaskStatus {
  TaskProgress progress;
  std::string scheduler_state;  // latest Slurm state, "" when Slurm knows none
  std::string exit_code;
  std::string node;
  std::string why;  // why it ended early (log or scheduler), "" when it did not
  std::string log;  // its latest log file, relative to the campaign folder
};

struct CampaignStatus {
  CampaignPlan plan;
  CampaignProgress progress;
  SchedulerView scheduler;
  std::vector<TaskStatus> tasks;
};
CampaignStatus campaign_status(const std::filesystem::path& dir, bool ask_scheduler = true);

// Merges every task's results file (the existing merge) into one; the
// outcome says which planned configurations it still lacks.
struct CollectOutcome {
  MergeResult merged;
  std::vector<std::string> files;    // the results files merged
  std::vector<std::string> missing;  // "alexnet, batch 8, infer on gpu-a100 (failed: ...)"
};
CollectOutcome collect_campaign(const std::filesystem::path& dir);

// Runs the tasks with work left one after the other on this machine, each as
// `bash job.sbatch` with DNNROOF_CAMPAIGN_TASK set (its output goes to
// logs/task-N-local.out and, through `echo`, to stderr). Returns the tasks
// run and their exit codes.
struct LocalRun {
  int task = 0;
  int exit_code = 0;
  std::string log;
};
std::vector<LocalRun> run_campaign_local(const std::filesystem::path& dir,
                                         const std::function<void(const std::string&)>& echo);

}  // namespace dnnroof

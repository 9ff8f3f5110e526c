#pragma once
// Where a campaign stands, from its results files alone (no state of our
// own): each planned configuration is done (a record with status ok or
// noisy), failed (a failed record: it runs again) or pending (no record).

#include <filesystem>
#include <string>
#include <vector>

#include "campaign/plan.h"

namespace dnnroof {

enum class ConfigState { pending, done, failed };
std::string_view config_state_name(ConfigState s);  // "pending", "done", "failed"

struct TaskProgress {
  int index = 0;
  std::string partition;
  std::vector<ConfigState> states;    // one per CampaignTask::configs, in order
  std::vector<std::string> failures;  // "alexnet, batch 8, infer: out of memory"
  std::size_t done = 0, failed = 0, pending = 0;
  bool probe_due = false;  // the task probes and the partition's probe file is missing
  std::string note;        // e.g. an unreadable results file, said once

  // Nothing left to run: every configuration done and no probe due.
  bool complete() const { return failed == 0 && pending == 0 && !probe_due; }
};

struct CampaignProgress {
  std::vector<TaskProgress> tasks;
  std::size_t done = 0, failed = 0, pending = 0;
  std::size_t configurations() const { return done + failed + pending; }
};

// Reads every task's results file under `dir` (a missing file: all pending;
// an unreadable one: all pending, with a note) and the probe files. Records
// are matched to the plan by model, batch, mode and partition.
CampaignProgress read_progress(const CampaignPlan& plan, const std::filesystem::path& dir);

// The indices of the tasks with work left (ascending).
std::vector<int> tasks_with_work_left(const CampaignProgress& progress);

// Slurm's array list for indices: {0,1,2,5,7,8} -> "0-2,5,7-8".
std::string array_list(const std::vector<int>& indices);

// The inverse, for what squeue and sacct print ("3", "0-2,5", "[4-6%2]");
// Error for text that is not one.
std::vector<int> parse_array_list(const std::string& text);

}  // namespace dnnroof

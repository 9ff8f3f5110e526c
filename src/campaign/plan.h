#pragma once
// A campaign: the same benchmark configurations run on several kinds of node
// (Slurm partitions), as one Slurm job array. The plan says every
// configuration, which partition runs it and which array task; it is written
// to DIR/campaign.json with the job script DIR/job.sbatch next to it. The
// results files under DIR/results/ (one per task, written by `dnnroof bench
// --resume`) are the campaign's only state: progress.h reads them.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "store/record.h"

namespace dnnroof {

inline constexpr int kCampaignPlanVersion = 1;

// One configuration of the campaign, on one partition.
struct PlannedConfig {
  std::string model;  // zoo name or absolute .onnx path (as `dnnroof bench` takes it)
  std::int64_t batch = 1;
  RunMode mode = RunMode::infer;

  bool operator==(const PlannedConfig&) const = default;
};

// One array task: its configurations run one after the other by `dnnroof
// bench --resume` into its own results file.
struct CampaignTask {
  int index = 0;  // the Slurm array index ($SLURM_ARRAY_TASK_ID)
  std::string partition;
  std::vector<PlannedConfig> configs;
  // The partition's first task runs `dnnroof probe` once per node kind,
  // before its configurations, when the probe file is missing.
  bool probe = false;

  // "results/task-003-gpu-a100.json", relative to the campaign folder.
  std::string results_file() const;
};

// How `dnnroof bench` runs each configuration (passed through to it).
struct BenchSettings {
  std::string device = "cpu";  // cpu, cuda, cuda:N
  std::string dtype = "fp32";
  std::string chip;  // catalog id recorded with each result; "" for bench's default
  int threads = 0;   // 0: LibTorch's default
  std::string target = "2%";
  std::string budget = "10s";
  bool layers = false;
};

// What goes into the job script's #SBATCH lines and set-up.
struct SlurmSettings {
  std::string time = "00:30:00";   // per array task
  std::string account;             // --account; "" for none
  std::string gres;                // e.g. gpu:1; "" for none
  int cpus_per_task = 0;           // 0: the partition's default
  std::string mem;                 // e.g. 16G; "" for the default
  std::vector<std::string> setup;  // shell lines run before dnnroof (module load ...)
};

struct CampaignPlan {
  int version = kCampaignPlanVersion;
  // The device each partition benchmarks on, when not bench.device
  // (`--partitions gpu-a100:cuda,cpu:cpu`).
  std::map<std::string, std::string> partition_devices;
  std::string name;     // the Slurm job name is "dnnroof-" + name
  std::string dnnroof;  // the program the tasks run (a path, or a name on $PATH)
  std::vector<std::string> partitions;
  std::vector<std::string> models;
  std::vector<std::int64_t> batches;
  std::vector<RunMode> modes;
  BenchSettings bench;
  SlurmSettings slurm;
  bool probe = true;
  std::vector<CampaignTask> tasks;  // tasks[i].index == i

  std::string job_name() const { return "dnnroof-" + name; }
  // partition_devices' entry, else bench.device.
  std::string device_of(const std::string& partition) const;
  // Whether `partition` gets slurm.gres: it is set and the partition's
  // device is a GPU (a CPU partition asks for no GPU).
  bool wants_gres(const std::string& partition) const;
  // True when every partition wants the gres: the job script then carries
  // it as an #SBATCH line; otherwise submit passes it per partition.
  bool gres_in_script() const;
};

struct PlanOptions {
  std::string name;
  std::string dnnroof;
  // NAME or NAME:DEVICE (cpu, cuda, cuda:N; default bench.device).
  std::vector<std::string> partitions;
  std::vector<std::string> models;
  std::vector<std::int64_t> batches{1};
  std::vector<RunMode> modes{RunMode::infer};
  // Most configurations per array task; 0: one task per model and partition
  // (all its batches and modes).
  int per_task = 0;
  BenchSettings bench;
  SlurmSettings slurm;
  bool probe = true;
};

// Every model x batch x mode on every partition, grouped into tasks:
// partition by partition, model by model (a model's configurations stay
// together, so it is loaded once), at most `per_task` per task. Throws Error
// for an empty or repeated list, a partition or campaign name that is not
// [A-Za-z0-9_.-]+, a batch < 1, or a malformed --time / budget / target.
CampaignPlan make_plan(const PlanOptions& options);

// The plan as JSON (campaign.json) and back. parse_plan throws Error naming
// `where` for malformed text, another version or inconsistent tasks.
std::string plan_to_json(const CampaignPlan& plan);
CampaignPlan parse_plan(const std::string& text, const std::string& where);

// The `dnnroof bench` command lines of a task (argv, without the program):
// one per model, or one per model and mode when its batches differ between
// modes; each with --resume into the task's results file (relative to the
// campaign folder) and --partition.
std::vector<std::vector<std::string>> task_bench_commands(const CampaignPlan& plan,
                                                          const CampaignTask& task);

// The job array script: #SBATCH settings, then a case on the array index
// that runs the task's probe (when due) and bench commands. `dir` is the
// campaign folder (absolute), where results and logs go.
std::string job_script(const CampaignPlan& plan, const std::filesystem::path& dir);

// Creates `dir` (and results/, logs/, probe/), writes campaign.json and an
// executable job.sbatch. Refuses (Error) a folder that already holds a
// campaign.json with a different plan, so a plan is never changed under
// results already measured.
void write_campaign(const std::filesystem::path& dir, const CampaignPlan& plan);

// Reads DIR/campaign.json (Error naming it when missing or malformed).
CampaignPlan load_campaign(const std::filesystem::path& dir);

// "probe/gpu-a100.toml": the host-measured chip of a partition's nodes.
std::string probe_file(const std::string& partition);

// Quotes a word for the shell ('it'\''s'); plain words stay as they are.
std::string shell_quote(const std::string& word);

}  // namespace dnnroof

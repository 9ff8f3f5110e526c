// `dnnroof campaign plan|submit|status|collect|run`: a study across kinds of
// node as one Slurm job array (src/campaign); the results files are the only
// state. This file parses options and prints.

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_cli.h"
#include "campaign/actions.h"
#include "campaign/plan.h"
#include "commands.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "runner/model_source.h"
#include "store/export.h"
#include "store/results_file.h"

namespace dnnroof::cli {
namespace {

namespace fs = std::filesystem;

struct PlanCliOptions {
  std::vector<std::string> models;
  std::vector<std::int64_t> batches{1};
  std::vector<std::string> modes{"infer"};
  std::vector<std::string> partitions;
  std::string out = "campaign";
  std::string name;
  std::string dnnroof;
  int per_task = 0;
  bool no_probe = false;
  BenchSettings bench;
  SlurmSettings slurm;
};

// This program, for the tasks to run: its absolute path.
std::string this_program() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("dnnroof") : self.string();
}

// A folder name made into a campaign name: other characters become '-'.
std::string name_from_folder(const fs::path& dir) {
  std::string name = fs::absolute(dir).lexically_normal().filename().string();
  if (name.empty()) name = fs::absolute(dir).lexically_normal().parent_path().filename().string();
  for (char& c : name) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return name.empty() ? std::string("campaign") : name;
}

void run_plan(const PlanCliOptions& o) {
  PlanOptions p;
  p.partitions = o.partitions;
  p.batches = o.batches;
  p.modes = parse_modes(o.modes);
  // A typo in a model name is an error now, not a failed task on a cluster
  // later; an .onnx path becomes absolute so that every node finds it.
  for (const std::string& m : o.models) {
    check_model_exists(m);
    p.models.push_back(is_onnx_path(m) ? fs::absolute(m).lexically_normal().string() : m);
  }
  p.name = o.name.empty() ? name_from_folder(o.out) : o.name;
  p.dnnroof = o.dnnroof.empty() ? this_program() : o.dnnroof;
  p.per_task = o.per_task;
  p.bench = o.bench;
  p.slurm = o.slurm;
  p.probe = !o.no_probe;
  const CampaignPlan plan = make_plan(p);
  write_campaign(o.out, plan);
  std::size_t configs = 0;
  for (const CampaignTask& t : plan.tasks) configs += t.configs.size();
  fmt::print("campaign '{}': {} configuration{} in {} array task{} on {}\n", plan.name, configs,
             configs == 1 ? "" : "s", plan.tasks.size(), plan.tasks.size() == 1 ? "" : "s",
             join(plan.partitions, ", "));
  for (const std::string& partition : plan.partitions) {
    std::vector<int> tasks;
    for (const CampaignTask& t : plan.tasks) {
      if (t.partition == partition) tasks.push_back(t.index);
    }
    fmt::print("  {}: tasks {}\n", partition, array_list(tasks));
  }
  fmt::print("wrote {} and {}\n", (fs::path(o.out) / "campaign.json").string(),
             (fs::path(o.out) / "job.sbatch").string());
  fmt::print("next: dnnroof campaign submit {}   (or: dnnroof campaign run {} --local)\n", o.out,
             o.out);
}

void run_submit(const std::string& dir, const SubmitOptions& options) {
  const SubmitOutcome outcome = submit_campaign(dir, options);
  const CampaignProgress& p = outcome.progress;
  fmt::print(stderr, "dnnroof campaign: {} of {} configurations done, {} failed, {} pending\n",
             p.done, p.configurations(), p.failed, p.pending);
  if (!outcome.already_queued.empty()) {
    fmt::print("tasks {} are still queued or running in Slurm: not submitted again\n",
               array_list(outcome.already_queued));
  }
  if (outcome.submissions.empty()) {
    fmt::print("nothing to submit: {}\n", outcome.already_queued.empty()
                                              ? "every configuration is done"
                                              : "the rest is queued or running");
    return;
  }
  for (const Submission& s : outcome.submissions) {
    if (options.dry_run) {
      std::vector<std::string> quoted;
      for (const std::string& a : s.command) quoted.push_back(shell_quote(a));
      fmt::print("{}\n", join(quoted, " "));
    } else {
      fmt::print("submitted job {} on partition {}: array tasks {}\n", s.job_id, s.partition,
                 array_list(s.tasks));
    }
  }
}

void run_status(const std::string& dir, const std::string& format_name, bool no_slurm) {
  const OutputFormat format = parse_output_format(format_name);
  const CampaignStatus st = campaign_status(dir, !no_slurm);
  Table t({"task", "partition", "done", "failed", "pending", "slurm", "exit", "node", "why", "log"},
          {"task", "partition", "done", "failed", "pending", "slurm_state", "exit_code", "node",
           "why", "log"});
  const std::string dash = format == OutputFormat::table ? "-" : "";
  auto or_dash = [&](const std::string& s) { return s.empty() ? dash : s; };
  for (const TaskStatus& s : st.tasks) {
    const TaskProgress& p = s.progress;
    std::string why = s.why;
    if (p.probe_due && why.empty() && p.pending == 0 && p.failed == 0) why = "probe missing";
    t.add_row({Cell(p.index, std::to_string(p.index)), p.partition,
               Cell(static_cast<double>(p.done), std::to_string(p.done)),
               Cell(static_cast<double>(p.failed), std::to_string(p.failed)),
               Cell(static_cast<double>(p.pending), std::to_string(p.pending)),
               or_dash(s.scheduler_state), or_dash(s.exit_code), or_dash(s.node), or_dash(why),
               or_dash(s.log)});
  }
  fmt::print("{}", t.render(format));
  const CampaignProgress& p = st.progress;
  fmt::print(stderr, "dnnroof campaign: {} of {} configurations done, {} failed, {} pending ({})\n",
             p.done, p.configurations(), p.failed, p.pending, st.scheduler.source);
  for (const TaskStatus& s : st.tasks) {
    for (const std::string& f : s.progress.failures) {
      fmt::print(stderr, "dnnroof campaign: task {} failed: {}\n", s.progress.index, f);
    }
  }
  const std::vector<int> left = tasks_with_work_left(p);
  if (!left.empty()) {
    fmt::print(stderr,
               "dnnroof campaign: tasks with work left: {} (dnnroof campaign submit {} runs "
               "only those)\n",
               array_list(left), dir);
  }
}

void run_collect(const std::string& dir, const std::string& out_name,
                 const std::string& format_name) {
  const OutputFormat format = parse_output_format(format_name);
  const CollectOutcome c = collect_campaign(dir);
  for (const std::string& w : c.merged.warnings) {
    fmt::print(stderr, "dnnroof campaign: warning: {}\n", w);
  }
  const fs::path out = out_name.empty() ? fs::path(dir) / "results.json" : fs::path(out_name);
  save_results(out, c.merged.results);
  fmt::print(stderr, "dnnroof campaign: merged {} records from {} results files into {}\n",
             c.merged.results.records.size(), c.files.size(), out.string());
  if (!c.missing.empty()) {
    fmt::print(stderr, "dnnroof campaign: {} planned configuration{} not done:\n", c.missing.size(),
               c.missing.size() == 1 ? " is" : "s are");
    for (const std::string& m : c.missing) fmt::print(stderr, "  {}\n", m);
  }
  const Table t = format == OutputFormat::table ? results_summary_table(c.merged.results)
                                                : results_table(c.merged.results);
  fmt::print("{}", t.render(format));
  fmt::print(stderr, "next: dnnroof report --results {}/results/*.json --out {}/report\n", dir,
             dir);
}

void run_local(const std::string& dir, bool local) {
  if (!local) {
    fail("dnnroof campaign run needs --local (on a cluster: dnnroof campaign submit {})", dir);
  }
  const std::vector<LocalRun> runs =
      run_campaign_local(dir, [](const std::string& chunk) { fmt::print(stderr, "{}", chunk); });
  if (runs.empty()) {
    fmt::print("nothing to run: every configuration of the campaign is done\n");
    return;
  }
  std::size_t failed = 0;
  for (const LocalRun& r : runs) {
    fmt::print("task {}: exit {} (log {})\n", r.task, r.exit_code, r.log);
    failed += r.exit_code != 0 ? 1 : 0;
  }
  if (failed > 0) {
    fail(
        "{} of {} tasks ended with an error; dnnroof campaign status {} says which "
        "configurations are left",
        failed, runs.size(), dir);
  }
}

void register_campaign(CLI::App& app, Context& /*ctx*/) {
  auto* cmd = app.add_subcommand(
      "campaign",
      "Run a study across kinds of node as one Slurm job array: plan, submit, status, collect "
      "(or run it here with run --local)");
  cmd->require_subcommand(1);
  cmd->footer(
      "Example:\n"
      "  dnnroof campaign plan --models resnet50,vit_b_16 --batch 1,64 --mode infer,train \\\n"
      "      --partitions gpu-a100,gpu-v100 --gres gpu:1 --device cuda --time 01:00:00 --out "
      "study\n"
      "  dnnroof campaign submit study        # sbatch, one array per partition\n"
      "  dnnroof campaign status study        # done / failed / pending, tasks that died and why\n"
      "  dnnroof campaign submit study        # again: only what is missing or failed\n"
      "  dnnroof campaign collect study       # merge into study/results.json\n"
      "  dnnroof report --results study/results/*.json --out study/report\n"
      "The results files under DIR/results/ are the only state (docs/campaign.md).");

  auto plan = std::make_shared<PlanCliOptions>();
  auto* p = cmd->add_subcommand("plan", "Write DIR/campaign.json and the job array DIR/job.sbatch");
  p->add_option("--models", plan->models, "Zoo names or .onnx files, comma-separated")
      ->delimiter(',')
      ->required();
  p->add_option("--partitions", plan->partitions,
                "Slurm partitions (kinds of node), comma-separated; every configuration runs on "
                "each. NAME:DEVICE sets a partition's device (gpu-a100:cuda,cpu:cpu); --gres "
                "goes only to partitions on a GPU")
      ->delimiter(',')
      ->required();
  p->add_option("--out,-o", plan->out, "Campaign folder (created)")->default_val("campaign");
  p->add_option("--name", plan->name,
                "Campaign name (job name dnnroof-NAME); default: the folder's");
  p->add_option("--per-task", plan->per_task,
                "Most configurations per array task (0: one task per model and partition)")
      ->default_val(0);
  p->add_option("--time", plan->slurm.time, "Time limit per array task (Slurm format)")
      ->default_val("00:30:00");
  p->add_option("--account", plan->slurm.account, "Slurm account (--account)");
  p->add_option("--gres", plan->slurm.gres, "Generic resources per task, e.g. gpu:1");
  p->add_option("--cpus-per-task", plan->slurm.cpus_per_task,
                "CPUs per task (0: the partition's default)")
      ->default_val(0);
  p->add_option("--mem", plan->slurm.mem, "Memory per node, e.g. 32G (default: Slurm's)");
  p->add_option("--setup", plan->slurm.setup,
                "A shell line the job runs first, e.g. 'module load cuda/12.4'; repeatable");
  p->add_option("--dnnroof", plan->dnnroof,
                "The dnnroof the tasks run (default: this program's path; on a cluster "
                "perhaps 'dnnroof' after --setup 'module load dnnroof')");
  p->add_flag("--no-probe", plan->no_probe,
              "Do not run `dnnroof probe --quick` once per partition (into DIR/probe/)");
  // Handed on to the bench of every task.
  BenchSettings& b = plan->bench;
  add_sweep_options(*p, {plan->batches, plan->modes, b.device, b.dtype, b.chip, b.threads, b.target,
                         b.budget, b.layers});
  p->callback([plan] { run_plan(*plan); });

  auto dir = std::make_shared<std::string>();
  auto submit = std::make_shared<SubmitOptions>();
  auto* s = cmd->add_subcommand(
      "submit", "sbatch the tasks with work left (missing or failed configurations)");
  s->add_option("dir", *dir, "Campaign folder")->required()->check(CLI::ExistingDirectory);
  s->add_flag("--dry-run", submit->dry_run, "Print the sbatch commands; submit nothing");
  s->add_option("--sbatch-arg", submit->sbatch_args,
                "Extra sbatch argument, e.g. --sbatch-arg=--qos=short; repeatable");
  s->callback([dir, submit] { run_submit(*dir, *submit); });

  auto format = std::make_shared<std::string>("table");
  auto no_slurm = std::make_shared<bool>(false);
  auto* st = cmd->add_subcommand(
      "status", "Configurations done, failed and pending per task; tasks that died and why");
  st->add_option("dir", *dir, "Campaign folder")->required()->check(CLI::ExistingDirectory);
  st->add_flag("--no-slurm", *no_slurm, "Read only the results files and logs (no squeue/sacct)");
  add_format_option(*st, *format);
  st->callback([dir, format, no_slurm] { run_status(*dir, *format, *no_slurm); });

  auto out = std::make_shared<std::string>();
  auto* c = cmd->add_subcommand("collect", "Merge the tasks' results files into one");
  c->add_option("dir", *dir, "Campaign folder")->required()->check(CLI::ExistingDirectory);
  c->add_option("--out,-o", *out, "Merged results file (default DIR/results.json)");
  add_format_option(*c, *format);
  c->callback([dir, out, format] { run_collect(*dir, *out, *format); });

  auto local = std::make_shared<bool>(false);
  auto* r = cmd->add_subcommand(
      "run", "Run the tasks with work left one by one on this machine (no Slurm)");
  r->add_option("dir", *dir, "Campaign folder")->required()->check(CLI::ExistingDirectory);
  r->add_flag("--local", *local, "Run here, task by task (required)");
  r->callback([dir, local] { run_local(*dir, *local); });
}

}  // namespace

DNNROOF_COMMAND(950, register_campaign);

}  // namespace dnnroof::cli

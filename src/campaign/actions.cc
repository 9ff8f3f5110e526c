#include "campaign/actions.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"
#include "core/strings.h"
#include "core/text_file.h"
#include "store/atomic_file.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

// The task's newest log (by modification time), relative to `dir`.
std::string latest_log(const fs::path& dir, int task) {
  const std::string prefix = fmt::format("task-{}-", task);
  std::error_code ec;
  fs::path best;
  fs::file_time_type best_time{};
  for (const auto& entry : fs::directory_iterator(dir / "logs", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(prefix) || !name.ends_with(".out")) continue;
    const auto t = entry.last_write_time(ec);
    if (best.empty() || t > best_time) {
      best = entry.path();
      best_time = t;
    }
  }
  return best.empty() ? std::string() : fs::relative(best, dir).string();
}

std::string first_line(const std::string& text) {
  const std::string t = trim(text);
  return t.substr(0, t.find('\n'));
}

}  // namespace

SchedulerView query_scheduler(const CampaignPlan& plan) {
  SchedulerView view;
  const std::string name = "--name=" + plan.job_name();
  const ProgramOutput q = run_program({"squeue", "-h", "-r", name, "-o", "%F|%K|%T|%r|%N"});
  if (!q.started) {
    view.source = "no Slurm here (squeue not found)";
    return view;
  }
  if (q.exit_code != 0) {
    view.source = fmt::format("squeue failed: {}", first_line(q.err));
    return view;
  }
  view.available = true;
  std::vector<SlurmTaskState> states = parse_squeue(q.out);
  const ProgramOutput a = run_program(
      {"sacct", "-n", "-X", "-P", name, "-S", "now-30days", "-o", "JobID,State,ExitCode,NodeList"});
  if (a.started && a.exit_code == 0) {
    view.source = "squeue + sacct";
    const auto ended = parse_sacct(a.out);
    states.insert(states.end(), ended.begin(), ended.end());
  } else {
    // No accounting storage (sacct: "Slurm accounting storage is disabled"):
    // slurmctld still holds finished jobs for MinJobAge seconds.
    view.source = "squeue + scontrol (sacct unavailable)";
    const ProgramOutput c = run_program({"scontrol", "show", "job", "--oneliner"});
    if (c.started && c.exit_code == 0) {
      const auto held = parse_scontrol_jobs(c.out, plan.job_name());
      states.insert(states.end(), held.begin(), held.end());
    }
  }
  view.tasks = latest_per_task(states);
  return view;
}

SubmitOutcome submit_campaign(const fs::path& dir, const SubmitOptions& options) {
  const CampaignPlan plan = load_campaign(dir);
  SubmitOutcome outcome;
  outcome.progress = read_progress(plan, dir);
  const std::vector<int> left = tasks_with_work_left(outcome.progress);
  std::set<int> queued;
  if (!left.empty() && !options.dry_run) {
    const SchedulerView view = query_scheduler(plan);
    if (!view.available) fail("cannot submit: {}", view.source);
    for (const auto& [task, state] : view.tasks) {
      if (state.active()) queued.insert(task);
    }
  }
  const fs::path script = fs::absolute(dir / "job.sbatch");
  for (const std::string& partition : plan.partitions) {
    Submission sub;
    sub.partition = partition;
    for (int i : left) {
      if (plan.tasks[static_cast<std::size_t>(i)].partition != partition) continue;
      if (queued.contains(i)) {
        outcome.already_queued.push_back(i);
      } else {
        sub.tasks.push_back(i);
      }
    }
    if (sub.tasks.empty()) continue;
    sub.command = {"sbatch", "--parsable", "--partition=" + partition,
                   "--array=" + array_list(sub.tasks)};
    // The GPU request where only some partitions use a GPU.
    if (plan.wants_gres(partition) && !plan.gres_in_script()) {
      sub.command.push_back("--gres=" + plan.slurm.gres);
    }
    sub.command.insert(sub.command.end(), options.sbatch_args.begin(), options.sbatch_args.end());
    sub.command.push_back(script.string());
    if (!options.dry_run) {
      const ProgramOutput r = run_program(sub.command, dir);
      if (!r.started) fail("cannot submit: sbatch not found (is Slurm installed here?)");
      if (r.exit_code != 0) {
        fail("sbatch refused the tasks of partition {}: {}", partition, trim(r.err + r.out));
      }
      sub.job_id = parse_sbatch_job_id(r.out);
    }
    outcome.submissions.push_back(std::move(sub));
  }
  return outcome;
}

CampaignStatus campaign_status(const fs::path& dir, bool ask_scheduler) {
  CampaignStatus st;
  st.plan = load_campaign(dir);
  st.progress = read_progress(st.plan, dir);
  if (ask_scheduler) {
    st.scheduler = query_scheduler(st.plan);
  } else {
    st.scheduler.source = "not asked";
  }
  for (const TaskProgress& p : st.progress.tasks) {
    TaskStatus t;
    t.progress = p;
    if (const auto it = st.scheduler.tasks.find(p.index); it != st.scheduler.tasks.end()) {
      t.scheduler_state = it->second.state;
      t.exit_code = it->second.exit_code;
      t.node = it->second.node;
    }
    t.log = latest_log(dir, p.index);
    const bool ended_early =
        !p.complete() && !(t.scheduler_state == "PENDING" || t.scheduler_state == "RUNNING");
    if (ended_early && !t.log.empty()) t.why = log_reason(read_text_file(dir / t.log).value_or(""));
    if (ended_early && t.why.empty() && t.log.empty() && t.scheduler_state == "CANCELLED") {
      t.why = "cancelled before it started";
    }
    if (ended_early && t.why.empty() && !t.scheduler_state.empty() &&
        t.scheduler_state != "COMPLETED") {
      t.why = to_lower(t.scheduler_state);
      if (const auto it = st.scheduler.tasks.find(p.index); it != st.scheduler.tasks.end() &&
                                                            !it->second.reason.empty() &&
                                                            it->second.reason != "None") {
        t.why += " (" + it->second.reason + ")";
      }
    }
    if (ended_early && t.why.empty() && !p.note.empty()) t.why = p.note;
    st.tasks.push_back(std::move(t));
  }
  return st;
}

CollectOutcome collect_campaign(const fs::path& dir) {
  const CampaignPlan plan = load_campaign(dir);
  CollectOutcome out;
  std::vector<fs::path> paths;
  for (const CampaignTask& t : plan.tasks) {
    if (fs::exists(dir / t.results_file())) {
      paths.push_back(dir / t.results_file());
      out.files.push_back(t.results_file());
    }
  }
  out.merged = merge_result_files(paths);
  const CampaignProgress progress = read_progress(plan, dir);
  for (std::size_t ti = 0; ti < plan.tasks.size(); ++ti) {
    const CampaignTask& t = plan.tasks[ti];
    const TaskProgress& p = progress.tasks[ti];
    std::size_t failure = 0;
    for (std::size_t i = 0; i < t.configs.size(); ++i) {
      const PlannedConfig& c = t.configs[i];
      if (p.states[i] == ConfigState::done) continue;
      std::string what =
          fmt::format("{}, batch {}, {} on {} (task {}, {})", c.model, c.batch,
                      run_mode_name(c.mode), t.partition, t.index, config_state_name(p.states[i]));
      if (p.states[i] == ConfigState::failed && failure < p.failures.size()) {
        const std::string& f = p.failures[failure++];
        what += ": " + f.substr(f.find(": ") == std::string::npos ? 0 : f.find(": ") + 2);
      }
      out.missing.push_back(std::move(what));
    }
  }
  return out;
}

std::vector<LocalRun> run_campaign_local(const fs::path& dir,
                                         const std::function<void(const std::string&)>& echo) {
  const CampaignPlan plan = load_campaign(dir);
  const std::vector<int> left = tasks_with_work_left(read_progress(plan, dir));
  std::vector<LocalRun> runs;
  const fs::path script = fs::absolute(dir / "job.sbatch");
  for (int i : left) {
    LocalRun run;
    run.task = i;
    run.log = fmt::format("logs/task-{}-local.out", i);
    std::ofstream log(dir / run.log, std::ios::app);
    if (!log) fail("cannot write '{}'", (dir / run.log).string());
    setenv("DNNROOF_CAMPAIGN_TASK", std::to_string(i).c_str(), 1);
    const ProgramOutput r =
        run_program({"bash", script.string()}, dir, [&](const std::string& chunk) {
          log << chunk;
          log.flush();
          if (echo) echo(chunk);
        });
    unsetenv("DNNROOF_CAMPAIGN_TASK");
    if (!r.started) fail("cannot run bash for task {}: {}", i, r.err);
    run.exit_code = r.exit_code;
    runs.push_back(run);
  }
  return runs;
}

}  // namespace dnnroof

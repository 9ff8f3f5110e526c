#include "campaign/plan.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "core/duration.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/text_file.h"
#include "store/atomic_file.h"

namespace dnnroof {

// The plan's "bench" and "slurm" objects, field for field: written in full,
// and read with each absent field at its default (the struct's initialiser).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BenchSettings, device, dtype, chip, threads, target,
                                                budget, layers)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SlurmSettings, time, account, gres, cpus_per_task,
                                                mem, setup)

namespace {

using nlohmann::json;

bool plain_name(const std::string& s) {
  static const std::regex kName("[A-Za-z0-9_.-]+");
  return std::regex_match(s, kName);
}

template <typename T>
void require_distinct(const std::vector<T>& items, const char* what) {
  if (items.empty()) fail("campaign plan: no {} given", what);
  std::set<T> seen;
  for (const T& item : items) {
    if (!seen.insert(item).second) fail("campaign plan: {} '{}' is given twice", what, item);
  }
}

// Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
void check_time(const std::string& text) {
  static const std::regex kTime(R"(([0-9]+-)?[0-9]+(:[0-9]+){0,2})");
  if (!std::regex_match(text, kTime)) {
    fail(
        "campaign plan: --time '{}': expected a Slurm time limit such as 00:30:00, 90 or "
        "1-12:00:00",
        text);
  }
}

json task_to_json(const CampaignTask& t) {
  json configs = json::array();
  for (const PlannedConfig& c : t.configs) {
    configs.push_back({{"model", c.model}, {"batch", c.batch}, {"mode", run_mode_name(c.mode)}});
  }
  return {{"index", t.index},
          {"partition", t.partition},
          {"probe", t.probe},
          {"results", t.results_file()},
          {"configurations", configs}};
}

const json& field(const json& object, const char* name, const std::string& where) {
  if (!object.is_object() || !object.contains(name)) fail("{}: missing field '{}'", where, name);
  return object.at(name);
}

RunMode mode_of(const json& j, const std::string& where) {
  const auto mode = j.is_string() ? parse_run_mode(j.get<std::string>()) : std::nullopt;
  if (!mode) fail("{}: mode must be \"infer\" or \"train\"", where);
  return *mode;
}

}  // namespace

std::string CampaignTask::results_file() const {
  return fmt::format("results/task-{:03}-{}.json", index, partition);
}

std::string CampaignPlan::device_of(const std::string& partition) const {
  const auto it = partition_devices.find(partition);
  return it == partition_devices.end() ? bench.device : it->second;
}

bool CampaignPlan::wants_gres(const std::string& partition) const {
  return !slurm.gres.empty() && device_of(partition) != "cpu";
}

bool CampaignPlan::gres_in_script() const {
  for (const std::string& p : partitions) {
    if (!wants_gres(p)) return false;
  }
  return !slurm.gres.empty();
}

std::string probe_file(const std::string& partition) {
  return fmt::format("probe/{}.toml", partition);
}

std::string shell_quote(const std::string& word) {
  static const std::regex kPlain("[A-Za-z0-9_./:,=%@+-]+");
  if (std::regex_match(word, kPlain)) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

CampaignPlan make_plan(const PlanOptions& o) {
  if (!plain_name(o.name)) {
    fail("campaign plan: the campaign name '{}' must be letters, digits, '_', '.' or '-'", o.name);
  }
  std::vector<std::string> partitions;
  std::map<std::string, std::string> devices;
  static const std::regex kDevice("cpu|cuda|cuda:[0-9]+");
  for (const std::string& spec : o.partitions) {
    const std::size_t colon = spec.find(':');
    partitions.push_back(spec.substr(0, colon));
    if (colon == std::string::npos) continue;
    const std::string device = spec.substr(colon + 1);
    if (!std::regex_match(device, kDevice)) {
      fail("campaign plan: partition '{}': device '{}' is not cpu, cuda or cuda:N", spec, device);
    }
    devices[partitions.back()] = device;
  }
  if (!std::regex_match(o.bench.device, kDevice)) {
    fail("campaign plan: --device '{}' is not cpu, cuda or cuda:N", o.bench.device);
  }
  require_distinct(partitions, "partition");
  for (const std::string& p : partitions) {
    if (!plain_name(p)) {
      fail("campaign plan: partition '{}' must be letters, digits, '_', '.' or '-'", p);
    }
  }
  require_distinct(o.models, "model");
  require_distinct(o.batches, "batch size");
  for (std::int64_t b : o.batches) {
    if (b < 1) fail("campaign plan: batch size {} is not a positive integer", b);
  }
  std::vector<std::string> mode_names;
  for (RunMode m : o.modes) mode_names.emplace_back(run_mode_name(m));
  require_distinct(mode_names, "mode");
  if (o.per_task < 0) fail("campaign plan: --per-task must be >= 0, got {}", o.per_task);
  if (o.dnnroof.empty()) fail("campaign plan: no dnnroof program for the tasks to run");
  // The forms `dnnroof bench` accepts, checked by its own parsers.
  parse_duration_s(o.bench.budget, "campaign plan: --budget");
  parse_target_fraction(o.bench.target, "campaign plan: --target");
  check_time(o.slurm.time);
  if (o.bench.threads < 0) fail("campaign plan: --threads must be >= 0, got {}", o.bench.threads);
  if (o.slurm.cpus_per_task < 0) {
    fail("campaign plan: --cpus-per-task must be >= 0, got {}", o.slurm.cpus_per_task);
  }

  CampaignPlan plan;
  plan.name = o.name;
  plan.dnnroof = o.dnnroof;
  plan.partitions = partitions;
  for (const auto& [partition, device] : devices) {
    if (device != o.bench.device) plan.partition_devices[partition] = device;
  }
  plan.models = o.models;
  plan.batches = o.batches;
  plan.modes = o.modes;
  plan.bench = o.bench;
  plan.slurm = o.slurm;
  plan.probe = o.probe;
  // Per partition, model-major: a model's configurations stay together (it
  // is loaded once per batch), cut into tasks of at most per_task.
  for (const std::string& partition : partitions) {
    std::vector<std::vector<PlannedConfig>> groups;
    for (const std::string& model : o.models) {
      std::vector<PlannedConfig> configs;
      for (std::int64_t batch : o.batches) {
        for (RunMode mode : o.modes) configs.push_back({model, batch, mode});
      }
      if (o.per_task == 0) {
        groups.push_back(std::move(configs));
        continue;
      }
      for (PlannedConfig& c : configs) {
        if (groups.empty() || groups.back().size() == static_cast<std::size_t>(o.per_task)) {
          groups.emplace_back();
        }
        groups.back().push_back(std::move(c));
      }
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
      CampaignTask t;
      t.index = static_cast<int>(plan.tasks.size());
      t.partition = partition;
      t.probe = o.probe && g == 0;
      t.configs = std::move(groups[g]);
      plan.tasks.push_back(std::move(t));
    }
  }
  return plan;
}

std::string plan_to_json(const CampaignPlan& p) {
  json tasks = json::array();
  for (const CampaignTask& t : p.tasks) tasks.push_back(task_to_json(t));
  std::vector<std::string> modes;
  for (RunMode m : p.modes) modes.emplace_back(run_mode_name(m));
  const json j{{"campaign_version", p.version},
               {"name", p.name},
               {"job_name", p.job_name()},
               {"dnnroof", p.dnnroof},
               {"partitions", p.partitions},
               {"partition_devices", p.partition_devices},
               {"models", p.models},
               {"batches", p.batches},
               {"modes", modes},
               {"probe", p.probe},
               {"bench", p.bench},
               {"slurm", p.slurm},
               {"tasks", tasks}};
  return j.dump(2) + "\n";
}

CampaignPlan parse_plan(const std::string& text, const std::string& where) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    fail("{}: not valid JSON: {}", where, e.what());
  }
  CampaignPlan p;
  try {
    p.version = field(j, "campaign_version", where).get<int>();
    if (p.version != kCampaignPlanVersion) {
      fail("{}: campaign version {}; this dnnroof reads version {}", where, p.version,
           kCampaignPlanVersion);
    }
    p.name = field(j, "name", where).get<std::string>();
    p.dnnroof = field(j, "dnnroof", where).get<std::string>();
    p.partitions = field(j, "partitions", where).get<std::vector<std::string>>();
    p.partition_devices = j.value("partition_devices", std::map<std::string, std::string>{});
    p.models = field(j, "models", where).get<std::vector<std::string>>();
    p.batches = field(j, "batches", where).get<std::vector<std::int64_t>>();
    for (const json& m : field(j, "modes", where)) p.modes.push_back(mode_of(m, where));
    p.probe = j.value("probe", true);
    p.bench = field(j, "bench", where).get<BenchSettings>();
    p.slurm = field(j, "slurm", where).get<SlurmSettings>();
    const json& tasks = field(j, "tasks", where);
    if (!tasks.is_array()) fail("{}: tasks must be an array", where);
    for (const json& tj : tasks) {
      CampaignTask t;
      t.index = field(tj, "index", where).get<int>();
      const std::string task_where = fmt::format("{}, task {}", where, t.index);
      if (t.index != static_cast<int>(p.tasks.size())) {
        fail("{}: tasks must be numbered 0, 1, 2, ... in order", task_where);
      }
      t.partition = field(tj, "partition", task_where).get<std::string>();
      if (std::find(p.partitions.begin(), p.partitions.end(), t.partition) == p.partitions.end()) {
        fail("{}: partition '{}' is not among the campaign's partitions", task_where, t.partition);
      }
      t.probe = tj.value("probe", false);
      for (const json& c : field(tj, "configurations", task_where)) {
        PlannedConfig pc;
        pc.model = field(c, "model", task_where).get<std::string>();
        pc.batch = field(c, "batch", task_where).get<std::int64_t>();
        pc.mode = mode_of(field(c, "mode", task_where), task_where);
        t.configs.push_back(std::move(pc));
      }
      p.tasks.push_back(std::move(t));
    }
  } catch (const json::exception& e) {
    fail("{}: {}", where, e.what());
  }
  return p;
}

std::vector<std::vector<std::string>> task_bench_commands(const CampaignPlan& plan,
                                                          const CampaignTask& task) {
  // Models in the order they first appear; per model, its batches per mode.
  std::vector<std::string> models;
  std::map<std::string, std::map<RunMode, std::vector<std::int64_t>>> batches;
  for (const PlannedConfig& c : task.configs) {
    if (std::find(models.begin(), models.end(), c.model) == models.end()) {
      models.push_back(c.model);
    }
    batches[c.model][c.mode].push_back(c.batch);
  }
  auto command = [&](const std::string& model, const std::vector<std::int64_t>& b,
                     const std::vector<RunMode>& modes) {
    std::vector<std::string> batch_text;
    for (std::int64_t x : b) batch_text.push_back(std::to_string(x));
    std::vector<std::string> mode_text;
    for (RunMode m : modes) mode_text.emplace_back(run_mode_name(m));
    std::vector<std::string> argv{"bench",    model,
                                  "--batch",  join(batch_text, ","),
                                  "--mode",   join(mode_text, ","),
                                  "--device", plan.device_of(task.partition),
                                  "--dtype",  plan.bench.dtype};
    if (!plan.bench.chip.empty()) argv.insert(argv.end(), {"--chip", plan.bench.chip});
    if (plan.bench.threads > 0) {
      argv.insert(argv.end(), {"--threads", std::to_string(plan.bench.threads)});
    }
    argv.insert(argv.end(), {"--target", plan.bench.target, "--budget", plan.bench.budget});
    if (plan.bench.layers) argv.emplace_back("--layers");
    argv.insert(argv.end(),
                {"--partition", task.partition, "--out", task.results_file(), "--resume"});
    return argv;
  };
  std::vector<std::vector<std::string>> out;
  for (const std::string& model : models) {
    const auto& per_mode = batches.at(model);
    std::vector<RunMode> modes;
    for (const auto& [mode, b] : per_mode) modes.push_back(mode);
    bool same = true;
    for (const auto& [mode, b] : per_mode) same = same && b == per_mode.begin()->second;
    if (same) {
      out.push_back(command(model, per_mode.begin()->second, modes));
    } else {
      for (const auto& [mode, b] : per_mode) out.push_back(command(model, b, {mode}));
    }
  }
  return out;
}

std::string job_script(const CampaignPlan& plan, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << fmt::format("# dnnroof campaign '{}': {} array task{} on partition{} {}.\n", plan.name,
                   plan.tasks.size(), plan.tasks.size() == 1 ? "" : "s",
                   plan.partitions.size() == 1 ? "" : "s", join(plan.partitions, ", "))
    << "# Written by `dnnroof campaign plan`; the plan (every configuration, its partition and\n"
    << "# task) is campaign.json beside this file. Each task runs `dnnroof bench --resume` into\n"
    << "# its own results file under results/, so a task run again does only what is missing.\n"
    << "#   dnnroof campaign submit DIR      one sbatch per partition, only tasks with work left\n"
    << "#   dnnroof campaign run DIR --local the same tasks one by one on this machine\n"
    << "#   by hand: sbatch --partition=P --array=LIST job.sbatch (LIST: P's tasks, "
       "campaign.json)\n";
  if (!plan.slurm.gres.empty() && !plan.gres_in_script()) {
    std::vector<std::string> gpu;
    for (const std::string& p : plan.partitions) {
      if (plan.wants_gres(p)) gpu.push_back(p);
    }
    s << fmt::format("#   with --gres={} for the GPU partitions ({}); submit adds it\n",
                     plan.slurm.gres, join(gpu, ", "));
  }
  s << fmt::format("#SBATCH --job-name={}\n", plan.job_name())
    << fmt::format("#SBATCH --output={}/logs/task-%a-job-%A.out\n", d) << "#SBATCH --nodes=1\n"
    << "#SBATCH --ntasks=1\n"
    << fmt::format("#SBATCH --time={}\n", plan.slurm.time);
  if (!plan.slurm.account.empty()) s << fmt::format("#SBATCH --account={}\n", plan.slurm.account);
  if (plan.gres_in_script()) s << fmt::format("#SBATCH --gres={}\n", plan.slurm.gres);
  if (plan.slurm.cpus_per_task > 0) {
    s << fmt::format("#SBATCH --cpus-per-task={}\n", plan.slurm.cpus_per_task);
  }
  if (!plan.slurm.mem.empty()) s << fmt::format("#SBATCH --mem={}\n", plan.slurm.mem);
  s << "set -u\n"
    << "task=\"${SLURM_ARRAY_TASK_ID:-${DNNROOF_CAMPAIGN_TASK:-}}\"\n"
    << "if [ -z \"$task\" ]; then\n"
    << "  echo \"dnnroof campaign: run this as a Slurm array task (sbatch --array) or with "
       "DNNROOF_CAMPAIGN_TASK set\" >&2\n"
    << "  exit 2\n"
    << "fi\n"
    << fmt::format("cd {} || exit 2\n", shell_quote(d));
  // The task's partition first: under Slurm it must be the one it runs in.
  s << "case \"$task\" in\n";
  for (const std::string& partition : plan.partitions) {
    std::vector<int> indices;
    for (const CampaignTask& t : plan.tasks) {
      if (t.partition == partition) indices.push_back(t.index);
    }
    std::vector<std::string> labels;
    for (int i : indices) labels.push_back(std::to_string(i));
    s << fmt::format("  {}) partition={} ;;\n", join(labels, "|"), partition);
  }
  s << "  *)\n"
    << "    echo \"dnnroof campaign: the plan has no task $task\" >&2\n"
    << "    exit 2\n"
    << "    ;;\n"
    << "esac\n"
    << "if [ -n \"${SLURM_JOB_PARTITION:-}\" ] && [ \"$SLURM_JOB_PARTITION\" != \"$partition\" ]; "
       "then\n"
    << "  echo \"dnnroof campaign: task $task belongs to partition $partition but runs in "
       "$SLURM_JOB_PARTITION\" >&2\n"
    << "  exit 2\n"
    << "fi\n"
    << fmt::format(
           "echo \"dnnroof campaign {}: task $task, partition $partition, node $(hostname), job "
           "${{SLURM_JOB_ID:-local}}, $(date -u +%Y-%m-%dT%H:%M:%SZ)\"\n",
           plan.name);
  for (const std::string& line : plan.slurm.setup) s << line << "\n";
  s << fmt::format("DNNROOF={}\n", shell_quote(plan.dnnroof)) << "status=0\n"
    << "# The probe once per node kind (by the partition's first task), when not yet done.\n"
    << "probe() {\n"
    << "  [ -s \"$1\" ] && return 0\n"
    << "  \"$DNNROOF\" probe --quick --out \"$1.part\" && mv \"$1.part\" \"$1\"\n"
    << "}\n"
    << "case \"$task\" in\n";
  for (const CampaignTask& t : plan.tasks) {
    s << fmt::format("  {})\n", t.index);
    if (t.probe) s << fmt::format("    probe {} || status=1\n", probe_file(t.partition));
    for (const auto& argv : task_bench_commands(plan, t)) {
      std::vector<std::string> quoted;
      for (const std::string& a : argv) quoted.push_back(shell_quote(a));
      s << "    \"$DNNROOF\" " << join(quoted, " ") << " || status=1\n";
    }
    s << "    ;;\n";
  }
  s << "esac\n"
    << "exit $status\n";
  return s.str();
}

void write_campaign(const std::filesystem::path& dir, const CampaignPlan& plan) {
  namespace fs = std::filesystem;
  const fs::path plan_path = dir / "campaign.json";
  const std::string text = plan_to_json(plan);
  if (fs::exists(plan_path)) {
    const CampaignPlan old = load_campaign(dir);
    if (plan_to_json(old) != text) {
      fail(
          "'{}' already holds another campaign's plan; choose another --out folder (or remove "
          "it) rather than change a plan under its results",
          plan_path.string());
    }
  }
  std::error_code ec;
  for (const char* sub : {"results", "logs", "probe"}) {
    fs::create_directories(dir / sub, ec);
    if (ec) fail("cannot create '{}': {}", (dir / sub).string(), ec.message());
  }
  write_file_atomic(plan_path, text);
  const fs::path script = dir / "job.sbatch";
  write_file_atomic(script, job_script(plan, fs::absolute(dir).lexically_normal()));
  fs::permissions(script, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                  fs::perm_options::add, ec);
  if (ec) fail("cannot make '{}' executable: {}", script.string(), ec.message());
}

CampaignPlan load_campaign(const std::filesystem::path& dir) {
  const std::filesystem::path path = dir / "campaign.json";
  const std::optional<std::string> text = read_text_file(path);
  if (!text) {
    fail("'{}' does not exist: is '{}' a campaign folder (dnnroof campaign plan --out)?",
         path.string(), dir.string());
  }
  return parse_plan(*text, path.string());
}

}  // namespace dnnroof

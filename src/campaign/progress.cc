#include "campaign/progress.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/strings.h"
#include "store/results_file.h"

namespace dnnroof {

std::string_view config_state_name(ConfigState s) {
  switch (s) {
    case ConfigState::pending:
      return "pending";
    case ConfigState::done:
      return "done";
    case ConfigState::failed:
      return "failed";
  }
  return "?";
}

CampaignProgress read_progress(const CampaignPlan& plan, const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  CampaignProgress out;
  for (const CampaignTask& t : plan.tasks) {
    TaskProgress p;
    p.index = t.index;
    p.partition = t.partition;
    p.states.assign(t.configs.size(), ConfigState::pending);
    std::vector<const ResultRecord*> records;
    ResultsFile file;
    const fs::path path = dir / t.results_file();
    if (fs::exists(path)) {
      try {
        file = load_results(path);
      } catch (const Error& e) {
        p.note = e.what();
      }
    }
    for (std::size_t i = 0; i < t.configs.size(); ++i) {
      const PlannedConfig& c = t.configs[i];
      for (const ResultRecord& r : file.records) {
        if (r.model != c.model || r.batch != c.batch || r.mode != c.mode ||
            r.conditions.partition != t.partition) {
          continue;
        }
        // A later record of the same configuration (bench --resume replaces
        // a failed one in place) decides.
        if (r.status == RecordStatus::failed) {
          p.states[i] = ConfigState::failed;
          p.failures.push_back(fmt::format("{}, batch {}, {}: {}", c.model, c.batch,
                                           run_mode_name(c.mode), r.status_reason));
        } else {
          p.states[i] = ConfigState::done;
        }
      }
    }
    for (ConfigState s : p.states) {
      if (s == ConfigState::done) ++p.done;
      if (s == ConfigState::failed) ++p.failed;
      if (s == ConfigState::pending) ++p.pending;
    }
    p.probe_due = t.probe && !fs::exists(dir / probe_file(t.partition));
    out.done += p.done;
    out.failed += p.failed;
    out.pending += p.pending;
    out.tasks.push_back(std::move(p));
  }
  return out;
}

std::vector<int> tasks_with_work_left(const CampaignProgress& progress) {
  std::vector<int> out;
  for (const TaskProgress& t : progress.tasks) {
    if (!t.complete()) out.push_back(t.index);
  }
  return out;
}

std::string array_list(const std::vector<int>& indices) {
  std::vector<int> v = indices;
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    parts.push_back(j == i ? std::to_string(v[i]) : fmt::format("{}-{}", v[i], v[j]));
    i = j + 1;
  }
  return join(parts, ",");
}

std::vector<int> parse_array_list(const std::string& text) {
  std::string t = trim(text);
  if (t.size() >= 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
  if (const std::size_t pct = t.find('%'); pct != std::string::npos) t = t.substr(0, pct);
  if (t.empty()) fail("'{}' is not a Slurm array task list", text);
  std::vector<int> out;
  for (const std::string& part : split(t, ',')) {
    try {
      std::size_t used = 0;
      const std::size_t dash = part.find('-');
      if (dash == std::string::npos) {
        const int v = std::stoi(part, &used);
        if (used != part.size() || v < 0) throw std::invalid_argument(part);
        out.push_back(v);
        continue;
      }
      const std::string a = part.substr(0, dash);
      const std::string b = part.substr(dash + 1);
      std::size_t used_b = 0;
      const int lo = std::stoi(a, &used);
      const int hi = std::stoi(b, &used_b);
      if (used != a.size() || used_b != b.size() || lo < 0 || hi < lo || hi - lo > 1000000) {
        throw std::invalid_argument(part);
      }
      for (int v = lo; v <= hi; ++v) out.push_back(v);
    } catch (const std::exception&) {
      fail("'{}' is not a Slurm array task list", text);
    }
  }
  return out;
}

}  // namespace dnnroof

#include "store/export.h"

#include <fmt/format.h>

#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/units.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

Cell num(double v) {
  if (!std::isfinite(v)) return Cell("");
  return Cell(v, fmt::format("{}", v));
}

Cell count(std::size_t v) { return num(static_cast<double>(v)); }

// The per-phase columns, suffixes of <phase>_.
const char* const kTimingColumns[] = {"n",         "median_s",
                                      "mean_s",    "stdev_s",
                                      "min_s",     "max_s",
                                      "p5_s",      "p95_s",
                                      "iqr_s",     "ci_low_s",
                                      "ci_high_s", "ci_rel_half_width",
                                      "converged", "warmup_iterations",
                                      "total_s"};

}  // namespace

Table results_table(const ResultsFile& file) {
  std::vector<Phase> phases;
  for (Phase p : kAllPhases) {
    for (const ResultRecord& r : file.records) {
      if (r.timings.contains(p)) {
        phases.push_back(p);
        break;
      }
    }
  }
  std::set<std::string> libraries;
  for (const ResultRecord& r : file.records) {
    for (const auto& [lib, version] : r.conditions.library_versions) libraries.insert(lib);
  }

  std::vector<std::string> keys = {"model", "source", "device",  "chip",   "mode",
                                   "batch", "dtype",  "threads", "status", "status_reason"};
  for (Phase p : phases) {
    for (const char* c : kTimingColumns) keys.push_back(fmt::format("{}_{}", phase_name(p), c));
  }
  for (const char* c : {"throughput_per_s", "memory_peak_bytes", "host_name", "cpu_model",
                        "condition_threads", "dnnroof_version", "git_revision", "date_utc"}) {
    keys.emplace_back(c);
  }
  // Campaign columns only where some record has them (docs/campaign.md).
  bool campaign = false;
  for (const ResultRecord& r : file.records) {
    const Conditions& c = r.conditions;
    campaign = campaign || !c.partition.empty() || !c.slurm_job_id.empty() || !c.gpu_name.empty() ||
               !c.gpu_driver.empty();
  }
  if (campaign) {
    for (const char* c : {"partition", "slurm_node", "slurm_job_id", "slurm_array_job_id",
                          "slurm_array_task_id", "gpu_name", "gpu_driver"}) {
      keys.emplace_back(c);
    }
  }
  for (const std::string& lib : libraries) keys.push_back("lib_" + lib);

  Table t(keys, keys);
  for (const ResultRecord& r : file.records) {
    std::vector<Cell> row = {r.model,
                             r.source,
                             r.device,
                             r.chip,
                             std::string(run_mode_name(r.mode)),
                             num(r.batch),
                             std::string(dtype_name(r.dtype)),
                             num(r.threads),
                             std::string(record_status_name(r.status)),
                             r.status_reason};
    for (Phase p : phases) {
      const auto it = r.timings.find(p);
      if (it == r.timings.end()) {
        row.insert(row.end(), std::size(kTimingColumns), Cell(""));
        continue;
      }
      const TimingStats& s = it->second;
      for (Cell c : {count(s.n), num(s.median_s), num(s.mean_s), num(s.stdev_s), num(s.min_s),
                     num(s.max_s), num(s.p5_s), num(s.p95_s), num(s.iqr_s), num(s.ci_low_s),
                     num(s.ci_high_s), num(s.ci_rel_half_width), num(s.converged ? 1 : 0),
                     count(s.warmup_iterations), num(s.total_s)}) {
        row.push_back(std::move(c));
      }
    }
    const Conditions& c = r.conditions;
    row.push_back(num(throughput_per_s(r)));
    row.push_back(num(r.memory_peak_bytes));
    row.emplace_back(c.host_name);
    row.emplace_back(c.cpu_model);
    row.push_back(num(c.threads));
    row.emplace_back(c.dnnroof_version);
    row.emplace_back(c.git_revision);
    row.emplace_back(c.date_utc);
    if (campaign) {
      for (const std::string* v :
           {&c.partition, &c.slurm_node, &c.slurm_job_id, &c.slurm_array_job_id,
            &c.slurm_array_task_id, &c.gpu_name, &c.gpu_driver}) {
        row.emplace_back(*v);
      }
    }
    for (const std::string& lib : libraries) {
      const auto it = c.library_versions.find(lib);
      row.emplace_back(it == c.library_versions.end() ? std::string() : it->second);
    }
    t.add_row(std::move(row));
  }
  return t;
}

Table results_summary_table(const ResultsFile& file) {
  // A campaign's records: the partition (the machine) after the device.
  bool partitions = false;
  for (const ResultRecord& r : file.records)
    partitions = partitions || !r.conditions.partition.empty();
  std::vector<std::string> columns{"model", "device",     "mode",        "batch",
                                   "dtype", "threads",    "latency",     "95% CI",
                                   "n",     "throughput", "peak memory", "status"};
  std::vector<std::string> keys{"model",
                                "device",
                                "mode",
                                "batch",
                                "dtype",
                                "threads",
                                "latency_s",
                                "ci_rel_half_width",
                                "samples",
                                "throughput_per_s",
                                "memory_peak_bytes",
                                "status"};
  if (partitions) {
    columns.insert(columns.begin() + 2, "partition");
    keys.insert(keys.begin() + 2, "partition");
  }
  Table t(columns, keys);
  for (const ResultRecord& r : file.records) {
    const auto phase = headline_phase(r);
    Cell latency("-");
    Cell ci("-");
    Cell n("-");
    if (phase) {
      const TimingStats& s = r.timings.at(*phase);
      latency =
          Cell(s.median_s, fmt::format("{} ({})", format_si(s.median_s, "s"), phase_name(*phase)));
      ci = interval_cell(s);  // "±1.2%" or "n=4, no 95% CI" (timing_text.h)
      n = samples_cell(s);
    }
    const double tput = throughput_per_s(r);
    std::string status(record_status_name(r.status));
    // The sampler's reasons start with the status already ("noisy: ...").
    std::string_view why = r.status_reason;
    if (why.starts_with(status + ": ")) why.remove_prefix(status.size() + 2);
    if (!why.empty()) status += fmt::format(": {}", why);
    std::vector<Cell> row{r.model,
                          r.device,
                          std::string(run_mode_name(r.mode)),
                          Cell(r.batch, std::to_string(r.batch)),
                          std::string(dtype_name(r.dtype)),
                          Cell(r.threads, std::to_string(r.threads)),
                          latency,
                          ci,
                          n,
                          std::isfinite(tput) ? Cell(tput, format_si(tput, "/s")) : Cell("-"),
                          std::isfinite(r.memory_peak_bytes)
                              ? Cell(r.memory_peak_bytes, format_binary(r.memory_peak_bytes))
                              : Cell("-"),
                          status};
    if (partitions) {
      row.insert(row.begin() + 2,
                 Cell(r.conditions.partition.empty() ? std::string("-") : r.conditions.partition));
    }
    t.add_row(std::move(row));
  }
  return t;
}

}  // namespace dnnroof

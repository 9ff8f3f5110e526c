#include "store/record.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace dnnroof {

std::string_view run_mode_name(RunMode m) { return m == RunMode::infer ? "infer" : "train"; }

std::optional<RunMode> parse_run_mode(std::string_view name) {
  if (name == "infer") return RunMode::infer;
  if (name == "train") return RunMode::train;
  return std::nullopt;
}

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::forward:
      return "forward";
    case Phase::backward:
      return "backward";
    case Phase::optimizer:
      return "optimizer";
    case Phase::step:
      return "step";
  }
  return "?";
}

std::optional<Phase> parse_phase(std::string_view name) {
  for (Phase p : kAllPhases) {
    if (phase_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string_view record_status_name(RecordStatus s) {
  switch (s) {
    case RecordStatus::ok:
      return "ok";
    case RecordStatus::noisy:
      return "noisy";
    case RecordStatus::failed:
      return "failed";
  }
  return "?";
}

std::optional<RecordStatus> parse_record_status(std::string_view name) {
  for (RecordStatus s : {RecordStatus::ok, RecordStatus::noisy, RecordStatus::failed}) {
    if (record_status_name(s) == name) return s;
  }
  return std::nullopt;
}

std::string describe(const ConfigKey& key) {
  const std::string llm =
      key.llm_phase.empty() ? "" : fmt::format(" {} (context {})", key.llm_phase, key.llm_context);
  return fmt::format("{}{} on {}, {}, batch {}, {}, {} threads{}", key.model, llm, key.device,
                     run_mode_name(key.mode), key.batch, dtype_name(key.dtype), key.threads,
                     key.partition.empty() ? "" : ", partition " + key.partition);
}

int threads_in_force(const ResultRecord& r) {
  return r.conditions.threads > 0 ? r.conditions.threads : std::max(0, r.threads);
}

std::string threads_in_force_text(const ResultRecord& r) {
  const Conditions& c = r.conditions;
  const int n = threads_in_force(r);
  if (n <= 0) return "";
  std::vector<std::string> pools;
  if (c.threads > 0) pools.push_back(fmt::format("ATen intra-op {}", c.threads));
  if (c.interop_threads > 0) pools.push_back(fmt::format("inter-op {}", c.interop_threads));
  if (c.blas_threads > 0) pools.push_back(fmt::format("OpenBLAS {}", c.blas_threads));
  if (c.openmp_threads > 0) pools.push_back(fmt::format("OpenMP {}", c.openmp_threads));
  std::string out = fmt::format("{} thread{}", n, n == 1 ? "" : "s");
  if (!pools.empty()) out += fmt::format(" ({})", fmt::join(pools, ", "));
  if (!c.pinned_cpus.empty()) {
    out += fmt::format(", pinned to CPU{} {}",
                       c.pinned_cpus.find_first_of(",-") == std::string::npos ? "" : "s",
                       c.pinned_cpus);
  } else if (r.device == "cpu" && c.blas_threads + c.openmp_threads + c.interop_threads > 0) {
    out += ", not pinned";
  }
  return out;
}

std::optional<Phase> headline_phase(const ResultRecord& r) {
  if (r.timings.contains(Phase::step)) return Phase::step;
  if (r.timings.contains(Phase::forward)) return Phase::forward;
  return std::nullopt;
}

double throughput_per_s(const ResultRecord& r) {
  const auto phase = headline_phase(r);
  if (!phase) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(r.batch) / r.timings.at(*phase).median_s;
}

double achieved_flops_per_s(const ResultRecord& r) {
  const auto phase = headline_phase(r);
  if (!phase || !r.cost) return std::numeric_limits<double>::quiet_NaN();
  // A training record without a step timing (forward only) is rated on the
  // forward pass alone.
  const RunMode mode = *phase == Phase::step ? RunMode::train : RunMode::infer;
  return r.cost->flops(mode) / r.timings.at(*phase).median_s;
}

double layers_sum_s(const ResultRecord& r) {
  if (r.layers.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (const LayerTiming& l : r.layers) {
    sum += l.forward_median_s;
    if (r.mode == RunMode::train && std::isfinite(l.backward_median_s)) sum += l.backward_median_s;
  }
  return sum;
}

double model_time_for_layers_s(const ResultRecord& r) {
  const auto fwd = r.timings.find(Phase::forward);
  if (fwd == r.timings.end()) return std::numeric_limits<double>::quiet_NaN();
  if (r.mode == RunMode::infer) return fwd->second.median_s;
  const auto bwd = r.timings.find(Phase::backward);
  if (bwd == r.timings.end()) return std::numeric_limits<double>::quiet_NaN();
  return fwd->second.median_s + bwd->second.median_s;
}

double layers_to_model_ratio(const ResultRecord& r) {
  return layers_sum_s(r) / model_time_for_layers_s(r);
}

}  // namespace dnnroof

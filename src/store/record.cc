#include "store/record.h"

#include <fmt/format.h>

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
  return fmt::format("{} on {}, {}, batch {}, {}, {} threads", key.model, key.device,
                     run_mode_name(key.mode), key.batch, dtype_name(key.dtype), key.threads);
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

}  // namespace dnnroof

#pragma once
// One result record per measured configuration, and the results file that
// holds them (docs/results-schema.md describes the JSON). The records are
// plain data: the executor fills them, store writes, reads and merges them,
// the report reads them.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "core/dtype.h"

namespace dnnroof {

// The results file's schema version. It is the major version: a file with
// any other value is refused. Additive changes (a new optional field) keep
// it; readers ignore fields they do not know.
inline constexpr int kResultsSchemaVersion = 1;

enum class RunMode { infer, train };
std::string_view run_mode_name(RunMode m);  // "infer", "train"
std::optional<RunMode> parse_run_mode(std::string_view name);

// The timed phases. Inference times `forward`; training times `forward`,
// `backward` and `optimizer` apart (synchronised between) and the whole
// `step`.
enum class Phase { forward, backward, optimizer, step };
std::string_view phase_name(Phase p);  // "forward", "backward", "optimizer", "step"
std::optional<Phase> parse_phase(std::string_view name);
inline constexpr Phase kAllPhases[] = {Phase::forward, Phase::backward, Phase::optimizer,
                                       Phase::step};

// ok: measured and converged; noisy: measured, but sampling ended at the
// budget before the stop criterion held; failed: not measured (status_reason
// says why, e.g. out of memory).
enum class RecordStatus { ok, noisy, failed };
std::string_view record_status_name(RecordStatus s);  // "ok", "noisy", "failed"
std::optional<RecordStatus> parse_record_status(std::string_view name);

// The statistics of one timed phase (the same quantities as measure's
// Summary, without depending on it). NaN where undefined (written as null).
struct TimingStats {
  std::size_t n = 0;
  double median_s = 0;
  double mean_s = 0;
  double stdev_s = 0;  // sample stdev (n - 1)
  double min_s = 0;
  double max_s = 0;
  double p5_s = 0;  // numpy "linear" percentiles
  double p95_s = 0;
  double iqr_s = 0;
  double ci_low_s = 0;  // distribution-free interval of the median
  double ci_high_s = 0;
  double ci_confidence = 0.95;   // its achieved coverage
  double ci_rel_half_width = 0;  // max side / median
  bool converged = false;
  std::size_t warmup_iterations = 0;
  double total_s = 0;  // [s] wall time of warm-up and sampling
};

// The circumstances of a measurement, recorded with every result.
struct Conditions {
  std::string host_name;
  std::string cpu_model;
  int threads = 0;  // threads the run actually had (intra-op pool size)
  std::map<std::string, std::string> library_versions;  // e.g. {"libtorch", "2.5.1"}
  std::string dnnroof_version;
  std::string git_revision;
  std::string date_utc;  // ISO-8601, "2026-11-22T00:33:12Z"
};

// What makes two records "the same configuration": a resumed sweep skips a
// key it already has, merge keeps one record per key.
struct ConfigKey {
  std::string model;
  std::string device;
  RunMode mode = RunMode::infer;
  int batch = 1;
  DType dtype = DType::fp32;
  int threads = 0;

  bool operator==(const ConfigKey&) const = default;
  bool operator<(const ConfigKey& o) const {
    return std::tie(model, device, mode, batch, dtype, threads) <
           std::tie(o.model, o.device, o.mode, o.batch, o.dtype, o.threads);
  }
};
// "resnet18 on cuda:0, infer, batch 64, fp32, 16 threads".
std::string describe(const ConfigKey& key);

struct ResultRecord {
  std::string model;   // display name: zoo name or the ONNX file's stem
  std::string source;  // how it was named: a zoo name or a path to an .onnx file
  std::string device;  // where it ran: "cpu", "cuda:0"
  std::string chip;    // catalog id of that device, or "host"
  RunMode mode = RunMode::infer;
  int batch = 1;
  DType dtype = DType::fp32;
  int threads = 0;  // requested intra-op threads (0: library default)
  std::map<Phase, TimingStats> timings;
  double memory_peak_bytes = 0;  // NaN when unknown
  RecordStatus status = RecordStatus::ok;
  std::string status_reason;  // why failed or noisy; empty when ok
  Conditions conditions;

  ConfigKey key() const { return {model, device, mode, batch, dtype, threads}; }
};

// The phase whose median defines latency and throughput: step when timed,
// else forward; nullopt when neither is.
std::optional<Phase> headline_phase(const ResultRecord& r);

// batch / median of the headline phase [samples/s]; NaN without one.
double throughput_per_s(const ResultRecord& r);

struct ResultsFile {
  int schema_version = kResultsSchemaVersion;
  std::vector<ResultRecord> records;
};

}  // namespace dnnroof

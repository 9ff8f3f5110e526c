#pragma once
// One result record per measured configuration, and the results file that
// holds them (docs/results-schema.md describes the JSON). The records are
// plain data: the executor fills them, store writes, reads and merges them,
// the report reads them.

#include <cstdint>
#include <limits>
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
  // Every other pool as read back after sizing it (0: unknown, or no such
  // library), and the CPUs the run was pinned to ("0-1"; "": not pinned).
  // Optional in schema 1: absent in older files.
  int interop_threads = 0;
  int blas_threads = 0;
  int openmp_threads = 0;
  std::string pinned_cpus;
  std::map<std::string, std::string> library_versions;  // e.g. {"libtorch", "2.5.1"}
  std::string dnnroof_version;
  std::string git_revision;
  std::string date_utc;  // ISO-8601, "2026-11-22T00:33:12Z"

  // Where a campaign ran it (optional, additive in schema 1; empty when not
  // known). `partition` is the machine kind the record belongs to: `bench
  // --partition`, else the Slurm partition of the job; it is part of the
  // record's key, so the same configuration run on two partitions is two
  // records.
  std::string partition;
  std::string slurm_node;           // SLURMD_NODENAME (may differ from host_name)
  std::string slurm_job_id;         // SLURM_JOB_ID
  std::string slurm_array_job_id;   // SLURM_ARRAY_JOB_ID
  std::string slurm_array_task_id;  // SLURM_ARRAY_TASK_ID
  std::string gpu_name;             // the CUDA device the record ran on
  std::string gpu_driver;           // NVIDIA driver version (/proc/driver/nvidia/version)
};

// The cost model's figures for the configuration (src/cost estimate_cost at
// the record's batch and dtype, under `convention`), stored so reports need
// not recompute them. Backward is zero for inference.
struct CostFigures {
  std::string convention = "dnnroof";  // cost_convention_name
  double forward_flops = 0;            // [FLOP] total (matrix-class + other)
  double backward_flops = 0;           // [FLOP]
  double forward_matmul_flops = 0;     // [FLOP] matrix-class only
  double backward_matmul_flops = 0;    // [FLOP]
  double forward_bytes = 0;            // [B] "no reuse" traffic: sum over nodes
  double backward_bytes = 0;           // [B]
  double compulsory_bytes = 0;         // [B] the step's compulsory traffic

  // The step's: forward, plus backward in training.
  double flops(RunMode mode) const {
    return forward_flops + (mode == RunMode::train ? backward_flops : 0);
  }
  double bytes(RunMode mode) const {
    return forward_bytes + (mode == RunMode::train ? backward_bytes : 0);
  }
};

// One node's time from the executor's per-layer pass (each node run alone,
// synchronised before and after), median over the passes taken.
struct LayerTiming {
  std::string name;              // the graph node's name ("layer1.0.conv1")
  std::string op;                // op_name of its OpKind ("Conv")
  std::string module;            // module path ("layer1.0"); "" at top level
  double forward_median_s = 0;   // [s]
  double backward_median_s = 0;  // [s] NaN for inference; 0 for nodes without gradient
  double forward_flops = 0;      // [FLOP] cost model; NaN when unknown
  double backward_flops = 0;     // [FLOP] NaN when unknown or inference
};

// What makes two records "the same configuration": a resumed sweep skips a
// key it already has, merge keeps one record per key. `partition` (empty
// outside campaigns) keeps the same configuration measured on two kinds of
// node apart.
struct ConfigKey {
  std::string model;
  std::string device;
  RunMode mode = RunMode::infer;
  std::int64_t batch = 1;
  DType dtype = DType::fp32;
  int threads = 0;
  std::string partition;
  // A language model's workload (ResultRecord::llm_phase/llm_context);
  // empty/0 for every other model.
  std::string llm_phase;
  std::int64_t llm_context = 0;

  bool operator==(const ConfigKey&) const = default;
  bool operator<(const ConfigKey& o) const {
    return std::tie(model, device, mode, batch, dtype, threads, partition, llm_phase, llm_context) <
           std::tie(o.model, o.device, o.mode, o.batch, o.dtype, o.threads, o.partition,
                    o.llm_phase, o.llm_context);
  }
};
// "resnet18 on cuda:0, infer, batch 64, fp32, 16 threads" (", partition
// gpu-a100" when it has one).
std::string describe(const ConfigKey& key);

struct ResultRecord {
  std::string model;   // display name: zoo name or the ONNX file's stem
  std::string source;  // how it was named: a zoo name or a path to an .onnx file
  std::string device;  // where it ran: "cpu", "cuda:0"
  std::string chip;    // catalog id of that device, or "host"
  RunMode mode = RunMode::infer;
  std::int64_t batch = 1;
  DType dtype = DType::fp32;
  // Threads requested for every pool (the sweep resolves its default to the
  // count it uses; 0 in older files: the library's default).
  int threads = 0;
  std::map<Phase, TimingStats> timings;
  double memory_peak_bytes = 0;  // NaN when unknown
  // CPU: the process's resident set when the configuration started (VmHWM
  // just reset, before its executor was built), so memory_peak_bytes -
  // memory_start_bytes is what the configuration added. NaN when unknown
  // (a GPU, or VmHWM could not be reset). Optional in schema 1.
  double memory_start_bytes = std::numeric_limits<double>::quiet_NaN();
  RecordStatus status = RecordStatus::ok;
  std::string status_reason;  // why failed or noisy; empty when ok
  Conditions conditions;

  // Optional (additive in schema 1): the cost model's figures, and per-layer
  // times with the number of per-layer passes they are medians of.
  std::optional<CostFigures> cost;
  std::vector<LayerTiming> layers;  // empty unless measured per layer
  std::size_t layer_passes = 0;

  // Optional (additive in schema 1): a language model's phase ("prefill",
  // "decode"; empty for every other model) and its context: prefill, the
  // prompt tokens per sequence; decode, the KV-cache length before the new
  // token. Written as {"llm": {"phase", "context"}}; part of the key, so the
  // prefill and decode of one model and batch are two records.
  std::string llm_phase;
  std::int64_t llm_context = 0;

  ConfigKey key() const {
    return {model,     device,     mode, batch, dtype, threads, conditions.partition,
            llm_phase, llm_context};
  }
};

// The phase whose median defines latency and throughput: step when timed,
// else forward; nullopt when neither is.
std::optional<Phase> headline_phase(const ResultRecord& r);

// batch / median of the headline phase [samples/s]; NaN without one.
double throughput_per_s(const ResultRecord& r);

// The cost model's FLOPs of the headline phase (forward for inference,
// forward + backward for a training step) / its median [FLOP/s]. The
// optimizer's work is not counted (the cost model has none). NaN without cost
// figures or a headline phase.
double achieved_flops_per_s(const ResultRecord& r);

// Sum over `layers` of the forward medians, plus the backward medians in
// training [s]; NaN without layers.
double layers_sum_s(const ResultRecord& r);

// The whole model's time comparable to layers_sum_s: the forward median for
// inference, forward + backward medians for training [s]; NaN when missing.
double model_time_for_layers_s(const ResultRecord& r);

// layers_sum_s / model_time_for_layers_s: how much more the nodes run alone
// (each synchronised, no overlap or fusion) take than the whole model; above
// 1 is the per-layer overhead. NaN when either is missing.
double layers_to_model_ratio(const ResultRecord& r);

// The thread count a record ran with: the intra-op pool as read back
// (conditions.threads), else the count requested (threads); 0 when neither
// is known. Ceilings are matched to results by it.
int threads_in_force(const ResultRecord& r);

// "2 threads (ATen intra-op 2, inter-op 2, OpenBLAS 2, OpenMP 2), pinned to
// CPUs 0-1": the pools a record ran with, as read back (pools it did not
// record are left out); "" when threads_in_force is 0.
std::string threads_in_force_text(const ResultRecord& r);

struct ResultsFile {
  int schema_version = kResultsSchemaVersion;
  std::vector<ResultRecord> records;
};

}  // namespace dnnroof

#pragma once
// Benchmark sweeps: every (model, batch, mode) configuration of a sweep is
// built, run through an Executor under the measurement loop (src/measure),
// turned into a ResultRecord with its conditions and the cost model's
// figures, and appended to the results file atomically before the next one
// starts. `dnnroof bench` is a thin front end to run_sweep(); `dnnroof report`
// calls it to measure for a report.
//
// A configuration that fails (the model does not import, an op has no
// lowering, out of memory, anything that throws std::exception) is recorded
// with status failed and its reason, and the sweep goes on. A resumed sweep
// skips the configurations the results file already has (ok or noisy). The
// stop flag ends a sweep between two iterations: the configuration under way
// is dropped, every finished one is already in the file.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/host_tensor.h"
#include "exec/executor.h"
#include "graph/graph.h"
#include "measure/sampler.h"
#include "store/record.h"

namespace dnnroof {

// A model ready to run: its graph at one batch size and the weights to load
// (an ONNX file's initializers; empty for zoo models, which get torchvision's
// init, seeded).
struct SweepModel {
  std::string name;    // display name: zoo name or the .onnx file's stem
  std::string source;  // as given: zoo name or path
  std::string family;  // the zoo's family ("ResNet"); "ONNX" for a file
  Graph graph;
  std::map<std::string, HostTensor> weights;
};

// A zoo name, or a path ending in .onnx (case-insensitive), at `batch` and
// `dtype`. Zoo models are built at `dtype`; an ONNX file keeps its own dtypes
// (re-batched: a fixed batch dim is overridden) and brings its weights when
// the file has them. Throws Error naming the model when it cannot be loaded.
SweepModel load_sweep_model(const std::string& source, std::int64_t batch, DType dtype);

// The display name load_sweep_model gives `source` without loading it: the
// zoo name as given, or the file's stem for an .onnx path.
std::string sweep_model_name(const std::string& source);

// "cpu" -> "cpu"; "cuda" -> "cuda:0"; "cuda:N" -> "cuda:N"; anything else an
// Error naming it.
std::string normalize_device(const std::string& device);

using ExecutorFactory = std::function<std::unique_ptr<Executor>(const Graph&, const ExecOptions&)>;
using ModelLoader =
    std::function<SweepModel(const std::string& source, std::int64_t batch, DType dtype)>;

// The executor this build has: make_executor from src/exec (LibTorch), or,
// in a build without LibTorch, a factory that throws an Error saying so.
// Defined in dnnroof::runner_default (link it to use these two), so that
// dnnroof::runner itself does not pull in LibTorch.
ExecutorFactory default_executor_factory();
bool executor_built();
// Empty when `device` (normalized: "cpu", "cuda:N") can run here; otherwise
// why not ("no CUDA device: this dnnroof's LibTorch was built without CUDA",
// "cuda:3: only 2 CUDA devices", "built without the LibTorch executor").
std::string device_unavailable_reason(const std::string& device);

// The thread count a sweep runs with: `requested` when > 0, else
// default_thread_count() (hw/cpu_affinity.h: every allowed physical core).
int resolved_threads(int requested);

// Empty when every pool of `info` read back `threads` (pools a library does
// not have, read back as 0, are skipped); otherwise which did not, for a
// warning.
std::string threads_held(const ExecInfo& info, int threads);

// One configuration of a sweep, in the order run_sweep runs them: models in
// the order given, then batch sizes, then modes.
struct SweepConfig {
  std::string source;
  std::string model;  // sweep_model_name(source)
  std::int64_t batch = 1;
  RunMode mode = RunMode::infer;
};

struct SweepProgress {
  std::size_t index = 0;     // 1-based position of the configuration starting now
  std::size_t total = 0;     // configurations to run in this sweep (skipped ones excluded)
  std::size_t finished = 0;  // measured or failed so far
  std::size_t failed = 0;
  std::size_t skipped = 0;  // already in the results file (--resume)
  double elapsed_s = 0;     // [s] since the sweep started
  double eta_s = 0;         // [s] estimate for the rest, this configuration included; NaN unknown
  bool eta_from_budget = false;  // true: no configuration finished yet, estimated from the budget
  std::string current;           // "resnet18, batch 8, train"
};
// "[3/12] resnet18, batch 8, train  (2 done, 1 failed; 45 s elapsed, ETA 2 min 10 s)".
std::string progress_line(const SweepProgress& p);

// The record's statistics of one timed phase (`s`, summarised from the loop
// `m`; every phase of a configuration is sampled by one loop, so it
// converged when that loop stopped at its criterion).
TimingStats timing_stats(const Summary& s, const Measurement& m);

// The ETA: with finished configurations, their mean wall time x
// `remaining`; before any, `budget_per_config_s` x `remaining` (run_sweep
// passes twice the budget: warm-up and sampling are each capped by it;
// building the executor is not counted). NaN when neither is known.
double estimate_eta_s(const std::vector<double>& finished_config_s, std::size_t remaining,
                      double budget_per_config_s);

// Noisy configurations measured again at the end of a sweep, while time
// remains. A configuration is noisy when its loop ended at the budget before
// the stop criterion held: often one disturbed stretch of time (another
// process, a frequency change), or an iteration so long that the budget
// holds too few samples. Measuring it again later, with a larger budget,
// gives it a second chance without holding up the configurations not yet
// measured.
struct RemeasurePolicy {
  bool enabled = false;
  // The second measurement's sampling budget (and its extension to reach
  // min_samples, measure.max_time_for_min_samples_s) = the first's x this.
  double budget_factor = 2;
  // Seconds left for re-measuring; null: no limit. A configuration is
  // re-measured only when its estimated time (its first measurement's wall
  // time x budget_factor, doubled with per-layer timing) fits in what is
  // left; the cheapest go first, so as many as possible get their chance.
  std::function<double()> time_left_s;
  // Before each re-measurement: the noisy record and the estimated seconds.
  std::function<void(const ResultRecord&, double)> on_start;
};

// What every sweep (run_sweep here, run_llm_sweep in llm_sweep.h) is told
// besides its configurations: where it runs, how each configuration is
// measured, where the results go and whom to tell.
struct SweepSettings {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  std::string chip;            // recorded chip id; "": "host" on the CPU, the device on a GPU
  DType dtype = DType::fp32;
  // CPU threads of every pool (ExecOptions::threads), pinned; 0: every
  // allowed physical core (resolved_threads). Records carry the resolved count.
  int threads = 0;
  std::uint64_t seed = 0;
  // The machine kind recorded with each result (Conditions::partition) and
  // part of its key; "": the Slurm job's partition ($SLURM_JOB_PARTITION),
  // else none.
  std::string partition;

  // The measurement loop of each timed configuration. `target` makes the
  // stop criterion (median 95% CI within ±target) when measure.criterion is
  // null; `budget_s` is the sampling budget (measure.max_time_s) and caps
  // the warm-up too (measure.max_warmup_s at most budget_s). Warm-up
  // settings, sample floors and caps are otherwise measure's own.
  double target = 0.02;
  double budget_s = 10.0;
  // > 0: when the budget ends first, a result whose interval is within
  // ±accept_target is converged, not noisy (measure.accept_criterion, made
  // here when that is null). 0: none.
  double accept_target = 0;
  MeasureOptions measure;

  // Per-layer (per-op) times after the whole-model timing, with their own
  // sampling budget (0: budget_s).
  bool layers = false;
  double layers_budget_s = 0;

  // Results file: each finished configuration is appended (append_record)
  // atomically; records of other configurations already there are kept.
  // Empty: no file.
  std::filesystem::path out;
  // Skip configurations the results file already has with status ok or
  // noisy (failed ones are run again).
  bool resume = false;

  std::function<void(const SweepProgress&)> on_progress;  // before each configuration
  std::function<void(const ResultRecord&)> on_result;     // after each, failed ones too
  // Once per sweep and kind: the executor runs on the reference BLAS; the
  // pools did not take the thread count; the peak resident memory cannot be
  // reset.
  std::function<void(const std::string&)> on_warning;
  // Set (e.g. by a SIGINT handler) to end the sweep at the next iteration.
  const std::atomic<bool>* stop = nullptr;
};

// The loop of each timed configuration of a sweep with `settings`: its
// `measure` with the stop rule (median 95% CI within ±target, accepted
// within ±accept_target when the budget ends, 0: none) and the budget as the
// sampling budget and the warm-up cap, so a configuration takes at most
// about twice the budget.
MeasureOptions sweep_loop_options(const SweepSettings& settings);

// Short budgets (a smoke run) shorten the floors of the loop with them:
// measure.min_warmup_s to at most budget_s / 5, measure.min_time_s to at
// most budget_s / 2.
void fit_floors_to_budget(SweepSettings& settings);

// A sweep of models x batch sizes x modes. Everything has a default but
// `models`.
struct SweepOptions : SweepSettings {
  std::vector<std::string> models;  // zoo names or .onnx paths
  std::vector<std::int64_t> batches{1};
  std::vector<RunMode> modes{RunMode::infer};

  // Cold mode: flush the host's last-level cache before every iteration
  // (2 x its size, untimed). CPU only: refused on a GPU, whose L2 this does
  // not reach.
  bool cold = false;

  std::function<void(const SweepConfig&)> on_skip;  // for each one resume skips

  // At the end of the sweep (not after an interruption): its noisy
  // configurations again, see RemeasurePolicy and remeasure_noisy.
  RemeasurePolicy remeasure;

  // The executor for each configuration: default_executor_factory() for
  // real runs (dnnroof::runner_default), a fake in tests. Required.
  ExecutorFactory make_executor;
  // Null: load_sweep_model.
  ModelLoader load_model;
};

// The configurations of a sweep in run order (no resume filtering).
std::vector<SweepConfig> sweep_configs(const SweepOptions& options);

// What a sweep did.
struct SweepOutcome {
  std::vector<ResultRecord> records;  // measured or failed in this run, in order
  std::vector<SweepConfig> skipped;   // already in the results file
  bool interrupted = false;           // the stop flag ended it early
};

// Runs the sweep described above. Throws Error before measuring anything for
// invalid options (no model, a batch < 1, an unknown device, an unreadable
// results file with --resume, --cold on a GPU); never for a configuration's
// own failure, which is recorded.
SweepOutcome run_sweep(const SweepOptions& options);

// What a front end (`dnnroof bench`, for zoo, ONNX and language models)
// says after a sweep. A configuration is named as in the progress line:
// "resnet18, batch 8, train", or for a language model "gpt2, decode, batch
// 4, context 512".
std::string record_config_text(const ResultRecord& r);
// "3 configurations measured, 1 failed, 2 skipped (--resume); the results
// are in 'r.json'" (`out` empty: "...; no results file (--out) was given").
std::string sweep_summary_line(const std::vector<ResultRecord>& records, std::size_t skipped,
                               const std::string& out);
// "interrupted: 2 configurations finished before the interrupt; the results
// are in 'r.json' (run again with --resume to finish the sweep)".
std::string sweep_interrupted_text(std::size_t finished, const std::string& out);
// Empty when no record failed; else "1 of 3 configurations failed
// (resnet18, batch 8, train: out of memory)", naming the first three
// failures and "..." for more.
std::string sweep_failures_text(const std::vector<ResultRecord>& records);

// What remeasure_noisy did.
struct RemeasureOutcome {
  // The records given, with every re-measured one replaced by its second
  // measurement, unless that failed, or took fewer samples than the first
  // and did not converge either (then the first stays). Same order.
  std::vector<ResultRecord> records;
  std::size_t remeasured = 0;        // noisy configurations measured again
  std::size_t now_converged = 0;     // of those, converged the second time
  std::size_t skipped_for_time = 0;  // noisy ones whose estimate did not fit
  bool interrupted = false;          // the stop flag ended it
};

// Measures the noisy records among `records` again (policy above), each as a
// one-configuration sweep with `options`' device, dtype, threads, executor
// factory, loader and measurement settings, its budgets x
// policy.budget_factor, and per-layer timing when the record has layers.
// A chosen replacement is written to options.out (replacing the record of
// the same key) and passed to options.on_result. Records of another device
// than options.device are left alone.
RemeasureOutcome remeasure_noisy(const std::vector<ResultRecord>& records,
                                 const SweepOptions& options, const RemeasurePolicy& policy);

// Measures one configuration with an executor already made for it; the
// piece of run_sweep that tests and `report` can call alone. Fills timings,
// status, memory, layers and cost; the caller fills the identity
// (model, device, ...) and conditions. Throws what the executor throws.
void measure_configuration(Executor& executor, const SweepModel& model, RunMode mode,
                           const SweepOptions& options, ResultRecord& record);

}  // namespace dnnroof

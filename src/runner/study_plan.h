#pragma once
// The measuring plan of `dnnroof report`: which models at which batch sizes,
// in which modes and on which devices, with what sampling budget and time
// limit (make_study_plan), and its run as a series of sweeps, cheapest
// first, so that a time limit cuts the extras and not whole models, with
// the noisy configurations measured again at the end while time is left
// (measure_study). The program parses its options into a StudyPlanRequest
// and prints the progress lines it is handed.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "measure/interval_rule.h"
#include "runner/llm_sweep.h"
#include "runner/sweep.h"
#include "store/record.h"

namespace dnnroof {

// What the program was asked for; empty strings and negative numbers mean
// "the mode's default".
struct StudyPlanRequest {
  std::string models;           // comma-separated zoo names or .onnx paths
  std::string batch;            // comma-separated batch sizes
  std::string device = "auto";  // "auto" (cpu, plus cuda:0 when present) or a list
  std::string train_models;     // "none" for none
  std::string layers_model;     // "none" for none
  bool quick = false;
  bool full = false;
  double budget_s = 0;       // [s] per configuration; <= 0: the mode's
  double time_limit_s = -1;  // [s] 0: none; < 0: the mode's
  int threads = 0;           // 0: every allowed physical core
};

// The plan made from a request.
struct StudyPlan {
  std::string mode;  // "quick", "default" or "full"
  std::vector<std::string> models;
  std::vector<std::int64_t> batches;
  // Batches after the first two only for models whose forward pass at batch
  // 1 has at most this many FLOPs (0: every model at every batch). The
  // default report's third batch size is for the small models: the large
  // ones at batch 32 would take most of the ten minutes alone.
  double large_batch_max_flops = 0;
  std::vector<std::string> train_models;
  std::int64_t train_batch = 1;
  std::vector<std::string> layers_models;
  std::vector<std::string> devices;
  double budget_s = 3;
  double time_limit_s = 540;
  int threads = 0;  // CPU threads of every pool, pinned (resolved: never 0)
  // Stop rule: sampling aims at the median's 95% CI within ±target (after
  // at least min_samples samples) while the budget lasts; when the budget
  // ends first, a result within ±accept_target is converged. A model too
  // slow to give min_samples in budget_s gets up to min_samples_budget_s;
  // noisy configurations are measured again at the end with
  // remeasure_factor x the budgets while the time limit allows.
  double target = 0.02;
  double accept_target = 0.05;
  std::size_t min_samples = kMinSamplesForInterval;
  double min_samples_budget_s = 12;
  double remeasure_factor = 2;
};

// The seeds' models, in the order they are measured (cheapest first, so a
// time limit cuts the expensive ones), and the other defaults of the plan.
inline constexpr const char* kStudyDefaultModels =
    "resnet18,mobilenet_v2,shufflenet_v2_x1_0,squeezenet1_0,mnasnet1_0,efficientnet_b0,"
    "regnet_y_400mf,googlenet,alexnet,resnet50,vgg16";
inline constexpr const char* kStudyDefaultTrainModels =
    "resnet18,mobilenet_v2,squeezenet1_0,alexnet,resnet50";
// Timed per layer by default: four models, so that section 7's measured-time
// pies by op type cover four models as the seeds ask (about 20 s more).
inline constexpr const char* kStudyDefaultLayersModels =
    "resnet18,mobilenet_v2,squeezenet1_0,alexnet";
inline constexpr const char* kStudyQuickModels = "squeezenet1_1,shufflenet_v2_x0_5,resnet18";
// The default report's batch sizes; the third only for models of at most
// kStudySmallModelFlops forward FLOPs per image (dnnroof convention): of the
// seeds' 11, all but resnet50 (8.2 GFLOP) and vgg16 (31 GFLOP).
inline constexpr const char* kStudyDefaultBatches = "1,8,32";
inline constexpr double kStudySmallModelFlops = 4e9;

// "a, b,,c" -> {"a", "b", "c"}: the comma-separated items, trimmed, empty
// ones dropped.
std::vector<std::string> comma_list(const std::string& text);

// "1,8,32" -> {1, 8, 32}. Throws Error naming `option` and the item that is
// not a whole number >= 1, or when none is given.
std::vector<std::int64_t> parse_batch_sizes(const std::string& text,
                                            const std::string& option = "--batch");

// The plan of a request (the defaults of its mode filled in). `cuda_present`:
// whether "auto" adds cuda:0. Throws Error for --quick with --full, no
// model, no device, an unknown device, bad batch sizes or threads < 0.
StudyPlan make_study_plan(const StudyPlanRequest& request, bool cuda_present);

// What measuring did, for the report's methods and caveats.
struct StudyMeasurement {
  std::vector<ResultRecord> records;  // one per configuration, in the order first measured
  std::vector<std::string> not_run;   // a sentence per thing left out (limit, interruption)
  std::string remeasured;             // what re-measuring did; "" when it did not run
  bool interrupted = false;           // the stop flag (not the time limit) ended it
  double elapsed_s = 0;               // [s]
};

struct StudyMeasureOptions {
  std::filesystem::path results;  // every finished configuration is appended here
  ExecutorFactory make_executor;  // required
  ModelLoader load_model;         // null: load_sweep_model
  // Set by the caller (SIGINT) to stop; measure_study sets it too when the
  // time limit is reached. Required.
  std::atomic<bool>* stop = nullptr;
  // Every progress, warning and failure line, without a newline.
  std::function<void(const std::string&)> log;
};

// Measures `plan`: per device, inference of every model at the smallest
// batch, training, the per-layer models, then the larger batches (the third
// and later only for models within large_batch_max_flops); the noisy ones
// again at the end with remeasure_factor x the budgets while the time limit
// allows. What the limit or the stop flag left out is in not_run.
StudyMeasurement measure_study(const StudyPlan& plan, const StudyMeasureOptions& options);

// The study's language models (`report --llm`), measured after
// measure_study with the plan's threads, budget and stop rule, into
// options.results, their progress and warnings to options.log: those small
// enough to run here (fp32 weights of at most 2 GiB: gpt2, llama-tiny; not
// the 7B configs), both phases, batch 1 and 4, context 128 and 512 (capped
// to the models' positions). The others are named in `not_run`.
// `make_executor`: default_llm_executor_factory() in the program.
std::vector<ResultRecord> measure_study_llms(const std::vector<std::string>& models,
                                             const StudyPlan& plan,
                                             const StudyMeasureOptions& options,
                                             const LlmExecutorFactory& make_executor,
                                             std::vector<std::string>& not_run);

}  // namespace dnnroof

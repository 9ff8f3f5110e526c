// `dnnroof bench MODELS...`: measures latency and throughput of zoo models
// and .onnx files through the LibTorch executor, per batch size and mode
// (inference, training step), with the adaptive measurement loop, and writes
// every configuration to a results file as soon as it is finished. The work
// is run_sweep (src/runner); this file parses options and prints.

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_cli.h"
#include "commands.h"
#include "core/dtype.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "counters/counting_executor.h"
#include "hw/catalog.h"
#include "interrupt.h"
#include "runner/model_source.h"
#include "runner/sweep.h"
#include "store/record.h"
#include "store/timing_text.h"
#include "zoo/zoo.h"

namespace dnnroof::cli {
namespace {

// The columns of a result row.
const std::vector<std::string> kColumns = {"model",  "batch", "mode",       "latency",
                                           "95% CI", "n",     "throughput", "achieved",
                                           "fwd",    "bwd",   "peak mem",   "status"};
const std::vector<std::string> kKeys = {"model",
                                        "batch",
                                        "mode",
                                        "latency_s",
                                        "ci_rel_half_width",
                                        "samples",
                                        "throughput_per_s",
                                        "achieved_flops_per_s",
                                        "forward_median_s",
                                        "backward_median_s",
                                        "memory_peak_bytes",
                                        "status"};
// Widths of the streamed text table (a cell wider than its column widens
// only its own row).
const int kWidths[] = {18, 5, 5, 10, 9, 5, 13, 14, 10, 10, 10, 0};

std::vector<Cell> row_of(const ResultRecord& r, OutputFormat format) {
  const std::string dash = format == OutputFormat::table ? "-" : "";
  auto maybe = [&](double v, const std::string& text) {
    return std::isfinite(v) ? Cell(v, text) : Cell(dash);
  };
  const auto phase = headline_phase(r);
  Cell latency(dash), ci(dash), n(dash), fwd(dash), bwd(dash);
  if (phase) {
    const TimingStats& s = r.timings.at(*phase);
    latency = maybe(s.median_s, format_si(s.median_s, "s"));
    // "±1.2%", or "no 95% CI" below 10 samples (store/timing_text.h).
    if (std::isfinite(s.median_s)) ci = interval_cell(s);
    n = samples_cell(s);
  }
  if (r.mode == RunMode::train) {
    if (const auto it = r.timings.find(Phase::forward); it != r.timings.end()) {
      fwd = maybe(it->second.median_s, format_si(it->second.median_s, "s"));
    }
    if (const auto it = r.timings.find(Phase::backward); it != r.timings.end()) {
      bwd = maybe(it->second.median_s, format_si(it->second.median_s, "s"));
    }
  }
  const double tput = throughput_per_s(r);
  const double achieved = achieved_flops_per_s(r);
  // People read the reason next to the status; programs get it in its own
  // column (status_reason), the status a plain ok, noisy or failed.
  std::string status(record_status_name(r.status));
  if (format == OutputFormat::table) {
    if (r.status == RecordStatus::failed) status += ": " + r.status_reason;
    if (r.status == RecordStatus::noisy && !r.status_reason.empty()) {
      const std::string_view why = r.status_reason;
      status += fmt::format(" ({})", why.starts_with("noisy: ") ? why.substr(7) : why);
    }
  }
  std::vector<Cell> row{r.model,
                        Cell(r.batch, std::to_string(r.batch)),
                        std::string(run_mode_name(r.mode)),
                        latency,
                        ci,
                        n,
                        maybe(tput, format_si(tput, "/s")),
                        maybe(achieved, format_si(achieved, "FLOP/s")),
                        fwd,
                        bwd,
                        maybe(r.memory_peak_bytes, format_binary(r.memory_peak_bytes)),
                        status};
  if (format != OutputFormat::table) row.push_back(r.status_reason);
  return row;
}

std::string text_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const int w = kWidths[i];
    const bool right = i != 0 && i != 2 && i + 1 != cells.size();
    if (w == 0) {
      line += cells[i];
    } else if (right) {
      line += fmt::format("{:>{}}", cells[i], w);
    } else {
      line += fmt::format("{:<{}}", cells[i], w);
    }
    if (i + 1 != cells.size()) line += "  ";
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

void run(const BenchCliOptions& o, const Context& ctx) {
  if (bench_wants_llm(o.models, !o.phases.empty() || !o.contexts.empty())) {
    if (o.modes != std::vector<std::string>{"infer"} || o.cold || o.counters || o.remeasure ||
        o.profile_range) {
      fail(
          "bench: language models are measured in inference (prefill, decode); --mode train, "
          "--cold, --counters, --remeasure and --profile-range apply to zoo and ONNX models");
    }
    run_llm_bench(o, ctx);
    return;
  }
  const OutputFormat format = parse_output_format(o.format);
  SweepOptions s;
  apply_bench_settings(o, ctx, s);
  s.models = o.models;
  for (const std::string& m : o.models) check_model_exists(m);
  s.batches = o.batches;
  s.modes = parse_modes(o.modes);
  s.remeasure.enabled = o.remeasure;
  s.remeasure.on_start = [](const ResultRecord& r, double estimate) {
    fmt::print(stderr, "dnnroof bench: measuring again (noisy): {}, batch {}, {} (~{:.0f} s)\n",
               r.model, r.batch, run_mode_name(r.mode), estimate);
  };
  s.cold = o.cold;
  s.make_executor = default_executor_factory();
  // --profile-range and --counters wrap the executor factory (docs/ncu.md,
  // docs/counters.md).
  if (o.profile_range) {
    if (!s.device.starts_with("cuda")) {
      fail("--profile-range marks a CUDA profiler range for ncu; use it with --device cuda");
    }
    s.make_executor = [inner = s.make_executor](const Graph& g, const ExecOptions& eo) {
      ExecOptions with_range = eo;
      with_range.profile_range = true;
      return inner(g, with_range);
    };
  }
  std::shared_ptr<IterationCounts> counts;
  if (o.counters) {
    if (s.device != "cpu") {
      fail(
          "--counters reads CPU hardware counters; use it with --device cpu (for a GPU see "
          "dnnroof profile-cmd)");
    }
    auto session = std::make_shared<CounterSession>();
    if (session->available()) {
      counts = std::make_shared<IterationCounts>();
      s.make_executor = counting_executor_factory(s.make_executor, session, counts);
    }
    CounterReading status;
    status.available = session->available();
    status.reason = session->reason();
    if (const auto notice = counters_notice(status)) {
      fmt::print(stderr, "dnnroof bench: {}\n", *notice);
    }
  }

  s.on_skip = [](const SweepConfig& c) {
    fmt::print(stderr, "dnnroof bench: skipping {}, batch {}, {} (already in the results file)\n",
               c.model, c.batch, run_mode_name(c.mode));
  };
  std::vector<std::string> columns = kColumns;
  std::vector<std::string> keys = kKeys;
  if (format != OutputFormat::table) {
    columns.emplace_back("status reason");
    keys.emplace_back("status_reason");
  }
  Table table(columns, keys);
  if (format == OutputFormat::table) {
    fmt::print("{}\n", text_line(kColumns));
    std::fflush(stdout);
  }
  std::string threads_said;
  s.on_result = [&](const ResultRecord& r) {
    // The threads in force, read back from every pool: once, and again
    // whenever they change.
    if (const std::string t = threads_in_force_text(r);
        r.status != RecordStatus::failed && !t.empty() && t != threads_said) {
      fmt::print(stderr, "dnnroof bench: threads in force: {}\n", t);
      threads_said = t;
    }
    std::vector<Cell> row = row_of(r, format);
    if (format == OutputFormat::table) {
      std::vector<std::string> texts;
      for (const Cell& c : row) texts.push_back(c.text);
      fmt::print("{}\n", text_line(texts));
      std::fflush(stdout);
      if (!r.layers.empty()) {
        fmt::print(stderr,
                   "dnnroof bench: {} layers over {} passes: sum {} = {:.2f} x the whole model\n",
                   r.layers.size(), r.layer_passes, format_si(layers_sum_s(r), "s"),
                   layers_to_model_ratio(r));
      }
    }
    table.add_row(std::move(row));
  };

  if (counts) {
    // Per configuration: what its timed iterations (warm-up and samples)
    // retired, per iteration, beside the cost model's FLOPs.
    s.on_result = [inner = s.on_result, counts](const ResultRecord& r) {
      inner(r);
      const IterationCounts c = *counts;
      *counts = IterationCounts{};
      if (c.iterations == 0) return;
      std::string flops = "FLOPs not counted";
      if (c.flops_counted) {
        const double per = c.flops_per_iteration();
        flops = fmt::format("{} per iteration retired", format_si(per, "FLOP"));
        if (r.cost && r.cost->flops(r.mode) > 0) {
          flops += fmt::format(" ({:.2f} x the cost model's {})", per / r.cost->flops(r.mode),
                               format_si(r.cost->flops(r.mode), "FLOP"));
        }
      }
      const std::string bytes =
          c.bytes_counted ? fmt::format(", ~{} per iteration from LLC misses x 64 B (an estimate)",
                                        format_si(c.bytes_per_iteration(), "B"))
                          : "";
      fmt::print(stderr, "dnnroof bench: counters: {}, batch {}, {}: {}{}; {} iterations{}\n",
                 r.model, r.batch, run_mode_name(r.mode), flops, bytes, c.iterations,
                 c.multiplexed ? ", multiplexed counters (scaled estimates)" : "");
    };
  }
  SweepOutcome outcome;
  {
    const SigintStop interrupt;
    s.stop = interrupt.flag();
    outcome = run_sweep(s);
  }

  if (format != OutputFormat::table) {
    // One row per configuration: with --remeasure, outcome.records holds the
    // kept measurement of each (the table got a row for both).
    Table final_table(columns, keys);
    for (const ResultRecord& r : outcome.records) final_table.add_row(row_of(r, format));
    fmt::print("{}", (o.remeasure ? final_table : table).render(format));
  }
  finish_bench(outcome.records, outcome.skipped.size(), outcome.interrupted, o.out);
}

void register_bench(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "bench",
      "Measure latency and throughput of models (zoo names or .onnx files) per batch size and "
      "mode, with adaptive sampling, into a results file");
  sub->footer(
      "Examples:\n"
      "  dnnroof bench resnet18 --batch 1,8,32 --mode infer,train --out results.json\n"
      "  dnnroof bench resnet18 mobilenet_v2 model.onnx --threads 8 --target 1% --budget 20s\n"
      "  dnnroof bench resnet18 --device cuda --dtype fp16 --layers --out gpu.json --resume\n"
      "  dnnroof bench gpt2 --phase prefill,decode --context 128,512 --batch 1,4 --out llm.json\n"
      "Rows are printed as results arrive (latency = median of the training step, else of the\n"
      "forward pass; 95% CI = half-width of the median's 95% confidence interval, printed\n"
      "only from 10 samples on (\"no 95% CI\" below; n = samples); achieved = the cost\n"
      "model's FLOPs / latency). Progress with an ETA goes to stderr. Each configuration is\n"
      "written to --out as soon as it is finished; Ctrl-C stops after writing, and --resume\n"
      "skips what the file already has. Schema: docs/results-schema.md; method: docs/bench.md.\n");
  auto o = std::make_shared<BenchCliOptions>();
  sub->add_option("models", o->models,
                  "Zoo names (dnnroof models), .onnx files, or language-model configs (a "
                  "shipped name or a config.json; with --phase, --context)")
      ->required();
  add_sweep_options(*sub, {o->batches, o->modes, o->device, o->dtype, o->chip, o->threads,
                           o->target, o->budget, o->layers});
  sub->add_option("--out,-o", o->out, "Results file (JSON), written after each configuration");
  sub->add_option("--partition", o->partition,
                  "Machine kind recorded with each result and part of its key (default: the "
                  "Slurm job's partition, $SLURM_JOB_PARTITION); dnnroof campaign sets it");
  sub->add_flag("--resume", o->resume,
                "Skip configurations already in --out (status ok or noisy); failed ones run again");
  sub->add_flag("--remeasure", o->remeasure,
                "Measure the noisy configurations again at the end, with twice the budget; the "
                "second measurement replaces the first (a row is printed for it) unless it "
                "failed or has fewer samples");
  sub->add_flag("--cold", o->cold,
                "Flush the host's last-level cache before every iteration (CPU only)");
  sub->add_flag("--counters", o->counters,
                "CPU: read hardware counters (FLOPs retired, LLC-miss bytes) around every "
                "iteration; says once when this machine has none (docs/counters.md)");
  sub->add_flag("--profile-range", o->profile_range,
                "CUDA: cudaProfilerStart/Stop around exactly one iteration after warm-up, for "
                "ncu --profile-from-start off (see dnnroof profile-cmd)");
  sub->add_option("--phase", o->phases,
                  "Language models (an LLM config name or config.json): prefill, decode or both, "
                  "comma-separated (default both; docs/llm.md, Measuring)")
      ->delimiter(',');
  sub->add_option("--context", o->contexts,
                  "Language models: prompt tokens (prefill) or KV-cache tokens (decode), "
                  "comma-separated (default 128)")
      ->delimiter(',')
      ->check(CLI::NonNegativeNumber);
  add_format_option(*sub, o->format);
  sub->callback([o, &ctx] { run(*o, ctx); });
}

}  // namespace

void add_sweep_options(CLI::App& sub, const SweepCliOptions& o) {
  sub.add_option("--device", o.device, "cpu, cuda or cuda:N")->default_val("cpu");
  sub.add_option("--chip", o.chip,
                 "Catalog id of the chip the device is (recorded with each result; default: "
                 "host on the CPU, cuda:N on a GPU)");
  sub.add_option("--batch", o.batches, "Batch sizes, comma-separated")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->default_str("1");
  sub.add_option("--mode", o.modes, "infer, train or both, comma-separated")
      ->delimiter(',')
      ->default_str("infer");
  sub.add_flag("--layers", o.layers,
               "Also time every layer alone (per-layer medians go to the results file)");
  sub.add_option("--threads", o.threads,
                 "CPU threads of every pool (ATen intra- and inter-op, OpenBLAS, OpenMP), "
                 "pinned one per core; default: every allowed physical core")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--dtype", o.dtype, "Compute dtype: fp32, bf16, fp16 where the device has it")
      ->default_val("fp32");
  sub.add_option("--target", o.target, "Stop sampling when the median's 95% CI is within ± this")
      ->default_val("2%");
  sub.add_option("--budget", o.budget, "Sampling time budget per configuration (10s, 500ms, 2min)")
      ->default_val("10s");
}

std::vector<RunMode> parse_modes(const std::vector<std::string>& modes) {
  std::vector<RunMode> out;
  for (const std::string& m : modes) {
    const auto mode = parse_run_mode(to_lower(trim(m)));
    if (!mode) fail("--mode '{}': expected infer or train", m);
    out.push_back(*mode);
  }
  return out;
}

void check_model_exists(const std::string& model) {
  if (is_onnx_path(model)) {
    if (!std::filesystem::exists(model)) fail("model file '{}' does not exist", model);
  } else {
    (void)zoo_entry(model);
  }
}

void apply_bench_settings(const BenchCliOptions& o, const Context& ctx, SweepSettings& s) {
  if (!executor_built()) {
    fail(
        "dnnroof bench needs the LibTorch executor, which this build lacks (install "
        "libtorch-dev and rebuild)");
  }
  s.device = normalize_device(o.device);
  if (const std::string why = device_unavailable_reason(s.device); !why.empty()) {
    fail("--device {}", why);
  }
  if (!o.chip.empty() && o.chip != "host" && !o.chip.starts_with("cuda:")) {
    (void)load_catalog(ctx.catalog_files).get(o.chip);  // unknown: Error with the closest ids
  }
  s.chip = o.chip;
  s.dtype = parse_dtype_or_throw(o.dtype);
  s.threads = o.threads;
  s.target = parse_target_fraction(o.target);
  s.budget_s = parse_duration_s(o.budget);
  fit_floors_to_budget(s);
  s.layers = o.layers;
  s.out = o.out;
  s.resume = o.resume;
  s.partition = o.partition;
  s.on_progress = [](const SweepProgress& p) {
    fmt::print(stderr, "dnnroof bench: {}\n", progress_line(p));
  };
  s.on_warning = [](const std::string& w) {
    fmt::print(stderr, "dnnroof bench: warning: {}\n", w);
  };
}

void finish_bench(const std::vector<ResultRecord>& records, std::size_t skipped, bool interrupted,
                  const std::string& out) {
  if (interrupted) {
    std::fflush(stdout);
    fail("{}", sweep_interrupted_text(records.size(), out));
  }
  fmt::print(stderr, "dnnroof bench: {}\n", sweep_summary_line(records, skipped, out));
  if (const std::string failures = sweep_failures_text(records); !failures.empty()) {
    fail("{}", failures);
  }
}

DNNROOF_COMMAND(500, register_bench);

}  // namespace dnnroof::cli

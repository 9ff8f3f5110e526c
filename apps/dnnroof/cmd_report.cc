// `dnnroof report`: the whole study as a folder: index.html (self-contained),
// report.md with figures/*.png, and data/*.csv|json with every number. With
// no arguments it measures the seeds' study on this machine (probe, sweep)
// within a time limit; --results builds it from results files instead.
// Progress goes to stderr.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>

#include "commands.h"
#include "core/dtype.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/strings.h"
#include "hw/catalog.h"
#include "hw/host.h"
#include "interrupt.h"
#include "llm/config.h"
#include "measure/interval_rule.h"
#include "ncu/results.h"
#include "probe/host_measured.h"
#include "probe/probe.h"
#include "report/pdf.h"
#include "report/report_writer.h"
#include "report/study.h"
#include "runner/llm_sweep.h"
#include "runner/model_source.h"
#include "runner/study_plan.h"
#include "runner/sweep.h"
#include "store/atomic_file.h"
#include "store/merge.h"
#include "store/results_file.h"

namespace dnnroof::cli {
namespace {

struct ReportOptions {
  std::string out = "report";
  std::string precision = "fp32";
  std::string tensor = "fp16,bf16";
  std::string ids;
  std::string title = "dnnroof study";
  bool no_host = false;
  bool no_figures = false;
  bool pdf = false;  // also DIR/report.pdf, printed by headless Chromium
  std::size_t max_per_panel = 8;
  // The study: what to measure (runner/study_plan.h), or the results files.
  StudyPlanRequest plan;
  std::vector<std::string> results;
  std::vector<std::string> ncu;
  bool no_measure = false;
  bool no_probe = false;
  // The language-model section (src/report/section_llm.h).
  std::string llm;          // --llm: shipped config names or config.json paths
  std::string llm_batch;    // --llm-batch, default 1,8,64
  std::string llm_context;  // --llm-context, default 512,4096,32768
  std::string llm_dtype = "bf16";
  std::string llm_chips;
};

// Runs the probe (quick) and saves host-measured; returns how, for methods.
std::string run_quick_probe(const HostInfo& host, int threads) {
  fmt::print(stderr,
             "dnnroof report: probing this machine's ceilings (dnnroof probe --quick; on 1 "
             "thread, on every core, and on the study's {} thread{})\n",
             threads, threads == 1 ? "" : "s");
  ProbeOptions po;
  po.quick = true;
  po.extra_threads = {threads};
  const bool tty = isatty(fileno(stderr)) != 0;
  ProbeResult r = run_probe(host, po, [tty](const ProbeProgress& p) {
    fmt::print(stderr, "{}  probe [{:>3}/{}] {:<34} {:>4.0f} s elapsed, ETA {}{}", tty ? "\r" : "",
               p.step, p.steps, p.what, p.elapsed_s, format_duration(p.remaining_s),
               tty ? "   " : "\n");
    std::fflush(stderr);
  });
  if (tty) fmt::print(stderr, "\n");
  const std::string path = host_measured_catalog_path();
  std::vector<std::string> counts;
  for (const ComputeCeiling& c : r.compute) {
    const std::string n = std::to_string(c.threads);
    if (std::find(counts.begin(), counts.end(), n) == counts.end()) counts.push_back(n);
  }
  std::string how = fmt::format(
      "`dnnroof probe --quick --also-threads {}` run by this report ({:.0f} s; ceilings per "
      "thread count for {} threads, pinned like the runs; the study's runs had {})",
      threads, r.seconds, join(counts, ", "), threads);
  // The clock it measured: the host's theoretical peaks use it from now on.
  save_measured_clocks(r.host, host_clock_cache_path());
  if (!path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    write_file_atomic(path, chip_catalog_toml(host_measured_chip(r)));
    how += fmt::format(", saved to {}", path);
  }
  return how;
}

void write_study(const Context& ctx, const ReportOptions& opt) {
  StudyOptions study;
  study.title = opt.title;
  study.include_host = !opt.no_host;
  study.chips.precision = parse_dtype_or_throw(opt.precision);
  study.dtype = study.chips.precision;
  study.chips.tensor_precisions.clear();
  for (const std::string& name : comma_list(opt.tensor)) {
    study.chips.tensor_precisions.push_back(parse_dtype_or_throw(name));
  }
  if (opt.max_per_panel == 0) fail("--max-per-panel must be at least 1");
  study.chips.max_per_panel = opt.max_per_panel;
  study.chip_ids = comma_list(opt.ids);
  study.load_graph = [](const std::string& source, std::int64_t batch, DType dtype) {
    ModelRequest r;
    r.batch = batch;
    r.dtype = dtype;
    SweepModel m = resolve_model(source, r);
    return LoadedModel{std::move(m.graph), std::move(m.family)};
  };

  // Everything the inputs can get wrong, before minutes of measuring.
  if (opt.pdf && find_chromium().empty()) {
    fail(
        "--pdf needs headless Chromium, which was not found on PATH (install it, e.g. "
        "`apt-get install chromium`, or set DNNROOF_CHROMIUM to its path; leave --pdf out for "
        "the HTML and Markdown report alone)");
  }
  for (const std::string& f : opt.results) {
    if (!std::filesystem::exists(f)) fail("--results: no such file: {}", f);
  }
  for (const std::string& f : opt.ncu) {
    if (!std::filesystem::exists(f)) fail("--ncu: no such file: {}", f);
    try {
      study.ncu.push_back(read_ncu_results(f));
    } catch (const Error& e) {
      fail("--ncu {}: {}", f, e.what());
    }
  }
  if (!opt.llm.empty()) {
    study.llm.models = comma_list(opt.llm);
    for (const std::string& m : study.llm.models) llm::resolve_llm(m);  // names checked now
  }
  auto int64_list = [](const std::string& text, const char* option) {
    std::vector<std::int64_t> out;
    for (const std::string& v : comma_list(text)) {
      std::size_t used = 0;
      long long n = 0;
      try {
        n = std::stoll(v, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != v.size() || n < 1) fail("{}: '{}' is not a whole number >= 1", option, v);
      out.push_back(n);
    }
    return out;
  };
  if (!opt.llm_batch.empty()) study.llm.batches = int64_list(opt.llm_batch, "--llm-batch");
  if (!opt.llm_context.empty()) study.llm.contexts = int64_list(opt.llm_context, "--llm-context");
  study.llm.dtype = opt.llm_dtype;
  study.llm.chip_ids = comma_list(opt.llm_chips);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(opt.out) / "data", ec);
  if (ec) fail("--out {}: cannot create it: {}", opt.out, ec.message());

  fmt::print(stderr, "dnnroof report: loading the chip catalog and detecting the host\n");
  Catalog catalog = load_catalog(ctx.catalog_files);
  std::optional<HostInfo> host;
  if (study.include_host || !opt.no_measure) host = detect_host_info();

  if (!opt.results.empty()) {
    std::vector<std::filesystem::path> paths(opt.results.begin(), opt.results.end());
    MergeResult merged = merge_result_files(paths);
    for (const std::string& w : merged.warnings) fmt::print(stderr, "dnnroof report: {}\n", w);
    study.records = std::move(merged.results.records);
    study.run.results_files = opt.results;
    study.run.mode = "results";
    study.models = comma_list(opt.plan.models);
    if (!opt.plan.batch.empty()) {
      study.batches = parse_batch_sizes(opt.plan.batch);
    } else {
      std::set<std::int64_t> b;
      for (const ResultRecord& r : study.records) b.insert(r.batch);
      study.batches.assign(b.begin(), b.end());
      if (study.batches.empty()) study.batches = {1};
    }
  } else {
    bool cuda_present = false;
    for (const Chip& c : catalog.chips()) cuda_present = cuda_present || c.id == "cuda:0";
    const StudyPlan plan = make_study_plan(opt.plan, cuda_present);
    study.models = plan.models;
    study.batches = plan.batches;
    study.run.mode = plan.mode;
    study.run.sampling_target = plan.target;
    study.run.accept_target = plan.accept_target;
    study.run.budget_per_config_s = plan.budget_s;
    study.run.min_samples = plan.min_samples;
    study.run.min_samples_budget_s = plan.min_samples_budget_s;
    for (const std::string& m : plan.models) {
      ModelRequest r;
      r.dtype = study.dtype;
      resolve_model(m, r);  // every name checked before anything is measured
    }
    if (!opt.no_measure) {
      if (!executor_built()) {
        fail(
            "this dnnroof was built without LibTorch, so it cannot measure; use --results FILE "
            "or --no-measure");
      }
      const SigintStop interrupt;
      bool have_measured = false;
      for (const Chip& c : catalog.chips())
        have_measured = have_measured || c.id == "host-measured";
      if (!opt.no_probe) {
        study.run.probe = run_quick_probe(*host, plan.threads);
        catalog = load_catalog(ctx.catalog_files);
        host = detect_host_info();  // with the clock the probe measured
      } else if (have_measured) {
        study.run.probe = "the saved `host-measured` chip (probe not re-run: --no-probe)";
      }
      study.run.measured_here = true;
      const std::filesystem::path results_path =
          std::filesystem::path(opt.out) / "data" / "results.json";
      std::filesystem::remove(results_path, ec);
      StudyMeasureOptions mo;
      mo.results = results_path;
      mo.make_executor = default_executor_factory();
      mo.stop = interrupt.flag();
      mo.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
      StudyMeasurement measured = measure_study(plan, mo);
      study.records = std::move(measured.records);
      study.run.not_run.insert(study.run.not_run.end(), measured.not_run.begin(),
                               measured.not_run.end());
      study.run.remeasured = measured.remeasured;
      study.run.interrupted = measured.interrupted;
      study.run.elapsed_s = measured.elapsed_s;
      if (!study.llm.models.empty() && !measured.interrupted) {
        std::vector<ResultRecord> llm_records = measure_study_llms(
            study.llm.models, plan, mo, default_llm_executor_factory(), study.run.not_run);
        study.records.insert(study.records.end(), llm_records.begin(), llm_records.end());
      }
      fmt::print(stderr, "dnnroof report: measured {} configurations in {}; results in {}\n",
                 study.records.size(), format_duration(study.run.elapsed_s), results_path.string());
    }
  }

  std::vector<std::string> notes;
  const Document doc = build_study(catalog, host ? &*host : nullptr, study, &notes);
  for (const std::string& note : notes) fmt::print(stderr, "note: {}\n", note);

  ReportWriteOptions write;
  write.draw_figures = !opt.no_figures;
  write.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  write_report(doc, opt.out, write);
  fmt::print(stderr, "report written: {}/index.html (open it in a browser) and {}/report.md\n",
             opt.out, opt.out);
  if (opt.pdf) {
    const std::filesystem::path pdf = std::filesystem::path(opt.out) / "report.pdf";
    print_pdf(std::filesystem::path(opt.out) / "index.html", pdf);
    fmt::print(stderr, "report printed: {}\n", pdf.string());
  }
}

void register_report(CLI::App& app, Context& ctx) {
  auto opt = std::make_shared<ReportOptions>();
  auto* sub = app.add_subcommand(
      "report",
      "Write the whole study as a folder: index.html (self-contained, figures inline), report.md "
      "with figures/*.png, and data/*.csv and *.json holding every number (and report.pdf with "
      "--pdf). A paper: abstract, 1 introduction, 2 methods, results (3 chips, 4 model compute "
      "and memory, 5 benchmarks, 6 hardware utilisation, 7 inference vs training, 8 predicted "
      "vs measured; with --llm, 9 language models), discussion, threats to validity, conclusion, "
      "references, appendices (A "
      "worked example, B caveats of the run). With no arguments it probes this machine and "
      "measures 11 models at batch 1 and 8, and the 9 smaller ones at batch 32, on the CPU (and "
      "CUDA when present) in under 10 minutes; --results builds the report from results files "
      "instead.");
  sub->footer(
      "Examples:\n"
      "  dnnroof report                                   # the default study, into ./report/\n"
      "  dnnroof report --quick --out /tmp/quick          # 3 small models, about a minute\n"
      "  dnnroof report --full                            # batch 1, 64, 256 (long)\n"
      "  dnnroof report --models resnet18,vgg16 --batch 1,16 --train-models none\n"
      "  dnnroof report --results t4.json a100.json cpu.json --out cross-device\n"
      "  dnnroof report --results a100.json --ncu resnet18-ncu.json --out a100\n"
      "  dnnroof report --no-measure --models resnet50,vit_b_16 --ids t4,a100-sxm4-80gb\n"
      "  dnnroof report --no-measure --llm llama-3-8b,mistral-7b --llm-chips h100-sxm,l4");
  sub->add_option("--out", opt->out, "Output folder (created)")->default_val("report");
  sub->add_option("--models", opt->plan.models,
                  "Models (zoo names or .onnx paths, comma-separated); default: the seeds' 11 "
                  "models (--quick: 3 small ones)");
  sub->add_option(
      "--batch", opt->plan.batch,
      "Batch sizes, comma-separated, each for every model; default 1,8,32 with 32 only for "
      "models of at most 4 GFLOP per image (--quick 1,4; --full 1,64,256)");
  sub->add_option("--device", opt->plan.device,
                  "Devices to measure on: auto (cpu, plus cuda:0 when present), or a list such "
                  "as cpu,cuda:0")
      ->default_val("auto");
  sub->add_option("--train-models", opt->plan.train_models,
                  "Models also measured in training (at the smallest batch); 'none' for none; "
                  "default: a subset of 5 (all with --models, --quick or --full)");
  sub->add_option("--layers-model", opt->plan.layers_model,
                  "Models timed per layer (inference and training), comma-separated; 'none' "
                  "for none; default: resnet18, mobilenet_v2, squeezenet1_0 and alexnet (the "
                  "first model with --models, --quick or --full)");
  sub->add_option("--results", opt->results,
                  "Build the report from these results files (merged; nothing measured)")
      ->expected(1, -1);
  sub->add_option("--ncu", opt->ncu,
                  "Nsight Compute results (files of `dnnroof import-ncu --out`): the hardware "
                  "utilisation section adds "
                  "their measured FLOPs and bytes, roofline points and the comparison with the "
                  "cost model")
      ->expected(1, -1);
  sub->add_flag("--quick", opt->plan.quick, "Three small models, batch 1 and 4, tiny budgets");
  sub->add_flag("--full", opt->plan.full, "The seeds' batch sizes 1, 64, 256 with 10 s budgets");
  sub->add_flag("--no-measure", opt->no_measure,
                "Measure nothing: the chips and the model compute and memory sections only");
  sub->add_flag("--no-probe", opt->no_probe,
                "Do not run `dnnroof probe --quick` first (use the saved host-measured chip)");
  sub->add_option("--budget", opt->plan.budget_s,
                  "Sampling budget per configuration [s]; default 4 (--quick 0.4, --full 10)");
  sub->add_option("--time-limit", opt->plan.time_limit_s,
                  "Stop measuring after this many seconds and report what finished (0: none); "
                  "default 420 (--quick 100, --full none)");
  sub->add_option("--threads", opt->plan.threads,
                  "CPU threads of every pool for measuring, pinned one per core; default 0: "
                  "every allowed physical core");
  sub->add_option("--precision", opt->precision, "Precision of the rooflines and cost model")
      ->default_val("fp32");
  sub->add_option("--tensor", opt->tensor,
                  "Precisions of the accelerator (tensor-unit) figures, first available wins; "
                  "empty for none")
      ->default_val("fp16,bf16");
  sub->add_option("--ids,--chips", opt->ids,
                  "Chips of the chips section (comma-separated catalog ids); default: all");
  sub->add_option("--title", opt->title, "Report title")->default_val("dnnroof study");
  sub->add_flag("--no-host", opt->no_host, "Leave the detected machine out of the chips section");
  sub->add_flag("--no-figures", opt->no_figures, "Do not draw figures (no gnuplot needed)");
  sub->add_flag("--pdf", opt->pdf,
                "Also print the report to DIR/report.pdf with headless Chromium (checked before "
                "anything is measured; an error naming what to install when it is missing)");
  sub->add_option("--llm", opt->llm,
                  "Add the language-model section: prefill and decode on the roofline, memory "
                  "fit and measured steps of these decoder-only models (shipped config names "
                  "such as llama-3-8b,mistral-7b, or config.json paths; docs/llm.md)");
  sub->add_option("--llm-batch", opt->llm_batch,
                  "Batch sizes of the language-model section (default 1,8,64)");
  sub->add_option("--llm-context", opt->llm_context,
                  "Prompt / KV-cache lengths of the language-model section (default "
                  "512,4096,32768)");
  sub->add_option("--llm-dtype", opt->llm_dtype,
                  "Precision of the language-model section: fp32, fp16 or bf16 (default bf16)");
  sub->add_option("--llm-chips", opt->llm_chips,
                  "Chips of the language-model section (default: the GPUs of --ids with a peak "
                  "at --llm-dtype, else h100-sxm and a100-sxm4-80gb; at most 4)");
  sub->add_option("--max-per-panel", opt->max_per_panel,
                  "Most chips on one roofline panel; more are split into several panels")
      ->default_val(8);
  sub->callback([&ctx, opt] { write_study(ctx, *opt); });
}

DNNROOF_COMMAND(70, register_report);

}  // namespace
}  // namespace dnnroof::cli

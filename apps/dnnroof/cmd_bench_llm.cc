// `dnnroof bench gpt2 --phase prefill,decode --context 128,512 --batch 1,4`:
// the language-model half of `bench` (bench_cli.h). Registers no command of
// its own: cmd_bench.cc hands language models here. The work is
// run_llm_sweep (src/runner/llm_sweep.h); this file prints.

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "bench_cli.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "interrupt.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "runner/llm_sweep.h"
#include "store/record.h"
#include "store/timing_text.h"
#include "zoo/zoo.h"

namespace dnnroof::cli {
namespace {

bool is_zoo_name(const std::string& name) {
  for (const ZooEntry& e : zoo_models()) {
    if (to_lower(e.name) == to_lower(name)) return true;
  }
  return false;
}

}  // namespace

bool bench_wants_llm(const std::vector<std::string>& models, bool llm_options_given) {
  std::vector<std::string> llm, other;
  for (const std::string& m : models) {
    const bool is_llm = llm::is_llm_reference(m) && (llm_options_given || !is_zoo_name(m));
    (is_llm ? llm : other).push_back(m);
  }
  if (!llm.empty() && !other.empty()) {
    fail(
        "bench: language-model configs ({}) and zoo or ONNX models ({}) cannot be measured in "
        "one run; bench them apart",
        join(llm, ", "), join(other, ", "));
  }
  if (llm_options_given && llm.empty()) {
    fail(
        "bench: --phase and --context apply to language-model configs ({} or a config.json), "
        "not to {}",
        join(llm::builtin_llm_names(), ", "), join(other, ", "));
  }
  return !llm.empty();
}

void run_llm_bench(const BenchCliOptions& r, const Context& ctx) {
  const OutputFormat format = parse_output_format(r.format);
  LlmSweepOptions s;
  apply_bench_settings(r, ctx, s);
  s.models = r.models;
  s.phases.clear();
  for (const std::string& p :
       r.phases.empty() ? std::vector<std::string>{"prefill", "decode"} : r.phases) {
    s.phases.push_back(llm::parse_phase(trim(p)));
  }
  s.contexts = r.contexts.empty() ? std::vector<std::int64_t>{128} : r.contexts;
  s.batches = r.batches;
  s.make_executor = default_llm_executor_factory();
  // Every model resolves now: a typo is an error before anything runs.
  std::vector<llm::LlmConfig> configs;
  for (const std::string& m : r.models) configs.push_back(llm::resolve_llm(m));

  // The roof each step is bounded by: --chip, else the probed host when
  // saved, else the detected host (docs/llm.md, Measuring).
  const Catalog catalog = load_catalog(ctx.catalog_files);
  std::string roof_id = r.chip;  // checked by apply_bench_settings
  if (roof_id.empty() || roof_id.starts_with("cuda:")) {
    roof_id =
        s.device == "cpu" && catalog.find("host-measured") != nullptr ? "host-measured" : "host";
    if (s.device != "cpu") roof_id.clear();  // a GPU without --chip: no bound
  }
  llm::Precision prec;
  prec.weights = prec.activations = prec.kv_cache = std::string(dtype_name(s.dtype));
  std::optional<llm::Roof> roof;
  std::string roof_note;
  if (!roof_id.empty()) {
    try {
      roof = llm::roof_of(catalog.get(roof_id), prec.compute());
    } catch (const Error& e) {
      roof_note = e.what();
    }
  }
  if (roof) {
    fmt::print(stderr, "dnnroof bench: bound = the roofline lower bound on {} ({} peak, {})\n",
               roof->chip, format_si(roof->peak_flops, "FLOP/s"),
               format_si(roof->bandwidth, "B/s"));
  } else if (!roof_note.empty()) {
    fmt::print(stderr, "dnnroof bench: warning: no bound column: {}\n", roof_note);
  }

  s.on_skip = [](const LlmSweepConfig& c) {
    fmt::print(stderr, "dnnroof bench: skipping {} (already in the results file)\n",
               llm_config_text(c));
  };
  Table table({"model", "phase", "batch", "context", "latency", "95% CI", "n", "tokens/s",
               "achieved", "FLOP/B", "bound", "x bound", "status"},
              {"model", "phase", "batch", "context", "latency_s", "ci_rel_half_width", "samples",
               "tokens_per_s", "achieved_flops_per_s", "intensity", "bound_s", "latency_over_bound",
               "status"});
  const std::string dash = format == OutputFormat::table ? "-" : "";
  auto maybe = [&](double v, const std::string& text) {
    return std::isfinite(v) ? Cell(v, text) : Cell(dash);
  };
  s.on_result = [&](const ResultRecord& rec) {
    const llm::LlmConfig* cfg = nullptr;
    for (const auto& c : configs) {
      if (c.name == rec.model) cfg = &c;
    }
    Cell latency(dash), ci(dash), n(dash);
    double median = NAN;
    if (const auto it = rec.timings.find(Phase::forward); it != rec.timings.end()) {
      median = it->second.median_s;
      latency = maybe(median, format_si(median, "s"));
      if (std::isfinite(median)) ci = interval_cell(it->second);
      n = samples_cell(it->second);
    }
    const bool prefill = rec.llm_phase == "prefill";
    const double tokens =
        static_cast<double>(rec.batch) * (prefill ? static_cast<double>(rec.llm_context) : 1.0);
    const double flops = rec.cost ? rec.cost->forward_flops : NAN;
    const double bytes = rec.cost ? rec.cost->forward_bytes : NAN;
    double bound = NAN;
    if (roof && cfg != nullptr) {
      const llm::Workload w{prefill ? llm::Phase::prefill : llm::Phase::decode, rec.batch,
                            rec.llm_context};
      bound = llm::bound_phase(llm::phase_cost(*cfg, w, prec), *roof).time_s;
    }
    std::string status(record_status_name(rec.status));
    if (format == OutputFormat::table && rec.status != RecordStatus::ok &&
        !rec.status_reason.empty()) {
      // The reason of a noisy record starts with "noisy: " itself.
      const std::string_view why = rec.status_reason;
      status = rec.status == RecordStatus::noisy && why.starts_with("noisy: ")
                   ? fmt::format("noisy ({})", why.substr(7))
                   : fmt::format("{}: {}", status, why);
    }
    table.add_row({rec.model, rec.llm_phase, Cell(rec.batch, std::to_string(rec.batch)),
                   Cell(static_cast<double>(rec.llm_context), std::to_string(rec.llm_context)),
                   latency, ci, n, maybe(tokens / median, format_si(tokens / median, "/s")),
                   maybe(flops / median, format_si(flops / median, "FLOP/s")),
                   maybe(flops / bytes, fmt::format("{:.3g}", flops / bytes)),
                   maybe(bound, format_si(bound, "s")),
                   maybe(median / bound, fmt::format("{:.2f}", median / bound)), status});
    if (!rec.layers.empty()) {
      fmt::print(stderr, "dnnroof bench: {} ops over {} passes: sum {} = {:.2f} x the step\n",
                 rec.layers.size(), rec.layer_passes, format_si(layers_sum_s(rec), "s"),
                 layers_to_model_ratio(rec));
    }
  };
  LlmSweepOutcome outcome;
  {
    const SigintStop interrupt;
    s.stop = interrupt.flag();
    outcome = run_llm_sweep(s);
  }
  fmt::print("{}", table.render(format));
  finish_bench(outcome.records, outcome.skipped.size(), outcome.interrupted, r.out);
}

}  // namespace dnnroof::cli

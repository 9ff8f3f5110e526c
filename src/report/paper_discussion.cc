// The paper after the results: discussion, threats to validity, conclusion
// and references, each from PaperFindings.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "report/gnuplot.h"
#include "report/paper.h"
#include "report/paper_detail.h"
#include "report/study.h"

namespace dnnroof {

using namespace paper_detail;  // the shared phrases

namespace {

// " Not answered here: <why>", or, when nothing was measured, that reason.
std::string not_answered(bool measured, std::string_view why) {
  return fmt::format(" Not answered here: {}",
                     measured ? why : "nothing was measured for this report.");
}

}  // namespace

Section discussion_section(const PaperContext& ctx, const PaperFindings& f,
                           const std::string& number) {
  Section s = numbered_section("discussion", number, "Discussion");
  (void)ctx;
  // Q1: predicted (static) against measured bound.
  {
    std::string text = "Q1 (memory- or compute-bound).";
    if (const std::vector<std::string> items = static_bound_items(f.static_bounds);
        !items.empty()) {
      text += fmt::format(" By the cost model, the models left of the ridge are {}.",
                          join(items, "; "));
    }
    for (const UtilisationFinding& u : f.utilisation) {
      text += fmt::format(
          " Measured on {} at batch {}, {} of {} points are memory-bound against the ceiling "
          "they are judged by, and the median point reaches {} of its roof",
          u.device, u.batch, u.memory_bound.size(), u.points, percent_text(u.median_percent));
      // What the gap means depends on which roof the points sit under.
      if (u.median_percent < 50 && u.memory_bound.size() == u.points) {
        text +=
            ": every point is under the slanted roof, yet the median moves its bytes at "
            "well under the measured bandwidth; the kernels, not the memory system, set "
            "the time.";
      } else if (u.median_percent < 50 && u.memory_bound.empty()) {
        text +=
            ": every point is right of the ridge, and being compute-bound on paper does "
            "not make a model fast; the gap is kernel efficiency, which the roofline does "
            "not model.";
      } else {
        text += ".";
      }
    }
    if (f.static_bounds.empty() && f.utilisation.empty()) {
      text += not_answered(true, "no model was placed on a roof.");
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q2.
  {
    std::string text = "Q2 (FLOPs or parameters).";
    if (f.correlation.empty()) {
      text += not_answered(f.measured, "fewer than three models were measured at one batch size.");
    }
    bool few = false;
    for (const CorrelationFinding& c : f.correlation) {
      few = few || c.models < 5;
      text += fmt::format(
          " On {} at batch {} ({} models), latency ranks with FLOPs at rho = "
          "{:.2f} and with parameters at rho = {:.2f}: {}.",
          c.device, c.batch, c.models, c.rho_flops, c.rho_params,
          c.rho_flops > c.rho_params
              ? "FLOPs are the better predictor, as hypothesised"
              : "the hypothesis fails here; parameters predict at least as well");
    }
    if (few) {
      text +=
          " With fewer than five models a rank correlation moves in steps of a swapped pair "
          "(rho is 1, 0.5, -0.5 or -1 over three), so these are weak evidence either way.";
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q3.
  {
    std::string text = "Q3 (batching).";
    if (f.batching.empty()) {
      text += not_answered(f.measured, "no model was measured at two batch sizes on one device.");
    }
    for (const BatchingFinding& b : f.batching) {
      text += fmt::format(
          " On {}, throughput from batch {} to {} {} over {} "
          "model{} (highest: {}, {}).",
          b.device, b.batch_lo, b.batch_hi, throughput_change_text(b.median_gain), b.series,
          b.series == 1 ? "" : "s", b.best_model, ratio_text(b.best_gain));
      if (b.saturates_at > 0) {
        text += fmt::format(
            " The median model stops gaining 10% per step after batch {} ({} of "
            "{} stop within the batches measured).",
            b.saturates_at, b.saturated, b.series);
      } else if (b.saturated > 0) {
        text += fmt::format(
            " {} of {} model{} stopped gaining 10% per step; for the median "
            "model, where batching stops helping lies beyond batch {}.",
            b.saturated, b.series, b.series == 1 ? "" : "s", b.batch_hi);
      } else {
        text += fmt::format(
            " No model stopped gaining 10% per step, so where batching stops "
            "helping lies beyond batch {}.",
            b.batch_hi);
      }
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // Q4.
  {
    std::string text = "Q4 (backward against forward).";
    if (!f.backward) {
      text += not_answered(f.measured, "no training step was measured.");
    } else {
      const BackwardFinding& b = *f.backward;
      const double rel = b.median_time_ratio / b.median_flops_ratio;
      text += fmt::format(
          " The cost model gives backward a median {:.2f}x the forward FLOPs; measured, it takes "
          "{:.2f}x the forward time (from {:.2f} to {:.2f} over {} measurement{}). ",
          b.median_flops_ratio, b.median_time_ratio, b.min_time_ratio, b.max_time_ratio, b.n,
          b.n == 1 ? "" : "s");
      const bool departures = b.max_time_ratio > 1.25 * b.median_flops_ratio ||
                              b.min_time_ratio < b.median_flops_ratio / 1.25;
      text += rel > 1.25  ? "Backward runs less efficiently per FLOP than forward on the median "
                            "model; the training section names the models and why."
              : rel < 0.8 ? "Backward runs more efficiently per FLOP than forward on the median "
                            "model; the training section names the models and why."
                          : "On the median the time ratio follows the FLOPs ratio within 25%, "
                            "as hypothesised: backward costs about twice forward because it "
                            "does about twice the work.";
      if (departures && rel <= 1.25 && rel >= 0.8) {
        text +=
            " Individual models depart from it; the training section names them and what "
            "their own costs say about why.";
      }
    }
    s.blocks.emplace_back(Paragraph{text});
  }
  // What the roofline predicts.
  if (!f.prediction.empty()) {
    std::string text = "The roofline as a predictor.";
    for (const PredictionFinding& p : f.prediction) {
      text += fmt::format(
          " On {} ({} ceiling), the measured times are a median {} the lower "
          "bound over {} measurement{}.",
          p.device, p.ceiling, ratio_text(p.median_measured_over_predicted), p.n,
          p.n == 1 ? "" : "s");
    }
    text +=
        " A lower bound says which resource limits a layer, not how fast the library runs "
        "it; the ratio is the efficiency left on the table.";
    s.blocks.emplace_back(Paragraph{text});
  }
  if (ctx.flags > 0) {
    s.blocks.emplace_back(Paragraph{fmt::format(
        "The results sections flagged {} item{} (points above a roof, layers far below theirs, "
        "measurement notes); each is listed where it occurs and in the run's caveats (Appendix "
        "B).",
        ctx.flags, ctx.flags == 1 ? "" : "s")});
  }
  return s;
}

Section threats_section(const PaperContext& ctx, const PaperFindings& f,
                        const std::string& number) {
  Section s = numbered_section("threats", number, "Threats to validity");
  std::vector<std::string> items;
  const HostInfo* host = ctx.host;
  if (host != nullptr && host->virtualized) {
    items.push_back(fmt::format(
        "Virtualised clock: the host runs under a hypervisor, so the clock it reports may be the "
        "time-stamp counter's, not the cores' sustained clock, and derived peaks inherit that "
        "error ({}). The measured ceilings do not depend on it.",
        host->clock_note.empty() ? "clock source not recorded" : host->clock_note));
  }
  if (f.measured && host != nullptr) {
    const bool shared = host->virtualized;
    double load[1] = {0};
    const bool have_load = ctx.run != nullptr && ctx.run->measured_here && getloadavg(load, 1) == 1;
    if (shared || (have_load && load[0] > 0.5)) {
      items.push_back(fmt::format(
          "Shared cores: {}{}. Other work slows samples at random; it widens the intervals and "
          "can mark results noisy, and it biases medians upwards.",
          shared ? "a virtual machine's cores may be shared with other tenants"
                 : "the machine was busy",
          have_load ? fmt::format(" (load average {:.2f} on {} logical CPUs when the report was "
                                  "written)",
                                  load[0], host->logical_cpus)
                    : ""));
    }
  }
  if (f.noisy > 0) {
    items.push_back(fmt::format(
        "Noisy measurements: {} of {} results did not reach the sampling target; they are "
        "marked in every table and their medians carry wider intervals.",
        f.noisy, f.records));
  }
  if (!f.libtorch_version.empty()) {
    std::string t = fmt::format("Library version: kernels are LibTorch {}'s", f.libtorch_version);
    if (!f.blas.empty()) t += fmt::format(" with {}", f.blas);
    t += f.libtorch_version.starts_with("1.")
             ? "; LibTorch 1.x predates PyTorch 2's kernels and compiler, so absolute times "
               "differ from a current PyTorch; the rooflines and the cost model do not."
             : "; other versions choose other kernels, so absolute times may differ.";
    items.push_back(t);
  }
  if (!f.threads.empty()) {
    std::vector<std::string> t;
    for (int x : f.threads) t.push_back(std::to_string(x));
    items.push_back(fmt::format(
        "Threads: the CPU ran with {} thread{}; a result is only comparable with a ceiling "
        "measured with the same thread count.",
        list_text(t), f.threads.size() == 1 && f.threads.front() == 1 ? "" : "s"));
  }
  if (!f.gpu_measured) items.push_back(no_gpu_sentence());
  if (ctx.models != nullptr && !ctx.models->empty()) {
    items.push_back(
        "Traffic model: intensities assume no reuse between layers (every layer reads its "
        "inputs and weights from main memory and writes its outputs there). Caches make the "
        "real traffic smaller, so points sit left of where the hardware sees them; the "
        "compulsory traffic (weights, input and output once) is the other bound.");
    items.push_back(
        "Cost model: FLOPs are those of the textbook algorithm; a library may use Winograd or "
        "FFT convolutions (fewer multiplications) or im2col (more bytes), so achieved FLOP/s "
        "are cost-model FLOPs per second, not counted instructions.");
  }
  if (ctx.run != nullptr && !ctx.run->measured_here && !ctx.run->results_files.empty()) {
    items.push_back(
        fmt::format("Loaded results: the measurements come from {}; the conditions "
                    "recorded there are all this report knows of them.",
                    join(ctx.run->results_files, ", ")));
  }
  if (ctx.run != nullptr && (ctx.run->interrupted || !ctx.run->not_run.empty())) {
    items.push_back(
        fmt::format("Incomplete run: {} planned configuration{} did not run (listed "
                    "in Appendix B).",
                    ctx.run->not_run.size(), ctx.run->not_run.size() == 1 ? "" : "s"));
  }
  s.blocks.emplace_back(
      Paragraph{"What could make the numbers wrong, stated where it applies to this run:"});
  s.blocks.emplace_back(BulletList{std::move(items)});
  return s;
}

Section conclusion_section(const PaperContext& ctx, const PaperFindings& f,
                           const std::string& number) {
  Section s = numbered_section("conclusion", number, "Conclusion");
  std::vector<std::string> a;
  {
    std::vector<std::string> parts;
    if (const std::vector<std::string> items = static_bound_items(f.static_bounds);
        !items.empty()) {
      parts.push_back(fmt::format("memory-bound by the cost model: {}", join(items, "; ")));
    }
    for (const UtilisationFinding& u : f.utilisation) {
      parts.push_back(fmt::format(
          "measured on {} at batch {}, {} of {} memory-bound (median {} "
          "of the roof)",
          u.device, u.batch, u.memory_bound.size(), u.points, percent_text(u.median_percent)));
    }
    a.push_back(
        "Q1, memory- or compute-bound: " +
        (parts.empty() ? std::string("not answered (no model placed)") : join(parts, "; ")) + ".");
  }
  if (!f.correlation.empty()) {
    std::vector<std::string> parts;
    std::size_t flops_wins = 0;
    for (const CorrelationFinding& c : f.correlation) {
      flops_wins += c.rho_flops > c.rho_params ? 1 : 0;
      parts.push_back(fmt::format("{:.2f} against {:.2f} on {} at batch {} ({} models)",
                                  c.rho_flops, c.rho_params, c.device, c.batch, c.models));
    }
    a.push_back(fmt::format(
        "Q2, FLOPs or parameters: {} (Spearman rho of latency with FLOPs against with "
        "parameters: {}).",
        flops_wins == f.correlation.size() ? std::string("FLOPs")
        : flops_wins == 0
            ? std::string("not FLOPs; parameters do at least as well")
            : fmt::format("FLOPs in {} of {} comparisons", flops_wins, f.correlation.size()),
        join(parts, "; ")));
  } else {
    a.push_back(f.measured
                    ? "Q2, FLOPs or parameters: not answered (fewer than three models measured)."
                    : "Q2, FLOPs or parameters: not answered (nothing measured).");
  }
  if (!f.batching.empty()) {
    std::vector<std::string> parts;
    for (const BatchingFinding& b : f.batching) {
      parts.push_back(fmt::format(
          "{} {} throughput from batch {} to {} on {} (median){}", ratio_text(b.median_gain),
          b.median_gain >= 1 ? "more" : "the", b.batch_lo, b.batch_hi, b.device,
          b.saturates_at > 0 ? fmt::format(", little beyond batch {}", b.saturates_at) : ""));
    }
    a.push_back("Q3, batching: " + join(parts, "; ") + ".");
  } else {
    a.push_back(f.measured ? "Q3, batching: not answered (one batch size per model)."
                           : "Q3, batching: not answered (nothing measured).");
  }
  if (f.backward) {
    a.push_back(fmt::format(
        "Q4, backward: {:.2f}x the forward FLOPs by the cost model (grad-input + grad-weight), "
        "{:.2f}x the forward time measured (medians over {}).",
        f.backward->median_flops_ratio, f.backward->median_time_ratio, f.backward->n));
  } else {
    a.push_back("Q4, backward: not measured (no training step).");
  }
  for (const PredictionFinding& p : f.prediction) {
    a.push_back(fmt::format("The roofline lower bound on {}: measured times a median {} above it.",
                            p.device, ratio_text(p.median_measured_over_predicted)));
  }
  (void)ctx;
  s.blocks.emplace_back(BulletList{std::move(a)});
  return s;
}

Section references_section(const PaperContext& ctx, const PaperFindings& f) {
  Section s;
  s.id = "references";
  s.title = "References";
  std::vector<std::string> refs;
  refs.emplace_back(
      "[1] S. Williams, A. Waterman and D. Patterson, \"Roofline: an insightful visual "
      "performance model for multicore architectures\", Communications of the ACM 52(4), "
      "65-76, 2009. https://doi.org/10.1145/1498765.1498785");
  int k = 2;
  refs.push_back(
      fmt::format("[{}] dnnroof {} (revision {}): cost model, measurement harness, "
                  "probe and this report.",
                  k++, kVersion, kGitRevision));
  if (!f.libtorch_version.empty()) {
    refs.push_back(fmt::format("[{}] LibTorch {} (PyTorch's C++ library){}. https://pytorch.org",
                               k++, f.libtorch_version,
                               f.blas.empty() ? "" : fmt::format(", BLAS: {}", f.blas)));
  }
  if (!f.models.empty()) {
    refs.push_back(fmt::format(
        "[{}] TorchVision model definitions (the built-in zoo reproduces their layers and "
        "parameter counts). https://github.com/pytorch/vision",
        k++));
  }
  refs.push_back(fmt::format("[{}] gnuplot (figures). http://www.gnuplot.info", k++));
  std::vector<std::string> sheets;
  for (const Chip* c : ctx.chips) {
    std::string src = c->source;
    if (src.empty()) {
      if (const std::optional<double> p = c->peak_flops(ctx.precision); p) {
        auto it = c->peak.find(ctx.precision);
        if (it != c->peak.end()) src = it->second.source;
      }
    }
    // The host is detected or measured, not a datasheet.
    if (src.empty() || c->id == "host" || c->id == "host-measured") continue;
    sheets.push_back(fmt::format("[{}] {}{}: {}", k++, c->name.empty() ? c->id : c->name,
                                 c->vendor.empty() ? "" : fmt::format(" ({})", c->vendor), src));
  }
  s.blocks.emplace_back(BulletList{std::move(refs)});
  if (!sheets.empty()) {
    s.blocks.emplace_back(Heading{3, "Datasheets"});
    s.blocks.emplace_back(BulletList{std::move(sheets)});
  }
  return s;
}

}  // namespace dnnroof

// The paper around the results, its front: title, abstract and
// introduction, each from PaperFindings (discussion to references:
// paper_discussion.cc).

#include "report/paper.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include "analysis/analysis.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "report/gnuplot.h"
#include "report/paper_detail.h"
#include "report/study.h"

namespace dnnroof {

using namespace paper_detail;  // the shared phrases

std::size_t word_count(std::string_view text) {
  // Whitespace-separated tokens with a letter or digit: "0.93" and "x86-64"
  // are one word each, a lone "=" or "-" none.
  std::size_t n = 0;
  bool in_token = false, has_alnum = false;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool space = i == text.size() || std::isspace(static_cast<unsigned char>(text[i])) != 0;
    if (space) {
      if (in_token && has_alnum) ++n;
      in_token = has_alnum = false;
      continue;
    }
    in_token = true;
    has_alnum = has_alnum || std::isalnum(static_cast<unsigned char>(text[i])) != 0;
  }
  return n;
}

std::string paper_title(const PaperContext& ctx, const PaperFindings& f) {
  const std::size_t n = f.models.size();
  if (f.measured) {
    return fmt::format("Roofline analysis and benchmarking of {} DNN{} on {}", n, n == 1 ? "" : "s",
                       list_text(f.devices));
  }
  if (n > 0) {
    return fmt::format("Roofline analysis of {} DNN{} on {} chip{} (cost model and datasheets)", n,
                       n == 1 ? "" : "s", ctx.chips.size(), ctx.chips.size() == 1 ? "" : "s");
  }
  return fmt::format("Rooflines of {} chip{} from their datasheets", ctx.chips.size(),
                     ctx.chips.size() == 1 ? "" : "s");
}

namespace {

// The sentences of the abstract's results, most important first.
std::vector<std::string> result_sentences(const PaperContext& ctx, const PaperFindings& f) {
  std::vector<std::string> out;
  // Q1, statically: every chip, each batch's count.
  if (const std::vector<std::string> items = static_bound_items(f.static_bounds); !items.empty()) {
    out.push_back(fmt::format("By the cost model's intensity, the memory-bound models are {}.",
                              join(items, "; ")));
  }
  // Measured utilisation: per device, smallest and largest batch.
  std::map<std::string, std::vector<const UtilisationFinding*>> util;
  std::vector<std::string> dev_order;
  for (const UtilisationFinding& u : f.utilisation) {
    if (util[u.device].empty()) dev_order.push_back(u.device);
    util[u.device].push_back(&u);
  }
  for (const std::string& dev : dev_order) {
    const auto& v = util[dev];
    std::string s = fmt::format(
        "Measured on {}, the models reach a median {} of the roof their intensity allows at "
        "batch {} (best {}, {})",
        dev, percent_text(v.front()->median_percent), v.front()->batch, v.front()->best_model,
        percent_text(v.front()->best_percent));
    if (v.size() > 1) {
      s += fmt::format(" and {} at batch {}", percent_text(v.back()->median_percent),
                       v.back()->batch);
    }
    out.push_back(s + ".");
  }
  if (!f.correlation.empty()) {
    const CorrelationFinding& c = f.correlation.front();
    out.push_back(fmt::format(
        "Forward latency ranks with FLOPs (Spearman rho = {:.2f}) {} with parameters (rho = "
        "{:.2f}) at batch {} on {}.",
        c.rho_flops, c.rho_flops > c.rho_params ? "more closely than" : "no more closely than",
        c.rho_params, c.batch, c.device));
  }
  for (const BatchingFinding& b : f.batching) {
    out.push_back(fmt::format(
        "From batch {} to {}, throughput on {} {} (highest: {}, {}).", b.batch_lo, b.batch_hi,
        b.device, throughput_change_text(b.median_gain), b.best_model, ratio_text(b.best_gain)));
  }
  if (f.backward) {
    out.push_back(fmt::format(
        "Backward takes a median {:.2f}x the forward time for {:.2f}x its FLOPs over {} training "
        "measurement{}.",
        f.backward->median_time_ratio, f.backward->median_flops_ratio, f.backward->n,
        f.backward->n == 1 ? "" : "s"));
  }
  for (const PredictionFinding& p : f.prediction) {
    out.push_back(fmt::format("Measured times are a median {} the roofline lower bound on {}.",
                              ratio_text(p.median_measured_over_predicted), p.device));
  }
  (void)ctx;
  return out;
}

}  // namespace

Section abstract_section(const PaperContext& ctx, const PaperFindings& f) {
  Section s;
  s.id = "abstract";
  s.title = "Abstract";
  const std::size_t n = f.models.size();
  std::vector<std::string> head;
  if (n > 0) {
    head.push_back(fmt::format(
        "We study {} deep neural network{} ({}) at batch size{} {} in {}{}, against the "
        "rooflines of {} chip{} from their datasheets.",
        n, n == 1 ? "" : "s", list_text(f.models), f.batches.size() == 1 ? "" : "s",
        batches_text(f.batches), dtype_name(ctx.precision),
        f.measured ? fmt::format(", measured on {}", list_text(f.devices)) : "",
        datasheet_chips(ctx.chips), datasheet_chips(ctx.chips) == 1 ? "" : "s"));
  } else {
    head.push_back(fmt::format("We compare the rooflines of {} chips from their datasheets.",
                               datasheet_chips(ctx.chips)));
  }
  if (!f.gpu_measured) head.push_back(no_gpu_sentence());
  if (n > 0) {
    head.push_back(
        "We ask which models are memory- or compute-bound on which chips, whether FLOPs or "
        "parameters predict latency, what batching buys, and why backward costs about twice "
        "forward.");
  }
  std::vector<std::string> results = result_sentences(ctx, f);
  const std::vector<std::string> fillers{
      "A cost model counts every layer's FLOPs (2 x multiply-accumulates for matrix products, "
      "one documented rule for every other operator) and bytes (no reuse between layers, with "
      "the compulsory traffic as the other bound), forward and backward.",
      f.measured ? std::string("Latency is the median of adaptively sampled iterations, reported "
                               "with its 95% confidence interval and sample count; the host's "
                               "ceilings are measured by microbenchmarks.")
                 : std::string("Nothing was measured for this report: its numbers come from "
                               "the cost model and the datasheets."),
      "Every number, figure and flag is computed from the run's data; a worked appendix "
      "checks the cost model against pen-and-paper counts of AlexNet's first convolution and a "
      "ResNet-18 basic block.",
      "Methods, threats to validity and references follow the results."};
  auto assemble = [&](std::size_t n_results, std::size_t n_fillers) {
    std::vector<std::string> all = head;
    // Fillers that describe the method go before the results, the rest after.
    if (n_fillers > 0) all.push_back(fillers[0]);
    for (std::size_t i = 0; i < n_results && i < results.size(); ++i) all.push_back(results[i]);
    for (std::size_t i = 1; i < n_fillers && i < fillers.size(); ++i) all.push_back(fillers[i]);
    return join(all, " ");
  };
  // As many results as fit in 250 words, then fillers up to 150.
  std::size_t nr = results.size();
  while (nr > 0 && word_count(assemble(nr, 0)) > 250) --nr;
  std::size_t nf = 0;
  while (nf < fillers.size() && word_count(assemble(nr, nf)) < 150 &&
         word_count(assemble(nr, nf + 1)) <= 250) {
    ++nf;
  }
  s.blocks.emplace_back(Paragraph{assemble(nr, nf)});
  return s;
}

Section introduction_section(const PaperContext& ctx, const PaperFindings& f,
                             const std::string& number) {
  Section s = numbered_section("introduction", number, "Introduction");
  SubsectionHeadings heading(s, number);
  s.blocks.emplace_back(Paragraph{
      "The roofline model [1] bounds the performance of a computation by min(peak, bandwidth x "
      "operational intensity): a layer that does few FLOPs per byte it moves is limited by "
      "memory bandwidth, one that does many by the arithmetic peak, and the ridge point (peak / "
      "bandwidth) separates the two. Studies of DNNs against rooflines are usually assembled by "
      "hand from FLOP counters, ad-hoc timing loops and hand-drawn plots, and go wrong in known "
      "ways (MACs reported as FLOPs, host timers around asynchronous work, points above the "
      "roof, a backward:forward FLOPs ratio of 1). This report is generated end to end from one "
      "cost model, one measurement harness and one chip catalog, so that every number can be "
      "traced to a file in `data/`."});
  heading("Questions and hypotheses");
  std::vector<std::string> q;
  // Q1 with the cost model's numbers.
  {
    std::string h =
        "Q1. Are these models memory- or compute-bound, and on which chips? "
        "Hypothesis: a model is memory-bound on a chip when its operational "
        "intensity lies left of the chip's ridge point";
    if (ctx.models != nullptr && !ctx.models->empty() && !f.batches.empty()) {
      const std::int64_t b = f.batches.front();
      double lo = std::numeric_limits<double>::infinity(), hi = 0;
      std::string lo_name, hi_name;
      for (const ModelCosts& m : *ctx.models) {
        const double oi = intensity_at(m, b);
        if (!std::isfinite(oi)) continue;
        if (oi < lo) {
          lo = oi;
          lo_name = m.name;
        }
        if (oi > hi) {
          hi = oi;
          hi_name = m.name;
        }
      }
      if (!lo_name.empty()) {
        h += fmt::format(
            "; at batch {} the cost model puts the models between {} FLOP/B ({}) "
            "and {} FLOP/B ({})",
            b, format_intensity(lo), lo_name, format_intensity(hi), hi_name);
      }
      std::vector<std::string> per_chip;
      for (const ChipBoundFinding& cb : f.static_bounds) {
        if (cb.batch != b) continue;
        per_chip.push_back(fmt::format("{} of {} on {} (ridge {} FLOP/B)", cb.memory_bound.size(),
                                       cb.models, cb.chip, format_intensity(cb.ridge)));
      }
      if (!per_chip.empty())
        h += fmt::format(", so we expect {} to be memory-bound", list_text(per_chip));
    }
    q.push_back(h + ".");
  }
  q.push_back(
      "Q2. Does the FLOP count or the parameter count predict latency? Hypothesis: where most "
      "time is spent in compute-bound convolutions, latency ranks with FLOPs; parameters "
      "predict it only for models whose traffic is mostly weights (large fully connected "
      "layers at small batch).");
  q.push_back(
      "Q3. What does batching buy? Hypothesis: each weight is read once per batch, so "
      "intensity and throughput rise with the batch until the compute roof (or a cache "
      "capacity) is reached, after which throughput stops growing.");
  {
    std::string h =
        "Q4. Why does backward cost about twice forward? Hypothesis: the gradient of a "
        "convolution or matrix product costs its forward FLOPs twice, once for the input and "
        "once for the weights, so backward FLOPs are about 2x forward (a little less: the "
        "first layer needs no input gradient), and the time ratio follows when the backward "
        "kernels run as efficiently as the forward ones";
    if (ctx.models != nullptr && !ctx.models->empty()) {
      std::vector<double> r;
      for (const ModelCosts& m : *ctx.models) {
        for (const auto& [b, c] : m.train) {
          auto it = m.infer.find(b);
          if (it != m.infer.end() && it->second.forward.flops() > 0) {
            r.push_back(c.backward.flops() / it->second.forward.flops());
          }
          break;
        }
      }
      if (!r.empty()) {
        h += fmt::format(" (cost model: median ratio {:.2f} over {} model{})", median_of(r),
                         r.size(), r.size() == 1 ? "" : "s");
      }
    }
    q.push_back(h + ".");
  }
  s.blocks.emplace_back(BulletList{std::move(q)});
  heading("Scope");
  std::string scope;
  if (f.measured) {
    scope =
        fmt::format("Measured on {} ({} result record{}, batch size{} {}, {}", list_text(f.devices),
                    f.records, f.records == 1 ? "" : "s", f.batches.size() == 1 ? "" : "s",
                    batches_text(f.batches), dtype_name(ctx.precision));
    if (!f.threads.empty()) {
      std::vector<std::string> t;
      for (int x : f.threads) t.push_back(std::to_string(x));
      scope += fmt::format(", {} CPU thread{}", list_text(t),
                           f.threads.size() == 1 && f.threads.front() == 1 ? "" : "s");
    }
    scope += ").";
  } else {
    scope =
        "Nothing was measured for this report: the results are the cost model's and the "
        "datasheets'.";
  }
  if (!f.gpu_measured) scope += " " + no_gpu_sentence();
  scope += fmt::format(" {} chip{} compared from their datasheets.", datasheet_chips(ctx.chips),
                       datasheet_chips(ctx.chips) == 1 ? " is" : "s are");
  s.blocks.emplace_back(Paragraph{scope});
  if (!ctx.results_sections.empty()) {
    s.blocks.emplace_back(Paragraph{fmt::format(
        "The methods come next; the results are in {}; then the discussion, the threats to "
        "validity and the conclusion, which answers each question with a number. Appendix A "
        "works AlexNet's first convolution and one ResNet-18 basic block by hand.",
        list_text(ctx.results_sections))});
  }
  return s;
}

}  // namespace dnnroof

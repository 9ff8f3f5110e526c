// Section 3's memory comparison: the measured memory of each configuration
// against the cost model's estimate, and its commentary.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/figures_measured.h"
#include "report/gnuplot.h"
#include "report/section_measured.h"
#include "store/timing_text.h"

namespace dnnroof {
namespace {

// "+120 MiB", "-35.2 MiB".
std::string signed_binary(double bytes) {
  // Built by insert, not `"-" + string`: GCC 12 at -O3 warns (-Wrestrict, a
  // false positive) on the concatenation once inlined here.
  std::string text = format_binary(std::abs(bytes));
  text.insert(text.begin(), bytes < 0 ? '-' : '+');
  return text;
}

// Inference: weights + every activation (an upper bound of what is live at
// once: the executor frees a layer's inputs after use). Training: weights,
// their gradients and SGD's momentum (3 x parameter bytes) + buffers + the
// tensors saved for backward.
double estimated_memory_bytes(const ModelCost& infer, const ModelCost* train, RunMode mode) {
  if (mode == RunMode::train && train != nullptr) {
    return 3 * train->param_bytes + train->buffer_bytes + train->saved_bytes;
  }
  return infer.param_bytes + infer.buffer_bytes + infer.activation_bytes;
}

}  // namespace

std::vector<MemoryComparison> memory_comparisons(const MeasuredData& data) {
  std::vector<MemoryComparison> rows;
  for (const MeasuredDevice& d : data.devices) {
    for (RunMode mode : {RunMode::infer, RunMode::train}) {
      for (const ResultRecord* r : data.usable(d, mode)) {
        const ModelCost* infer = data.cost_of(*r, false);
        const ModelCost* train = data.cost_of(*r, true);
        if (infer == nullptr) continue;
        MemoryComparison row;
        row.model = r->model;
        row.batch = r->batch;
        row.train = mode == RunMode::train;
        row.gpu = d.gpu;
        row.device = d.short_name;
        row.weights = infer->param_bytes + infer->buffer_bytes;
        row.activations = infer->activation_bytes;
        if (mode == RunMode::train && train != nullptr) row.saved = train->saved_bytes;
        row.estimate = estimated_memory_bytes(*infer, train, mode);
        row.peak = r->memory_peak_bytes;
        row.start = r->memory_start_bytes;
        rows.push_back(row);
      }
    }
  }
  return rows;
}

// Per device: the two bounds the measurement gives of a configuration's own
// memory (what it added to the resident set, the peak), where the estimate
// lies between them, and how the measurement grows with the batch against
// the estimate.
std::vector<std::string> memory_commentary(const std::vector<MemoryComparison>& rows) {
  std::vector<std::string> out;
  std::map<std::string, std::vector<const MemoryComparison*>> by_device;
  for (const MemoryComparison& r : rows) {
    if (std::isfinite(r.peak) && r.peak > 0) by_device[r.device].push_back(&r);
  }
  auto label = [](const MemoryComparison* r) {
    return fmt::format("{} b{} {}", r->model, r->batch, r->train ? "train" : "infer");
  };
  for (const auto& [device, v] : by_device) {
    bool all_start = true;
    for (const MemoryComparison* r : v) all_start = all_start && r->has_start();
    // What the slope is taken of: the growth when every row has a start.
    auto measured = [&](const MemoryComparison* r) { return all_start ? r->added() : r->peak; };
    std::string text;
    if (all_start) {
      const auto [lo, hi] = std::minmax_element(
          v.begin(), v.end(), [](auto* a, auto* b) { return a->added() < b->added(); });
      std::vector<double> added;
      std::vector<std::string> between, above, below;
      for (const MemoryComparison* r : v) {
        added.push_back(r->added());
        if (r->estimate > r->peak) {
          above.push_back(label(r));
        } else if (r->estimate < r->added()) {
          below.push_back(label(r));
        } else {
          between.push_back(label(r));
        }
      }
      text = fmt::format(
          "On {}, the measured peak is the process's resident peak during the configuration "
          "(VmHWM): the runtime's own code and buffers are in it (the heap's free memory goes "
          "back to the kernel before each configuration, so earlier ones' is not), which bounds "
          "the configuration's own memory from above; what the resident set grew by from its "
          "start bounds it from below (memory the process already held can be reused). The "
          "growth runs from {} ({}) to {} ({}), "
          "median {}, over {} configuration{}; the estimate lies between the two bounds for {} "
          "of them",
          device, format_binary(std::max(0.0, (*lo)->added())), label(*lo),
          format_binary(std::max(0.0, (*hi)->added())), label(*hi),
          format_binary(std::max(0.0, median_of(added))), v.size(), v.size() == 1 ? "" : "s",
          between.size());
      if (!above.empty()) {
        text += fmt::format(
            "; above the peak for {} (the estimate sums every activation, the executor frees a "
            "layer's inputs after their last use, so fewer are live at once)",
            list_text(above));
      }
      if (!below.empty()) {
        text += fmt::format(
            "; below the growth for {} (the runtime holds memory the cost model does not count: "
            "workspaces, allocator rounding and caches)",
            list_text(below));
      }
    } else {
      auto excess = [](const MemoryComparison* r) { return r->peak - r->estimate; };
      const auto [lo, hi] = std::minmax_element(
          v.begin(), v.end(), [&](auto* a, auto* b) { return excess(a) < excess(b); });
      std::vector<double> ex;
      for (const MemoryComparison* r : v) ex.push_back(excess(r));
      text = fmt::format(
          "On {}, the measured peak is {}. Over {} configuration{} it differs from the estimate "
          "by {} ({}) to {} ({}), median {}",
          device,
          v.front()->gpu ? "the device memory the allocator reached"
                         : "the whole process's resident peak (VmHWM): the runtime's own code "
                           "and buffers are in it, the estimate counts tensors only",
          v.size(), v.size() == 1 ? "" : "s", signed_binary(excess(*lo)), label(*lo),
          signed_binary(excess(*hi)), label(*hi), signed_binary(median_of(ex)));
    }
    // Growth with the batch: per model and mode, lowest to highest batch.
    std::map<std::pair<std::string, bool>,
             std::pair<const MemoryComparison*, const MemoryComparison*>>
        span;
    for (const MemoryComparison* r : v) {
      auto [it, fresh] = span.try_emplace({r->model, r->train}, r, r);
      if (fresh) continue;
      if (r->batch < it->second.first->batch) it->second.first = r;
      if (r->batch > it->second.second->batch) it->second.second = r;
    }
    std::vector<double> slopes;
    for (const auto& [k, p] : span) {
      const double d_est = p.second->estimate - p.first->estimate;
      if (p.first != p.second && d_est > 0) {
        slopes.push_back((measured(p.second) - measured(p.first)) / d_est);
      }
    }
    if (slopes.empty()) {
      text += ".";
    } else {
      const double sl = median_of(slopes);
      text += fmt::format(
          ". From the smallest to the largest batch of a model, {} rises by a median {:.2f} "
          "bytes per byte of estimate ({} model{}), ",
          all_start ? "what the configuration added" : "the measured peak", sl, slopes.size(),
          slopes.size() == 1 ? "" : "s");
      if (sl < 0.75) {
        text +=
            "less than the estimate: it sums every activation while the executor frees a "
            "layer's inputs after their last use, so fewer are live at once.";
      } else if (sl <= 1.33) {
        text +=
            "close to 1: what batching adds to the estimate is what it adds to the "
            "measurement.";
      } else {
        text +=
            "more than the estimate adds: the runtime keeps per-image memory the cost model "
            "does not count (workspaces such as unfolded convolution inputs).";
      }
    }
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace dnnroof

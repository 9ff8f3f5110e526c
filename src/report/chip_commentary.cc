// The chip study's commentary (chip_commentary, ridge_stats): the extremes
// of the ridge points, the tensor path, the host, the bandwidths; and the
// lookups and phrases the study shares (chip_study_detail.h).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/chip_rooflines.h"
#include "report/chip_study.h"
#include "report/chip_study_detail.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace chip_study_detail {

std::string chip_name(const Chip& c) { return c.name.empty() ? c.id : c.name; }

std::string precisions_name(std::span<const DType> ps) {
  std::vector<std::string> names;
  for (DType p : ps) names.emplace_back(dtype_name(p));
  return join(names, "/");
}

std::string peak_unit(DType p) { return is_floating(p) ? "FLOP/s" : "OP/s"; }

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// "3.2x" with one decimal below 10, whole numbers above.
std::string times(double ratio) {
  return ratio < 10 ? fmt::format("{:.1f}x", ratio) : fmt::format("{:.0f}x", ratio);
}

std::string percent(double fraction) {
  const double pct = 100 * fraction;
  return pct < 10 ? fmt::format("{:.2g}%", pct) : fmt::format("{:.0f}%", pct);
}

std::vector<const Chip*> of_kind(const std::vector<const Chip*>& chips, ChipKind kind) {
  std::vector<const Chip*> out;
  for (const Chip* c : chips) {
    if (c->kind == kind) out.push_back(c);
  }
  return out;
}

const Chip* find_host(const std::vector<const Chip*>& chips) {
  for (const Chip* c : chips) {
    if (c->id == "host") return c;
  }
  return nullptr;
}

const Figure* peak_figure(const Chip& chip, DType p) {
  auto it = chip.peak.find(p);
  return it != chip.peak.end() && it->second.value > 0 ? &it->second : nullptr;
}

double main_bandwidth(const Chip& chip) {
  const MemoryLevel* m = chip.find_main_memory();
  return m != nullptr ? m->bandwidth.value : 0;
}

// The main-memory bandwidth `dnnroof probe` measured (chip host-measured),
// when that chip is among `chips`; 0 otherwise.
double measured_host_bandwidth(const std::vector<const Chip*>& chips) {
  for (const Chip* c : chips) {
    if (c->id == "host-measured") return main_bandwidth(*c);
  }
  return 0;
}

}  // namespace chip_study_detail

namespace {

using namespace chip_study_detail;  // the shared lookups and phrases

// Paragraph: the spread of ridge points and what the extremes mean.
void extremes_commentary(const std::vector<const Chip*>& chips, DType p,
                         std::vector<std::string>& out) {
  const std::optional<RidgeStats> s = ridge_stats(chips, p);
  if (!s) {
    out.emplace_back(fmt::format(
        "No chip has both a {} peak and a main-memory bandwidth, so there is no {} ridge point "
        "to compare.",
        dtype_name(p), dtype_name(p)));
    return;
  }
  if (s->count == 1) {
    out.emplace_back(fmt::format(
        "At {} only {} has both a peak and a main-memory bandwidth: its ridge point is {} FLOP/B.",
        dtype_name(p), chip_name(*s->max_chip), format_intensity(s->max)));
    return;
  }
  out.emplace_back(fmt::format(
      "At {}, {} of the {} chips have both a peak and a main-memory bandwidth. Their ridge points "
      "run from {} FLOP/B ({}) to {} FLOP/B ({}), a factor of {}, with a median of {} FLOP/B. A "
      "layer whose operational intensity is below {} FLOP/B is memory-bound on every one of these "
      "chips, and one above {} FLOP/B is compute-bound on every one; in between, the bound "
      "depends on the chip.",
      dtype_name(p), s->count, chips.size(), format_intensity(s->min), chip_name(*s->min_chip),
      format_intensity(s->max), chip_name(*s->max_chip), times(s->max / s->min),
      format_intensity(s->median), format_intensity(s->min), format_intensity(s->max)));
  // An elementwise layer (ReLU: 1 FLOP per element, reads and writes one
  // element) has intensity 1 / (2 x bytes per element).
  const double relu = 1.0 / (2.0 * dtype_bytes(p));
  std::string text = fmt::format(
      "The higher the ridge point, the larger the share of a network that is memory-bound. An "
      "elementwise layer such as ReLU does 1 FLOP for every {:g} bytes it moves at {} ({:g} "
      "FLOP/B): on {} it can use at most {} of the {} peak (intensity / ridge), on {} at most {}.",
      2.0 * dtype_bytes(p), dtype_name(p), relu, chip_name(*s->max_chip), percent(relu / s->max),
      dtype_name(p), chip_name(*s->min_chip), percent(std::min(1.0, relu / s->min)));
  if (relu < s->min) {
    text +=
        " Such layers are limited by bandwidth on every chip here; their time is bytes / "
        "bandwidth, and fusing them into the neighbouring convolution or matrix product is "
        "what helps.";
  }
  out.push_back(std::move(text));
}

// Paragraph: how much the tensor path raises the ridge on accelerators.
void tensor_commentary(const std::vector<const Chip*>& chips, const ChipStudyOptions& o,
                       std::vector<std::string>& out) {
  std::vector<double> ratios, base, tensor;
  for (const Chip* c : chips) {
    if (c->kind == ChipKind::cpu) continue;
    const std::optional<double> r_base = main_ridge_point(*c, o.precision);
    const std::optional<DType> tp = fastest_available_precision(*c, o.tensor_precisions);
    if (!r_base || !tp) continue;
    const std::optional<double> r_tensor = main_ridge_point(*c, *tp);
    if (!r_tensor) continue;
    ratios.push_back(*r_tensor / *r_base);
    base.push_back(*r_base);
    tensor.push_back(*r_tensor);
  }
  if (ratios.empty()) return;
  const double med_ratio = median_of(ratios);
  const double elem_ratio = dtype_bytes(o.precision) / dtype_bytes(DType::fp16);
  const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
  std::string text = fmt::format(
      "On the {} accelerators with both figures, the {} ridge point (tensor units) is a median "
      "{} the {} one ({} FLOP/B against {} FLOP/B; from {} to {}). Storing tensors at 16 bits "
      "instead of {} bytes raises a layer's intensity only {}, ",
      ratios.size(), precisions_name(o.tensor_precisions), times(med_ratio),
      dtype_name(o.precision), format_intensity(median_of(tensor)),
      format_intensity(median_of(base)), times(*lo), times(*hi), dtype_bytes(o.precision),
      times(elem_ratio));
  text += med_ratio > elem_ratio
              ? "so the same network has more memory-bound layers with tensor cores than without: "
                "the faster compute roof is harder to reach."
              : "so halving the bytes keeps pace with the faster compute roof on the median "
                "chip.";
  out.push_back(text);
}

// Paragraph: the host against the accelerators.
void host_commentary(const std::vector<const Chip*>& chips, DType p,
                     std::vector<std::string>& out) {
  const Chip* host = find_host(chips);
  if (host == nullptr) return;
  const Figure* host_peak = peak_figure(*host, p);
  if (host_peak == nullptr) {
    out.push_back(
        fmt::format("The host has no {} peak (its vector units were not recognised), "
                    "so it cannot be compared at {}.",
                    dtype_name(p), dtype_name(p)));
    return;
  }
  // The fastest and the median accelerator at this precision.
  const Chip* fastest = nullptr;
  double fastest_peak = 0;
  std::vector<double> peaks;
  for (const Chip* c : chips) {
    if (c->kind == ChipKind::cpu) continue;
    const Figure* f = peak_figure(*c, p);
    if (f == nullptr) continue;
    peaks.push_back(f->value);
    if (fastest == nullptr || f->value > fastest_peak) {
      fastest = c;
      fastest_peak = f->value;
    }
  }
  std::string text = fmt::format("The host peaks at {} at {}",
                                 format_si(host_peak->value, peak_unit(p)), dtype_name(p));
  if (!host_peak->derivation.empty()) text += fmt::format(" ({})", host_peak->derivation);
  text += ".";
  if (fastest != nullptr) {
    text += fmt::format(
        " The fastest accelerator in the catalog at {}, {}, has {} of compute, {} the host's; "
        "the median of the {} accelerators ({}) is {} the host's.",
        dtype_name(p), chip_name(*fastest), format_si(fastest_peak, peak_unit(p)),
        times(fastest_peak / host_peak->value), peaks.size(),
        format_si(median_of(peaks), peak_unit(p)), times(median_of(peaks) / host_peak->value));
  }
  const double host_bw = main_bandwidth(*host);
  if (host_bw > 0) {
    text += fmt::format(" The host's main-memory bandwidth is {}, ridge point {} FLOP/B",
                        format_si(host_bw, "B/s"), format_intensity(host_peak->value / host_bw));
    if (fastest != nullptr && main_bandwidth(*fastest) > 0) {
      text += fmt::format("; {} moves {} ({} the host)", chip_name(*fastest),
                          format_si(main_bandwidth(*fastest), "B/s"),
                          times(main_bandwidth(*fastest) / host_bw));
    }
    text += ".";
  } else if (const double measured = measured_host_bandwidth(chips); measured > 0) {
    // Not derivable from the detected facts, but the probe measured it.
    text += fmt::format(
        " The host's main-memory bandwidth cannot be derived from its detected facts; `dnnroof "
        "probe` measured {} (chip host-measured), ridge point {} FLOP/B against the derived peak.",
        format_si(measured, "B/s"), format_intensity(host_peak->value / measured));
  } else {
    text +=
        " The host's main-memory bandwidth is not known, so it has no roofline in the "
        "figures; `dnnroof probe` measures it.";
  }
  out.push_back(text);
}

// Paragraph: main-memory bandwidth extremes.
void bandwidth_commentary(const std::vector<const Chip*>& chips, std::vector<std::string>& out) {
  const Chip* lo = nullptr;
  const Chip* hi = nullptr;
  std::size_t n = 0;
  for (const Chip* c : chips) {
    const double bw = main_bandwidth(*c);
    if (!(bw > 0)) continue;
    ++n;
    if (lo == nullptr || bw < main_bandwidth(*lo)) lo = c;
    if (hi == nullptr || bw > main_bandwidth(*hi)) hi = c;
  }
  if (n < 2) return;
  out.emplace_back(fmt::format(
      "Main-memory bandwidth, which sets the slanted roof, spans {} ({}) to {} ({}), {} apart: "
      "for a memory-bound layer this ratio, not the ratio of peaks, is the speed-up between "
      "those chips.",
      format_si(main_bandwidth(*lo), "B/s"), chip_name(*lo), format_si(main_bandwidth(*hi), "B/s"),
      chip_name(*hi), times(main_bandwidth(*hi) / main_bandwidth(*lo))));
}

}  // namespace

std::optional<RidgeStats> ridge_stats(const std::vector<const Chip*>& chips, DType precision) {
  RidgeStats s;
  std::vector<double> ridges;
  for (const Chip* c : chips) {
    const std::optional<double> r = main_ridge_point(*c, precision);
    if (!r) continue;
    ridges.push_back(*r);
    if (s.min_chip == nullptr || *r < s.min) {
      s.min = *r;
      s.min_chip = c;
    }
    if (s.max_chip == nullptr || *r > s.max) {
      s.max = *r;
      s.max_chip = c;
    }
  }
  if (ridges.empty()) return std::nullopt;
  s.count = ridges.size();
  s.median = median_of(std::move(ridges));
  return s;
}

std::vector<std::string> chip_commentary(const std::vector<const Chip*>& chips,
                                         const ChipStudyOptions& options) {
  std::vector<std::string> out;
  extremes_commentary(chips, options.precision, out);
  bandwidth_commentary(chips, out);
  tensor_commentary(chips, options, out);
  host_commentary(chips, options.precision, out);
  return out;
}

}  // namespace dnnroof

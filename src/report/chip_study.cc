#include "report/chip_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/chip_rooflines.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace {

constexpr std::array<ChipKind, 4> kKinds{ChipKind::cpu, ChipKind::gpu, ChipKind::asic,
                                         ChipKind::soc};

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
    text += " Such layers are limited by bandwidth on every chip here; their time is bytes / "
            "bandwidth, and fusing them into the neighbouring convolution or matrix product is "
            "what helps.";
  }
  out.push_back(std::move(text));
}

// Bullets: the ridge points of each kind.
std::vector<std::string> per_kind_bullets(const std::vector<const Chip*>& chips, DType p) {
  std::vector<std::string> bullets;
  for (ChipKind kind : kKinds) {
    const std::optional<RidgeStats> s = ridge_stats(of_kind(chips, kind), p);
    if (!s) continue;
    if (s->count == 1) {
      bullets.emplace_back(fmt::format("{}: one chip, {} at {} FLOP/B.", chip_kind_title(kind),
                                       chip_name(*s->min_chip), format_intensity(s->min)));
    } else {
      bullets.emplace_back(fmt::format(
          "{}: {} chips, ridge points from {} FLOP/B ({}) to {} FLOP/B ({}), median {} FLOP/B "
          "(a spread of {}).",
          chip_kind_title(kind), s->count, format_intensity(s->min), chip_name(*s->min_chip),
          format_intensity(s->max), chip_name(*s->max_chip), format_intensity(s->median),
          times(s->max / s->min)));
    }
  }
  return bullets;
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

std::string skipped_text(const std::vector<SkippedChip>& skipped) {
  std::vector<std::string> parts;
  parts.reserve(skipped.size());
  for (const SkippedChip& s : skipped) parts.push_back(fmt::format("{} ({})", s.id, s.reason));
  return join(parts, "; ");
}

// One figure of every chip of `kind` that can be drawn with `precisions`.
void add_kind_figure(Section& section, ChipStudy& study, const std::vector<const Chip*>& chips,
                     ChipKind kind, std::span<const DType> precisions, const ChipStudyOptions& o) {
  const std::vector<const Chip*> kind_chips = of_kind(chips, kind);
  if (kind_chips.empty()) return;
  const std::string pname = precisions_name(precisions);
  const ChipCeilings drawable = main_memory_ceilings(kind_chips, precisions);
  const bool host_probed = measured_host_bandwidth(chips) > 0;
  for (const SkippedChip& s : drawable.skipped) {
    // The derived host has no bandwidth when the VM hides its memory; once
    // `dnnroof probe` has measured it, say that rather than "unknown".
    const bool probed_host = s.id == "host" && host_probed;
    study.notes.emplace_back(fmt::format(
        "{} left out of the {} {} roofline: {}", s.id, chip_kind_title(kind), pname,
        probed_host ? std::string("its DRAM bandwidth cannot be derived from its detected facts; "
                                  "the roof `dnnroof probe` measured is drawn as host-measured")
                    : s.reason));
  }
  const std::string kind_title = chip_kind_title(kind);
  if (drawable.chips.empty()) {
    section.blocks.emplace_back(Paragraph{
        fmt::format("No {} roofline at {}: none of the {} {} chips can be drawn ({}).", kind_title,
                    pname, kind_chips.size(), kind_title, skipped_text(drawable.skipped))});
    return;
  }
  FigureBlock fig;
  fig.id = fmt::format("chips-{}-{}", chip_kind_name(kind), dtype_name(precisions.front()));
  fig.title = fmt::format("{} rooflines at {} (datasheet peaks, main memory)", kind_title, pname);
  // Chips with the same roof are one line with both names.
  const ChipCeilings merged = merge_identical_roofs(drawable);
  std::vector<std::string> merged_names;
  for (const Ceiling& c : merged.ceilings) {
    if (c.short_label.find(" = ") != std::string::npos) merged_names.push_back(c.short_label);
  }
  fig.panels = chip_panel_figures(drawable, o.max_per_panel, [&](const ChipPanel& panel) {
    return panel.title == kind_title ? fig.title : fmt::format("{} at {}", panel.title, pname);
  });
  fig.caption = fmt::format(
      "{} {} chip{} at {}. Each line is one chip's roofline: the slanted part is main-memory "
      "bandwidth x operational intensity, the flat part the peak; the dot is the ridge point "
      "(peak / bandwidth), given in the legend. Log-log axes.",
      drawable.chips.size(), kind_title, drawable.chips.size() == 1 ? "" : "s", pname);
  if (!merged_names.empty()) {
    fig.caption += fmt::format(
        " Chips with the same peak and bandwidth share one line, named for all of them: {}.",
        join(merged_names, "; "));
  }
  if (fig.panels.size() > 1) {
    fig.caption += " All panels share the same axes, so lines compare across panels.";
  }
  if (!drawable.skipped.empty()) {
    fig.caption += fmt::format(" Not drawn: {}.", skipped_text(drawable.skipped));
  }
  section.blocks.emplace_back(std::move(fig));
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

Table host_facts_table(const HostInfo& h, const Chip* host_chip) {
  Table t({"Fact", "Value"}, {"fact", "value"});
  t.add_row({"CPU", or_dash(h.cpu_model)});
  t.add_row({"Sockets", Cell(h.sockets, fmt::format("{}", h.sockets))});
  t.add_row({"Physical cores", Cell(h.physical_cores, fmt::format("{}", h.physical_cores))});
  t.add_row({"Logical CPUs", Cell(h.logical_cpus, fmt::format("{}", h.logical_cpus))});
  t.add_row({"Clock used for peaks",
             h.clock_hz > 0 ? Cell(h.clock_hz, format_si(h.clock_hz, "Hz")) : Cell("unknown")});
  if (!h.clock_note.empty()) t.add_row({"Clock source", h.clock_note});
  t.add_row({"Vector/matrix ISA", or_dash(join(h.isa, " "))});
  auto bytes_cell = [](double b) { return b > 0 ? Cell(b, format_binary(b)) : Cell("unknown"); };
  t.add_row({"L1d (all cores)", bytes_cell(h.l1d_bytes)});
  t.add_row({"L2 (all cores)", bytes_cell(h.l2_bytes)});
  t.add_row({"L3", bytes_cell(h.l3_bytes)});
  t.add_row({"Memory", bytes_cell(h.memory_bytes)});
  t.add_row({"Virtualised", h.virtualized ? "yes (hypervisor bit set)" : "no"});
  if (host_chip != nullptr) {
    for (DType p : peak_precisions()) {
      const Figure* f = peak_figure(*host_chip, p);
      if (f == nullptr) continue;
      std::string text = format_si(f->value, peak_unit(p));
      if (!f->derivation.empty()) text += " = " + f->derivation;
      t.add_row({fmt::format("Peak {}", dtype_name(p)), Cell(f->value, text)});
    }
    const double bw = main_bandwidth(*host_chip);
    t.add_row({"Main-memory bandwidth",
               bw > 0 ? Cell(bw, format_si(bw, "B/s")) : Cell("unknown (not derivable here)")});
  }
  return t;
}

Table sources_table(const std::vector<const Chip*>& chips, DType p) {
  Table t({"Chip", "Source", "Derivations"}, {"id", "source", "derivations"});
  for (const Chip* c : chips) {
    std::vector<std::string> derivations;
    if (const Figure* f = peak_figure(*c, p); f != nullptr && !f->derivation.empty()) {
      derivations.push_back(fmt::format("{} peak: {}", dtype_name(p), f->derivation));
    }
    const MemoryLevel* m = c->find_main_memory();
    if (m != nullptr && !m->bandwidth.derivation.empty()) {
      derivations.push_back(fmt::format("{} bandwidth: {}", m->name, m->bandwidth.derivation));
    }
    std::string source = c->source;
    if (source.empty()) {
      if (const Figure* f = peak_figure(*c, p); f != nullptr) source = f->source;
    }
    if (source.empty() && c->id == "host") source = "detected on this machine";
    t.add_row({c->id, or_dash(source), or_dash(join(derivations, "; "))});
  }
  return t;
}

Table ridge_stats_table(const std::vector<const Chip*>& chips, const ChipStudyOptions& o) {
  Table t(
      {"Kind", "Precision", "Chips", "Min ridge", "Median ridge", "Max ridge", "Lowest", "Highest"},
      {"kind", "precision", "chips", "min_ridge_flop_per_byte", "median_ridge_flop_per_byte",
       "max_ridge_flop_per_byte", "lowest_chip", "highest_chip"});
  std::vector<DType> precisions{o.precision};
  for (DType p : o.tensor_precisions) precisions.push_back(p);
  for (DType p : precisions) {
    auto add = [&](const std::string& kind, const std::vector<const Chip*>& set) {
      const std::optional<RidgeStats> s = ridge_stats(set, p);
      if (!s) return;
      t.add_row({kind, std::string(dtype_name(p)),
                 Cell(static_cast<double>(s->count), fmt::format("{}", s->count)),
                 Cell(s->min, format_intensity(s->min)),
                 Cell(s->median, format_intensity(s->median)),
                 Cell(s->max, format_intensity(s->max)), s->min_chip->id, s->max_chip->id});
    };
    add("all", chips);
    for (ChipKind k : kKinds) add(std::string(chip_kind_name(k)), of_kind(chips, k));
  }
  return t;
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

Table chip_catalog_table(const std::vector<const Chip*>& chips, const ChipStudyOptions& o,
                         CatalogColumns which) {
  const bool all = which == CatalogColumns::all;
  const bool peaks = all || which == CatalogColumns::peaks;
  const bool memory = all || which == CatalogColumns::memory_and_ridges;
  // The peaks table leaves the name out so that seven precisions fit a page.
  std::vector<std::string> cols{"Chip", "Name", "Kind", "Year"};
  std::vector<std::string> keys{"id", "name", "kind", "year"};
  if (which == CatalogColumns::peaks) {
    cols.erase(cols.begin() + 1);
    keys.erase(keys.begin() + 1);
  }
  if (all) {
    cols.emplace_back("Vendor");
    keys.emplace_back("vendor");
  }
  if (peaks) {
    for (DType p : peak_precisions()) {
      cols.push_back(fmt::format("{} [{}]", dtype_name(p), peak_unit(p)));
      keys.push_back(fmt::format("peak_{}_{}", dtype_name(p), is_floating(p) ? "flops" : "ops"));
    }
  }
  const std::string tname = precisions_name(o.tensor_precisions);
  if (memory) {
    cols.insert(cols.end(), {"Main memory", "Bandwidth [B/s]"});
    keys.insert(keys.end(), {"main_memory", "main_bandwidth_bytes_per_s"});
    if (all) {
      cols.emplace_back("Capacity [B]");
      keys.emplace_back("main_capacity_bytes");
    }
    cols.push_back(fmt::format("Ridge {} [FLOP/B]", dtype_name(o.precision)));
    keys.push_back(fmt::format("ridge_{}_flop_per_byte", dtype_name(o.precision)));
    if (!o.tensor_precisions.empty()) {
      cols.push_back(fmt::format("Ridge {} [FLOP/B]", tname));
      keys.emplace_back("ridge_tensor_flop_per_byte");
    }
  }
  if (all) {
    if (!o.tensor_precisions.empty()) {
      cols.emplace_back("Tensor precision");
      keys.emplace_back("tensor_precision");
    }
    cols.emplace_back("Source");
    keys.emplace_back("source");
  }
  Table t(cols, keys);
  for (const Chip* c : chips) {
    std::vector<Cell> row{c->id, chip_name(*c), std::string(chip_kind_name(c->kind)),
                          c->year > 0 ? Cell(c->year, fmt::format("{}", c->year)) : Cell("")};
    if (which == CatalogColumns::peaks) row.erase(row.begin() + 1);
    if (all) row.emplace_back(c->vendor);
    if (peaks) {
      for (DType p : peak_precisions()) {
        const Figure* f = peak_figure(*c, p);
        row.push_back(f != nullptr ? Cell(f->value, format_si(f->value, peak_unit(p))) : Cell(""));
      }
    }
    const std::optional<DType> tp = fastest_available_precision(*c, o.tensor_precisions);
    if (memory) {
      const MemoryLevel* m = c->find_main_memory();
      row.emplace_back(m != nullptr ? m->name : "");
      const double bw = main_bandwidth(*c);
      row.push_back(bw > 0 ? Cell(bw, format_si(bw, "B/s")) : Cell("unknown"));
      if (all) {
        const double cap = m != nullptr ? m->capacity.value : 0;
        row.push_back(cap > 0 ? Cell(cap, format_si(cap, "B")) : Cell(""));
      }
      const std::optional<double> r = main_ridge_point(*c, o.precision);
      row.push_back(r ? Cell(*r, format_intensity(*r)) : Cell(""));
      const std::optional<double> rt = tp ? main_ridge_point(*c, *tp) : std::nullopt;
      std::string rt_text;
      if (rt) {
        rt_text = format_intensity(*rt);
        if (o.tensor_precisions.size() > 1 && !all) {
          rt_text += fmt::format(" ({})", dtype_name(*tp));
        }
      }
      if (!o.tensor_precisions.empty()) row.push_back(rt ? Cell(*rt, rt_text) : Cell(""));
    }
    if (all) {
      if (!o.tensor_precisions.empty()) row.emplace_back(tp ? std::string(dtype_name(*tp)) : "");
      row.emplace_back(c->source);
    }
    t.add_row(std::move(row));
  }
  return t;
}

ChipStudy build_chip_study(const std::vector<const Chip*>& chips, const HostInfo* host,
                           const ChipStudyOptions& o) {
  if (chips.empty()) fail("the chip study needs at least one chip");
  ChipStudy study;
  Section& s = study.section;
  s.id = "chips";
  s.title = fmt::format("{}. The chips", o.section_number);
  const std::string n = o.section_number;

  // Counts per kind, for the opening sentence.
  std::vector<std::string> counts;
  for (ChipKind k : kKinds) {
    const std::size_t c = of_kind(chips, k).size();
    if (c > 0) counts.push_back(fmt::format("{} {}", c, chip_kind_title(k)));
  }
  s.blocks.emplace_back(Paragraph{fmt::format(
      "What each chip could do at best: {} chips ({}), with their dense peak per precision, "
      "main-memory bandwidth and ridge point (peak / bandwidth, the operational intensity at "
      "which a layer stops being memory-bound). Every number is in `data/chips.csv` and "
      "`data/chips.json`.",
      chips.size(), join(counts, ", "))});

  // Subsections are numbered as they are added (the tensor and host parts
  // are optional).
  int subsection = 0;
  auto heading = [&](const std::string& text) {
    s.blocks.emplace_back(Heading{3, fmt::format("{}.{} {}", n, ++subsection, text)});
  };
  heading("Catalog");
  s.blocks.emplace_back(
      TableBlock{"Main memory and ridge points (peak / bandwidth)",
                 chip_catalog_table(chips, o, CatalogColumns::memory_and_ridges)});
  s.blocks.emplace_back(TableBlock{"Dense peaks per precision (empty: not published)",
                                   chip_catalog_table(chips, o, CatalogColumns::peaks)});

  heading(fmt::format("Rooflines at {}", dtype_name(o.precision)));
  const std::array<DType, 1> base{o.precision};
  for (ChipKind k : kKinds) add_kind_figure(s, study, chips, k, base, o);

  if (!o.tensor_precisions.empty()) {
    heading(fmt::format("Rooflines at {} (tensor units)", precisions_name(o.tensor_precisions)));
    s.blocks.emplace_back(Paragraph{fmt::format(
        "GPUs, ASICs and SoCs at the first of {} they have (the legend names which): the rate of "
        "their matrix units, against the same memory.",
        precisions_name(o.tensor_precisions))});
    for (ChipKind k : kKinds) {
      if (k != ChipKind::cpu) add_kind_figure(s, study, chips, k, o.tensor_precisions, o);
    }
  }

  if (host != nullptr) {
    heading("This machine (host)");
    s.blocks.emplace_back(Paragraph{
        "Detected at run time (cpuid, /proc/cpuinfo, sysfs); the host's peaks are derived from "
        "these facts as for any catalog CPU."});
    s.blocks.emplace_back(TableBlock{"Host facts", host_facts_table(*host, find_host(chips))});
  }

  heading("What the numbers say");
  for (std::string& p : chip_commentary(chips, o)) s.blocks.emplace_back(Paragraph{std::move(p)});
  s.blocks.emplace_back(
      Paragraph{fmt::format("Ridge points by kind at {}:", dtype_name(o.precision))});
  s.blocks.emplace_back(BulletList{per_kind_bullets(chips, o.precision)});

  heading("Methods");
  std::vector<std::string> methods;
  methods.reserve(5);  // also keeps GCC 12's -Wnull-dereference quiet here
  methods.emplace_back(
      "Peaks are dense datasheet figures per precision (never the with-sparsity ones); int8 is "
      "in OP/s. CPU peaks are derived: sockets x cores x all-core clock x FLOP per cycle per "
      "core; CPU DRAM bandwidth: sockets x channels x MT/s x 8 B.");
  methods.emplace_back(
      "SI units throughout: 1 TFLOP/s = 10^12 FLOP/s, 1 GB/s = 10^9 B/s; binary units (KiB, "
      "MiB) are marked as such.");
  methods.emplace_back(
      "Ridge point = peak / main-memory bandwidth [FLOP/B]. The roofline is min(peak, bandwidth "
      "x intensity), drawn as one line per chip from its vertices (the ridge point is a vertex) "
      "on log-log axes.");
  if (!o.tensor_precisions.empty()) {
    methods.emplace_back(fmt::format("The tensor figures use the first of {} a chip has.",
                                     precisions_name(o.tensor_precisions)));
  }
  methods.emplace_back(
      "Sources: one per chip in the table below and in `data/chips.csv`; `dnnroof chips show "
      "ID` prints every figure with its own source or derivation.");
  s.blocks.emplace_back(BulletList{std::move(methods)});
  s.blocks.emplace_back(TableBlock{"Sources", sources_table(chips, o.precision)});

  heading("Caveats");
  std::vector<std::string> caveats;
  caveats.reserve(4 + study.notes.size());
  caveats.emplace_back(
      "Datasheet peaks assume the boost clock and every unit busy; sustained rates are lower, "
      "and `dnnroof probe` measures them on this machine.");
  caveats.emplace_back(
      "Only the main-memory roof is drawn. Caches have higher bandwidth, so a layer whose data "
      "stays in cache can run above the main-memory roof at its DRAM-traffic intensity; compare "
      "it with a cache roof, not with the peak.");
  if (host != nullptr) {
    const Chip* hc = find_host(chips);
    const MemoryLevel* main = hc != nullptr ? hc->find_main_memory() : nullptr;
    const double bw = main != nullptr ? main->bandwidth.value : 0;
    const double measured = measured_host_bandwidth(chips);
    std::string bw_text = measured > 0
                              ? fmt::format(
                                    "cannot be derived from what it exposes (`dnnroof probe` "
                                    "measured {}, chip host-measured)",
                                    format_si(measured, "B/s"))
                              : std::string("is unknown (run `dnnroof probe` to measure it)");
    if (bw > 0) {
      bw_text = fmt::format("({}) is derived, not measured{}", format_si(bw, "B/s"),
                            main->bandwidth.derivation.empty()
                                ? std::string()
                                : fmt::format(": {}", main->bandwidth.derivation));
      if (measured > 0) {
        bw_text += fmt::format("; `dnnroof probe` measured {} (chip host-measured)",
                               format_si(measured, "B/s"));
      }
    }
    if (host->virtualized) {
      caveats.emplace_back(fmt::format(
          "The host runs under a hypervisor: the memory channels and speed it reports may not be "
          "the machine's, so its DRAM bandwidth {}; the clock used for its peaks: {}.",
          bw_text, host->clock_note.empty() ? "a guess" : host->clock_note));
    } else if (!(bw > 0)) {
      caveats.emplace_back(
          measured > 0
              ? fmt::format("The host's DRAM bandwidth could not be derived (memory channels and "
                            "speed are not readable without privileges); `dnnroof probe` "
                            "measured {} (chip host-measured).",
                            format_si(measured, "B/s"))
              : std::string("The host's DRAM bandwidth could not be derived (memory channels and "
                            "speed are not readable without privileges) and was not measured "
                            "(`dnnroof probe` measures it)."));
    }
  }
  for (const std::string& note : study.notes) caveats.emplace_back(note + ".");
  s.blocks.emplace_back(BulletList{std::move(caveats)});

  study.data.emplace_back(DataFile{"chips", chip_catalog_table(chips, o, CatalogColumns::all)});
  study.data.emplace_back(DataFile{"ridge_points", ridge_stats_table(chips, o)});
  if (host != nullptr) {
    study.data.emplace_back(DataFile{"host", host_facts_table(*host, find_host(chips))});
  }
  return study;
}

}  // namespace dnnroof

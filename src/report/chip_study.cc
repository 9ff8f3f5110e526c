// The chip study (section 1): the catalog tables, the roofline figures by
// chip kind, the host's facts, the sources (commentary: chip_commentary.cc).
#include "report/chip_study.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "report/chip_rooflines.h"
#include "report/chip_study_detail.h"
#include "report/gnuplot.h"

namespace dnnroof {
namespace {

using namespace chip_study_detail;  // the shared lookups and phrases

constexpr std::array<ChipKind, 4> kKinds{ChipKind::cpu, ChipKind::gpu, ChipKind::asic,
                                         ChipKind::soc};

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
  Section& s = study.section = numbered_section("chips", o.section_number, "The chips");
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
  SubsectionHeadings heading(s, n);
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

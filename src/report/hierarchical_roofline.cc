#include "report/hierarchical_roofline.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"

namespace dnnroof {
namespace {

double practical_of(const Chip& chip, DType p) {
  auto it = chip.practical.find(p);
  return it == chip.practical.end() ? 0 : it->second.value;
}

// The level's name as drawn: the main level is "DRAM"/"HBM3"/... as named.
Ceiling make_ceiling(const Chip& chip, CeilingSource source, DType precision, std::string_view roof,
                     double peak, const MemoryLevel& level, double bandwidth,
                     std::string_view bandwidth_note) {
  Ceiling c;
  // gnuplot.h appends " [measured]" to measured roofs' legend entries.
  const std::string kind = source == CeilingSource::measured ? "" : "theoretical ";
  c.roof.chip_id = chip.id;
  c.roof.chip_name = chip.name;
  c.roof.level = level.name;
  c.roof.is_main = level.is_main;
  c.roof.source = source;
  c.roof.precision = precision;
  c.roof.peak_flops = peak;
  c.roof.bandwidth = bandwidth;
  c.label = fmt::format("{}{} {} x {} {}{}", kind, roof, format_si(peak, "FLOP/s", 3), level.name,
                        format_si(bandwidth, "B/s", 3), bandwidth_note);
  c.short_label = fmt::format("{} {}", roof, level.name);
  // Every roof its own colour (the chip's peaks and levels are what differ).
  c.colour_key = fmt::format("{} {} {}", chip.id, roof, level.name);
  return c;
}

}  // namespace

HierarchicalCeilings hierarchical_ceilings(const Chip& datasheet, const Chip* measured,
                                           DType precision) {
  HierarchicalCeilings out;
  const std::string p = std::string(dtype_name(precision));
  const MemoryLevel* measured_main = measured ? measured->find_main_memory() : nullptr;

  // Datasheet: the peak against every level with a known bandwidth.
  if (auto peak = datasheet.peak_flops(precision)) {
    std::size_t drawn = 0;
    for (const MemoryLevel& m : datasheet.memory) {
      if (!(m.bandwidth.value > 0)) continue;
      out.ceilings.push_back(make_ceiling(datasheet, CeilingSource::datasheet, precision,
                                          p + " peak", *peak, m, m.bandwidth.value, ""));
      ++drawn;
    }
    if (drawn == 0 && measured_main && measured_main->bandwidth.value > 0) {
      out.ceilings.push_back(make_ceiling(
          datasheet, CeilingSource::datasheet, precision, p + " peak", *peak, *measured_main,
          measured_main->bandwidth.value, " (measured; no datasheet bandwidth)"));
      out.notes.push_back(fmt::format(
          "{}: no memory bandwidth known; its {} peak is drawn against the measured {} bandwidth",
          datasheet.id, p, measured_main->name));
    } else if (drawn == 0) {
      out.notes.push_back(
          fmt::format("{}: no memory bandwidth known: no datasheet roof", datasheet.id));
    }
    if (double practical = practical_of(datasheet, precision); practical > 0) {
      if (const MemoryLevel* m = datasheet.find_main_memory(); m && m->bandwidth.value > 0) {
        out.ceilings.push_back(make_ceiling(datasheet, CeilingSource::datasheet, precision,
                                            p + " GEMM", practical, *m, m->bandwidth.value, ""));
      }
    }
  } else {
    out.notes.push_back(fmt::format("{}: no {} peak", datasheet.id, p));
  }

  if (measured) {
    if (auto peak = measured->peak_flops(precision)) {
      std::size_t drawn = 0;
      for (const MemoryLevel& m : measured->memory) {
        if (!(m.bandwidth.value > 0)) continue;
        out.ceilings.push_back(make_ceiling(*measured, CeilingSource::measured, precision,
                                            p + " FMA peak", *peak, m, m.bandwidth.value, ""));
        ++drawn;
      }
      if (drawn == 0) out.notes.push_back(fmt::format("{}: no measured bandwidth", measured->id));
    } else {
      out.notes.push_back(fmt::format("{}: no measured {} peak", measured->id, p));
    }
    if (double practical = practical_of(*measured, precision); practical > 0) {
      if (measured_main && measured_main->bandwidth.value > 0) {
        out.ceilings.push_back(make_ceiling(*measured, CeilingSource::measured, precision,
                                            p + " GEMM", practical, *measured_main,
                                            measured_main->bandwidth.value, ""));
      }
    } else {
      out.notes.push_back(fmt::format("{}: no {} GEMM (practical) ceiling", measured->id, p));
    }
  }
  if (out.ceilings.empty()) {
    fail("hierarchical roofline: nothing to draw at {} for '{}'{} ({})", p, datasheet.id,
         measured ? fmt::format(" and '{}'", measured->id) : std::string(), join(out.notes, "; "));
  }
  return out;
}

RooflineFigure hierarchical_roofline(const Chip& datasheet, const Chip* measured, DType precision) {
  HierarchicalCeilings h = hierarchical_ceilings(datasheet, measured, precision);
  return build_roofline_figure(
      fmt::format("Hierarchical roofline: {}, {}", datasheet.name, dtype_name(precision)),
      std::move(h.ceilings));
}

}  // namespace dnnroof

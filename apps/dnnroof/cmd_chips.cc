// `dnnroof chips`: the chip catalog (peaks, main-memory bandwidth, ridge
// point), and `dnnroof chips show ID`: every figure of one chip with its
// source or derivation.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "commands.h"
#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/units.h"
#include "hw/catalog.h"
#include "hw/host.h"
#include "probe/clock.h"

namespace dnnroof::cli {
namespace {

std::string_view peak_unit(DType p) { return is_floating(p) ? "FLOP/s" : "OP/s"; }

// A capacity as it was most likely written: "80 GB" for 80e9 B, "40 MiB" for
// 40 x 2^20 B (the one with fewer digits wins; binary on a tie, as caches are).
std::string format_capacity(double bytes) {
  std::string si = format_si(bytes, "B", 4);
  std::string binary = format_binary(bytes, "B", 4);
  return si.size() + 1 < binary.size() ? si : binary;  // +1: the "i" of "MiB"
}

// A number for programs and its SI text for people; "-" (table) or an empty
// field (csv/json) when unknown.
Cell quantity_cell(double value, std::string_view unit, OutputFormat format) {
  if (!(value > 0) || !std::isfinite(value)) return Cell(format == OutputFormat::table ? "-" : "");
  return Cell(value, format_si(value, unit));
}

struct ListOptions {
  std::string kind;
  std::string precision = "fp32";
  std::string format = "table";
};

void list_chips(const Context& ctx, const ListOptions& opt, bool precision_given) {
  const OutputFormat format = parse_output_format(opt.format);
  const DType precision = parse_dtype_or_throw(opt.precision);
  const auto rated = peak_precisions();
  if (std::find(rated.begin(), rated.end(), precision) == rated.end()) {
    fail("--precision {}: chips are not rated in {} (valid: fp64 fp32 tf32 fp16 bf16 fp8 int8)",
         opt.precision, dtype_name(precision));
  }
  std::optional<ChipKind> kind;
  if (!opt.kind.empty()) kind = parse_chip_kind(opt.kind);
  const Catalog catalog = load_catalog(ctx.catalog_files);

  const std::string p = std::string(dtype_name(precision));
  Table table({"id", "name", "kind", "vendor", "year", fmt::format("peak {}", p), "memory BW",
               "ridge [FLOP/B]"},
              {"id", "name", "kind", "vendor", "year", "peak_flops", "bandwidth_bytes_per_s",
               "ridge_flop_per_byte"});
  for (const Chip& chip : catalog.chips()) {
    if (kind && chip.kind != *kind) continue;
    const std::optional<double> peak = chip.peak_flops(precision);
    if (!peak && precision_given) continue;
    double bandwidth = 0;
    for (const auto& m : chip.memory) {
      if (m.is_main) bandwidth = m.bandwidth.value;
    }
    const double ridge = peak ? ridge_point(*peak, bandwidth) : std::nan("");
    Cell year = chip.year > 0 ? Cell(chip.year, std::to_string(chip.year))
                              : Cell(format == OutputFormat::table ? "-" : "");
    Cell ridge_cell = std::isfinite(ridge) ? Cell(ridge, fmt::format("{:.3g}", ridge))
                                           : Cell(format == OutputFormat::table ? "-" : "");
    table.add_row({chip.id, chip.name, std::string(chip_kind_name(chip.kind)), chip.vendor,
                   std::move(year), quantity_cell(peak.value_or(0), peak_unit(precision), format),
                   quantity_cell(bandwidth, "B/s", format), std::move(ridge_cell)});
  }
  fmt::print("{}", table.render(format));
}

// One line of `chips show`: a figure, its value and where it comes from.
struct ShowRow {
  std::string field;
  std::string text;              // for people: "19.5 TFLOP/s"
  std::optional<double> number;  // for programs, in base units
  std::string unit;              // of `number`
  std::string provenance;        // source URL or derivation
};

std::string provenance(const Figure& f) {
  if (!f.derivation.empty() && !f.source.empty()) {
    return fmt::format("{} (inputs: {})", f.derivation, f.source);
  }
  return f.derivation.empty() ? f.source : f.derivation;
}

void figure_row(std::vector<ShowRow>& rows, std::string field, const Figure& f,
                std::string_view unit, bool binary = false) {
  if (f.value <= 0) {
    rows.push_back({std::move(field), "unknown", std::nullopt, std::string(unit), ""});
    return;
  }
  rows.push_back({std::move(field), binary ? format_capacity(f.value) : format_si(f.value, unit, 4),
                  f.value, std::string(unit), provenance(f)});
}

void text_row(std::vector<ShowRow>& rows, std::string field, std::string text,
              std::string provenance_text = "") {
  rows.push_back({std::move(field), std::move(text), std::nullopt, "", std::move(provenance_text)});
}

void number_row(std::vector<ShowRow>& rows, std::string field, double value, std::string_view unit,
                std::string text = "") {
  if (text.empty()) text = fmt::format("{:g}", value);
  rows.push_back({std::move(field), std::move(text), value, std::string(unit), ""});
}

std::vector<ShowRow> describe(const Chip& chip) {
  std::vector<ShowRow> rows;
  text_row(rows, "id", chip.id);
  text_row(rows, "name", chip.name);
  text_row(rows, "kind", std::string(chip_kind_name(chip.kind)));
  if (!chip.vendor.empty()) text_row(rows, "vendor", chip.vendor);
  if (chip.year > 0) number_row(rows, "year", chip.year, "");
  if (!chip.source.empty()) text_row(rows, "source", "", chip.source);
  text_row(rows, "defined in", chip.origin);
  for (DType p : peak_precisions()) {
    auto it = chip.peak.find(p);
    if (it == chip.peak.end()) continue;
    figure_row(rows, fmt::format("peak {}", dtype_name(p)), it->second, peak_unit(p));
  }
  // Practical ceilings ([chip.practical]): large GEMMs through a library.
  for (const auto& [p, f] : chip.practical) {
    figure_row(rows, fmt::format("practical {} (GEMM)", dtype_name(p)), f, peak_unit(p));
  }
  for (const auto& m : chip.memory) {
    const std::string level = m.is_main ? fmt::format("{} (main)", m.name) : m.name;
    if (m.bandwidth.value > 0 || m.is_main) {
      figure_row(rows, fmt::format("{} bandwidth", level), m.bandwidth, "B/s");
    }
    if (m.capacity.value > 0) {
      figure_row(rows, fmt::format("{} capacity", level), m.capacity, "B", true);
    }
  }
  // Ceilings per thread count ([[chip.threads]], `dnnroof probe`): a run on
  // N threads is judged against N's.
  for (const ThreadCeilings& t : chip.thread_ceilings) {
    const std::string on = fmt::format("{} thread{}", t.threads, t.threads == 1 ? "" : "s");
    for (const auto& [p, f] : t.peak) {
      figure_row(rows, fmt::format("{}: peak {}", on, dtype_name(p)), f, peak_unit(p));
    }
    for (const auto& [p, f] : t.practical) {
      figure_row(rows, fmt::format("{}: practical {} (GEMM)", on, dtype_name(p)), f, peak_unit(p));
    }
    for (const auto& m : chip.memory) {
      const auto it = t.bandwidth.find(m.name);
      if (it != t.bandwidth.end()) {
        figure_row(rows, fmt::format("{}: {} bandwidth", on, m.name), it->second, "B/s");
      }
    }
  }
  double main_bandwidth = 0;
  std::string main_name;
  for (const auto& m : chip.memory) {
    if (m.is_main) {
      main_bandwidth = m.bandwidth.value;
      main_name = m.name;
    }
  }
  for (DType p : peak_precisions()) {
    auto peak = chip.peak_flops(p);
    if (!peak) continue;
    const double ridge = ridge_point(*peak, main_bandwidth);
    if (!std::isfinite(ridge)) continue;
    const std::string ridge_unit = is_floating(p) ? "FLOP/B" : "OP/B";
    rows.push_back({fmt::format("ridge {} vs {}", dtype_name(p), main_name),
                    fmt::format("{:.4g} {}", ridge, ridge_unit), ridge, ridge_unit,
                    fmt::format("{} / {}", format_si(*peak, peak_unit(p), 4),
                                format_si(main_bandwidth, "B/s", 4))});
  }
  if (chip.cpu) {
    const CpuMicroarch& cpu = *chip.cpu;
    number_row(rows, "cpu sockets", cpu.sockets, "");
    number_row(rows, "cpu cores per socket", cpu.cores_per_socket, "");
    number_row(rows, "cpu threads per core", cpu.threads_per_core, "");
    if (cpu.base_clock_hz > 0) {
      number_row(rows, "cpu base clock", cpu.base_clock_hz, "Hz",
                 format_si(cpu.base_clock_hz, "Hz", 4));
    }
    rows.push_back({"cpu all-core clock", format_si(cpu.allcore_clock_hz, "Hz", 4),
                    cpu.allcore_clock_hz, "Hz", cpu.clock_source});
    number_row(rows, "cpu simd bits", cpu.simd_bits, "bit");
    number_row(rows, "cpu fma units", cpu.fma_units, "");
    text_row(rows, "cpu amx", cpu.amx ? "yes" : "no");
    if (!cpu.isa.empty()) {
      text_row(rows, "cpu isa", fmt::format("{} extensions", cpu.isa.size()), join(cpu.isa, " "));
    }
    for (const auto& [p, n] : cpu.flops_per_cycle) {
      const std::string_view unit = peak_unit(p);
      number_row(rows, fmt::format("cpu {} per cycle per core", dtype_name(p)), n,
                 std::string(unit.substr(0, unit.size() - 2)) + "/cycle");
    }
    if (cpu.memory_channels > 0) {
      rows.push_back({"cpu memory channels per socket", std::to_string(cpu.memory_channels),
                      cpu.memory_channels, "", cpu.memory_source});
    }
    if (cpu.memory_mts > 0) {
      rows.push_back({"cpu memory speed", fmt::format("{:g} MT/s", cpu.memory_mts), cpu.memory_mts,
                      "MT/s", cpu.memory_source});
    }
  }
  // Long text goes in the last column, so the value column stays narrow.
  if (!chip.notes.empty()) text_row(rows, "notes", "", chip.notes);
  return rows;
}

void describe_host(std::vector<ShowRow>& rows, const HostInfo& info) {
  text_row(rows, "host cpu model", info.cpu_model);
  number_row(rows, "host sockets", info.sockets, "");
  number_row(rows, "host physical cores", info.physical_cores, "");
  number_row(rows, "host logical cpus", info.logical_cpus, "");
  text_row(rows, "host isa", fmt::format("{} extensions", info.isa.size()),
           fmt::format("{} (cpuid)", info.isa.empty() ? "none detected" : join(info.isa, " ")));
  rows.push_back({"host clock (used for the peaks)", format_si(info.clock_hz, "Hz", 4),
                  info.clock_hz, "Hz", info.clock_note});
  for (const CoreClock& c : info.measured_clocks) {
    rows.push_back({fmt::format("host clock, {} core{} busy", c.threads, c.threads == 1 ? "" : "s"),
                    format_si(c.hz, "Hz", 4), c.hz, "Hz", c.origin});
  }
  rows.push_back({"host clock reported by the OS", format_si(info.fallback_clock_hz, "Hz", 4),
                  info.fallback_clock_hz, "Hz",
                  fmt::format("{}{}", info.fallback_clock_note,
                              info.clock_measured ? " (not used: a measured clock is known)"
                                                  : " (used: no clock measured)")});
  if (!info.amx_note.empty())
    text_row(rows, "host AMX", info.amx_usable ? "usable" : "not usable", info.amx_note);
  const std::string sysfs = "/sys/devices/system/cpu/cpu*/cache";
  for (auto [name, bytes] : {std::pair{"host L1d (all cores)", info.l1d_bytes},
                             std::pair{"host L2 (all cores)", info.l2_bytes},
                             std::pair{"host L3 (all cores)", info.l3_bytes}}) {
    if (bytes > 0) rows.push_back({name, format_capacity(bytes), bytes, "B", sysfs});
  }
  rows.push_back({"host memory", format_capacity(info.memory_bytes), info.memory_bytes, "B",
                  "/proc/meminfo MemTotal"});
  text_row(rows, "host virtualized", info.virtualized ? "yes" : "no", "cpuid hypervisor bit");
}

void show_chip(const Context& ctx, const std::string& id, const std::string& format_name,
               bool measure_clock) {
  const OutputFormat format = parse_output_format(format_name);
  const Catalog catalog = load_catalog(ctx.catalog_files);
  const Chip& chip = catalog.get(id);
  std::vector<ShowRow> rows;
  if (chip.origin == "host") {
    // The detected host, with its sustained clock measured now (1 core and
    // all cores, about 1.5 s) unless asked not to; saved for later commands.
    HostInfo info = detect_host_info();
    if (measure_clock && clock_kernel_available()) {
      fmt::print(stderr, "dnnroof chips: measuring the sustained core clock (1 and {} cores)\n",
                 info.physical_cores);
      set_measured_clocks(info, measure_core_clocks({1, std::max(1, info.physical_cores)}));
      save_measured_clocks(info, host_clock_cache_path());
    }
    rows = describe(host_chip(info));
    describe_host(rows, info);
  } else {
    rows = describe(chip);
  }

  if (format == OutputFormat::table) {
    Table table({"figure", "value", "source / derivation"});
    for (const auto& r : rows) table.add_row({r.field, r.text, r.provenance});
    fmt::print("{}", table.render(format));
    return;
  }
  Table table({"figure", "value", "unit", "text", "source"},
              {"figure", "value", "unit", "text", "source"});
  for (const auto& r : rows) {
    Cell value = r.number ? Cell(*r.number, r.text) : Cell(r.text);
    table.add_row({r.field, std::move(value), r.unit, r.text, r.provenance});
  }
  fmt::print("{}", table.render(format));
}

void register_chips(CLI::App& app, Context& ctx) {
  auto* sub = app.add_subcommand(
      "chips", "List the chip catalog: peak, main-memory bandwidth and ridge point per chip");
  sub->footer(
      "Examples:\n"
      "  dnnroof chips\n"
      "  dnnroof chips --kind gpu --precision fp16\n"
      "  dnnroof chips --format csv > chips.csv\n"
      "  dnnroof chips show a100-sxm4-80gb\n"
      "  dnnroof --catalog my_chips.toml chips show my-chip --format json\n");
  auto opt = std::make_shared<ListOptions>();
  sub->add_option("--kind", opt->kind, "Only chips of this kind")
      ->check(CLI::IsMember({"cpu", "gpu", "asic", "soc"}));
  auto* precision =
      sub->add_option("--precision", opt->precision,
                      "Precision of the peak column (fp64 fp32 tf32 fp16 bf16 fp8 int8); given "
                      "explicitly, chips without it are left out")
          ->default_val("fp32");
  add_format_option(*sub, opt->format);

  auto* show = sub->add_subcommand(
      "show", "Every figure of one chip with its source or derivation ('host': this machine)");
  show->footer(
      "Example:\n  dnnroof chips show a100-sxm4-80gb\n  dnnroof chips show host --format json\n");
  auto id = std::make_shared<std::string>();
  auto show_format = std::make_shared<std::string>("table");
  show->add_option("id", *id, "Chip id (see `dnnroof chips`), or 'host'")->required();
  add_format_option(*show, *show_format);
  auto no_clock = std::make_shared<bool>(false);
  show->add_flag("--no-measure-clock", *no_clock,
                 "For 'host': do not measure the core clock now (use the one saved by the last "
                 "probe in this boot, else the clock the OS reports)");
  show->callback(
      [&ctx, id, show_format, no_clock] { show_chip(ctx, *id, *show_format, !*no_clock); });

  sub->callback([&ctx, opt, precision, show] {
    if (show->parsed()) return;
    list_chips(ctx, *opt, precision->count() > 0);
  });
}

DNNROOF_COMMAND(100, register_chips);

}  // namespace
}  // namespace dnnroof::cli

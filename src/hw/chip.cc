#include "hw/chip.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"

namespace dnnroof {
namespace {

constexpr std::array<std::string_view, 4> kKindNames{"cpu", "gpu", "asic", "soc"};

// "3.0 GHz", "2.25 GHz": at least one decimal, as datasheets write clocks.
std::string format_clock(double hz) {
  std::string text = fmt::format("{:.3f}", hz / 1e9);
  while (text.back() == '0' && text[text.size() - 2] != '.') text.pop_back();
  return text + " GHz";
}

// "1 socket", "2 sockets".
std::string count_of(double n, std::string_view one, std::string_view many) {
  return fmt::format("{:g} {}", n, n == 1 ? one : many);
}

// The unit a peak is quoted in: OP/s for the integer precisions.
std::string_view peak_unit(DType p) { return is_floating(p) ? "FLOP/s" : "OP/s"; }

const MemoryLevel& level_or_throw(const Chip& chip, std::string_view level) {
  if (level.empty()) return chip.main_memory();
  if (const MemoryLevel* m = chip.find_level(level)) return *m;
  std::vector<std::string> names;
  for (const auto& m : chip.memory) names.push_back(m.name);
  fail("chip '{}' has no memory level '{}' (it has: {})", chip.id, level,
       names.empty() ? "none" : join(names, ", "));
}

double bandwidth_or_throw(const Chip& chip, const MemoryLevel& m) {
  if (m.bandwidth.value <= 0) {
    fail("chip '{}': the bandwidth of memory level '{}' is unknown{}", chip.id, m.name,
         chip.kind == ChipKind::cpu
             ? " (measure it with `dnnroof probe` or give it in a --catalog file)"
             : " (give it in a --catalog file)");
  }
  return m.bandwidth.value;
}

double peak_or_throw(const Chip& chip, DType precision) {
  if (auto p = chip.peak_flops(precision)) return *p;
  std::vector<std::string> have;
  for (const auto& [t, f] : chip.peak) have.emplace_back(dtype_name(t));
  fail("chip '{}' has no {} peak (it has: {})", chip.id, dtype_name(precision),
       have.empty() ? "none" : join(have, ", "));
}

}  // namespace

std::string_view chip_kind_name(ChipKind k) { return kKindNames.at(static_cast<std::size_t>(k)); }

std::optional<ChipKind> parse_chip_kind(std::string_view name) {
  const std::string n = to_lower(trim(name));
  for (std::size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == n) return static_cast<ChipKind>(i);
  }
  return std::nullopt;
}

const MemoryLevel* Chip::find_main_memory() const {
  for (const auto& m : memory) {
    if (m.is_main) return &m;
  }
  return nullptr;
}

const MemoryLevel& Chip::main_memory() const {
  if (const MemoryLevel* m = find_main_memory()) return *m;
  fail("chip '{}' has no main-memory level", id);
}

const MemoryLevel* Chip::find_level(std::string_view level_name) const {
  const std::string wanted = to_lower(level_name);
  for (const auto& m : memory) {
    if (to_lower(m.name) == wanted) return &m;
  }
  return nullptr;
}

std::optional<double> Chip::peak_flops(DType p) const {
  auto it = peak.find(p);
  if (it == peak.end() || it->second.value <= 0) return std::nullopt;
  return it->second.value;
}

int chip_threads(const Chip& chip) {
  if (chip.kind != ChipKind::cpu || !chip.cpu) return 0;
  return std::max(1, chip.cpu->sockets) * std::max(0, chip.cpu->cores_per_socket);
}

std::optional<Chip> chip_for_threads(const Chip& chip, int threads) {
  if (chip.thread_ceilings.empty()) {
    if (threads > 0 && threads == chip_threads(chip)) return chip;
    return std::nullopt;
  }
  for (const ThreadCeilings& t : chip.thread_ceilings) {
    if (t.threads != threads) continue;
    Chip out = chip;
    out.peak = t.peak;
    out.practical = t.practical;
    for (MemoryLevel& level : out.memory) {
      const auto it = t.bandwidth.find(level.name);
      level.bandwidth = it != t.bandwidth.end() ? it->second : Figure{};
    }
    out.thread_ceilings.clear();
    out.thread_ceilings.push_back(t);
    return out;
  }
  return std::nullopt;
}

double ridge_point(double peak_flops, double bandwidth) {
  if (!(peak_flops > 0) || !(bandwidth > 0)) return std::nan("");
  return peak_flops / bandwidth;
}

double attainable_flops(double peak_flops, double bandwidth, double intensity) {
  if (!std::isfinite(intensity) || intensity < 0) {
    fail("operational intensity {} FLOP/B is not a finite number >= 0", intensity);
  }
  return std::min(peak_flops, bandwidth * intensity);
}

double attainable_flops(const Chip& chip, DType precision, double intensity,
                        std::string_view level) {
  const double peak = peak_or_throw(chip, precision);
  const double bandwidth = bandwidth_or_throw(chip, level_or_throw(chip, level));
  return attainable_flops(peak, bandwidth, intensity);
}

double ridge_point(const Chip& chip, DType precision, std::string_view level) {
  const double peak = peak_or_throw(chip, precision);
  const double bandwidth = bandwidth_or_throw(chip, level_or_throw(chip, level));
  return ridge_point(peak, bandwidth);
}

void derive_cpu_figures(Chip& chip) {
  if (!chip.cpu) fail("chip '{}' has no CPU micro-architecture to derive figures from", chip.id);
  const CpuMicroarch& cpu = *chip.cpu;
  const bool have_clock = cpu.sockets > 0 && cpu.cores_per_socket > 0 && cpu.allcore_clock_hz > 0;
  for (const auto& [precision, per_cycle] : cpu.flops_per_cycle) {
    if (chip.peak.contains(precision) || !have_clock || per_cycle <= 0) continue;
    const double value = cpu.sockets * cpu.cores_per_socket * cpu.allcore_clock_hz * per_cycle;
    const std::string_view unit = peak_unit(precision);
    Figure f;
    f.value = value;
    f.source = cpu.clock_source;
    f.derivation = fmt::format(
        "{} x {} x {} x {:g} {}/cycle = {}", count_of(cpu.sockets, "socket", "sockets"),
        count_of(cpu.cores_per_socket, "core", "cores"), format_clock(cpu.allcore_clock_hz),
        per_cycle, unit.substr(0, unit.size() - 2), format_si(value, unit, 4));
    chip.peak[precision] = std::move(f);
  }
  for (auto& m : chip.memory) {
    if (!m.is_main || m.bandwidth.value > 0) continue;
    if (cpu.sockets <= 0 || cpu.memory_channels <= 0 || cpu.memory_mts <= 0) continue;
    const double value = cpu.sockets * cpu.memory_channels * cpu.memory_mts * 1e6 * 8.0;
    m.bandwidth.value = value;
    m.bandwidth.source = cpu.memory_source;
    m.bandwidth.derivation =
        fmt::format("{} x {} x {:g} MT/s x 8 B = {}", count_of(cpu.sockets, "socket", "sockets"),
                    count_of(cpu.memory_channels, "channel", "channels"), cpu.memory_mts,
                    format_si(value, "B/s", 4));
  }
}

}  // namespace dnnroof

#include "measure/memory.h"

#include <sys/resource.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace dnnroof {

std::optional<double> parse_vm_hwm_bytes(std::string_view proc_status) {
  constexpr std::string_view key = "VmHWM:";
  std::size_t pos = 0;
  while (pos < proc_status.size()) {
    std::size_t end = proc_status.find('\n', pos);
    if (end == std::string_view::npos) end = proc_status.size();
    std::string_view line = proc_status.substr(pos, end - pos);
    pos = end + 1;
    if (!line.starts_with(key)) continue;
    line.remove_prefix(key.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    unsigned long long kib = 0;
    const auto [rest, ec] = std::from_chars(line.data(), line.data() + line.size(), kib);
    if (ec != std::errc{}) return std::nullopt;
    std::string_view unit(rest, static_cast<std::size_t>(line.data() + line.size() - rest));
    while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    if (!unit.starts_with("kB")) return std::nullopt;  // the kernel always writes kB (= KiB)
    return static_cast<double>(kib) * 1024.0;
  }
  return std::nullopt;
}

bool reset_peak_memory() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5" << std::flush;
  return static_cast<bool>(out);
}

bool release_free_memory() {
#if defined(__GLIBC__)
  return malloc_trim(0) == 1;
#else
  return false;
#endif
}

PeakMemory peak_memory() {
  PeakMemory p;
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    p.max_rss_bytes = static_cast<double>(usage.ru_maxrss) * 1024.0;
  }
  std::ifstream in("/proc/self/status");
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    p.vm_hwm_bytes = parse_vm_hwm_bytes(text.str()).value_or(0);
  }
  return p;
}

}  // namespace dnnroof

// The measured core clocks saved beside the host-measured catalog
// (host-clock.txt), trusted only in the boot they were measured in.
#include "hw/detail/host_clock_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "core/strings.h"
#include "core/text_file.h"
#include "hw/catalog.h"
#include "hw/host.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

// /proc/sys/kernel/random/boot_id: saved clocks are only trusted in the
// boot they were measured in (a VM may move to another host across boots).
std::string boot_id() { return read_first_line("/proc/sys/kernel/random/boot_id"); }

}  // namespace

std::vector<CoreClock> load_saved_clocks(const HostInfo& info) {
  std::vector<CoreClock> out;
  const std::string path = host_clock_cache_path();
  if (path.empty()) return out;
  std::ifstream in(path);
  if (!in) return out;
  std::string cpu;
  std::string boot;
  std::string when;
  int logical = 0;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const std::string key = trim(std::string_view(line).substr(0, eq));
    const std::string value = trim(std::string_view(line).substr(eq + 1));
    if (key == "cpu") {
      cpu = value;
    } else if (key == "logical_cpus") {
      logical = std::atoi(value.c_str());
    } else if (key == "boot_id") {
      boot = value;
    } else if (key == "measured_at") {
      when = value;
    } else if (key.rfind("clock ", 0) == 0) {
      // clock N = HZ | origin
      CoreClock c;
      c.threads = std::atoi(key.c_str() + 6);
      const auto bar = value.find('|');
      c.hz = std::atof(value.substr(0, bar).c_str());
      if (bar != std::string::npos) c.origin = trim(std::string_view(value).substr(bar + 1));
      if (c.threads > 0 && c.hz > 0) out.push_back(std::move(c));
    }
  }
  if (cpu != info.cpu_model || logical != info.logical_cpus || boot.empty() || boot != boot_id()) {
    return {};
  }
  for (CoreClock& c : out) {
    c.origin = fmt::format("{} (saved by dnnroof at {} in this boot: {})", c.origin,
                           when.empty() ? "an unknown time" : when, path);
  }
  return out;
}

std::string host_clock_cache_path() {
  const std::string measured = host_measured_catalog_path();
  if (measured.empty()) return {};
  return (fs::path(measured).parent_path() / "host-clock.txt").string();
}

bool save_measured_clocks(const HostInfo& info, const std::string& path) {
  if (path.empty() || info.measured_clocks.empty()) return false;
  std::error_code ec;
  const fs::path p(path);
  if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    const std::time_t now = std::time(nullptr);
    char when[32] = {};
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
    out << "# Written by dnnroof: this machine's sustained core clock, measured (see "
           "docs/probe.md).\n"
        << "cpu = " << info.cpu_model << "\nlogical_cpus = " << info.logical_cpus
        << "\nboot_id = " << boot_id() << "\nmeasured_at = " << when << "\n";
    for (const CoreClock& c : info.measured_clocks) {
      std::string origin = c.origin;
      std::replace(origin.begin(), origin.end(), '\n', ' ');
      out << fmt::format("clock {} = {:.6e} | {}\n", c.threads, c.hz, origin);
    }
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

}  // namespace dnnroof

#include "counters/counters.h"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/strings.h"

#if defined(__linux__)
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace dnnroof {

double fp_arith_double_flops(const FpArithCounts& c) {
  return c.scalar_double + 2 * c.packed128_double + 4 * c.packed256_double + 8 * c.packed512_double;
}
double fp_arith_single_flops(const FpArithCounts& c) {
  return c.scalar_single + 4 * c.packed128_single + 8 * c.packed256_single +
         16 * c.packed512_single;
}
double fp_arith_flops(const FpArithCounts& c) {
  return fp_arith_double_flops(c) + fp_arith_single_flops(c);
}

CpuId parse_cpuinfo(const std::string& text) {
  CpuId id;
  bool have_vendor = false;
  bool have_family = false;
  bool have_model = false;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = trim(line.substr(0, colon));
    const std::string value = trim(line.substr(colon + 1));
    try {
      if (key == "vendor_id" && !have_vendor) {
        id.vendor = value == "GenuineIntel"   ? CpuVendor::intel
                    : value == "AuthenticAMD" ? CpuVendor::amd
                                              : CpuVendor::other;
        have_vendor = true;
      } else if (key == "cpu family" && !have_family) {
        id.family = std::stoi(value);
        have_family = true;
      } else if (key == "model" && !have_model) {
        id.model = std::stoi(value);
        have_model = true;
      }
    } catch (const std::exception&) {
      // A field that is not a number leaves the default.
    }
    if (have_vendor && have_family && have_model) break;
  }
  return id;
}

CpuId detect_cpu_id() {
  std::ifstream in("/proc/cpuinfo");
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_cpuinfo(ss.str());
}

namespace {

constexpr std::uint32_t kTypeHardware = 0;   // PERF_TYPE_HARDWARE
constexpr std::uint64_t kHwCacheMisses = 3;  // PERF_COUNT_HW_CACHE_MISSES

// Intel models with FP_ARITH_INST_RETIRED missing: before Broadwell
// (family 6) and the Atom-only cores. Broadwell is 0x3D/0x47/0x4F/0x56.
bool intel_has_fp_arith(int family, int model) {
  if (family != 6) return false;
  switch (model) {
    case 0x1A:
    case 0x1E:
    case 0x1F:
    case 0x2E:  // Nehalem
    case 0x25:
    case 0x2C:
    case 0x2F:  // Westmere
    case 0x2A:
    case 0x2D:  // Sandy Bridge
    case 0x3A:
    case 0x3E:  // Ivy Bridge
    case 0x3C:
    case 0x3F:
    case 0x45:
    case 0x46:  // Haswell
    case 0x1C:
    case 0x26:
    case 0x27:
    case 0x35:
    case 0x36:  // Bonnell/Saltwell Atom
    case 0x37:
    case 0x4A:
    case 0x4C:
    case 0x4D:
    case 0x5A:
    case 0x5D:  // Silvermont/Airmont
    case 0x5C:
    case 0x5F:
    case 0x7A:  // Goldmont (Plus)
      return false;
    default:
      return true;
  }
}

}  // namespace

EventPlan event_plan(const CpuId& cpu, std::uint32_t raw_type) {
  EventPlan p;
  p.llc_misses = {"LLC misses (PERF_COUNT_HW_CACHE_MISSES)", kTypeHardware, kHwCacheMisses};
  if (cpu.vendor == CpuVendor::intel) {
    if (!intel_has_fp_arith(cpu.family, cpu.model)) {
      p.fp_unsupported = fmt::format(
          "Intel family {} model {:#x} has no FP_ARITH_INST_RETIRED event (Broadwell and later "
          "have it)",
          cpu.family, cpu.model);
      return p;
    }
    static constexpr const char* names[8] = {
        "SCALAR_DOUBLE",      "SCALAR_SINGLE",      "128B_PACKED_DOUBLE", "128B_PACKED_SINGLE",
        "256B_PACKED_DOUBLE", "256B_PACKED_SINGLE", "512B_PACKED_DOUBLE", "512B_PACKED_SINGLE"};
    for (int i = 0; i < 8; ++i) {
      const std::uint64_t umask = std::uint64_t{1} << i;
      p.fp.push_back(
          {fmt::format("FP_ARITH_INST_RETIRED.{}", names[i]), raw_type, 0xC7 | (umask << 8)});
    }
  } else if (cpu.vendor == CpuVendor::amd && cpu.family >= 0x17) {
    // Zen: PMCx003 Retired SSE/AVX FLOPs, all types (umask 0xFF).
    p.fp.push_back({"FP_RET_SSE_AVX_OPS.ALL", raw_type, 0x03 | (0xFFull << 8)});
    p.fp_counts_flops = true;
  } else {
    p.fp_unsupported =
        "no floating-point event is known for this CPU (Intel Broadwell+ and AMD "
        "Zen are supported)";
  }
  return p;
}

std::string describe_open_error(const std::string& event, int err) {
  std::string advice;
  switch (err) {
    case ENOENT:
    case EOPNOTSUPP:
    case ENODEV:
      advice = "this kernel exposes no such hardware counter (common in VMs and containers)";
      break;
    case EACCES:
    case EPERM: {
      std::string paranoid;
      std::ifstream in("/proc/sys/kernel/perf_event_paranoid");
      if (in) std::getline(in, paranoid);
      advice = fmt::format(
          "not permitted (kernel.perf_event_paranoid = {}; 2 or lower allows counting your own "
          "processes, or run with CAP_PERFMON)",
          paranoid.empty() ? "?" : trim(paranoid));
      break;
    }
    case ENOSYS:
      advice = "perf_event_open is not available in this kernel or sandbox";
      break;
    case EINVAL:
      advice = "the event is not valid on this CPU";
      break;
    default:
      advice = "the counter could not be opened";
      break;
  }
  const char* name = "";
  switch (err) {
    case ENOENT:
      name = "ENOENT";
      break;
    case EOPNOTSUPP:
      name = "EOPNOTSUPP";
      break;
    case ENODEV:
      name = "ENODEV";
      break;
    case EACCES:
      name = "EACCES";
      break;
    case EPERM:
      name = "EPERM";
      break;
    case ENOSYS:
      name = "ENOSYS";
      break;
    case EINVAL:
      name = "EINVAL";
      break;
    default:
      break;
  }
  return fmt::format("perf_event_open({}): {}{}: {}", event, std::strerror(err),
                     *name ? fmt::format(" ({})", name) : std::string(), advice);
}

#if defined(__linux__)
namespace {

class LinuxPerfBackend final : public PerfBackend {
 public:
  int open(const PerfEventSpec& spec) override {
    perf_event_attr attr;
    std::memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = spec.type;
    attr.config = spec.config;
    attr.disabled = 1;
    attr.inherit = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
    const long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL);
    if (fd < 0) return -errno;
    return static_cast<int>(fd);
  }
  void reset_enable(int fd) override {
    ioctl(fd, PERF_EVENT_IOC_RESET, 0);
    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
  }
  void disable(int fd) override { ioctl(fd, PERF_EVENT_IOC_DISABLE, 0); }
  std::optional<Value> read(int fd) override {
    std::uint64_t buf[3] = {0, 0, 0};  // value, time_enabled, time_running
    if (::read(fd, buf, sizeof buf) != static_cast<ssize_t>(sizeof buf)) return std::nullopt;
    if (buf[2] == 0) return buf[1] == 0 ? std::optional<Value>(Value{0, false}) : std::nullopt;
    Value v;
    v.count = static_cast<double>(buf[0]);
    if (buf[2] < buf[1]) {
      v.count *= static_cast<double>(buf[1]) / static_cast<double>(buf[2]);
      v.multiplexed = true;
    }
    return v;
  }
  void close(int fd) override { ::close(fd); }
};

// The PMU type for raw core events: "cpu", or "cpu_core" on hybrid Intel.
std::uint32_t raw_pmu_type() {
  for (const char* pmu : {"cpu", "cpu_core"}) {
    std::ifstream in(fmt::format("/sys/bus/event_source/devices/{}/type", pmu));
    std::uint32_t t = 0;
    if (in >> t) return t;
  }
  return PERF_TYPE_RAW;
}

}  // namespace

std::unique_ptr<PerfBackend> linux_perf_backend() { return std::make_unique<LinuxPerfBackend>(); }
#else
namespace {
class NoPerfBackend final : public PerfBackend {
 public:
  int open(const PerfEventSpec&) override { return -ENOSYS; }
  void reset_enable(int) override {}
  void disable(int) override {}
  std::optional<Value> read(int) override { return std::nullopt; }
  void close(int) override {}
};
std::uint32_t raw_pmu_type() { return 4; }
}  // namespace
std::unique_ptr<PerfBackend> linux_perf_backend() { return std::make_unique<NoPerfBackend>(); }
#endif

CounterSession::CounterSession(std::unique_ptr<PerfBackend> backend, std::optional<CpuId> cpu)
    : backend_(backend ? std::move(backend) : linux_perf_backend()) {
  const bool real = !cpu.has_value();
  plan_ = event_plan(cpu.value_or(detect_cpu_id()), real ? raw_pmu_type() : 4);
  std::vector<std::string> problems;
  if (plan_.fp.empty()) problems.push_back("FLOPs: " + plan_.fp_unsupported);
  for (const PerfEventSpec& e : plan_.fp) {
    const int fd = backend_->open(e);
    if (fd < 0) {
      problems.push_back("FLOPs: " + describe_open_error(e.name, -fd));
      for (int f : fp_fds_) backend_->close(f);
      fp_fds_.clear();
      break;
    }
    fp_fds_.push_back(fd);
  }
  llc_fd_ = backend_->open(plan_.llc_misses);
  if (llc_fd_ < 0) {
    problems.push_back("bytes: " + describe_open_error(plan_.llc_misses.name, -llc_fd_));
    llc_fd_ = -1;
  }
  available_ = !fp_fds_.empty() || llc_fd_ >= 0;
  reason_ = join(problems, "; ");
}

CounterSession::~CounterSession() {
  for (int fd : fp_fds_) backend_->close(fd);
  if (llc_fd_ >= 0) backend_->close(llc_fd_);
}

void CounterSession::start() {
  for (int fd : fp_fds_) backend_->reset_enable(fd);
  if (llc_fd_ >= 0) backend_->reset_enable(llc_fd_);
}

CounterReading CounterSession::stop() {
  CounterReading r;
  r.available = available_;
  r.reason = reason_;
  for (int fd : fp_fds_) backend_->disable(fd);
  if (llc_fd_ >= 0) backend_->disable(llc_fd_);
  if (!fp_fds_.empty()) {
    std::vector<double> counts;
    bool ok = true;
    for (int fd : fp_fds_) {
      const auto v = backend_->read(fd);
      if (!v) {
        ok = false;
        break;
      }
      r.multiplexed = r.multiplexed || v->multiplexed;
      counts.push_back(v->count);
    }
    if (!ok) {
      r.reason += std::string(r.reason.empty() ? "" : "; ") + "FLOPs: a counter could not be read";
    } else if (plan_.fp_counts_flops) {
      r.flops = counts.at(0);
    } else {
      FpArithCounts c;
      double* fields[8] = {&c.scalar_double,    &c.scalar_single,    &c.packed128_double,
                           &c.packed128_single, &c.packed256_double, &c.packed256_single,
                           &c.packed512_double, &c.packed512_single};
      for (std::size_t i = 0; i < 8 && i < counts.size(); ++i) *fields[i] = counts[i];
      r.fp_counts = c;
      r.flops = fp_arith_flops(c);
      r.fp64_flops = fp_arith_double_flops(c);
      r.fp32_flops = fp_arith_single_flops(c);
    }
  }
  if (llc_fd_ >= 0) {
    if (const auto v = backend_->read(llc_fd_)) {
      r.multiplexed = r.multiplexed || v->multiplexed;
      r.llc_misses = v->count;
      r.bytes_estimate = v->count * kCacheLineBytes;
    } else {
      r.reason +=
          std::string(r.reason.empty() ? "" : "; ") + "bytes: the counter could not be read";
    }
  }
  return r;
}

namespace {
std::atomic<bool> g_notice_said{false};
}

std::optional<std::string> counters_notice(const CounterReading& r) {
  if (r.reason.empty()) return std::nullopt;
  if (g_notice_said.exchange(true)) return std::nullopt;
  if (!r.available) {
    return fmt::format("hardware counters unavailable, measuring without them: {}", r.reason);
  }
  return fmt::format("some hardware counters unavailable: {}", r.reason);
}

void reset_counters_notice_for_testing() { g_notice_said = false; }

}  // namespace dnnroof

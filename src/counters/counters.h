#pragma once
// CPU hardware counters through perf_event_open (Linux; no library needed):
// floating-point operations retired and an estimate of memory traffic, for
// `bench --counters` (docs/counters.md).
//
// FLOPs: Intel's FP_ARITH_INST_RETIRED (event 0xC7, Broadwell and later), one
// counter per umask: scalar double/single, 128-, 256- and 512-bit packed
// double/single; FLOPs = sum(count x lanes), where FMA instructions already
// count twice in these events. AMD Zen: event 0x03 (retired SSE/AVX FLOPs),
// which counts FLOPs directly.
// Bytes: an estimate, last-level-cache misses x 64 B (the generic
// PERF_COUNT_HW_CACHE_MISSES event): demand and prefetch reads that reach
// memory; write-backs are not in it. The memory controllers' CAS counters
// (uncore IMC) would be exact but need system-wide access most users lack.
//
// Where the kernel exposes no counters (containers, most VMs) the session
// is "unavailable" with the reason (errno and what to do), and the caller
// says so once (counters_notice) and goes on.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dnnroof {

// Raw counts of FP_ARITH_INST_RETIRED, by umask.
struct FpArithCounts {
  double scalar_double = 0;     // umask 0x01, 1 FLOP each
  double scalar_single = 0;     // umask 0x02, 1
  double packed128_double = 0;  // umask 0x04, 2
  double packed128_single = 0;  // umask 0x08, 4
  double packed256_double = 0;  // umask 0x10, 4
  double packed256_single = 0;  // umask 0x20, 8
  double packed512_double = 0;  // umask 0x40, 8
  double packed512_single = 0;  // umask 0x80, 16
};
double fp_arith_flops(const FpArithCounts& c);         // all FLOPs
double fp_arith_double_flops(const FpArithCounts& c);  // FP64 part
double fp_arith_single_flops(const FpArithCounts& c);  // FP32 part

inline constexpr double kCacheLineBytes = 64;

// What the CPU is, for choosing events.
enum class CpuVendor { intel, amd, other };
struct CpuId {
  CpuVendor vendor = CpuVendor::other;
  int family = 0;
  int model = 0;
};
CpuId detect_cpu_id();  // from /proc/cpuinfo
// Parses the text of /proc/cpuinfo (first processor).
CpuId parse_cpuinfo(const std::string& text);

// One event to open: perf_event_attr's type and config.
struct PerfEventSpec {
  std::string name;  // "FP_ARITH_INST_RETIRED.SCALAR_DOUBLE"
  std::uint32_t type = 0;
  std::uint64_t config = 0;
};

// The events for `cpu`: the FP events (may be empty: no known FP event) and
// the LLC-miss event. `raw_type` is the PMU type for raw events (4 =
// PERF_TYPE_RAW; hybrid Intel uses the cpu_core PMU's type).
struct EventPlan {
  std::vector<PerfEventSpec> fp;  // Intel: 8 umasks in FpArithCounts order; AMD: 1 (FLOPs)
  bool fp_counts_flops = false;   // AMD: the one event counts FLOPs directly
  PerfEventSpec llc_misses;
  std::string fp_unsupported;  // why fp is empty
};
EventPlan event_plan(const CpuId& cpu, std::uint32_t raw_type = 4);

// The system calls, replaceable in tests.
class PerfBackend {
 public:
  virtual ~PerfBackend() = default;
  // Opens a counter for this thread (and threads it creates later), user
  // space only, disabled. Returns the fd, or -errno.
  virtual int open(const PerfEventSpec& spec) = 0;
  virtual void reset_enable(int fd) = 0;
  virtual void disable(int fd) = 0;
  // The count scaled for multiplexing (value x enabled / running) and
  // whether it was multiplexed; nullopt when the read fails or it never ran.
  struct Value {
    double count = 0;
    bool multiplexed = false;
  };
  virtual std::optional<Value> read(int fd) = 0;
  virtual void close(int fd) = 0;
};
std::unique_ptr<PerfBackend> linux_perf_backend();

struct CounterReading {
  bool available = false;                  // false: nothing counted; `reason` says why
  std::string reason;                      // "" when everything opened
  std::optional<FpArithCounts> fp_counts;  // Intel
  std::optional<double> flops;             // [FLOP]
  std::optional<double> fp64_flops;        // Intel only
  std::optional<double> fp32_flops;        // Intel only
  std::optional<double> llc_misses;
  std::optional<double> bytes_estimate;  // [B] llc_misses x 64
  bool multiplexed = false;  // some counter shared hardware: counts are scaled estimates
};

class CounterSession {
 public:
  // Opens the counters (disabled). Never throws for missing counters: the
  // session is then unavailable with the reason.
  explicit CounterSession(std::unique_ptr<PerfBackend> backend = nullptr,
                          std::optional<CpuId> cpu = std::nullopt);
  ~CounterSession();
  CounterSession(const CounterSession&) = delete;
  CounterSession& operator=(const CounterSession&) = delete;

  bool available() const { return available_; }
  // Why some or all counters are missing ("" when all opened).
  const std::string& reason() const { return reason_; }

  void start();           // reset and enable every open counter
  CounterReading stop();  // disable and read

 private:
  std::unique_ptr<PerfBackend> backend_;
  EventPlan plan_;
  std::vector<int> fp_fds_;
  int llc_fd_ = -1;
  bool available_ = false;
  std::string reason_;
};

// The line to print once per process when counters are unavailable:
// returns it the first time it is called with an unavailable reading (or a
// reading with a partial reason), nullopt afterwards and when all is well.
std::optional<std::string> counters_notice(const CounterReading& r);
void reset_counters_notice_for_testing();

// "perf_event_open(NAME): <strerror> (ENOENT): <advice>".
std::string describe_open_error(const std::string& event, int err);

}  // namespace dnnroof

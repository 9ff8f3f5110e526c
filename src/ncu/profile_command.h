#pragma once
// The Nsight Compute command line that collects what import-ncu reads, for
// `dnnroof profile-cmd` (docs/ncu.md). Pure string building: nothing runs.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

struct ProfileCommandOptions {
  std::string model;  // zoo name or .onnx path
  std::int64_t batch = 1;
  std::string mode = "infer";  // "infer" or "train"
  std::string dtype = "fp32";
  std::string device = "cuda";   // passed to bench --device
  int arch = 80;                 // compute capability x10 (70 V100, 75 T4, 80 A100, 89 L4, 90 H100)
  std::string csv;               // ncu's log file; "" = <model>-b<batch>-<mode>.ncu.csv
  std::string device_chip;       // catalog id for the import command ("" = none)
  bool warm_cache = false;       // --cache-control none (default: ncu flushes caches per kernel)
  bool unlocked_clocks = false;  // --clock-control none (default: ncu locks to base clocks)
  std::string ncu = "ncu";
  std::string dnnroof = "dnnroof";
};

struct ProfileCommand {
  std::vector<std::string> metrics;  // in the order passed to --metrics
  std::vector<std::string> argv;     // the ncu command, one argument each
  std::string command;               // argv quoted for a POSIX shell
  std::string import_command;        // the follow-up `dnnroof import-ncu ...`
  std::string csv;                   // the CSV it writes
};

// The metrics for a GPU of compute capability `arch` (x10): time, DRAM/L2/L1
// bytes, FP64/FP32/FP16 add/mul/fma per thread, tensor-pipe instructions, and
// from sm_80 on the tensor-path op counters (fp8 from sm_89 on).
std::vector<std::string> profile_metrics(int arch);

// Throws Error for a bad mode, batch or arch.
ProfileCommand make_profile_command(const ProfileCommandOptions& options);

// Single-quotes `s` for a POSIX shell when it holds anything but
// [A-Za-z0-9_./,:=+-].
std::string shell_quote(std::string_view s);

}  // namespace dnnroof

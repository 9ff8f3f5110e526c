#pragma once
// Nsight Compute measurements beside dnnroof's own counts (docs/ncu.md).
//
// read_ncu_csv() reads the CSV that `ncu --csv` writes, in both layouts:
//   - details (the default page): one row per (kernel, metric), with the
//     columns "ID", "Kernel Name", "Metric Name", "Metric Unit", "Metric Value"
//     among others;
//   - raw (`--page raw`): one row per kernel, a header row of metric names and
//     a units row under it.
// `==PROF==`/`==WARNING==` lines, thousands separators ("1,024.5") and scaled
// units (nsecond/usecond/msecond, byte/Kbyte/Mbyte/Gbyte) are handled; every
// value is kept in base units (second, byte, count).
//
// kernel_work() turns one kernel's metrics into FLOPs per precision, tensor
// work, bytes at DRAM/L2/L1 and time; summarize() groups kernels by name
// pattern (conv, gemm, elementwise, ...) and totals them; measured_points()
// gives the hierarchical-roofline points; compare_with_cost() puts the totals
// beside the cost model's analytic FLOPs and bytes with the ratios and the
// reasons for the gaps.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

struct ModelCost;

enum class NcuLayout { details, raw };
std::string_view ncu_layout_name(NcuLayout l);  // "details", "raw"

// One metric value, in base units.
struct NcuValue {
  double value = 0;
  std::string unit;  // base unit after normalisation: "second", "byte", "inst", "" ...
  int line = 0;      // source line (1-based) it came from
};

// One profiled kernel launch (one result of ncu).
struct NcuKernel {
  std::string id;                           // ncu's "ID" column (its result number); "" when absent
  std::string name;                         // "Kernel Name" as printed (demangled or not)
  int line = 0;                             // first source line of this kernel
  std::map<std::string, NcuValue> metrics;  // numeric metrics by name
  std::map<std::string, std::string> strings;  // non-numeric values (e.g. device name)

  // The value of `metric` in base units, nullopt when absent or "n/a".
  std::optional<double> get(std::string_view metric) const;
};

struct NcuProfile {
  std::string source;  // file name (for messages)
  NcuLayout layout = NcuLayout::raw;
  std::vector<NcuKernel> kernels;  // in file order
  std::string device_name;         // device__attribute_display_name when collected
  std::vector<std::string> notes;  // what was skipped (==ERROR== lines, program output)
};

// Parses a CSV written by `ncu --csv` (either page). Throws Error naming the
// file, line and column or metric on anything malformed: a row with the wrong
// number of fields, an unterminated quote, a value that is not a number, a
// unit that does not fit the metric, no header row at all.
NcuProfile parse_ncu_csv(std::string_view text, const std::string& source = "<text>");
NcuProfile read_ncu_csv(const std::string& path);

// Converts "value unit" as ncu prints it to base units: nsecond -> second,
// Kbyte -> byte (x1000), Mbyte, Gbyte, Kibyte (x1024), counts with K/M/G.
// Returns {value, base unit}. Throws Error for a value that is not a number.
struct BaseQuantity {
  double value = 0;
  std::string unit;
};
BaseQuantity ncu_to_base(std::string_view value_text, std::string_view unit);
// A number as ncu prints it: "1,234,567.5" -> 1234567.5; nullopt for
// "", "n/a", "N/A". Throws Error for anything else that is not a number.
std::optional<double> parse_ncu_number(std::string_view text);

// The names dnnroof reads (docs/ncu.md lists them with the formulas).
namespace ncu_metric {
inline constexpr std::string_view kTime = "gpu__time_duration.sum";
inline constexpr std::string_view kDramRead = "dram__bytes_read.sum";
inline constexpr std::string_view kDramWrite = "dram__bytes_write.sum";
inline constexpr std::string_view kDram = "dram__bytes.sum";
inline constexpr std::string_view kL2 = "lts__t_bytes.sum";
inline constexpr std::string_view kL1 = "l1tex__t_bytes.sum";
inline constexpr std::string_view kTensorInst = "sm__inst_executed_pipe_tensor.sum";
inline constexpr std::string_view kTensorHmmaInst = "sm__inst_executed_pipe_tensor_op_hmma.sum";
inline constexpr std::string_view kDeviceName = "device__attribute_display_name";
}  // namespace ncu_metric

// "smsp__sass_thread_inst_executed_op_<p><op>_pred_on.sum" for p in d/f/h and
// op in add/mul/fma.
std::string sass_flop_metric(char precision, std::string_view op, bool smsp = true);
// The tensor-path op counters read as FLOPs, "sm__ops_path_tensor_src_*".
const std::vector<std::string>& tensor_ops_metrics();

// The work of one kernel. A field is nullopt when its metrics were not
// collected (so "0" always means measured zero).
struct KernelWork {
  std::optional<double> fp64_flops;    // 2*dfma + dmul + dadd
  std::optional<double> fp32_flops;    // 2*ffma + fmul + fadd
  std::optional<double> fp16_flops;    // 2*hfma + hmul + hadd
  std::optional<double> tensor_flops;  // sum of sm__ops_path_tensor_src_* (one op = one FLOP)
  std::optional<double> tensor_inst;   // tensor-pipe instructions (no FLOPs implied)
  std::optional<double> dram_bytes;    // read + write, or dram__bytes.sum
  std::optional<double> l2_bytes;      // lts__t_bytes.sum
  std::optional<double> l1_bytes;      // l1tex__t_bytes.sum
  std::optional<double> time_s;        // gpu__time_duration.sum

  // FP64 + FP32 + FP16 (+ tensor when known); nullopt when none was collected.
  std::optional<double> flops() const;
  KernelWork& operator+=(const KernelWork& o);  // sums; absent + x = x
};

struct KernelWorkOptions {
  // FLOPs per tensor-pipe instruction when no sm__ops_path_tensor_* counter
  // was collected (architecture and instruction shape dependent; 0 = unknown:
  // tensor instructions are reported without FLOPs).
  double tensor_flops_per_inst = 0;
};
KernelWork kernel_work(const NcuKernel& k, const KernelWorkOptions& options = {});

// The kernel's group by name pattern (case-insensitive, first match wins):
// conv, gemm, norm, pool, softmax, reduce, elementwise, copy, optimizer, other.
std::string kernel_group(std::string_view kernel_name);

struct KernelRow {
  std::string id;
  std::string name;
  std::string group;
  KernelWork work;
};
struct GroupRow {
  std::string group;
  int kernels = 0;
  KernelWork work;
};
struct NcuSummary {
  std::string source;
  std::string device_name;
  std::vector<KernelRow> kernels;  // file order
  std::vector<GroupRow> groups;    // by total time, largest first
  KernelWork total;
  bool tensor_flops_unknown = false;  // tensor instructions counted, their FLOPs not
  std::vector<std::string> missing;   // what was not collected ("L2 bytes", ...)
};
NcuSummary summarize(const NcuProfile& profile, const KernelWorkOptions& options = {});

// One point of the hierarchical roofline: the same FLOPs and time against
// the bytes of one memory level.
struct MeasuredPoint {
  std::string label;  // "total" or a group name
  std::string level;  // "DRAM", "L2", "L1"
  double flops = 0;
  double bytes = 0;
  double seconds = 0;
  double intensity = 0;    // [FLOP/B]
  double flops_per_s = 0;  // [FLOP/s]
};
// Points for every level with bytes, for `work`; none when it has no FLOPs
// (> 0) or no time.
std::vector<MeasuredPoint> measured_points(const std::string& label, const KernelWork& work);
// The total's points, then each group's.
std::vector<MeasuredPoint> measured_points(const NcuSummary& summary);

// Analytic vs measured.
struct ComparisonRow {
  std::string quantity;  // "FLOPs (all)", "FLOPs (conv+gemm kernels vs matmul-class)", ...
  double analytic = 0;
  std::optional<double> measured;
  std::optional<double> ratio;  // measured / analytic
};
struct NcuComparison {
  std::string model;
  std::int64_t batch = 0;
  bool training = false;
  std::vector<ComparisonRow> rows;
  std::vector<std::string> explanations;  // why measured and analytic differ, from the numbers
};
NcuComparison compare_with_cost(const NcuSummary& summary, const ModelCost& cost);

}  // namespace dnnroof

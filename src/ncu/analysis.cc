// Per-kernel work from ncu metrics, groups, totals, roofline points, and the
// comparison with the cost model.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>

#include "core/strings.h"
#include "cost/cost.h"
#include "ncu/ncu.h"

namespace dnnroof {

std::string sass_flop_metric(char precision, std::string_view op, bool smsp) {
  return fmt::format("{}__sass_thread_inst_executed_op_{}{}_pred_on.sum", smsp ? "smsp" : "sm",
                     precision, op);
}

const std::vector<std::string>& tensor_ops_metrics() {
  // The dense tensor-path op counters per source/destination type (A100,
  // H100). The _sparsity_on/_sparsity_off splits are parts of these and are
  // not added again.
  static const std::vector<std::string> names{
      "sm__ops_path_tensor_src_fp16_dst_fp16.sum", "sm__ops_path_tensor_src_fp16_dst_fp32.sum",
      "sm__ops_path_tensor_src_bf16_dst_fp32.sum", "sm__ops_path_tensor_src_tf32_dst_fp32.sum",
      "sm__ops_path_tensor_src_fp64.sum",          "sm__ops_path_tensor_src_fp8.sum",
  };
  return names;
}

namespace {

void add_opt(std::optional<double>& a, const std::optional<double>& b) {
  if (b) a = a.value_or(0) + *b;
}

// 2*fma + mul + add for one precision letter; nullopt when none of the three
// was collected under either the smsp__ or the sm__ prefix.
std::optional<double> precision_flops(const NcuKernel& k, char p) {
  std::optional<double> total;
  const std::array<std::pair<std::string_view, double>, 3> ops{
      {{"fma", 2.0}, {"mul", 1.0}, {"add", 1.0}}};
  for (const auto& [op, weight] : ops) {
    std::optional<double> v = k.get(sass_flop_metric(p, op, true));
    if (!v) v = k.get(sass_flop_metric(p, op, false));
    if (v) total = total.value_or(0) + weight * *v;
  }
  return total;
}

}  // namespace

std::optional<double> KernelWork::flops() const {
  std::optional<double> f;
  add_opt(f, fp64_flops);
  add_opt(f, fp32_flops);
  add_opt(f, fp16_flops);
  add_opt(f, tensor_flops);
  return f;
}

KernelWork& KernelWork::operator+=(const KernelWork& o) {
  add_opt(fp64_flops, o.fp64_flops);
  add_opt(fp32_flops, o.fp32_flops);
  add_opt(fp16_flops, o.fp16_flops);
  add_opt(tensor_flops, o.tensor_flops);
  add_opt(tensor_inst, o.tensor_inst);
  add_opt(dram_bytes, o.dram_bytes);
  add_opt(l2_bytes, o.l2_bytes);
  add_opt(l1_bytes, o.l1_bytes);
  add_opt(time_s, o.time_s);
  return *this;
}

KernelWork kernel_work(const NcuKernel& k, const KernelWorkOptions& options) {
  KernelWork w;
  w.fp64_flops = precision_flops(k, 'd');
  w.fp32_flops = precision_flops(k, 'f');
  w.fp16_flops = precision_flops(k, 'h');
  for (const std::string& m : tensor_ops_metrics()) add_opt(w.tensor_flops, k.get(m));
  w.tensor_inst = k.get(ncu_metric::kTensorInst);
  if (!w.tensor_inst) w.tensor_inst = k.get(ncu_metric::kTensorHmmaInst);
  if (!w.tensor_flops && w.tensor_inst && options.tensor_flops_per_inst > 0) {
    w.tensor_flops = *w.tensor_inst * options.tensor_flops_per_inst;
  }
  const auto read = k.get(ncu_metric::kDramRead);
  const auto write = k.get(ncu_metric::kDramWrite);
  if (read || write) {
    w.dram_bytes = read.value_or(0) + write.value_or(0);
  } else {
    w.dram_bytes = k.get(ncu_metric::kDram);
  }
  w.l2_bytes = k.get(ncu_metric::kL2);
  w.l1_bytes = k.get(ncu_metric::kL1);
  w.time_s = k.get(ncu_metric::kTime);
  return w;
}

std::string kernel_group(std::string_view kernel_name) {
  const std::string n = to_lower(kernel_name);
  const auto has = [&](std::initializer_list<std::string_view> parts) {
    return std::any_of(parts.begin(), parts.end(),
                       [&](std::string_view p) { return n.find(p) != std::string::npos; });
  };
  // Order matters: cuDNN's implicit-GEMM convolutions name "gemm" too.
  if (has({"conv", "fprop", "dgrad", "wgrad", "winograd", "fft2d", "fft_", "implicit_gemm"})) {
    return "conv";
  }
  if (has({"gemm", "gemv", "cutlass", "xmma", "s1688", "s16816", "h1688", "h16816", "cublas"})) {
    return "gemm";
  }
  if (has({"batch_norm", "batchnorm", "bn_fw", "bn_bw", "layer_norm", "layernorm", "group_norm",
           "instance_norm", "rmsnorm", "norm_"})) {
    return "norm";
  }
  if (has({"pool"})) return "pool";
  if (has({"softmax"})) return "softmax";
  if (has({"reduce", "reduction"})) return "reduce";
  if (has({"multi_tensor_apply", "sgd", "adam", "momentum"})) return "optimizer";
  if (has({"elementwise", "pointwise", "relu", "gelu", "sigmoid", "tanh", "silu", "activation"})) {
    return "elementwise";
  }
  if (has({"copy", "memcpy", "memset", "transpose", "nchwtonhwc", "nhwctonchw", "cat_", "fill"})) {
    return "copy";
  }
  return "other";
}

NcuSummary summarize(const NcuProfile& profile, const KernelWorkOptions& options) {
  NcuSummary s;
  s.source = profile.source;
  s.device_name = profile.device_name;
  std::map<std::string, GroupRow> groups;
  for (const NcuKernel& k : profile.kernels) {
    KernelRow row{k.id, k.name, kernel_group(k.name), kernel_work(k, options)};
    GroupRow& g = groups[row.group];
    g.group = row.group;
    ++g.kernels;
    g.work += row.work;
    s.total += row.work;
    s.kernels.push_back(std::move(row));
  }
  for (auto& [name, g] : groups) s.groups.push_back(g);
  std::stable_sort(s.groups.begin(), s.groups.end(), [](const GroupRow& a, const GroupRow& b) {
    return a.work.time_s.value_or(0) > b.work.time_s.value_or(0);
  });
  s.tensor_flops_unknown = s.total.tensor_inst.value_or(0) > 0 && !s.total.tensor_flops;
  const KernelWork& t = s.total;
  if (!t.time_s) s.missing.emplace_back("time (gpu__time_duration.sum)");
  if (!t.fp32_flops) s.missing.emplace_back("FP32 FLOPs (smsp__sass_thread_inst_executed_op_f*)");
  if (!t.fp16_flops) s.missing.emplace_back("FP16 FLOPs (smsp__sass_thread_inst_executed_op_h*)");
  if (!t.tensor_flops && !t.tensor_inst) {
    s.missing.emplace_back(
        "tensor-core work (sm__ops_path_tensor_*, sm__inst_executed_pipe_tensor)");
  }
  if (!t.dram_bytes) s.missing.emplace_back("DRAM bytes (dram__bytes_read/write.sum)");
  if (!t.l2_bytes) s.missing.emplace_back("L2 bytes (lts__t_bytes.sum)");
  if (!t.l1_bytes) s.missing.emplace_back("L1 bytes (l1tex__t_bytes.sum)");
  return s;
}

std::vector<MeasuredPoint> measured_points(const std::string& label, const KernelWork& work) {
  std::vector<MeasuredPoint> out;
  const std::optional<double> flops = work.flops();
  // A point needs FLOPs and time; zero-FLOP kernels (copies, ReLU as max)
  // have no place on log-log axes.
  if (!flops || !(*flops > 0) || !work.time_s || !(*work.time_s > 0)) return out;
  const std::array<std::pair<const char*, std::optional<double>>, 3> levels{
      {{"DRAM", work.dram_bytes}, {"L2", work.l2_bytes}, {"L1", work.l1_bytes}}};
  for (const auto& [level, bytes] : levels) {
    if (!bytes || !(*bytes > 0)) continue;
    MeasuredPoint p;
    p.label = label;
    p.level = level;
    p.flops = *flops;
    p.bytes = *bytes;
    p.seconds = *work.time_s;
    p.intensity = p.flops / p.bytes;
    p.flops_per_s = p.flops / p.seconds;
    out.push_back(p);
  }
  return out;
}

std::vector<MeasuredPoint> measured_points(const NcuSummary& summary) {
  std::vector<MeasuredPoint> out = measured_points("total", summary.total);
  for (const GroupRow& g : summary.groups) {
    for (MeasuredPoint& p : measured_points(g.group, g.work)) out.push_back(std::move(p));
  }
  return out;
}

NcuComparison compare_with_cost(const NcuSummary& summary, const ModelCost& cost) {
  NcuComparison c;
  c.model = cost.graph_name;
  c.batch = cost.batch;
  c.training = cost.options.training;
  const PassCost step = cost.step();
  const auto row = [&](std::string quantity, double analytic, std::optional<double> measured) {
    ComparisonRow r{std::move(quantity), analytic, measured, std::nullopt};
    if (measured && analytic > 0) r.ratio = *measured / analytic;
    c.rows.push_back(std::move(r));
    return c.rows.back();
  };
  // The cost model has no rule for the optimizer update: its kernels are
  // left out of the measured side (and said so below).
  KernelWork t;
  const GroupRow* optimizer = nullptr;
  for (const GroupRow& g : summary.groups) {
    if (g.group == "optimizer") {
      optimizer = &g;
    } else {
      t += g.work;
    }
  }
  const ComparisonRow flops_row = row("FLOPs (all kernels vs all ops)", step.flops(), t.flops());
  // Matrix-class work runs in the conv and gemm kernels.
  std::optional<double> matrix_measured;
  for (const GroupRow& g : summary.groups) {
    if (g.group == "conv" || g.group == "gemm") add_opt(matrix_measured, g.work.flops());
  }
  row("FLOPs (conv+gemm kernels vs matmul-class ops)", step.matmul_flops, matrix_measured);
  const ComparisonRow bytes_row =
      row("bytes (DRAM vs no-reuse traffic)", step.bytes(), t.dram_bytes);
  row("bytes (DRAM vs compulsory traffic)", cost.compulsory_step_bytes(), t.dram_bytes);
  const double analytic_oi = step.intensity();
  std::optional<double> measured_oi;
  if (t.flops() && t.dram_bytes && *t.dram_bytes > 0) measured_oi = *t.flops() / *t.dram_bytes;
  row("intensity [FLOP/B] (DRAM vs no-reuse)", analytic_oi, measured_oi);

  auto& why = c.explanations;
  // Every node that moves bytes launches at least one kernel (cuDNN fuses
  // little at the framework level): far fewer kernels means the CSV holds
  // part of an iteration only.
  const auto moving = std::count_if(cost.nodes.begin(), cost.nodes.end(),
                                    [](const NodeCost& n) { return n.forward.bytes() > 0; });
  const bool partial =
      moving > 0 && static_cast<double>(summary.kernels.size()) < 0.5 * static_cast<double>(moving);
  if (partial) {
    why.push_back(fmt::format(
        "the profile holds {} kernels but the model has {} nodes that move data, each at least "
        "one kernel: the CSV covers only part of an iteration (was the range of one iteration "
        "profiled, with --profile-from-start off and no --launch-count limit?), so the ratios "
        "below 1 say little (no other reason is looked for)",
        summary.kernels.size(), moving));
  }
  const bool tensor_collected = t.tensor_flops || t.tensor_inst;
  if (flops_row.ratio && !partial) {
    const double r = *flops_row.ratio;
    if (summary.tensor_flops_unknown) {
      why.push_back(fmt::format(
          "{:.0f} tensor-core instructions were counted but their FLOPs are not in the FP32/FP16 "
          "SASS "
          "counters (collect sm__ops_path_tensor_src_* or pass --tensor-flops-per-inst): the "
          "measured FLOPs are a lower bound",
          *t.tensor_inst));
    } else if (r < 0.8 && !tensor_collected) {
      why.push_back(fmt::format(
          "measured FLOPs are {:.0f}% of the analytic count and no tensor-core metric was "
          "collected: convolutions and GEMMs that ran on tensor cores (TF32 is cuDNN's default "
          "for FP32 convolutions on Ampere and later, FP16/BF16 always) do not appear in the "
          "FFMA/FMUL/FADD counters",
          100 * r));
    } else if (r < 0.8) {
      why.push_back(fmt::format(
          "measured FLOPs are {:.0f}% of the analytic count: Winograd and FFT convolution "
          "algorithms do fewer multiplications than direct convolution, and fused kernels may "
          "skip work the formulas count",
          100 * r));
    }
    if (r > 1.1) {
      why.push_back(fmt::format(
          "measured FLOPs are {:.2f}x the analytic count: cuDNN/cuBLAS kernels do extra work "
          "(implicit-GEMM tiles padded to the tile size, split-K reductions, Winograd transforms, "
          "index arithmetic in floating point), and each elementwise kernel counts every "
          "instruction, not the cost model's one rule per op",
          r));
    }
  }
  if (bytes_row.ratio && !partial) {
    const double r = *bytes_row.ratio;
    const double compulsory = cost.compulsory_step_bytes();
    if (r < 0.9) {
      why.push_back(fmt::format(
          "DRAM traffic is {:.0f}% of the no-reuse model: fused kernels (convolution with bias "
          "and activation, in-place ops) skip the round trips the no-reuse model (every node "
          "reads its inputs and writes its outputs in DRAM) counts, and with --cache-control "
          "none the L2 also keeps tensors between kernels",
          100 * r));
    }
    if (t.dram_bytes && compulsory > 0 && *t.dram_bytes < compulsory) {
      why.emplace_back(
          "DRAM traffic is below the compulsory traffic (every parameter, input and output "
          "once): kernels are missing from the profile, or tensors were already in L2 (only "
          "possible with ncu --cache-control none, which keeps caches warm between kernels)");
    }
    if (r > 1.1) {
      why.push_back(fmt::format(
          "DRAM traffic is {:.2f}x the no-reuse model: kernels re-read tiles evicted from L2, "
          "cuDNN workspaces, layout transforms (NCHW<->NHWC) and kernels the graph does not show "
          "(copies, fills) move bytes the model does not count",
          r));
    }
  }
  if (optimizer != nullptr) {
    why.push_back(fmt::format(
        "the {} optimizer kernel(s) ({} FLOPs, {} bytes of DRAM traffic) are left out of the "
        "measured side: the cost model counts no optimizer update",
        optimizer->kernels,
        optimizer->work.flops() ? fmt::format("{:.0f}", *optimizer->work.flops()) : "no",
        optimizer->work.dram_bytes ? fmt::format("{:.0f}", *optimizer->work.dram_bytes) : "no"));
  }
  if (t.time_s) {
    why.emplace_back(
        "times are ncu's gpu__time_duration with clocks locked to base (ncu --clock-control "
        "base, the default) and caches flushed before each kernel (--cache-control all): "
        "FLOP/s are below an unprofiled run's");
  }
  return c;
}

}  // namespace dnnroof

#include "support/study_fixtures.h"

#include <limits>
#include <utility>

namespace dnnroof::test {

TimingStats converged_timing(double median_s, std::size_t n) {
  TimingStats t;
  t.n = n;
  t.median_s = median_s;
  t.converged = true;
  return t;
}

ResultRecord result_record(const std::string& model, const std::string& device,
                           const std::string& chip, std::int64_t batch) {
  ResultRecord r;
  r.model = r.source = model;
  r.device = device;
  r.chip = chip;
  r.batch = batch;
  return r;
}

void set_medians(ResultRecord& r, std::size_t n, double forward_s, double backward_s,
                 double step_s) {
  r.timings[Phase::forward] = converged_timing(forward_s, n);
  if (backward_s > 0) {
    r.timings[Phase::backward] = converged_timing(backward_s, n);
    r.timings[Phase::step] = converged_timing(step_s, n);
  }
}

PassCost pass_cost(double matmul_flops, double other_flops, double bytes_read,
                   double bytes_written) {
  return {.matmul_flops = matmul_flops,
          .other_flops = other_flops,
          .bytes_read = bytes_read,
          .bytes_written = bytes_written};
}

ModelCost ncu_fixture_cost() {
  ModelCost cost;
  cost.graph_name = "resnet18";
  cost.batch = 1;
  cost.forward = pass_cost(240e6, 2e6, 20e6, 10e6);
  cost.compulsory_forward_bytes = 12e6;
  return cost;
}

// Names are assigned as std::string, not as literals: GCC 12 at -O3 warns
// (-Wrestrict, a false positive) on a literal assigned once inlined here.

RoofCeiling x_dram_ceiling() {
  RoofCeiling c;
  c.chip_id = std::string("x");
  c.level = std::string("DRAM");
  c.is_main = true;
  c.peak_flops = 100e9;
  c.bandwidth = 10e9;
  return c;
}

Work work_of(double flops, double bytes) {
  Work w;
  w.flops = flops;
  w.bytes = bytes;
  return w;
}

Placement layer_point(const std::vector<RoofCeiling>& ceilings, const std::string& name, OpKind op,
                      double flops, double bytes, double t_s) {
  Placement p = place_point(name, work_of(flops, bytes), t_s, ceilings);
  p.model = std::string("m");
  p.layer = name;
  p.op = op;
  p.batch = 1;
  return p;
}

Prediction x_prediction(std::string model, double predicted_s, double measured_s) {
  Prediction p;
  p.model = std::move(model);
  p.batch = 1;
  p.ceiling = std::string("x DRAM");
  p.predicted_s = predicted_s;
  p.measured_s = measured_s;
  p.layer_measured_sum_s = std::numeric_limits<double>::quiet_NaN();
  return p;
}

CorrelationRow correlation_row(std::string model, std::int64_t batch, double cpu_latency_s,
                               double gpu_latency_s, double flops, double params,
                               double activation_bytes) {
  // Every field, in the order CorrelationRow declares them.
  return {std::move(model), batch, cpu_latency_s, gpu_latency_s, flops, params, activation_bytes};
}

MemoryLevel memory_level(std::string name, double bandwidth, bool is_main, double capacity) {
  MemoryLevel m;
  m.name = std::move(name);
  m.is_main = is_main;
  m.bandwidth.value = bandwidth;
  m.capacity.value = capacity;
  return m;
}

Chip chip_with(std::string id, std::string name, ChipKind kind, double fp32_peak,
               std::vector<MemoryLevel> memory) {
  Chip c;
  c.id = std::move(id);
  c.name = std::move(name);
  c.kind = kind;
  if (fp32_peak > 0) c.peak[DType::fp32].value = fp32_peak;
  c.memory = std::move(memory);
  return c;
}

Chip measured_cpu_chip(const std::string& id, double fp32_peak, double dram_bandwidth,
                       const std::vector<ThreadFigures>& per_thread) {
  Chip c =
      chip_with(id, "", ChipKind::cpu, fp32_peak, {memory_level("DRAM", dram_bandwidth, true)});
  CpuMicroarch cpu;
  cpu.cores_per_socket = 2;
  c.cpu = cpu;
  for (const ThreadFigures& f : per_thread) {
    ThreadCeilings t;
    t.threads = f.threads;
    t.peak[DType::fp32].value = f.fp32_peak;
    t.bandwidth["DRAM"].value = f.dram_bandwidth;
    c.thread_ceilings.push_back(t);
  }
  return c;
}

}  // namespace dnnroof::test

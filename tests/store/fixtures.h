#pragma once
// Records and temporary directories shared by the store tests.

#include <cstdint>
#include <string>

#include "store/record.h"
#include "support/files.h"

namespace dnnroof::testing {

inline TimingStats timing(double median_s) {
  TimingStats t;
  t.n = 20;
  t.median_s = median_s;
  t.mean_s = median_s * 1.01;
  t.stdev_s = median_s * 0.02;
  t.min_s = median_s * 0.98;
  t.max_s = median_s * 1.1;
  t.p5_s = median_s * 0.985;
  t.p95_s = median_s * 1.05;
  t.iqr_s = median_s * 0.01;
  t.ci_low_s = median_s * 0.99;
  t.ci_high_s = median_s * 1.015;
  t.ci_confidence = 0.9586;
  t.ci_rel_half_width = 0.015;
  t.converged = true;
  t.warmup_iterations = 12;
  t.total_s = median_s * 40;
  return t;
}

inline ResultRecord infer_record(std::string model, std::int64_t batch, double forward_median_s) {
  ResultRecord r;
  r.model = model;
  r.source = model;
  r.device = "cuda:0";
  r.chip = "h100-sxm";
  r.mode = RunMode::infer;
  r.batch = batch;
  r.dtype = DType::fp16;
  r.threads = 8;
  r.timings[Phase::forward] = timing(forward_median_s);
  r.memory_peak_bytes = 1.5e9;
  r.conditions.host_name = "node7";
  r.conditions.cpu_model = "Xeon, \"Sapphire\" Rapids";  // a comma and quotes for CSV
  r.conditions.threads = 8;
  r.conditions.library_versions = {{"libtorch", "2.5.1"}, {"cuda", "12.4"}};
  r.conditions.dnnroof_version = "0.1.0";
  r.conditions.git_revision = "abcdef123456";
  r.conditions.date_utc = "2026-11-22T00:33:12Z";
  return r;
}

inline ResultRecord train_record(std::string model, std::int64_t batch) {
  ResultRecord r = infer_record(std::move(model), batch, 0.010);
  r.mode = RunMode::train;
  r.timings[Phase::backward] = timing(0.020);
  r.timings[Phase::optimizer] = timing(0.002);
  r.timings[Phase::step] = timing(0.032);
  return r;
}

// A fresh directory per test and process, removed afterwards.
// $TMPDIR/dnnroof-store-NAME-PID, removed at the end of its scope.
class TempDir : public test::TempDir {
 public:
  explicit TempDir(const std::string& name) : test::TempDir("store-" + name) {}
};

using test::read_file;
using test::write_file;

}  // namespace dnnroof::testing

#pragma once
// Rank correlation (Spearman) between latency and the static figures
// (FLOPs, parameters, activation bytes) across models.
// Pure functions; conventions in analysis/analysis.h and docs/analysis.md.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dnnroof {

// 1-based ranks with ties given the average of the ranks they span
// (scipy.stats.rankdata "average"). Throws Error on NaN.
std::vector<double> average_ranks(std::span<const double> values);

// Spearman's rho = Pearson correlation of the average ranks. NaN when fewer
// than 2 values or either side is constant. Throws Error when the sizes
// differ or a value is NaN.
double spearman(std::span<const double> a, std::span<const double> b);

// One model's variables at one batch size.
struct CorrelationRow {
  std::string model;
  std::int64_t batch = 1;
  double cpu_latency_s = 0;  // NaN: not measured on CPU
  double gpu_latency_s = 0;  // NaN: not measured on a GPU
  double flops = 0;          // [FLOP] forward at this batch
  double params = 0;
  double activation_bytes = 0;  // [B] at this batch
};

struct CorrelationMatrix {
  std::int64_t batch = 1;
  std::vector<std::string> variables;    // "CPU latency", ["GPU latency",] "FLOPs", ...
  std::vector<std::vector<double>> rho;  // [i][j], symmetric, 1 on the diagonal
  std::vector<std::string> models;       // the models it rests on
  std::vector<std::string> left_out;     // models at this batch lacking a variable present
};

// The Spearman matrix of the rows at `batch`: CPU latency, GPU latency (only
// when some row has one), FLOPs, parameters, activation bytes, over the
// models that have every variable included. Throws Error when fewer than 3
// models remain (a rank correlation over 2 is always +-1).
CorrelationMatrix correlation_matrix(std::span<const CorrelationRow> rows, std::int64_t batch);

}  // namespace dnnroof

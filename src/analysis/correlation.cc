#include "analysis/correlation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <string_view>

#include "analysis/detail/shared.h"
#include "core/error.h"
#include "core/units.h"
#include "store/timing_text.h"

namespace dnnroof {

using namespace analysis_detail;  // the record and ceiling checks they share

std::vector<double> average_ranks(std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isnan(values[i])) fail("rank correlation: value {} is NaN", i);
  }
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    // Positions i..j (0-based) share the mean of ranks i+1..j+1.
    const double rank = (static_cast<double>(i) + static_cast<double>(j)) / 2 + 1;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double spearman(std::span<const double> a, std::span<const double> b) {
  if (a.size() != b.size()) {
    fail("rank correlation: {} values against {} (must be pairs)", a.size(), b.size());
  }
  const std::vector<double> ra = average_ranks(a);
  const std::vector<double> rb = average_ranks(b);
  if (a.size() < 2) return kNaN;
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(ra.begin(), ra.end(), 0.0) / n;
  const double mb = std::accumulate(rb.begin(), rb.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) * (ra[i] - ma);
    sbb += (rb[i] - mb) * (rb[i] - mb);
  }
  if (saa == 0 || sbb == 0) return kNaN;
  return sab / std::sqrt(saa * sbb);
}

CorrelationMatrix correlation_matrix(std::span<const CorrelationRow> rows, std::int64_t batch) {
  CorrelationMatrix m;
  m.batch = batch;
  std::vector<const CorrelationRow*> at;
  bool any_gpu = false;
  for (const CorrelationRow& r : rows) {
    if (r.batch != batch) continue;
    at.push_back(&r);
    any_gpu = any_gpu || positive(r.gpu_latency_s);
  }
  using Getter = double (*)(const CorrelationRow&);
  std::vector<std::pair<std::string, Getter>> vars;
  vars.emplace_back("CPU latency", [](const CorrelationRow& r) { return r.cpu_latency_s; });
  if (any_gpu) {
    vars.emplace_back("GPU latency", [](const CorrelationRow& r) { return r.gpu_latency_s; });
  }
  vars.emplace_back("FLOPs", [](const CorrelationRow& r) { return r.flops; });
  vars.emplace_back("parameters", [](const CorrelationRow& r) { return r.params; });
  vars.emplace_back("activation bytes", [](const CorrelationRow& r) { return r.activation_bytes; });
  std::vector<std::vector<double>> columns(vars.size());
  for (const CorrelationRow* r : at) {
    const bool complete = std::all_of(vars.begin(), vars.end(),
                                      [&](const auto& v) { return positive(v.second(*r)); });
    if (!complete) {
      m.left_out.push_back(r->model);
      continue;
    }
    m.models.push_back(r->model);
    for (std::size_t i = 0; i < vars.size(); ++i) columns[i].push_back(vars[i].second(*r));
  }
  if (m.models.size() < 3) {
    fail(
        "rank correlation at batch {}: {} model{} with every variable measured; at least 3 are "
        "needed",
        batch, m.models.size(), m.models.size() == 1 ? "" : "s");
  }
  for (const auto& v : vars) m.variables.push_back(v.first);
  m.rho.assign(vars.size(), std::vector<double>(vars.size(), 1.0));
  for (std::size_t i = 0; i < vars.size(); ++i) {
    for (std::size_t j = i + 1; j < vars.size(); ++j) {
      m.rho[i][j] = m.rho[j][i] = spearman(columns[i], columns[j]);
    }
  }
  return m;
}

}  // namespace dnnroof

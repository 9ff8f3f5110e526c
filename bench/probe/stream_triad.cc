#include "stream_triad.h"

#include <omp.h>

#include <algorithm>
#include <limits>
#include <memory>

namespace dnnroof::bench {

double stream_triad_best(std::size_t elements, int repeats, int threads) {
  const auto n = static_cast<long>(elements);
  std::unique_ptr<double[]> a(new double[elements]);
  std::unique_ptr<double[]> b(new double[elements]);
  std::unique_ptr<double[]> c(new double[elements]);
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (long j = 0; j < n; ++j) {
    pa[j] = 1.0;
    pb[j] = 2.0;
    pc[j] = 0.0;
  }
  const double scalar = 3.0;
  double best = std::numeric_limits<double>::infinity();
  for (int k = 0; k < repeats; ++k) {
    const double t0 = omp_get_wtime();
#pragma omp parallel for schedule(static) num_threads(threads)
    for (long j = 0; j < n; ++j) pa[j] = pb[j] + scalar * pc[j];
    const double t = omp_get_wtime() - t0;
    if (k > 0) best = std::min(best, t);
  }
  volatile double keep = pa[n / 2];
  (void)keep;
  return 3.0 * sizeof(double) * static_cast<double>(elements) / best;
}

}  // namespace dnnroof::bench

#pragma once
// A STREAM-equivalent triad, the reference for the probe's own triad: the
// loop of STREAM's tuned-free version (a[j] = b[j] + scalar * c[j] under
// `omp parallel for`), compiled -O3 -march=native -fopenmp.

#include <cstddef>

namespace dnnroof::bench {

// Best bandwidth [B/s] of `repeats` triads over arrays of `elements` doubles
// on `threads` OpenMP threads, counted as STREAM does (3 x 8 B per element,
// no write-allocate); the first repeat is not counted (STREAM does the same).
// Arrays are first touched in parallel with the same static schedule.
double stream_triad_best(std::size_t elements, int repeats, int threads);

}  // namespace dnnroof::bench

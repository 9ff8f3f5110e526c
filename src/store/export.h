#pragma once
// Results as tables: every field flat for programs (CSV/JSON, one row per
// record, pandas-ready column names with their units) and a short view for
// people.

#include "core/table.h"
#include "store/record.h"

namespace dnnroof {

// One row per record, columns in this order (keys; units in the names):
//   model, source, device, chip, mode, batch, dtype, threads, status,
//   status_reason,
//   for each phase that any record timed (forward, backward, optimizer,
//   step, in that order) <phase>_n, _median_s, _mean_s, _stdev_s, _min_s,
//   _max_s, _p5_s, _p95_s, _iqr_s, _ci_low_s, _ci_high_s, _ci_rel_half_width,
//   _converged (1/0), _warmup_iterations, _total_s,
//   throughput_per_s, memory_peak_bytes, host_name, cpu_model,
//   condition_threads, dnnroof_version, git_revision, date_utc,
//   when any record has them: partition, slurm_node, slurm_job_id,
//   slurm_array_job_id, slurm_array_task_id, gpu_name, gpu_driver,
//   and lib_<name> for every library any record names (sorted).
// Cells a record does not have (or NaN values) are empty, which pandas reads
// as NaN.
Table results_table(const ResultsFile& file);

// For people: model, device, (partition, when any record has one,) mode,
// batch, dtype, threads, latency (median of the headline phase), its ±CI,
// throughput, peak memory, status.
Table results_summary_table(const ResultsFile& file);

}  // namespace dnnroof

#pragma once
// The conditions this process can state about itself for a results record.

#include <chrono>
#include <functional>
#include <string>

#include "store/record.h"

namespace dnnroof {

// Host name (gethostname), dnnroof version and git revision, the date now,
// and what add_environment_conditions finds. The caller adds what it knows
// and store does not: the CPU model (hw's HostInfo), the threads the run
// had, library versions, the GPU's name.
Conditions current_conditions();

// Looks up an environment variable: its value, or nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// Fills what the environment says about where this runs: the Slurm job
// (SLURM_JOB_ID, SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID, SLURMD_NODENAME)
// and, when `c.partition` is still empty, SLURM_JOB_PARTITION; and the
// NVIDIA driver version when `nvidia_version_file` (normally
// /proc/driver/nvidia/version) exists. Leaves fields it finds nothing for
// as they are.
void add_environment_conditions(Conditions& c, const EnvLookup& getenv,
                                const std::string& nvidia_version_file);

// The driver version in the text of /proc/driver/nvidia/version ("NVRM
// version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug ..." ->
// "535.104.05"); empty when the text has none.
std::string nvidia_driver_version(const std::string& proc_text);

// "2026-11-22T00:33:12Z": ISO-8601, UTC, whole seconds.
std::string format_iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace dnnroof

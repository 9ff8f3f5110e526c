#pragma once
// The conditions this process can state about itself for a results record.

#include <chrono>
#include <string>

#include "store/record.h"

namespace dnnroof {

// Host name (gethostname), dnnroof version and git revision, and the date
// now. The caller adds what it knows and store does not: the CPU model
// (hw's HostInfo), the threads the run had, library versions.
Conditions current_conditions();

// "2026-11-22T00:33:12Z": ISO-8601, UTC, whole seconds.
std::string format_iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace dnnroof

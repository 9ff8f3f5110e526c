#pragma once
// The measured core clocks saved by `dnnroof probe` (host_clock_cache_path(),
// save_measured_clocks() in hw/host.h), read back by detect_host_info().

#include <vector>

#include "hw/host.h"

namespace dnnroof {

// The clocks saved for this CPU (model and logical CPU count) in this boot;
// empty when there is no file or none match. Each origin names the file and
// when it was measured.
std::vector<CoreClock> load_saved_clocks(const HostInfo& info);

}  // namespace dnnroof

#pragma once
// Peak resident memory of this process, from the two places Linux keeps it.

#include <optional>
#include <string_view>

namespace dnnroof {

struct PeakMemory {
  double max_rss_bytes = 0;  // getrusage(RUSAGE_SELF).ru_maxrss (KiB on Linux) * 1024
  double vm_hwm_bytes = 0;   // VmHWM in /proc/self/status * 1024; 0 when unreadable
};

// Both values now. They normally agree to a few pages; VmHWM can be reset by
// writing 5 to /proc/self/clear_refs, ru_maxrss cannot.
PeakMemory peak_memory();

// The VmHWM line of a /proc/<pid>/status text, in bytes ("VmHWM:  123 kB"
// gives 125952); nullopt when there is none or it does not parse.
std::optional<double> parse_vm_hwm_bytes(std::string_view proc_status);

// Resets VmHWM to the current resident set by writing "5" to
// /proc/self/clear_refs (Linux >= 4.0), so that a later peak_memory() reports
// the peak since now. Returns false when the kernel refused (no such file, a
// sandbox); VmHWM then keeps the peak of the whole process so far, and callers
// should say so. ru_maxrss is never reset.
bool reset_peak_memory();

// Hands the heap's free memory back to the kernel (glibc's malloc_trim(0)),
// so that the resident set is the memory in use, not what earlier work freed
// and the allocator kept. Without it a sweep's later configurations reuse
// that kept memory without growing the resident set, and their peak is the
// plateau of the biggest configuration before them. Returns false where it
// cannot (not glibc) or nothing was released.
bool release_free_memory();

}  // namespace dnnroof

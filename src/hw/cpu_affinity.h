#pragma once
// Which CPUs this process may use and pinning threads to them: the one place
// that picks cores, so the probe's ceilings and the executor's runs on N
// threads use the same N cores (one per physical core, from the allowed
// cpuset; never a hard-coded host).

#include <string>
#include <vector>

namespace dnnroof {

// The logical CPUs this process was allowed to run on when it started (its
// affinity mask then, captured when the program loads, so pinning done later
// in this process does not shrink it), ascending. Never empty: without a
// mask, 0..hardware_concurrency-1.
std::vector<int> launch_allowed_cpus();

// One logical CPU per physical core among launch_allowed_cpus(): the first
// allowed sibling of each core (sysfs topology/thread_siblings_list),
// ascending. All allowed CPUs when sysfs says nothing. Never empty.
std::vector<int> allowed_core_cpus();

// The default thread count of a measurement: every allowed physical core
// (allowed_core_cpus().size()), which is what "this CPU" means in a study.
int default_thread_count();

// The CPUs for `threads` threads: the first `threads` of
// allowed_core_cpus(); beyond the cores, the other allowed logical CPUs
// (SMT siblings); beyond those, round-robin again. Empty for threads < 1.
std::vector<int> cpus_for_threads(int threads);

// Sets the affinity of every thread of this process (/proc/self/task) to
// the set `cpus`, so that pools started before (a BLAS's own threads) are
// confined too; threads started later inherit their creator's mask. False
// when some thread refused (or not Linux).
bool confine_process_threads(const std::vector<int>& cpus);

// Pins the calling thread to `cpu` alone. False when the OS refused.
bool pin_current_thread(int cpu);

// Pins the OpenMP runtime's workers of a team of cpus.size() threads, worker
// i to cpus[i] (the calling thread is worker 0), through the runtime's own
// entry points found at run time (GOMP_parallel, omp_get_thread_num: libgomp,
// and LLVM's libomp, which provides them too). The runtime reuses its
// workers for later teams of that size, so LibTorch's intra-op loops and
// oneDNN run on those CPUs. False when no OpenMP runtime is loaded or some
// worker was not pinned.
bool pin_openmp_workers(const std::vector<int>& cpus);

// The CPUs the calling thread may run on now, ascending (empty when unknown).
std::vector<int> current_thread_cpus();

// "0-3,8,10-11": a CPU list as the kernel writes one; "" for none.
std::string cpu_list_text(std::vector<int> cpus);

}  // namespace dnnroof

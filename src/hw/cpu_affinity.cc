// CPU selection and pinning (see cpu_affinity.h).
#include "hw/cpu_affinity.h"

#include <dlfcn.h>
#include <fmt/format.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "core/text_file.h"

#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace dnnroof {
namespace {

std::vector<int> all_hardware_cpus() {
  std::vector<int> out;
  const int n = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < n; ++i) out.push_back(i);
  return out;
}

std::vector<int> read_thread_mask() {
  std::vector<int> out;
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
    }
  }
#endif
  return out;
}

// Captured before main() (static initialisation of this library), before
// anything in the process pins a thread.
const std::vector<int>& launch_mask() {
  static const std::vector<int> mask = [] {
    std::vector<int> m = read_thread_mask();
    return m.empty() ? all_hardware_cpus() : m;
  }();
  return mask;
}
[[maybe_unused]] const bool g_mask_captured = !launch_mask().empty();

// "0-1", "0,4", "3": the first number; -1 when none.
int first_cpu_of_list(const std::string& list) {
  std::size_t i = 0;
  int v = 0;
  bool any = false;
  while (i < list.size() && list[i] >= '0' && list[i] <= '9') {
    v = v * 10 + (list[i++] - '0');
    any = true;
  }
  return any ? v : -1;
}

#if defined(__linux__)
bool set_affinity(pid_t tid, const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  bool any = false;
  for (int cpu : cpus) {
    if (cpu >= 0 && cpu < CPU_SETSIZE) {
      CPU_SET(cpu, &set);
      any = true;
    }
  }
  return any && sched_setaffinity(tid, sizeof(set), &set) == 0;
}
#endif

}  // namespace

std::vector<int> launch_allowed_cpus() { return launch_mask(); }

std::vector<int> allowed_core_cpus() {
  const std::vector<int>& allowed = launch_mask();
  const std::set<int> allowed_set(allowed.begin(), allowed.end());
  std::set<int> firsts;
  bool topology = false;
  for (int cpu : allowed) {
    const std::string list = read_first_line(
        fmt::format("/sys/devices/system/cpu/cpu{}/topology/thread_siblings_list", cpu));
    if (list.empty()) continue;
    topology = true;
    // The core's first sibling stands for the core when we may use it;
    // otherwise this CPU does.
    const int first = first_cpu_of_list(list);
    firsts.insert(first >= 0 && allowed_set.contains(first) ? first : cpu);
  }
  if (!topology || firsts.empty()) return allowed;
  return {firsts.begin(), firsts.end()};
}

int default_thread_count() { return static_cast<int>(allowed_core_cpus().size()); }

std::vector<int> cpus_for_threads(int threads) {
  std::vector<int> order = allowed_core_cpus();
  for (int cpu : launch_mask()) {
    if (std::find(order.begin(), order.end(), cpu) == order.end()) order.push_back(cpu);
  }
  std::vector<int> out;
  for (int i = 0; i < threads; ++i) {
    out.push_back(order[static_cast<std::size_t>(i) % order.size()]);
  }
  return out;
}

bool confine_process_threads(const std::vector<int>& cpus) {
#if defined(__linux__)
  if (cpus.empty()) return false;
  namespace fs = std::filesystem;
  std::error_code ec;
  bool all = true;
  bool any = false;
  for (const auto& entry : fs::directory_iterator("/proc/self/task", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() ||
        !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    any = true;
    // A thread that ended meanwhile (ESRCH) is no failure.
    if (!set_affinity(static_cast<pid_t>(std::stol(name)), cpus) && errno != ESRCH) all = false;
  }
  if (!any) all = set_affinity(0, cpus);
  return all;
#else
  (void)cpus;
  return false;
#endif
}

bool pin_current_thread(int cpu) {
#if defined(__linux__)
  return set_affinity(0, {cpu});
#else
  (void)cpu;
  return false;
#endif
}

namespace {

struct OpenMpPinning {
  const std::vector<int>* cpus = nullptr;
  int (*thread_num)() = nullptr;
  std::atomic<int> pinned{0};
};

void pin_openmp_worker(void* data) {
  auto* p = static_cast<OpenMpPinning*>(data);
  const int i = p->thread_num();
  if (i >= 0 && static_cast<std::size_t>(i) < p->cpus->size() &&
      pin_current_thread((*p->cpus)[static_cast<std::size_t>(i)])) {
    ++p->pinned;
  }
}

}  // namespace

bool pin_openmp_workers(const std::vector<int>& cpus) {
  if (cpus.empty()) return false;
  // POSIX guarantees an object pointer from dlsym converts to a function pointer.
  using ParallelFn = void (*)(void (*)(void*), void*, unsigned, unsigned);
  void* parallel = dlsym(RTLD_DEFAULT, "GOMP_parallel");
  void* thread_num = dlsym(RTLD_DEFAULT, "omp_get_thread_num");
  if (parallel == nullptr || thread_num == nullptr) return false;
  OpenMpPinning p;
  p.cpus = &cpus;
  p.thread_num = reinterpret_cast<int (*)()>(thread_num);
  // `#pragma omp parallel num_threads(n)` as GCC lowers it.
  reinterpret_cast<ParallelFn>(parallel)(&pin_openmp_worker, &p, static_cast<unsigned>(cpus.size()),
                                         0);
  return p.pinned.load() == static_cast<int>(cpus.size());
}

std::vector<int> current_thread_cpus() { return read_thread_mask(); }

std::string cpu_list_text(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += j == i ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace dnnroof

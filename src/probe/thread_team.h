#pragma once
// Threads for the multi-core runs: one per physical core, each pinned to its
// own CPU where the OS allows, started once and reused for every sample.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace dnnroof {

// The first logical CPU of each physical core, from
// /sys/devices/system/cpu/cpu*/topology/thread_siblings_list, restricted to
// the CPUs this process was allowed when it started (allowed_core_cpus() of
// hw/cpu_affinity.h); 0..hardware_concurrency-1 when sysfs says nothing.
// Never empty.
std::vector<int> physical_core_cpus();

// Runs one function on `cpus.size()` threads at once. The calling thread is
// worker 0 (pinned to cpus[0] while the team lives, its affinity restored
// after); the others are started here. A cpu of -1 leaves that thread
// unpinned.
class ThreadTeam {
 public:
  explicit ThreadTeam(std::vector<int> cpus);
  ~ThreadTeam();
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const { return static_cast<int>(cpus_.size()); }
  // True when every thread was pinned to its CPU.
  bool pinned() const { return pinned_; }

  // Calls work(i) on thread i for every i, all at once, and returns the wall
  // seconds from releasing them to the last one finishing [s].
  double run(const std::function<void(int)>& work);

 private:
  void worker_loop(int index);

  std::vector<int> cpus_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable start_cv_;
  std::condition_variable done_cv_;
  const std::function<void(int)>* work_ = nullptr;
  std::size_t generation_ = 0;
  int running_ = 0;
  bool stop_ = false;
  bool pinned_ = true;
  bool restore_affinity_ = false;
  std::vector<unsigned char> saved_affinity_;  // cpu_set_t of the caller
};

}  // namespace dnnroof

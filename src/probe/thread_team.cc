#include "probe/thread_team.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

#include "hw/cpu_affinity.h"

namespace dnnroof {
namespace {

#if defined(__linux__)
bool pin_to(pthread_t thread, int cpu) {
  if (cpu < 0) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(thread, sizeof(set), &set) == 0;
}
#endif

}  // namespace

// The launch-time cpuset's cores (hw/cpu_affinity.h): the executor pins its
// runs to the same cores, so a ceiling on N threads and a run on N threads
// use the same N cores.
std::vector<int> physical_core_cpus() { return allowed_core_cpus(); }

ThreadTeam::ThreadTeam(std::vector<int> cpus) : cpus_(std::move(cpus)) {
  if (cpus_.empty()) cpus_.push_back(-1);
#if defined(__linux__)
  cpu_set_t saved;
  CPU_ZERO(&saved);
  if (pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved) == 0) {
    saved_affinity_.resize(sizeof(saved));
    std::memcpy(saved_affinity_.data(), &saved, sizeof(saved));
    restore_affinity_ = true;
  }
  pinned_ = pin_to(pthread_self(), cpus_[0]);
#else
  pinned_ = false;
#endif
  for (int i = 1; i < size(); ++i) threads_.emplace_back([this, i] { worker_loop(i); });
}

ThreadTeam::~ThreadTeam() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  start_cv_.notify_all();
  for (auto& t : threads_) t.join();
#if defined(__linux__)
  if (restore_affinity_) {
    cpu_set_t saved;
    std::memcpy(&saved, saved_affinity_.data(), sizeof(saved));
    pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
  }
#endif
}

void ThreadTeam::worker_loop(int index) {
#if defined(__linux__)
  const bool ok = pin_to(pthread_self(), cpus_[static_cast<std::size_t>(index)]);
  if (!ok) {
    std::lock_guard lock(mutex_);
    pinned_ = false;
  }
#endif
  std::size_t seen = 0;
  while (true) {
    const std::function<void(int)>* work = nullptr;
    {
      std::unique_lock lock(mutex_);
      start_cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      work = work_;
    }
    (*work)(index);
    {
      std::lock_guard lock(mutex_);
      --running_;
    }
    done_cv_.notify_one();
  }
}

double ThreadTeam::run(const std::function<void(int)>& work) {
  const auto start = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    work_ = &work;
    running_ = size() - 1;
    ++generation_;
  }
  start_cv_.notify_all();
  work(0);
  {
    std::unique_lock lock(mutex_);
    done_cv_.wait(lock, [&] { return running_ == 0; });
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace dnnroof

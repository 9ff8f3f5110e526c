#include "probe/thread_team.h"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#if defined(__linux__)
#include <pthread.h>
#endif

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

// "0-1", "0,4", "3": the first number.
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

}  // namespace

std::vector<int> physical_core_cpus() {
  std::set<int> firsts;
#if defined(__linux__)
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  const bool have_mask = sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/devices/system/cpu", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() < 4 || name.compare(0, 3, "cpu") != 0 ||
        !std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    const int cpu = std::stoi(name.substr(3));
    if (have_mask && (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed))) continue;
    std::ifstream in(entry.path() / "topology/thread_siblings_list");
    std::string list;
    if (!in || !std::getline(in, list)) continue;
    // The core's first sibling; a sibling outside our mask stands for the
    // core only if it is the first one we may use.
    const int first = first_cpu_of_list(list);
    firsts.insert(first >= 0 && (!have_mask || (first < CPU_SETSIZE && CPU_ISSET(first, &allowed)))
                      ? first
                      : cpu);
  }
#endif
  std::vector<int> out(firsts.begin(), firsts.end());
  if (out.empty()) {
    const int n = std::max(1u, std::thread::hardware_concurrency());
    for (int i = 0; i < n; ++i) out.push_back(i);
  }
  return out;
}

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

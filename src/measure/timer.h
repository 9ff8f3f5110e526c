#pragma once
// Timers for one iteration of work. The measurement loop (sampler.h) does not
// use a Timer itself: it takes a callable that returns the seconds one
// iteration took, and that callable times its work with the Timer that fits
// it. CPU work: SteadyTimer. GPU work: make_cuda_event_timer(stream)
// (cuda_event_timer.h), CUDA events recorded on the stream that runs the
// work; never a host clock around asynchronous work.

#include <chrono>
#include <functional>
#include <utility>

namespace dnnroof {

// Times one interval: start(), the work, then stop_s(). For asynchronous
// devices stop_s() waits for the work to finish (e.g. synchronises on the end
// event) before it returns the elapsed device time.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void start() = 0;
  // Seconds since the last start(); calling it without start() is a bug.
  virtual double stop_s() = 0;
};

// std::chrono::steady_clock, for work that runs on the calling CPU thread.
class SteadyTimer final : public Timer {
 public:
  void start() override { start_ = std::chrono::steady_clock::now(); }
  double stop_s() override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_{};
};

// A wall clock as the measurement loop sees it: seconds since an arbitrary
// origin. Injectable so tests can run the loop on synthetic time.
using Clock = std::function<double()>;

// steady_clock in seconds.
double steady_now_s();

// Times `work` with `timer` and returns its seconds; the helper the executor's
// run_once callables are meant to be written with.
template <typename Work>
double time_once(Timer& timer, Work&& work) {
  timer.start();
  std::forward<Work>(work)();
  return timer.stop_s();
}

}  // namespace dnnroof

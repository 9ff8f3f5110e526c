#pragma once
// An Executor that counts hardware events around every inference pass and
// training step of the executor it wraps, for `bench --counters`: FLOPs and
// LLC-miss bytes per iteration, setup (building, weight init) excluded.
// Only exec/executor.h is included (no LibTorch).

#include <functional>
#include <memory>
#include <string>

#include "counters/counters.h"
#include "exec/executor.h"

namespace dnnroof {

// What the iterations of one configuration counted.
struct IterationCounts {
  std::size_t iterations = 0;  // infer() and train_step() calls counted
  double flops = 0;            // [FLOP] sum over them (when flops_counted)
  double bytes = 0;            // [B] LLC misses x 64, sum (when bytes_counted)
  bool flops_counted = false;
  bool bytes_counted = false;
  bool multiplexed = false;
  std::string reason;  // why something was not counted ("" when all was)

  double flops_per_iteration() const {
    return iterations ? flops / static_cast<double>(iterations) : 0;
  }
  double bytes_per_iteration() const {
    return iterations ? bytes / static_cast<double>(iterations) : 0;
  }
  void add(const CounterReading& r);
};

class CountingExecutor final : public Executor {
 public:
  CountingExecutor(std::unique_ptr<Executor> inner, std::shared_ptr<CounterSession> session,
                   std::shared_ptr<IterationCounts> sink);
  double infer() override;
  TrainStepTimes train_step() override;
  std::vector<NodeTime> time_layers(bool train) override { return inner_->time_layers(train); }
  std::vector<HostTensor> run(const std::map<std::string, HostTensor>& inputs) override {
    return inner_->run(inputs);
  }
  std::optional<double> device_peak_memory_bytes() const override {
    return inner_->device_peak_memory_bytes();
  }
  void reset_device_peak_memory() override { inner_->reset_device_peak_memory(); }

 private:
  std::unique_ptr<Executor> inner_;
  std::shared_ptr<CounterSession> session_;
  std::shared_ptr<IterationCounts> sink_;
};

using ExecutorMaker = std::function<std::unique_ptr<Executor>(const Graph&, const ExecOptions&)>;
// Wraps `inner` so that every executor it makes counts into `sink`.
ExecutorMaker counting_executor_factory(ExecutorMaker inner,
                                        std::shared_ptr<CounterSession> session,
                                        std::shared_ptr<IterationCounts> sink);

}  // namespace dnnroof

#include "counters/counting_executor.h"

#include <utility>

namespace dnnroof {

void IterationCounts::add(const CounterReading& r) {
  ++iterations;
  if (r.flops) {
    flops += *r.flops;
    flops_counted = true;
  }
  if (r.bytes_estimate) {
    bytes += *r.bytes_estimate;
    bytes_counted = true;
  }
  multiplexed = multiplexed || r.multiplexed;
  if (reason.empty()) reason = r.reason;
}

CountingExecutor::CountingExecutor(std::unique_ptr<Executor> inner,
                                   std::shared_ptr<CounterSession> session,
                                   std::shared_ptr<IterationCounts> sink)
    : inner_(std::move(inner)), session_(std::move(session)), sink_(std::move(sink)) {
  info_ = inner_->info();
}

double CountingExecutor::infer() {
  session_->start();
  const double t = inner_->infer();
  sink_->add(session_->stop());
  return t;
}

TrainStepTimes CountingExecutor::train_step() {
  session_->start();
  const TrainStepTimes t = inner_->train_step();
  sink_->add(session_->stop());
  return t;
}

ExecutorMaker counting_executor_factory(ExecutorMaker inner,
                                        std::shared_ptr<CounterSession> session,
                                        std::shared_ptr<IterationCounts> sink) {
  return [inner = std::move(inner), session = std::move(session), sink = std::move(sink)](
             const Graph& g, const ExecOptions& o) -> std::unique_ptr<Executor> {
    return std::make_unique<CountingExecutor>(inner(g, o), session, sink);
  };
}

}  // namespace dnnroof

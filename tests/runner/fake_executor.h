#pragma once
// A fake executor for the runner's tests: it returns scripted durations (no
// LibTorch), a factory that counts the executors it makes, and a tiny model
// whose FLOPs are derived by hand.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "runner/sweep.h"

namespace dnnroof::runner_testing {

// Durations the fake returns, per call; the loop sees only these (its
// floors use measured time), so the tests run in milliseconds of wall time.
struct FakeScript {
  double infer_s = 0.002;
  // Training: these three, and step = their sum + 0.0001 (synchronisation).
  double forward_s = 0.001;
  double backward_s = 0.002;
  double optimizer_s = 0.0005;
  // The first `slow_calls` calls (warm-up) take `slow_factor` times longer.
  int slow_calls = 0;
  double slow_factor = 10;
  // Alternate every other call by this relative amount (noisy runs).
  double alternate = 0;
  // Throw std::runtime_error(throw_text) on call number `throw_at` (1-based; 0: never).
  int throw_at = 0;
  std::string throw_text;
  // Called on every timed call with its number (1-based).
  std::function<void(int)> on_call;
};

class FakeExecutor final : public Executor {
 public:
  FakeExecutor(const Graph& graph, const ExecOptions& options, FakeScript script)
      : script_(std::move(script)) {
    info_.device = options.device;
    info_.device_name = "fake";
    info_.threads = options.threads > 0 ? options.threads : 3;
    info_.libtorch_version = "9.9.9";
    info_.blas = "FakeBLAS 1.0";
    for (const Node& n : graph.nodes) nodes_.push_back({n.name, n.op});
  }

  double infer() override { return scaled(script_.infer_s); }
  TrainStepTimes train_step() override {
    const int call = next_call();
    const double f = call <= script_.slow_calls ? script_.slow_factor : 1.0;
    TrainStepTimes t;
    t.forward_s = script_.forward_s * f;
    t.backward_s = script_.backward_s * f;
    t.optimizer_s = script_.optimizer_s * f;
    t.step_s = t.forward_s + t.backward_s + t.optimizer_s + 0.0001;
    t.loss = 6.9;
    return t;
  }
  // Node k takes (k + 1) ms forward and 2 (k + 1) ms backward, on every pass
  // but the odd ones, which take 3x (the median over an odd number of passes
  // or more even than odd ones is the fast value).
  std::vector<NodeTime> time_layers(bool train) override {
    ++layer_passes_;
    const double f = layer_passes_ % 4 == 1 ? 3.0 : 1.0;
    std::vector<NodeTime> out;
    for (std::size_t k = 0; k < nodes_.size(); ++k) {
      NodeTime t;
      t.node = nodes_[k].first;
      t.op = nodes_[k].second;
      t.forward_s = 1e-3 * static_cast<double>(k + 1) * f;
      t.backward_s = train ? 2e-3 * static_cast<double>(k + 1) * f : 0;
      out.push_back(t);
    }
    return out;
  }
  std::vector<HostTensor> run(const std::map<std::string, HostTensor>&) override { return {}; }
  std::optional<double> device_peak_memory_bytes() const override { return std::nullopt; }
  void reset_device_peak_memory() override {}

 private:
  int next_call() {
    ++calls_;
    if (script_.on_call) script_.on_call(calls_);
    if (script_.throw_at > 0 && calls_ == script_.throw_at) {
      throw std::runtime_error(script_.throw_text);
    }
    return calls_;
  }
  double scaled(double base) {
    const int call = next_call();
    double v = call <= script_.slow_calls ? base * script_.slow_factor : base;
    if (script_.alternate > 0 && call % 2 == 0) v *= 1 + script_.alternate;
    return v;
  }

  FakeScript script_;
  std::vector<std::pair<std::string, OpKind>> nodes_;
  int calls_ = 0;
  int layer_passes_ = 0;
};

// A tiny model: [batch, 4] -> Linear(4, 3) -> ReLU. Forward FLOPs by
// DESIGN.md: Linear 2 x batch x 4 x 3 = 24 batch, ReLU 1 per element = 3 batch.
inline SweepModel tiny_model(const std::string& source, std::int64_t batch, DType dtype) {
  if (source == "broken") fail("model 'broken' does not import: node 7 has no inputs");
  GraphBuilder b(source, dtype);
  ValueId x = b.input("x", {batch, 4});
  {
    auto s = b.scope("head");
    x = b.linear(x, 3, true, "fc");
  }
  x = b.relu(x);
  b.output(x);
  SweepModel m;
  m.name = source;
  m.source = source;
  m.graph = b.finish();
  return m;
}

// Options on synthetic time: the floors are measured time, so constant
// durations converge at once (their CI has width 0).
inline SweepOptions base_options() {
  SweepOptions o;
  o.load_model = tiny_model;
  o.measure.min_warmup_s = 0;
  o.measure.min_warmup_iterations = 3;
  o.measure.min_samples = 10;
  o.measure.min_time_s = 0.01;
  o.budget_s = 2;
  return o;
}

struct Factory {
  FakeScript script;
  int made = 0;
  std::string throw_for;  // model (graph) name whose executor cannot be made
  std::string throw_text = "CUDA out of memory (fake): tried to allocate 20.0 GiB";

  // When set, the script of executor number `made` (1-based) instead.
  std::function<FakeScript(int)> script_for;

  ExecutorFactory make() {
    return [this](const Graph& g, const ExecOptions& o) -> std::unique_ptr<Executor> {
      ++made;
      if (!throw_for.empty() && g.name == throw_for) throw std::runtime_error(throw_text);
      return std::make_unique<FakeExecutor>(g, o, script_for ? script_for(made) : script);
    };
  }
};

}  // namespace dnnroof::runner_testing

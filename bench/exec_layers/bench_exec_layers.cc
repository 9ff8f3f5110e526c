// Per-layer timing versus whole-model timing: how much the sum of the nodes,
// each run alone and synchronised (Executor::time_layers), differs from one
// pass of the whole model (infer / train_step). Medians over REPS after 3
// warm-up passes of each.
//
// usage: bench_exec_layers [MODEL=resnet18] [BATCH=1] [THREADS=0] [REPS=20] [IMAGE=0]
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "zoo/zoo.h"

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dnnroof;
  const std::string model = argc > 1 ? argv[1] : "resnet18";
  ZooOptions zo;
  zo.batch = argc > 2 ? std::atoll(argv[2]) : 1;
  ExecOptions eo;
  eo.threads = argc > 3 ? std::atoi(argv[3]) : 0;
  const int reps = argc > 4 ? std::atoi(argv[4]) : 20;
  zo.image_size = argc > 5 ? std::atoll(argv[5]) : 0;
  const Graph g = build_zoo_model(model, zo);
  auto e = make_executor(g, eo);
  fmt::print("{} batch {}, {} nodes, {} threads, LibTorch {}, BLAS {}, {}\n", model, zo.batch,
             g.nodes.size(), e->info().threads, e->info().libtorch_version, e->info().blas,
             e->info().device_name);
  for (int i = 0; i < 3; ++i) {
    e->infer();
    e->time_layers(false);
    e->train_step();
    e->time_layers(true);
  }
  std::vector<double> whole, layers, step, fwd, bwd, lfwd, lbwd;
  std::map<OpKind, double> by_op;
  for (int i = 0; i < reps; ++i) {
    whole.push_back(e->infer());
    double s = 0;
    for (const NodeTime& t : e->time_layers(false)) s += t.forward_s;
    layers.push_back(s);
    const TrainStepTimes ts = e->train_step();
    step.push_back(ts.step_s);
    fwd.push_back(ts.forward_s);
    bwd.push_back(ts.backward_s);
    double f = 0;
    double b = 0;
    for (const NodeTime& t : e->time_layers(true)) {
      f += t.forward_s;
      b += t.backward_s;
      by_op[t.op] += t.forward_s + t.backward_s;
    }
    lfwd.push_back(f);
    lbwd.push_back(b);
  }
  const double w = median(whole);
  const double l = median(layers);
  fmt::print("inference: whole model {:.3f} ms, sum of layers {:.3f} ms, ratio {:.3f}\n", w * 1e3,
             l * 1e3, l / w);
  const double f = median(fwd);
  const double b = median(bwd);
  const double lf = median(lfwd);
  const double lb = median(lbwd);
  fmt::print(
      "training:  step {:.3f} ms (forward {:.3f}, backward {:.3f}, backward/forward {:.2f}); "
      "sum of layers forward {:.3f} ms, backward {:.3f} ms, ratios {:.3f} / {:.3f}\n",
      median(step) * 1e3, f * 1e3, b * 1e3, b / f, lf * 1e3, lb * 1e3, lf / f, lb / b);
  fmt::print("per-layer train time by op (forward + backward, all reps):\n");
  double total = 0;
  for (const auto& [op, t] : by_op) total += t;
  for (const auto& [op, t] : by_op) {
    fmt::print("  {:<14} {:5.1f}%\n", op_name(op), 100.0 * t / total);
  }
  return 0;
}

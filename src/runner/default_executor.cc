// The sweep's default executor in a build with LibTorch: src/exec.
#include "exec/executor.h"
#include "runner/sweep.h"

namespace dnnroof {

ExecutorFactory default_executor_factory() {
  return [](const Graph& graph, const ExecOptions& options) {
    return make_executor(graph, options);
  };
}

bool executor_built() { return true; }

}  // namespace dnnroof

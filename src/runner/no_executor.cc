// The sweep's default executor in a build without LibTorch: none, said
// clearly when a sweep would need it.
#include "core/error.h"
#include "runner/sweep.h"

namespace dnnroof {

ExecutorFactory default_executor_factory() {
  return [](const Graph& graph, const ExecOptions& /*options*/) -> std::unique_ptr<Executor> {
    fail(
        "cannot run '{}': this dnnroof was built without the LibTorch executor (install "
        "libtorch-dev, or pass -DDNNROOF_WITH_TORCH=ON, then rebuild)",
        graph.name);
  };
}

bool executor_built() { return false; }

std::string device_unavailable_reason(const std::string& device) {
  return device + ": this dnnroof was built without the LibTorch executor";
}

}  // namespace dnnroof

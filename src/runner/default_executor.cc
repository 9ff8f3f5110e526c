// The sweep's default executor in a build with LibTorch: src/exec.
#include <fmt/format.h>

#include <string>

#include "exec/executor.h"
#include "runner/sweep.h"

namespace dnnroof {

ExecutorFactory default_executor_factory() {
  return
      [](const Graph& graph, const ExecOptions& options) { return make_executor(graph, options); };
}

bool executor_built() { return true; }

std::string device_unavailable_reason(const std::string& device) {
  if (device == "cpu") return "";
  const ExecInfo info = runtime_info("cpu");
  if (!info.cuda_built) {
    return fmt::format("{}: this dnnroof's LibTorch ({}) was built without CUDA", device,
                       info.libtorch_version);
  }
  const int count = cuda_device_count();
  const int index = std::stoi(device.substr(device.find(':') + 1));
  if (index >= count) {
    return count == 0 ? fmt::format("{}: no CUDA device is visible (no GPU or no driver)", device)
                      : fmt::format("{}: only {} CUDA device{} (cuda:0..cuda:{})", device, count,
                                    count == 1 ? "" : "s", count - 1);
  }
  return "";
}

}  // namespace dnnroof

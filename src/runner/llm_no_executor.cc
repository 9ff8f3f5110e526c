// The language-model sweep's default executor in a build without LibTorch:
// none, said clearly when a sweep would need it.
#include "core/error.h"
#include "runner/llm_sweep.h"

namespace dnnroof {

LlmExecutorFactory default_llm_executor_factory() {
  return [](const llm::LlmConfig& config,
            const LlmExecOptions& /*options*/) -> std::unique_ptr<LlmExecutor> {
    fail(
        "cannot run '{}': this dnnroof was built without the LibTorch executor (install "
        "libtorch-dev, or pass -DDNNROOF_WITH_TORCH=ON, then rebuild)",
        config.name);
  };
}

}  // namespace dnnroof

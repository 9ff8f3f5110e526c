// The language-model sweep's default executor in a build with LibTorch:
// exec/llm_executor.h's make_llm_executor (through the executor module in
// the program).
#include "exec/llm_executor.h"
#include "runner/llm_sweep.h"

namespace dnnroof {

LlmExecutorFactory default_llm_executor_factory() {
  return [](const llm::LlmConfig& config, const LlmExecOptions& options) {
    return make_llm_executor(config, options);
  };
}

}  // namespace dnnroof

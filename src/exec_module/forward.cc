// The executor's and the GEMM ceiling's functions in the program: each
// loads the executor module on first use (loader.h) and calls the module's
// implementation. The program links this instead of dnnroof::exec and
// dnnroof::probe_gemm, so the same call sites (runner, run, probe) work in
// the program and, through the real libraries, in tests.
#include <string>
#include <vector>

#include "core/error.h"
#include "exec/executor.h"
#include "exec/llm_executor.h"
#include "exec_module/loader.h"
#include "probe_gemm/gemm_ceiling.h"

namespace dnnroof {

std::unique_ptr<Executor> make_executor(const Graph& graph, const ExecOptions& options) {
  return exec_module().make_executor(graph, options);
}

std::unique_ptr<LlmExecutor> make_llm_executor(const llm::LlmConfig& config,
                                               const LlmExecOptions& options) {
  const ExecModuleApi& api = exec_module();
  if (api.make_llm_executor == nullptr || api.llm_options_size != sizeof(LlmExecOptions)) {
    fail("the executor module has no language model of this build's interface: rebuild it");
  }
  return api.make_llm_executor(config, options);
}

ExecInfo runtime_info(const std::string& device) { return exec_module().runtime_info(device); }

int cuda_device_count() { return exec_module().cuda_device_count(); }

// Without the module there is no GEMM ceiling; the description says why.
bool gemm_ceiling_available() {
  try {
    return exec_module().gemm_ceiling_available();
  } catch (const Error&) {
    return false;
  }
}

std::string gemm_backend_description() {
  try {
    return exec_module().gemm_backend_description();
  } catch (const Error& e) {
    return e.what();
  }
}

std::vector<GemmCeiling> measure_gemm_ceilings(const GemmCeilingOptions& options) {
  return exec_module().measure_gemm_ceilings(options);
}

}  // namespace dnnroof

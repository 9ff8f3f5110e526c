// The executor module's one exported symbol (exec_module.h): the table of
// the real implementations, from src/exec and src/probe_gemm, linked into
// libdnnroof_exec.so with LibTorch.
#include "core/version.h"
#include "exec/executor.h"
#include "exec_module/exec_module.h"
#include "probe_gemm/gemm_ceiling.h"

namespace {

const dnnroof::ExecModuleApi kApi = [] {
  using namespace dnnroof;
  ExecModuleApi api;
  api.abi = kExecModuleAbi;
  api.version = kVersion;
  api.revision = kGitRevision;
  api.graph_size = sizeof(Graph);
  api.options_size = sizeof(ExecOptions);
  api.make_executor = &make_executor;
  api.runtime_info = &runtime_info;
  api.cuda_device_count = &cuda_device_count;
  api.gemm_ceiling_available = &gemm_ceiling_available;
  api.gemm_backend_description = &gemm_backend_description;
  api.measure_gemm_ceilings = &measure_gemm_ceilings;
  api.llm_options_size = sizeof(LlmExecOptions);
  api.make_llm_executor = &make_llm_executor;
  return api;
}();

}  // namespace

extern "C" __attribute__((visibility("default"))) const dnnroof::ExecModuleApi*
dnnroof_exec_module_v1() {
  return &kApi;
}

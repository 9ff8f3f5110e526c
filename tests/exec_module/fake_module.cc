// A stand-in executor module for the loader's tests: it exports the entry
// point and an `openblas_get_corename` that answers "Prescott" (the kernel
// set Debian 12's OpenBLAS falls back to on CPUs newer than itself), and
// its make_executor fails with a message that reports the environment the
// program runs in, so a test can see whether the program restarted itself
// with OPENBLAS_CORETYPE. Built with FAKE_FOREIGN_BUILD it claims another
// build of dnnroof and must be refused.
#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/version.h"
#include "exec_module/exec_module.h"

namespace {

using namespace dnnroof;

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::unique_ptr<Executor> fake_make_executor(const Graph& graph, const ExecOptions& /*options*/) {
  fail("fake executor module: {} ({} nodes); OPENBLAS_CORETYPE={} FROM={}", graph.name,
       graph.nodes.size(), env_or("OPENBLAS_CORETYPE", "unset"),
       env_or("DNNROOF_OPENBLAS_CORETYPE_FROM", "unset"));
}
ExecInfo fake_runtime_info(const std::string& device) {
  ExecInfo i;
  i.device = device;
  i.libtorch_version = "fake";
  return i;
}
int fake_cuda_device_count() { return 0; }
bool fake_gemm_available() { return false; }
std::string fake_gemm_description() { return "fake executor module: no GEMM"; }
std::vector<GemmCeiling> fake_measure(const GemmCeilingOptions& /*options*/) {
  fail("fake executor module: no GEMM");
}

const ExecModuleApi kApi = [] {
  ExecModuleApi api;
#if defined(FAKE_FOREIGN_BUILD)
  api.abi = kExecModuleAbi + 100;
  api.revision = "0000foreign0";
#else
  api.abi = kExecModuleAbi;
  api.revision = kGitRevision;
#endif
  api.version = kVersion;
  api.graph_size = sizeof(Graph);
  api.options_size = sizeof(ExecOptions);
  api.make_executor = fake_make_executor;
  api.runtime_info = fake_runtime_info;
  api.cuda_device_count = fake_cuda_device_count;
  api.gemm_ceiling_available = fake_gemm_available;
  api.gemm_backend_description = fake_gemm_description;
  api.measure_gemm_ceilings = fake_measure;
  return api;
}();

}  // namespace

extern "C" const ExecModuleApi* dnnroof_exec_module_v1() { return &kApi; }
extern "C" const char* openblas_get_corename() { return "Prescott"; }

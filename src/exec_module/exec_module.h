#pragma once
// The executor as a module loaded on demand. LibTorch (and, through Debian's
// LibTorch, ~290 shared libraries) costs about a second and 150 MB to load,
// so the dnnroof program does not link it: the executor (src/exec) and the
// probe's GEMM ceiling (src/probe_gemm) are built into a shared module,
// libdnnroof_exec.so, which the program dlopen()s the first time a command
// executes something (bench, run, report, probe). Static commands (analyze,
// chips, models, plot, merge, import-ncu) never load it.
//
// The boundary is this table of functions, returned by the module's one
// exported symbol (C linkage). The module and the program are built by the
// same compiler from the same sources, so C++ types cross it as they are;
// the stamp below refuses a module from another build.
//
// This header includes no LibTorch header.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "exec/llm_executor.h"
#include "probe_gemm/gemm_ceiling.h"

namespace dnnroof {

// Bumped whenever the table below changes.
inline constexpr int kExecModuleAbi = 2;

struct ExecModuleApi {
  int abi = 0;                   // kExecModuleAbi of the module's build
  const char* version = "";      // kVersion of the module's build
  const char* revision = "";     // kGitRevision of the module's build
  std::size_t graph_size = 0;    // sizeof(Graph): a cheap check that both sides agree
  std::size_t options_size = 0;  // sizeof(ExecOptions)

  std::unique_ptr<Executor> (*make_executor)(const Graph& graph,
                                             const ExecOptions& options) = nullptr;
  ExecInfo (*runtime_info)(const std::string& device) = nullptr;
  int (*cuda_device_count)() = nullptr;
  bool (*gemm_ceiling_available)() = nullptr;
  std::string (*gemm_backend_description)() = nullptr;
  std::vector<GemmCeiling> (*measure_gemm_ceilings)(const GemmCeilingOptions& options) = nullptr;
  // Interface 2: the language model (exec/llm_executor.h).
  std::size_t llm_options_size = 0;  // sizeof(LlmExecOptions)
  std::unique_ptr<LlmExecutor> (*make_llm_executor)(const llm::LlmConfig& config,
                                                    const LlmExecOptions& options) = nullptr;
};

}  // namespace dnnroof

// The module's entry point, looked up with dlsym by name.
#define DNNROOF_EXEC_MODULE_ENTRY "dnnroof_exec_module_v1"
extern "C" const dnnroof::ExecModuleApi* dnnroof_exec_module_v1();

#pragma once
// Finds and loads the executor module, libdnnroof_exec.so (exec_module.h).
// No LibTorch include; the program links this (dnnroof::exec_forward)
// instead of dnnroof::exec.

#include <string>
#include <vector>

#include "exec_module/exec_module.h"

namespace dnnroof {

// The file name of the module.
inline constexpr const char* kExecModuleFile = "libdnnroof_exec.so";

// Where the module is looked for, in order: $DNNROOF_EXEC_MODULE when set
// (a path to the file; then the only place), else the folder of the running
// program (/proc/self/exe; the build tree puts both at the top of the build
// folder), that folder's sibling lib folder of the installed layout
// (bin/dnnroof, lib/libdnnroof_exec.so, or the libdir this build installs
// to), ../lib, and ../../lib (the program in libexec/dnnroof/ of a bundle
// with an external LibTorch, scripts/bundle.sh).
std::vector<std::string> exec_module_candidates();

// The module's table, loading the module on the first call (dlopen with
// RTLD_GLOBAL, so that LibTorch's BLAS is visible to the executor's
// dlsym(RTLD_DEFAULT) look-ups). Throws Error naming every place tried with
// the loader's reason when none loads, or when the module comes from
// another build of dnnroof. When DNNROOF_TORCH_LIB names a folder with
// libtorch_cpu.so (a LibTorch, or a torch wheel's torch/lib), LibTorch is
// loaded from there first, so a module built against that LibTorch finds it
// wherever it is installed. Thread-safe.
const ExecModuleApi& exec_module();

// Whether this process has loaded the module (and so LibTorch).
bool exec_module_loaded();

// For a command that executes models, called first thing in main(): loads
// the module now and, when the OpenBLAS it brings chose an old kernel set
// for a CPU newer than itself (Debian 12's 0.3.21 on Sapphire Rapids falls
// back to Prescott), restarts the program once with OPENBLAS_CORETYPE set
// to the kernels the CPU has (OpenBLAS reads it only when it loads; see
// docs/probe.md). DNNROOF_KEEP_BLAS=1 or an OPENBLAS_CORETYPE already set
// keep OpenBLAS's choice and skip the early load. A module that does not
// load is not an error here: the command says so when it needs it.
void prepare_exec_module(char** argv);

}  // namespace dnnroof

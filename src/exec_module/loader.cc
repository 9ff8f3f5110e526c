// Loading the executor module (loader.h).
#include "exec_module/loader.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/strings.h"
#include "core/version.h"

#ifndef DNNROOF_EXEC_MODULE_LIBDIR
#define DNNROOF_EXEC_MODULE_LIBDIR "../lib"
#endif

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

struct Loaded {
  std::once_flag once;
  const ExecModuleApi* api = nullptr;
  void* handle = nullptr;
  std::string error;  // why it did not load
};

Loaded& state() {
  static Loaded s;
  return s;
}

std::string program_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

// Checks that the module at `handle` is from this build; returns its table
// or sets `why`.
const ExecModuleApi* table_of(void* handle, const std::string& path, std::string& why) {
  void* sym = dlsym(handle, DNNROOF_EXEC_MODULE_ENTRY);
  if (sym == nullptr) {
    why = fmt::format("{}: no {} symbol (not a dnnroof executor module)", path,
                      DNNROOF_EXEC_MODULE_ENTRY);
    return nullptr;
  }
  // POSIX guarantees an object pointer from dlsym converts to a function pointer.
  using Entry = const ExecModuleApi* (*)();
  const ExecModuleApi* api = reinterpret_cast<Entry>(sym)();
  if (api == nullptr || api->abi != kExecModuleAbi || std::strcmp(api->version, kVersion) != 0 ||
      std::strcmp(api->revision, kGitRevision) != 0 || api->graph_size != sizeof(Graph) ||
      api->options_size != sizeof(ExecOptions)) {
    why = fmt::format(
        "{}: the module is from another build of dnnroof ({} {}, module interface {}); this "
        "program is {} {} (interface {}): rebuild or reinstall both",
        path, api != nullptr ? api->version : "?", api != nullptr ? api->revision : "?",
        api != nullptr ? api->abi : 0, kVersion, kGitRevision, kExecModuleAbi);
    return nullptr;
  }
  return api;
}

// DNNROOF_TORCH_LIB=<dir with libtorch_cpu.so> (a LibTorch or a torch wheel's
// lib/ that is not on the loader's search path): LibTorch is loaded from
// there first, with RTLD_GLOBAL, so the module's NEEDED libtorch*/libc10*
// resolve to it by soname. Appends to `tried` why it did not load.
void preload_torch(std::vector<std::string>& tried) {
  const char* dir = std::getenv("DNNROOF_TORCH_LIB");
  if (dir == nullptr || *dir == '\0') return;
  std::error_code ec;
  if (!fs::exists(fs::path(dir) / "libtorch_cpu.so", ec)) {
    tried.push_back(fmt::format("DNNROOF_TORCH_LIB={}: no libtorch_cpu.so there", dir));
    return;
  }
  // libtorch.so pulls in libtorch_cpu (and libtorch_cuda in a CUDA build) by its own RUNPATH.
  for (const char* lib : {"libc10.so", "libtorch_cpu.so", "libtorch.so"}) {
    const fs::path p = fs::path(dir) / lib;
    if (!fs::exists(p, ec)) continue;
    if (dlopen(p.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
      const char* e = dlerror();
      tried.push_back(fmt::format("DNNROOF_TORCH_LIB: {}", e != nullptr ? e : p.string()));
      return;
    }
  }
}

void load_once(Loaded& s) {
  std::vector<std::string> tried;
  preload_torch(tried);
  for (const std::string& path : exec_module_candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      tried.push_back(path + " (no such file)");
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (handle == nullptr) {
      const char* e = dlerror();
      tried.push_back(e != nullptr ? std::string(e) : path + " (dlopen failed)");
      continue;
    }
    std::string why;
    if (const ExecModuleApi* api = table_of(handle, path, why); api != nullptr) {
      s.handle = handle;
      s.api = api;
      return;
    }
    tried.push_back(why);
  }
  s.error = fmt::format(
      "the LibTorch executor module ({}) could not be loaded; tried: {}. Set "
      "DNNROOF_EXEC_MODULE to its path, and DNNROOF_TORCH_LIB to the folder with "
      "libtorch_cpu.so when LibTorch is not found",
      kExecModuleFile, join(tried, "; "));
}

// Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels by CPU model
// when it loads; a CPU newer than the library (e.g. Sapphire/Emerald Rapids)
// falls back to the SSE3 "Prescott" kernels, and LibTorch's fp32 matrix
// products then run 5-8x below the machine (docs/probe.md). OpenBLAS reads
// OPENBLAS_CORETYPE only at load time, so dnnroof restarts itself once with
// the kernel set the CPU really has. The executor records the kernel set
// OpenBLAS runs with every result (ExecInfo::blas).
// The kernel set the loaded OpenBLAS chose; "" when the BLAS is not OpenBLAS.
std::string openblas_core(void* handle) {
  using CoreFn = char* (*)();
  void* sym = dlsym(handle, "openblas_get_corename");
  if (sym == nullptr) return "";
  const char* core = reinterpret_cast<CoreFn>(sym)();
  return core != nullptr ? std::string(core) : std::string();
}

// The kernel set to ask for instead of `core`, or nullptr to keep it.
const char* better_openblas_core(const std::string& core) {
  static const std::array<std::string, 9> kOld{"prescott",   "core2",     "penryn",
                                               "dunnington", "nehalem",   "atom",
                                               "generic",    "barcelona", "sandybridge"};
  if (std::find(kOld.begin(), kOld.end(), to_lower(core)) == kOld.end()) return nullptr;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0) {
    return "Haswell";
  }
  return nullptr;
}

}  // namespace

std::vector<std::string> exec_module_candidates() {
  if (const char* env = std::getenv("DNNROOF_EXEC_MODULE"); env != nullptr && *env != '\0') {
    return {env};
  }
  std::vector<std::string> out;
  const std::string dir = program_dir();
  if (dir.empty()) return {kExecModuleFile};  // the loader's own search path
  // "../../lib": the program in libexec/dnnroof/ (a bundle with an external LibTorch).
  for (const char* rel : {".", DNNROOF_EXEC_MODULE_LIBDIR, "../lib", "../../lib"}) {
    const std::string p = (fs::path(dir) / rel / kExecModuleFile).lexically_normal().string();
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

const ExecModuleApi& exec_module() {
  Loaded& s = state();
  std::call_once(s.once, [&s] { load_once(s); });
  if (s.api == nullptr) throw Error(s.error);
  return *s.api;
}

bool exec_module_loaded() { return state().api != nullptr; }

void prepare_exec_module(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("DNNROOF_KEEP_BLAS") != nullptr) {
    return;
  }
  Loaded& s = state();
  std::call_once(s.once, [&s] { load_once(s); });
  if (s.api == nullptr) return;
  const std::string core = openblas_core(s.handle);
  const char* better = better_openblas_core(core);
  if (better == nullptr) return;
  setenv("DNNROOF_OPENBLAS_CORETYPE_FROM", core.c_str(), 1);
  setenv("OPENBLAS_CORETYPE", better, 1);
  execv("/proc/self/exe", argv);
  // execv returned: it failed; go on with OpenBLAS's own choice.
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv("DNNROOF_OPENBLAS_CORETYPE_FROM");
}

}  // namespace dnnroof

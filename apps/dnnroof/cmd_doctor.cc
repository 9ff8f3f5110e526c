// `dnnroof doctor`: what this machine has for dnnroof's GPU half (NVIDIA
// driver, CUDA runtime, GPUs, cuBLAS, LibTorch and its CUDA, Nsight Compute)
// and, for each missing piece, the fix. Everything is looked up with
// dlopen()/PATH at run time, so it works (and says what is missing) where
// none of it is installed.

#include <dlfcn.h>
#include <fmt/format.h>
#include <link.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "core/strings.h"
#include "core/table.h"
#include "core/version.h"
#if defined(DNNROOF_HAVE_EXEC)
#include "exec_module/loader.h"
#endif

namespace dnnroof::cli {
namespace {

namespace fs = std::filesystem;

struct Check {
  std::string what;
  std::string status;  // "ok", "missing", "no", "info"
  std::string detail;
  std::string fix;
};

// The first library of `names` that dlopen() finds; its handle and path.
struct Library {
  void* handle = nullptr;
  std::string path;
  std::string error;  // dlerror() of the last try
};

Library open_first(std::initializer_list<const char*> names) {
  Library lib;
  for (const char* n : names) {
    void* h = dlopen(n, RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) {
      const char* e = dlerror();
      lib.error = e != nullptr ? e : n;
      continue;
    }
    lib.handle = h;
    link_map* map = nullptr;
    if (dlinfo(h, RTLD_DI_LINKMAP, &map) == 0 && map != nullptr && map->l_name != nullptr) {
      lib.path = map->l_name;
    }
    if (lib.path.empty()) lib.path = n;
    return lib;
  }
  return lib;
}

template <typename F>
F symbol(const Library& lib, const char* name) {
  if (lib.handle == nullptr) return nullptr;
  return reinterpret_cast<F>(dlsym(lib.handle, name));
}

// stdout of a shell command (first `max_lines` lines), "" when it fails.
std::string run_capture(const std::string& command, int max_lines = 1) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>/dev/null").c_str(), "r"),
                                             pclose);
  if (!pipe) return {};
  std::string out;
  std::array<char, 512> buf{};
  int lines = 0;
  while (lines < max_lines && fgets(buf.data(), static_cast<int>(buf.size()), pipe.get())) {
    out += buf.data();
    ++lines;
  }
  return trim(out);
}

// `name` on PATH (or in the usual CUDA places): its full path, "" if absent.
std::string find_program(const std::string& name) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) dirs = split(path, ':');
  for (const char* extra : {"/usr/local/cuda/bin", "/opt/nvidia/nsight-compute"}) {
    dirs.emplace_back(extra);
  }
  for (const std::string& d : dirs) {
    if (d.empty()) continue;
    const fs::path p = fs::path(d) / name;
    if (access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

std::string cuda_version_text(int v) { return fmt::format("{}.{}", v / 1000, (v % 1000) / 10); }

// Libraries already loaded in this process whose file name contains `part`.
std::vector<std::string> loaded_libraries(const std::string& part) {
  struct Ctx {
    const std::string* part;
    std::vector<std::string> found;
  } ctx{&part, {}};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* c = static_cast<Ctx*>(data);
        if (info->dlpi_name != nullptr &&
            std::string(info->dlpi_name).find(*c->part) != std::string::npos) {
          c->found.emplace_back(info->dlpi_name);
        }
        return 0;
      },
      &ctx);
  return ctx.found;
}

std::vector<Check> run_checks() {
  std::vector<Check> out;
  out.push_back({"dnnroof", "info", fmt::format("{} (revision {})", kVersion, kGitRevision), ""});

  // NVIDIA driver: libcuda (the driver API) and the kernel module.
  const Library cuda = open_first({"libcuda.so.1", "libcuda.so"});
  const std::string module = [] {
    std::ifstream in("/proc/driver/nvidia/version");
    std::string line;
    std::getline(in, line);
    return trim(line);
  }();
  int driver_version = 0;
  bool cuda_init = false;
  std::string init_error;
  using CuInit = int (*)(unsigned);
  using CuDriverGetVersion = int (*)(int*);
  using CuGetErrorString = int (*)(int, const char**);
  if (cuda.handle != nullptr) {
    if (auto get = symbol<CuDriverGetVersion>(cuda, "cuDriverGetVersion")) get(&driver_version);
    if (auto init = symbol<CuInit>(cuda, "cuInit")) {
      const int rc = init(0);
      cuda_init = rc == 0;
      if (!cuda_init) {
        const char* s = nullptr;
        if (auto err = symbol<CuGetErrorString>(cuda, "cuGetErrorString")) err(rc, &s);
        init_error = fmt::format("cuInit failed: error {}{}", rc, s ? fmt::format(" ({})", s) : "");
      }
    }
    out.push_back(
        {"NVIDIA driver", cuda_init ? "ok" : "no",
         fmt::format("{}; supports CUDA {}{}{}", cuda.path, cuda_version_text(driver_version),
                     module.empty() ? "" : "; " + module,
                     init_error.empty() ? "" : "; " + init_error),
         cuda_init ? ""
                   : "the driver is installed but no GPU answers: check nvidia-smi, "
                     "the device nodes (/dev/nvidia*) and that this job was given a GPU "
                     "(Slurm: --gres=gpu:1)"});
  } else {
    out.push_back({"NVIDIA driver", "missing",
                   fmt::format("libcuda.so.1 not found ({})", cuda.error),
                   "install the NVIDIA driver (it provides libcuda.so.1), or run on a GPU node"});
  }

  // GPUs, through the driver API (a stable ABI).
  using CuDeviceGetCount = int (*)(int*);
  using CuDeviceGet = int (*)(int*, int);
  using CuDeviceGetName = int (*)(char*, int, int);
  using CuDeviceTotalMem = int (*)(std::size_t*, int);
  using CuDeviceGetAttribute = int (*)(int*, int, int);
  if (cuda_init) {
    int count = 0;
    if (auto f = symbol<CuDeviceGetCount>(cuda, "cuDeviceGetCount")) f(&count);
    if (count == 0) {
      out.push_back({"GPUs", "no", "the driver sees no GPU",
                     "run on a node with a GPU assigned to this job"});
    }
    for (int i = 0; i < count; ++i) {
      int dev = 0;
      std::array<char, 256> name{};
      std::size_t mem = 0;
      int major = 0;
      int minor = 0;
      int sms = 0;
      if (auto f = symbol<CuDeviceGet>(cuda, "cuDeviceGet")) f(&dev, i);
      if (auto f = symbol<CuDeviceGetName>(cuda, "cuDeviceGetName")) {
        f(name.data(), static_cast<int>(name.size()), dev);
      }
      if (auto f = symbol<CuDeviceTotalMem>(cuda, "cuDeviceTotalMem_v2")) f(&mem, dev);
      if (auto f = symbol<CuDeviceGetAttribute>(cuda, "cuDeviceGetAttribute")) {
        f(&major, 75, dev);  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
        f(&minor, 76, dev);  // ..._MINOR
        f(&sms, 16, dev);    // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
      }
      out.push_back({fmt::format("GPU cuda:{}", i), "ok",
                     fmt::format("{}, compute capability {}.{}, {} SMs, {:.1f} GiB", name.data(),
                                 major, minor, sms, static_cast<double>(mem) / (1 << 30)),
                     major * 10 + minor < 75 ? "compute capability < 7.5: dnnroof's CUDA kernels "
                                               "are built for 7.5, 8.0 and 9.0"
                                             : ""});
    }
  } else {
    out.push_back({"GPUs", "no", "no CUDA device (no working driver)", ""});
  }

  // CUDA runtime.
  const Library cudart =
      open_first({"libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0"});
  using CudaRuntimeGetVersion = int (*)(int*);
  if (cudart.handle != nullptr) {
    int v = 0;
    if (auto f = symbol<CudaRuntimeGetVersion>(cudart, "cudaRuntimeGetVersion")) f(&v);
    const bool too_new = driver_version > 0 && v > driver_version;
    out.push_back({"CUDA runtime", too_new ? "no" : "ok",
                   fmt::format("{} (CUDA {})", cudart.path, cuda_version_text(v)),
                   too_new ? fmt::format("the runtime (CUDA {}) is newer than the driver supports "
                                         "(CUDA {}): update the driver or use an older runtime",
                                         cuda_version_text(v), cuda_version_text(driver_version))
                           : ""});
  } else {
    out.push_back({"CUDA runtime", "missing", "libcudart not found",
                   "install the CUDA runtime (cuda-cudart) or pip's nvidia-cuda-runtime-cu12, and "
                   "add its lib directory to LD_LIBRARY_PATH"});
  }

  // cuBLAS.
  const Library cublas =
      open_first({"libcublas.so", "libcublas.so.13", "libcublas.so.12", "libcublas.so.11"});
  using CublasGetProperty = int (*)(int, int*);
  if (cublas.handle != nullptr) {
    int major = 0;
    int minor = 0;
    int patch = 0;
    if (auto f = symbol<CublasGetProperty>(cublas, "cublasGetProperty")) {
      f(0, &major);
      f(1, &minor);
      f(2, &patch);
    }
    out.push_back(
        {"cuBLAS", "ok", fmt::format("{} ({}.{}.{})", cublas.path, major, minor, patch), ""});
  } else {
    out.push_back({"cuBLAS", "missing", "libcublas not found",
                   "install libcublas (CUDA toolkit) or pip's nvidia-cublas-cu12 and add its lib "
                   "directory to LD_LIBRARY_PATH; the probe's GEMM ceiling needs it"});
  }

  // The executor module, loaded as `run`/`bench` load it (DNNROOF_TORCH_LIB
  // first, then the loader's search path), so a LibTorch it cannot find shows here.
#if defined(DNNROOF_HAVE_EXEC)
  try {
    (void)exec_module();
    const std::vector<std::string> loaded = loaded_libraries("libdnnroof_exec");
    out.push_back({"executor module", "ok", loaded.empty() ? "loaded" : join(loaded, ", "), ""});
  } catch (const std::exception& e) {
    out.push_back({"executor module", "missing", e.what(),
                   "run/bench need it and the LibTorch it was built against: set "
                   "DNNROOF_TORCH_LIB to that LibTorch's lib/ (a torch wheel's torch/lib)"});
  }
#else
  out.push_back({"executor module", "info", "this dnnroof was built without LibTorch", ""});
#endif
  // LibTorch: in this process, at DNNROOF_TORCH_LIB, and python3's.
  const std::vector<std::string> torch_loaded = loaded_libraries("libtorch");
  if (!torch_loaded.empty()) {
    const bool cuda_torch = !loaded_libraries("libtorch_cuda").empty();
    out.push_back({"LibTorch (this dnnroof)", "ok",
                   fmt::format("{} loaded{}", join(torch_loaded, ", "),
                               cuda_torch ? ", with CUDA (libtorch_cuda)" : ", CPU only"),
                   cuda_torch ? ""
                              : "this LibTorch has no CUDA: bench --device cuda needs a CUDA "
                                "LibTorch (DNNROOF_TORCH_LIB=<torch>/lib or a CUDA torch wheel)"});
  } else {
    out.push_back({"LibTorch (this dnnroof)", "info",
                   "not loaded by this command (it is loaded by the commands that run models)",
                   ""});
  }
  if (const char* dir = std::getenv("DNNROOF_TORCH_LIB")) {
    const bool cpu = fs::exists(fs::path(dir) / "libtorch_cpu.so");
    const bool gpu = fs::exists(fs::path(dir) / "libtorch_cuda.so");
    out.push_back({"DNNROOF_TORCH_LIB", cpu ? "ok" : "missing",
                   fmt::format("{}: libtorch_cpu.so {}, libtorch_cuda.so {}", dir,
                               cpu ? "found" : "absent", gpu ? "found" : "absent"),
                   cpu ? ""
                       : "point DNNROOF_TORCH_LIB at the lib/ directory of a LibTorch or of "
                         "a torch wheel (python3 -c 'import torch,os; "
                         "print(os.path.dirname(torch.__file__))'/lib)"});
  }
  const std::string py = find_program("python3");
  const std::string torch_py =
      py.empty() ? std::string()
                 : run_capture(py +
                               " -c \"import torch, os; print(torch.__version__, "
                               "torch.version.cuda, torch.cuda.is_available(), "
                               "os.path.join(os.path.dirname(torch.__file__), 'lib'))\"");
  if (!torch_py.empty()) {
    const std::vector<std::string> f = split(torch_py, ' ');
    const bool has_cuda = f.size() >= 3 && f[1] != "None";
    out.push_back({"python3 torch", "ok",
                   fmt::format("torch {} (CUDA {}, cuda available: {}) at {}",
                               f.size() > 0 ? f[0] : "?", f.size() > 1 ? f[1] : "?",
                               f.size() > 2 ? f[2] : "?", f.size() > 3 ? f[3] : "?"),
                   has_cuda ? "" : "a CPU-only torch: install a CUDA wheel for GPU runs"});
  } else {
    out.push_back({"python3 torch", "missing",
                   py.empty() ? "no python3 on PATH" : fmt::format("{} cannot import torch", py),
                   "optional: a torch wheel's lib/ can serve as LibTorch (DNNROOF_TORCH_LIB)"});
  }

  // Tools.
  for (const char* tool : {"nvidia-smi", "ncu"}) {
    const std::string path = find_program(tool);
    const std::string version =
        path.empty() ? std::string()
                     : run_capture(path + (std::string(tool) == "ncu" ? " --version | tail -1"
                                                                      : " --version | head -1"));
    out.push_back({tool, path.empty() ? "missing" : "ok",
                   path.empty() ? "not on PATH" : fmt::format("{} {}", path, version),
                   path.empty() ? (std::string(tool) == "ncu"
                                       ? "install Nsight Compute (CUDA toolkit) or add its "
                                         "directory to PATH; profile-cmd needs it"
                                       : "comes with the NVIDIA driver")
                                : ""});
  }
  return out;
}

void register_doctor(CLI::App& app, Context& /*ctx*/) {
  auto* sub = app.add_subcommand(
      "doctor", "Check this machine for the GPU half: driver, CUDA, GPUs, cuBLAS, LibTorch, ncu");
  sub->footer(
      "Examples:\n  dnnroof doctor\n  dnnroof doctor --format json\n"
      "Every check is a run-time lookup (dlopen, PATH), so it works where nothing is "
      "installed; each missing piece comes with its fix. Exit status 0; 'GPU ready: no' when "
      "no CUDA device can be used.\n");
  auto format = std::make_shared<std::string>("table");
  add_format_option(*sub, *format);
  sub->callback([format] {
    const OutputFormat f = parse_output_format(*format);
    const std::vector<Check> checks = run_checks();
    Table t({"check", "status", "found", "fix"}, {"check", "status", "found", "fix"});
    bool gpu = false;
    for (const Check& c : checks) {
      t.add_row({c.what, c.status, c.detail, c.fix});
      gpu = gpu || (c.what.rfind("GPU cuda:", 0) == 0 && c.status == "ok");
    }
    fmt::print("{}", t.render(f));
    if (f == OutputFormat::table) {
      fmt::print("\nGPU ready: {}\n",
                 gpu ? "yes" : "no (no CUDA device: the GPU steps of gpu-check will be skipped)");
    }
  });
}

DNNROOF_COMMAND(950, register_doctor);

}  // namespace
}  // namespace dnnroof::cli

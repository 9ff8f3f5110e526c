// dnnroof: roofline analysis and benchmarking of deep neural networks.

#include <fmt/format.h>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "commands.h"
#include "core/error.h"
#include "core/version.h"

namespace dnnroof::cli {

std::vector<RegisteredCommand>& registered_commands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(int order, Registrar registrar) {
  registered_commands().push_back({order, registrar});
}

void add_format_option(CLI::App& sub, std::string& target) {
  sub.add_option("--format", target, "Output format: table (people), csv or json (programs)")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->default_val("table");
}

}  // namespace dnnroof::cli

namespace {

// Debian 12's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels by CPU model
// when it loads; a CPU newer than the library (e.g. Sapphire/Emerald Rapids)
// falls back to the SSE3 "Prescott" kernels, and LibTorch's fp32 matrix
// products then run 5-8x below the machine (docs/probe.md). OpenBLAS reads
// OPENBLAS_CORETYPE only at load time, before main(), so dnnroof restarts
// itself once with the kernel set the CPU really has. The executor records
// the kernel set OpenBLAS runs with every result (ExecInfo::blas), and
// DNNROOF_KEEP_BLAS=1 keeps OpenBLAS's own choice.
void restart_with_openblas_kernels_for_this_cpu(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || std::getenv("DNNROOF_KEEP_BLAS") != nullptr) {
    return;
  }
  using CoreFn = char* (*)();
  void* sym = dlsym(RTLD_DEFAULT, "openblas_get_corename");
  if (sym == nullptr) return;  // not OpenBLAS (or no BLAS linked)
  const char* core_name = reinterpret_cast<CoreFn>(sym)();
  if (core_name == nullptr) return;
  std::string core = core_name;
  std::transform(core.begin(), core.end(), core.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  static const std::array<std::string, 9> kOld{"prescott", "core2",   "penryn",
                                               "dunnington", "nehalem", "atom",
                                               "generic",  "barcelona", "sandybridge"};
  if (std::find(kOld.begin(), kOld.end(), core) == kOld.end()) return;
  __builtin_cpu_init();
  const char* better = nullptr;
  if (__builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0) {
    better = "SkylakeX";
  } else if (__builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0) {
    better = "Haswell";
  }
  if (better == nullptr) return;
  setenv("OPENBLAS_CORETYPE", better, 1);
  setenv("DNNROOF_OPENBLAS_CORETYPE_FROM", core_name, 1);
  execv("/proc/self/exe", argv);
  // execv returned: it failed; go on with OpenBLAS's own choice.
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv("DNNROOF_OPENBLAS_CORETYPE_FROM");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dnnroof;
  restart_with_openblas_kernels_for_this_cpu(argv);
  CLI::App app{
      "dnnroof: roofline analysis and benchmarking of deep neural networks.\n"
      "The chips (peaks, rooflines), the work (FLOPs, bytes, intensity), the\n"
      "reality (measured latency) and the why (placement under the roof).",
      "dnnroof"};
  app.set_version_flag("--version", fmt::format("dnnroof {} ({})", kVersion, kGitRevision));
  app.require_subcommand(1);
  app.fallthrough();
  cli::Context ctx;
  app.add_option("--catalog", ctx.catalog_files,
                 "Extra chip catalog (TOML) that adds or overrides chips; repeatable")
      ->check(CLI::ExistingFile);

  auto commands = cli::registered_commands();
  std::stable_sort(commands.begin(), commands.end(),
                   [](const auto& a, const auto& b) { return a.order < b.order; });
  for (const auto& c : commands) c.registrar(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "dnnroof: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "dnnroof: internal error: {}\n", e.what());
    return 2;
  }
  return 0;
}

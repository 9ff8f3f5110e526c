// dnnroof: roofline analysis and benchmarking of deep neural networks.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>

#include "commands.h"
#include "core/error.h"
#include "core/version.h"
#if defined(DNNROOF_HAVE_EXEC)
#include "exec_module/loader.h"
#endif

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

#if defined(DNNROOF_HAVE_EXEC)
// The subcommands that execute models load the executor module (LibTorch)
// first thing, before they do anything: its OpenBLAS may want the program
// restarted with OPENBLAS_CORETYPE (exec_module/loader.h), which must happen
// before any output. The others never load it (docs/startup.md).
bool executes_models(int argc, char** argv) {
  static const std::array<std::string_view, 4> kExecuting{"bench", "run", "report", "probe"};
  std::string_view command;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "--version") return false;
    if (command == "probe" && arg == "--no-gemm") return false;  // the FMA loops need no LibTorch
    if (!command.empty()) continue;
    if (arg == "--catalog") {
      ++i;  // its value
    } else if (!arg.starts_with("-")) {
      command = arg;
    }
  }
  return std::find(kExecuting.begin(), kExecuting.end(), command) != kExecuting.end();
}
#endif

}  // namespace

int main(int argc, char** argv) {
  using namespace dnnroof;
#if defined(DNNROOF_HAVE_EXEC)
  if (executes_models(argc, argv)) prepare_exec_module(argv);
#endif
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
  } catch (const std::filesystem::filesystem_error& e) {
    // A path a command cannot create or write: the user's to fix, not ours.
    std::fflush(stdout);
    fmt::print(stderr, "dnnroof: error: '{}': {}\n", e.path1().string(), e.code().message());
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "dnnroof: internal error: {}\n", e.what());
    return 2;
  }
  return 0;
}

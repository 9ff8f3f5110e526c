#pragma once
// The command-line program: one file per subcommand (cmd_<name>.cc), each of
// which registers itself with DNNROOF_COMMAND. Subcommands only parse their
// options and call the library; they print tables to stdout and progress and
// warnings to stderr, so `--format json | jq` always works.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace dnnroof::cli {

// Options shared by every subcommand (set on the top-level app).
struct Context {
  std::vector<std::string> catalog_files;  // --catalog FILE (repeatable)
  bool verbose = false;
};

using Registrar = void (*)(CLI::App& app, Context& ctx);

// Registers a subcommand; `order` sets its place in `dnnroof --help`.
struct CommandRegistration {
  CommandRegistration(int order, Registrar registrar);
};

struct RegisteredCommand {
  int order;
  Registrar registrar;
};
std::vector<RegisteredCommand>& registered_commands();

// Adds the usual `--format table|csv|json` option bound to `target`.
void add_format_option(CLI::App& sub, std::string& target);

}  // namespace dnnroof::cli

#define DNNROOF_CONCAT_INNER(a, b) a##b
#define DNNROOF_CONCAT(a, b) DNNROOF_CONCAT_INNER(a, b)
#define DNNROOF_COMMAND(order, fn) \
  static const ::dnnroof::cli::CommandRegistration DNNROOF_CONCAT(kRegister_, __LINE__)(order, fn)

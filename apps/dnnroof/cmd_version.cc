// `dnnroof version`: the version, revision and the optional parts built in.
#include <fmt/format.h>

#include "commands.h"
#include "core/version.h"

namespace dnnroof::cli {
namespace {

void register_version(CLI::App& app, Context& /*ctx*/) {
  auto* sub = app.add_subcommand("version", "Print dnnroof's version and git revision");
  sub->callback([] { fmt::print("dnnroof {} (revision {})\n", kVersion, kGitRevision); });
}

DNNROOF_COMMAND(1000, register_version);

}  // namespace
}  // namespace dnnroof::cli

#include "support/cli.h"

#include <sys/wait.h>

#include <cstdlib>

namespace dnnroof::test {

CliRun run_program(const std::string& program, const std::string& args,
                   const std::filesystem::path& dir, const std::string& env) {
  const std::filesystem::path out = dir / "stdout.txt";
  const std::filesystem::path err = dir / "stderr.txt";
  std::string cmd = env.empty() ? "" : "env " + env + " ";
  cmd += program + " " + args + " >" + out.string() + " 2>" + err.string();
  CliRun r;
  const int raw = std::system(cmd.c_str());
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

}  // namespace dnnroof::test

// The program's startup (docs/startup.md), through the binary: commands that
// execute nothing never load LibTorch nor the executor module (the dynamic
// linker's own trace, LD_DEBUG=files, lists every library a process loads);
// `run` loads the module on demand; a missing or foreign module is a clear
// error; and the OpenBLAS restart happens before the command runs, with a
// stand-in module whose OpenBLAS "chose" Prescott kernels.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli.h"

namespace {

namespace fs = std::filesystem;

using dnnroof::test::CliRun;

class Startup : public dnnroof::test::CliTest {
 protected:
  Startup() : CliTest("startup") {}

  // Runs the program with `env` (VAR=value ...) in a clean BLAS environment.
  CliRun run(const std::string& env, const std::string& args) const {
    return dnnroof::test::run_program(
        DNNROOF_BINARY, args, dir(),
        "-u OPENBLAS_CORETYPE -u DNNROOF_KEEP_BLAS -u DNNROOF_OPENBLAS_CORETYPE_FROM "
        "-u DNNROOF_EXEC_MODULE " +
            env);
  }
};

bool has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

TEST_F(Startup, CommandsThatExecuteNothingNeverLoadLibTorch) {
  const std::string src = DNNROOF_SOURCE_DIR;
  const std::vector<std::string> commands{
      "--version",
      "analyze resnet18",
      "analyze resnet18 --training --chip host --format json",
      "chips",
      "models",
      "plot chips --ids t4 --out " + (dir_ / "t4.svg").string(),
      "merge " + src + "/tests/store/data/a.json",
      "import-ncu " + src + "/tests/ncu/data/resnet18_a100_raw.csv --format csv",
      "bench --help",
      "probe --help",
      "run --help",
  };
  for (const auto& c : commands) {
    const CliRun r = run("LD_DEBUG=files", c);
    EXPECT_EQ(r.status, 0) << c << "\n"
                           << r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
    // The trace is on: the C library's initialiser is in it.
    EXPECT_TRUE(has(r.err, "calling init:")) << c;
    EXPECT_FALSE(has(r.err, "libtorch")) << c;
    EXPECT_FALSE(has(r.err, "libdnnroof_exec")) << c;
    EXPECT_FALSE(has(r.err, "openblas")) << c;
  }
}

TEST_F(Startup, RunLoadsTheModuleOnDemand) {
  const CliRun r = run("LD_DEBUG=files", "run squeezenet1_0");
  ASSERT_EQ(r.status, 0) << r.err.substr(r.err.size() > 2000 ? r.err.size() - 2000 : 0);
  EXPECT_TRUE(has(r.err, fs::path(DNNROOF_EXEC_MODULE_FILE).filename().string()));
  EXPECT_TRUE(has(r.err, "libtorch"));
  EXPECT_TRUE(has(r.out, "[1, 1000]"));
}

TEST_F(Startup, AMissingModuleIsAClearError) {
  const CliRun r = run("DNNROOF_EXEC_MODULE=/nonexistent/libdnnroof_exec.so", "run squeezenet1_0");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "/nonexistent/libdnnroof_exec.so (no such file)")) << r.err;
  EXPECT_TRUE(has(r.err, "DNNROOF_EXEC_MODULE")) << r.err;
  EXPECT_FALSE(has(r.err, "internal error")) << r.err;
}

TEST_F(Startup, AModuleFromAnotherBuildIsRefused) {
  const CliRun r = run(std::string("DNNROOF_EXEC_MODULE=") + FOREIGN_MODULE, "run squeezenet1_0");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r.err, "from another build of dnnroof")) << r.err;
  EXPECT_TRUE(has(r.err, "0000foreign0")) << r.err;
}

// What the program should ask OpenBLAS for instead of Prescott on this CPU.
std::string expected_core() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512bw") != 0) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("fma") != 0) return "Haswell";
  return "unset";
}

TEST_F(Startup, AnOldOpenBlasCoreRestartsTheProgramBeforeTheCommandRuns) {
  const std::string core = expected_core();
  const CliRun r = run(std::string("DNNROOF_EXEC_MODULE=") + FAKE_MODULE, "run squeezenet1_0");
  EXPECT_EQ(r.status, 1);
  // The error crosses from the module into the program as dnnroof's Error.
  EXPECT_TRUE(has(r.err, "dnnroof: error: fake executor module: squeezenet1_0")) << r.err;
  EXPECT_TRUE(
      has(r.err, "OPENBLAS_CORETYPE=" + core + " FROM=" + (core == "unset" ? "unset" : "Prescott")))
      << r.err;
}

TEST_F(Startup, TheUsersBlasChoiceIsKept) {
  CliRun r = run(std::string("DNNROOF_KEEP_BLAS=1 DNNROOF_EXEC_MODULE=") + FAKE_MODULE,
                 "run squeezenet1_0");
  EXPECT_TRUE(has(r.err, "OPENBLAS_CORETYPE=unset FROM=unset")) << r.err;
  r = run(std::string("OPENBLAS_CORETYPE=Zen DNNROOF_EXEC_MODULE=") + FAKE_MODULE,
          "run squeezenet1_0");
  EXPECT_TRUE(has(r.err, "OPENBLAS_CORETYPE=Zen FROM=unset")) << r.err;
}

// A command that executes nothing never restarts, whatever the module says.
TEST_F(Startup, StaticCommandsNeverRestart) {
  const CliRun r = run(std::string("LD_DEBUG=files DNNROOF_EXEC_MODULE=") + FAKE_MODULE,
                       "analyze squeezenet1_0");
  EXPECT_EQ(r.status, 0);
  EXPECT_FALSE(has(r.err, "fake_exec_module")) << "the module was loaded";
}

}  // namespace

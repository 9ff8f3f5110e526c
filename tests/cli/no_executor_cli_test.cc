// A build without LibTorch (-DDNNROOF_WITH_TORCH=OFF) has no executor: the
// commands that execute models say so and exit 1, printing nothing on stdout,
// before any work (docs/startup.md). Registered only in such a build.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/cli.h"

namespace {

using dnnroof::test::CliRun;

class NoExecutorCli : public dnnroof::test::CliTest {
 protected:
  NoExecutorCli() : CliTest("no-executor-cli") {}
  static void expect_lacks_libtorch(const CliRun& r, const std::string& command) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_NE(
        r.err.find("dnnroof " + command + " needs the LibTorch executor, which this build lacks"),
        std::string::npos)
        << r.err;
  }
};

TEST_F(NoExecutorCli, RunSaysTheBuildLacksLibTorch) {
  // Not "unexpected argument": the command exists and says why it cannot run,
  // before it creates --outputs.
  const std::string out = (dir() / "out").string();
  const CliRun r = run("run resnet18 --batch 1 --outputs " + out);
  expect_lacks_libtorch(r, "run");
  EXPECT_NE(r.err.find("-DDNNROOF_WITH_TORCH=ON"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(NoExecutorCli, BenchSaysTheBuildLacksLibTorch) {
  expect_lacks_libtorch(run("bench resnet18 --budget 0.1s"), "bench");
  // The language-model sweep too.
  expect_lacks_libtorch(run("bench llama-tiny --phase prefill --context 16"), "bench");
}

}  // namespace

// An output path a command cannot create (--out under /proc, under a regular
// file) is a user error before any work: exit status 1, the option, the path
// and the reason on stderr, nothing on stdout (no table printed before it),
// never "internal error".
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/cli.h"

namespace {

namespace fs = std::filesystem;
using dnnroof::test::CliRun;

class OutPathCli : public dnnroof::test::CliTest {
 protected:
  OutPathCli() : CliTest("out-path-cli") {}
  void SetUp() override { std::ofstream(dir() / "a_file") << "not a folder\n"; }
  void expect_user_error(const CliRun& r, const std::string& path, const std::string& reason) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  }
};

TEST_F(OutPathCli, PlotChipsUnderProc) {
  // The case: mkdir of /proc/x fails, whoever runs it.
  const CliRun r = run("plot chips --out /proc/dnnroof-no-such-dir/y.svg");
  expect_user_error(r, "--out '/proc/dnnroof-no-such-dir/y.svg'", "No such file or directory");
  EXPECT_NE(r.err.find("'/proc/dnnroof-no-such-dir'"), std::string::npos) << r.err;
}

TEST_F(OutPathCli, PlotUnderARegularFile) {
  const std::string out = (dir() / "a_file" / "y.svg").string();
  expect_user_error(run("plot chips --ids t4 --out " + out), out, "Not a directory");
  expect_user_error(run("plot models --chip t4 --models resnet18 --out " + out), out,
                    "Not a directory");
}

TEST_F(OutPathCli, PlotToAFolder) {
  fs::create_directories(dir() / "figure.svg");
  const std::string out = (dir() / "figure.svg").string();
  expect_user_error(run("plot chips --ids t4 --out " + out), out, "is a folder");
}

TEST_F(OutPathCli, RunOutputsUnderARegularFile) {
#if defined(DNNROOF_TEST_HAVE_EXEC)
  const std::string out = (dir() / "a_file" / "outputs").string();
  expect_user_error(run("run resnet18 --batch 1 --outputs " + out), "--outputs '" + out + "'",
                    "Not a directory");
#else
  GTEST_SKIP() << "this build has no LibTorch executor: `run` only says so "
                  "(test_no_executor_cli checks that error)";
#endif
}

}  // namespace

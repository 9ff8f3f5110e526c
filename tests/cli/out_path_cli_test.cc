// An output path a command cannot create (--out under /proc, under a regular
// file) is a user error before any work: exit status 1, the option, the path
// and the reason on stderr, nothing on stdout (no table printed before it),
// never "internal error".
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

struct CliRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class OutPathCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dnnroof-out-path-cli-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "a_file") << "not a folder\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  CliRun run(const std::string& args) const {
    const std::string cmd = std::string(DNNROOF_BINARY) + " " + args + " >" +
                            (dir_ / "o.txt").string() + " 2>" + (dir_ / "e.txt").string();
    const int raw = std::system(cmd.c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_text(dir_ / "o.txt"),
            read_text(dir_ / "e.txt")};
  }
  void expect_user_error(const CliRun& r, const std::string& path, const std::string& reason) {
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  }
  fs::path dir_;
};

TEST_F(OutPathCli, PlotChipsUnderProc) {
  // The case: mkdir of /proc/x fails, whoever runs it.
  const CliRun r = run("plot chips --out /proc/dnnroof-no-such-dir/y.svg");
  expect_user_error(r, "--out '/proc/dnnroof-no-such-dir/y.svg'", "No such file or directory");
  EXPECT_NE(r.err.find("'/proc/dnnroof-no-such-dir'"), std::string::npos) << r.err;
}

TEST_F(OutPathCli, PlotUnderARegularFile) {
  const std::string out = (dir_ / "a_file" / "y.svg").string();
  expect_user_error(run("plot chips --ids t4 --out " + out), out, "Not a directory");
  expect_user_error(run("plot models --chip t4 --models resnet18 --out " + out), out,
                    "Not a directory");
}

TEST_F(OutPathCli, PlotToAFolder) {
  fs::create_directories(dir_ / "figure.svg");
  const std::string out = (dir_ / "figure.svg").string();
  expect_user_error(run("plot chips --ids t4 --out " + out), out, "is a folder");
}

TEST_F(OutPathCli, RunOutputsUnderARegularFile) {
  if (run("run --help").status != 0) GTEST_SKIP() << "no run command in this build";
  const std::string out = (dir_ / "a_file" / "outputs").string();
  expect_user_error(run("run resnet18 --batch 1 --outputs " + out), "--outputs '" + out + "'",
                    "Not a directory");
}

}  // namespace

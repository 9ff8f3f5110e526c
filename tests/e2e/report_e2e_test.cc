// `dnnroof report --quick` end to end, as a user runs it: every section and
// figure is written, every number is in data/, no measured point lies above
// its roof without a flag, and the page opens in headless Chromium with no
// console errors and a screenshot that is not blank.

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/strings.h"
#include "support/files.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

using test::read_file;

// Runs `command` through the shell; returns the exit status, output in `log`.
int run(const std::string& command, const fs::path& log) {
  const int rc = std::system(fmt::format("{} > '{}' 2>&1", command, log.string()).c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string find_on_path(const std::vector<std::string>& names) {
  const char* path = std::getenv("PATH");
  for (const std::string& dir : split(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    for (const std::string& n : names) {
      const std::string c = dir + "/" + n;
      if (!dir.empty() && access(c.c_str(), X_OK) == 0) return c;
    }
  }
  return {};
}

// A CSV line split on commas outside quotes.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

class ReportEndToEnd : public ::testing::Test {
 protected:
  // CTest runs each test in its own process: the report is made once per
  // build of the binary (a stamp of its size and time) and shared.
  // CTest runs them in parallel (scripts/test.sh), so the first one makes the
  // report under an exclusive lock and the others wait for it.
  static void SetUpTestSuite() {
    dir_ = fs::path(DNNROOF_E2E_WORKDIR);
    fs::create_directories(dir_.parent_path());
    const std::string lock_path = dir_.string() + ".lock";
    const int lock_fd = open(lock_path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock_fd >= 0) flock(lock_fd, LOCK_EX);
    const std::string stamp =
        fmt::format("{} {}", fs::file_size(DNNROOF_BINARY),
                    fs::last_write_time(DNNROOF_BINARY).time_since_epoch().count());
    if (read_file(dir_ / "stamp") != stamp) {
      fs::remove_all(dir_);
      fs::create_directories(dir_);
      // --threads 2: the stand-in's figures are its 2 cores' (a run is judged
      // only against ceilings of its own thread count; the default, every
      // allowed core, differs between machines).
      const int rc = run(
          fmt::format("'{}' --catalog '{}' report --quick --no-probe --threads 2 --out '{}/report'",
                      DNNROOF_BINARY, DNNROOF_E2E_CATALOG, dir_.string()),
          dir_ / "report.log");
      std::ofstream(dir_ / "rc") << rc;
      std::ofstream(dir_ / "stamp") << stamp;
    }
    rc_ = std::atoi(read_file(dir_ / "rc").c_str());
    log_ = read_file(dir_ / "report.log");
    if (lock_fd >= 0) close(lock_fd);  // releases the lock
  }
  void SetUp() override {
    if (log_.find("built without LibTorch") != std::string::npos) {
      GTEST_SKIP() << "this build has no LibTorch executor, so `report` cannot measure";
    }
    ASSERT_EQ(rc_, 0) << log_;
  }
  static fs::path report() { return dir_ / "report"; }

  static inline fs::path dir_;
  static inline int rc_ = -1;
  static inline std::string log_;
};

TEST_F(ReportEndToEnd, EverySectionAndFigureIsWritten) {
  const std::string html = read_file(report() / "index.html");
  for (const char* id : {"abstract", "introduction", "methods", "chips", "models", "benchmarks",
                         "utilisation", "training", "prediction", "discussion", "threats",
                         "conclusion", "references", "appendix-worked", "caveats"}) {
    EXPECT_NE(html.find(fmt::format("<section id=\"{}\">", id)), std::string::npos) << id;
  }
  // One figure per question of the study (three quick models, batch 1 and 4, CPU).
  for (const char* fig :
       {"chips-gpu-fp32", "models-flops", "models-params", "models-memory",
        "models-on-roof-host-measured", "latency-vs-flops-cpu-b1", "latency-vs-params-cpu-b1",
        "spearman-b1", "throughput-cpu-infer", "roofline-measured-host-measured",
        "fwd-bwd-time-cpu", "fwd-bwd-ratio-cpu", "op-shares-flops-forward",
        // The model timed per layer (the first quick model): its layers on
        // the roofline (section 4) and its op-type pies (section 5).
        "roofline-layers-squeezenet1-1-host-measured-b1", "op-pies-squeezenet1-1-forward"}) {
    EXPECT_TRUE(fs::exists(report() / "figures" / (std::string(fig) + ".png"))) << fig;
    EXPECT_NE(html.find(fmt::format("<figure id=\"fig-{}\">\n<svg", fig)), std::string::npos)
        << fig;
  }
  EXPECT_NE(html.find("predicted-vs-measured"), std::string::npos);
  // Self-contained: no script, no external resource.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  // Markdown with the figures beside it.
  const std::string md = read_file(report() / "report.md");
  EXPECT_NE(md.find("![FLOPs per model, batch 1](figures/models-flops.png)"), std::string::npos);
  for (const char* data :
       {"chips", "models", "static_placement", "latency", "memory", "correlations", "placements",
        "forward_backward", "predictions", "results"}) {
    EXPECT_TRUE(fs::exists(report() / "data" / (std::string(data) + ".json"))) << data;
  }
  // Progress with an ETA on stderr.
  EXPECT_NE(log_.find("ETA"), std::string::npos);
}

TEST_F(ReportEndToEnd, NoPointAboveItsRoofUnflagged) {
  // The roofs of the catalog stand-in, by hand: L3 min(200e9, 30e9 x I),
  // DRAM min(200e9, 10e9 x I); the lowest binds.
  std::istringstream csv(read_file(report() / "data" / "placements.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> head = csv_fields(line);
  auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  const std::size_t oi = col("intensity_flop_per_byte"), ach = col("achieved_flops"),
                    flag = col("flag");
  ASSERT_LT(flag, head.size()) << line;
  std::size_t rows = 0, flagged = 0;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = csv_fields(line);
    const double roof = std::min(200e9, 10e9 * std::stod(f.at(oi)));
    const double achieved = std::stod(f.at(ach));
    ++rows;
    if (achieved > roof * 1.001) {
      EXPECT_FALSE(f.at(flag).empty()) << "unflagged point above its roof: " << line;
      ++flagged;
    }
  }
  EXPECT_GE(rows, 3u);  // three models at batch 1, more at batch 4
  if (flagged > 0) {
    EXPECT_NE(read_file(report() / "index.html").find("Flagged by the analysis"),
              std::string::npos);
  }
}

TEST_F(ReportEndToEnd, NoIntervalOfFewerThanTenSamples) {
  // latency.csv: every row has n; the interval is a number only from 10
  // samples on, "no 95% CI" below.
  std::istringstream csv(read_file(report() / "data" / "latency.csv"));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> head = csv_fields(line);
  const auto at = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(head.begin(), head.end(), name) - head.begin());
  };
  const std::size_t ci = at("ci_rel_half_width"), n = at("samples"), status = at("status");
  ASSERT_LT(n, head.size()) << line;
  std::size_t rows = 0;
  while (std::getline(csv, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = csv_fields(line);
    if (f.at(status).starts_with("failed")) continue;
    ++rows;
    if (std::stoul(f.at(n)) < 10) {
      EXPECT_EQ(f.at(ci), "no 95% CI") << line;
    } else {
      EXPECT_NO_THROW((void)std::stod(f.at(ci))) << line;
    }
  }
  EXPECT_GE(rows, 3u);
  EXPECT_EQ(read_file(report() / "report.md").find("noisy: noisy:"), std::string::npos);
}

TEST_F(ReportEndToEnd, OpensInHeadlessChromiumWithoutConsoleErrors) {
  const std::string chromium = find_on_path({"chromium", "chromium-browser", "google-chrome"});
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (apt-get install chromium)";
  const fs::path png = dir_ / "screenshot.png";
  const int rc = run(fmt::format("timeout 120 '{}' --headless --no-sandbox --disable-gpu "
                                 "--disable-background-networking --disable-component-update "
                                 "--no-first-run --enable-logging=stderr --v=0 "
                                 "--screenshot='{}' --window-size=1400,4000 'file://{}'",
                                 chromium, png.string(), (report() / "index.html").string()),
                     dir_ / "chromium.log");
  const std::string log = read_file(dir_ / "chromium.log");
  ASSERT_EQ(rc, 0) << log;
  ASSERT_TRUE(fs::exists(png)) << log;
  // A blank 1400 x 4000 page compresses to a few kB; text, tables and
  // figures to hundreds.
  EXPECT_GT(fs::file_size(png), 100'000u);
  // Console messages are logged as "CONSOLE(line)"; the page has no script,
  // so any is an error (a resource that failed to load, a parse error).
  EXPECT_EQ(log.find(":CONSOLE("), std::string::npos) << log;
  EXPECT_EQ(log.find("Failed to load resource"), std::string::npos) << log;
}

}  // namespace
}  // namespace dnnroof

// bench_onnx_import [MODEL.onnx]: times the ONNX import of a large model,
// analysis-only (weights skipped at the wire level, never copied) and full
// (the whole file parsed by protobuf), and the peak memory each adds.
// Without an argument it exports torchvision's vit_b_16 (opset 17, ~350 MB)
// with /usr/bin/python3 into a temp dir first. Prints the ratios to the
// targets: full < 2 s, analysis-only < 0.1 s.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "onnx/onnx_import.h"

namespace {

// Peak resident set of this process so far [B].
double peak_rss_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) * 1024.0;
}

// Median seconds of `runs` imports.
double median_seconds(const std::string& path, const dnnroof::OnnxImportOptions& o, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    const dnnroof::Graph g = dnnroof::import_onnx_file(path, o);
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::string path;
    std::filesystem::path temp;
    if (argc > 1) {
      path = argv[1];
    } else {
      std::string pattern =
          (std::filesystem::temp_directory_path() / "dnnroof_bench_onnx_XXXXXX").string();
      if (mkdtemp(pattern.data()) == nullptr) dnnroof::fail("mkdtemp failed");
      temp = pattern;
      const std::string cmd = fmt::format(
          "/usr/bin/python3 {}/tests/onnx/export_torchvision.py {} vit_b_16 --opset 17 >/dev/null "
          "2>&1",
          DNNROOF_SOURCE_DIR, temp.string());
      fmt::print(stderr, "exporting vit_b_16 with python3-torch ...\n");
      if (std::system(cmd.c_str()) != 0) dnnroof::fail("export failed: {}", cmd);
      path = (temp / "vit_b_16.onnx").string();
    }
    const double file_bytes = static_cast<double>(std::filesystem::file_size(path));
    dnnroof::OnnxImportOptions analysis;
    dnnroof::OnnxImportOptions full;
    full.load_weights = true;

    // Memory first, each measured as the growth of the peak over what came before.
    const double rss0 = peak_rss_bytes();
    const dnnroof::Graph g = dnnroof::import_onnx_file(path, analysis);
    const double rss_analysis = peak_rss_bytes() - rss0;
    const double t_analysis = median_seconds(path, analysis, 9);
    const double rss1 = peak_rss_bytes();
    const double t_full = median_seconds(path, full, 3);
    const double rss_full = peak_rss_bytes() - rss1;

    fmt::print("model: {} ({:.1f} MB file, {} nodes)\n", path, file_bytes / 1e6, g.nodes.size());
    fmt::print(
        "analysis-only import: {:.4f} s (target 0.1 s, ratio {:.3f}); peak memory +{:.1f} MB "
        "({:.4f} of the file)\n",
        t_analysis, t_analysis / 0.1, rss_analysis / 1e6, rss_analysis / file_bytes);
    fmt::print(
        "full import:          {:.4f} s (target 2 s, ratio {:.3f}); peak memory +{:.1f} MB "
        "({:.3f} of the file)\n",
        t_full, t_full / 2.0, rss_full / 1e6, rss_full / file_bytes);
    fmt::print("full / analysis-only time: {:.1f}x\n", t_full / t_analysis);
    if (!temp.empty()) std::filesystem::remove_all(temp);
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "bench_onnx_import: {}\n", e.what());
    return 1;
  }
}

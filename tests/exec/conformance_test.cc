// Executor conformance against the ONNX project's test data
// (../shared/onnx-testdata): every pytorch-converted and pytorch-operator
// model runs on its input_*.pb and matches output_0.pb (rtol 1e-3, atol
// 1e-4), or is refused with an error that names the unsupported op. The
// light models reproduce their expected outputs on the ONNX runner's fill.
// The list of what passes is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "exec/executor.h"
#include "onnx/onnx_import.h"
#include "onnx/tensor_io.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(DNNROOF_SHARED_DIR) / "onnx-testdata";

std::vector<double> as_doubles(const HostTensor& t) {
  const std::size_t es = static_cast<std::size_t>(dtype_bytes(t.dtype));
  const std::size_t n = es == 0 ? 0 : t.data.size() / es;
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned char* p = t.data.data() + i * es;
    switch (t.dtype) {
      case DType::fp32: {
        float f = 0;
        std::memcpy(&f, p, 4);
        v[i] = f;
        break;
      }
      case DType::fp64:
        std::memcpy(&v[i], p, 8);
        break;
      case DType::int64: {
        std::int64_t x = 0;
        std::memcpy(&x, p, 8);
        v[i] = static_cast<double>(x);
        break;
      }
      case DType::int32: {
        std::int32_t x = 0;
        std::memcpy(&x, p, 4);
        v[i] = x;
        break;
      }
      case DType::int8:
        v[i] = static_cast<signed char>(*p);
        break;
      case DType::boolean:
        v[i] = *p != 0 ? 1.0 : 0.0;
        break;
      default:
        ADD_FAILURE() << "unexpected dtype " << dtype_name(t.dtype);
    }
  }
  return v;
}

// "" when `got` matches `want` within |got - want| <= atol + rtol * |want|.
std::string compare(const HostTensor& got, const HostTensor& want, double rtol, double atol) {
  if (got.dims != want.dims) {
    return fmt::format("shape {} vs expected {}", shape_str(got.dims), shape_str(want.dims));
  }
  const auto a = as_doubles(got);
  const auto b = as_doubles(want);
  if (a.size() != b.size()) return "element counts differ";
  double worst = 0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double err = std::abs(a[i] - b[i]);
    const bool ok = err <= atol + rtol * std::abs(b[i]) || (std::isnan(a[i]) && std::isnan(b[i]));
    if (!ok) {
      ++bad;
      worst = std::max(worst, err);
    }
  }
  if (bad == 0) return "";
  return fmt::format("{} of {} elements differ, worst by {:.3g}", bad, a.size(), worst);
}

struct CaseResult {
  std::string name;
  std::string status;  // "pass", "unsupported", "mismatch", "error"
  std::string detail;
};

CaseResult run_case(const fs::path& dir) {
  CaseResult r{dir.filename().string(), "", ""};
  const fs::path data = dir / "test_data_set_0";
  try {
    const std::string model = (dir / "model.onnx").string();
    const Graph g = import_onnx_file(model);
    ExecOptions o;
    o.weights = read_onnx_weights(model);
    auto e = make_executor(g, o);
    std::vector<fs::path> inputs;
    for (const auto& f : fs::directory_iterator(data)) {
      if (f.path().filename().string().rfind("input_", 0) == 0) inputs.push_back(f.path());
    }
    std::sort(inputs.begin(), inputs.end());
    std::map<std::string, HostTensor> feed;
    for (std::size_t i = 0; i < inputs.size() && i < g.inputs.size(); ++i) {
      HostTensor t = read_tensor_pb(inputs[i].string());
      feed[g.value(g.inputs[i]).name] = std::move(t);
    }
    const auto outs = e->run(feed);
    const HostTensor want = read_tensor_pb((data / "output_0.pb").string());
    const std::string diff = compare(outs.at(0), want, 1e-3, 1e-4);
    r.status = diff.empty() ? "pass" : "mismatch";
    r.detail = diff;
  } catch (const Error& err) {
    const std::string msg = err.what();
    const bool clear = msg.find("not supported") != std::string::npos ||
                       msg.find("unsupported") != std::string::npos;
    r.status = clear ? "unsupported" : "error";
    r.detail = msg.substr(0, msg.find('\n', 300));
  }
  return r;
}

void run_suite(const std::string& suite) {
  const fs::path root = kData / suite;
  if (!fs::exists(root)) GTEST_SKIP() << root << " is absent";
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(root)) dirs.push_back(d.path());
  std::sort(dirs.begin(), dirs.end());
  int pass = 0;
  int unsupported = 0;
  for (const auto& d : dirs) {
    const CaseResult r = run_case(d);
    std::printf("%-12s %-45s %s\n", r.status.c_str(), r.name.c_str(), r.detail.c_str());
    if (r.status == "pass") ++pass;
    if (r.status == "unsupported") ++unsupported;
    EXPECT_TRUE(r.status == "pass" || r.status == "unsupported")
        << suite << "/" << r.name << ": " << r.status << ": " << r.detail;
  }
  std::printf("%s: %d of %zu pass, %d refused as unsupported\n", suite.c_str(), pass, dirs.size(),
              unsupported);
}

TEST(ExecConformance, PytorchConverted) { run_suite("pytorch-converted"); }
TEST(ExecConformance, PytorchOperator) { run_suite("pytorch-operator"); }

// The light models: the ONNX runner's fill arange(n)/n on their one input,
// compared at rtol 1e-3 and atol 1e-7 like the runner.
TEST(ExecConformance, LightModels) {
  const fs::path root = kData / "light";
  if (!fs::exists(root)) GTEST_SKIP() << root << " is absent";
  int pass = 0;
  int total = 0;
  for (const auto& f : fs::directory_iterator(root)) {
    const std::string name = f.path().filename().string();
    if (f.path().extension() != ".onnx") continue;
    ++total;
    const std::string stem = f.path().stem().string();
    SCOPED_TRACE(stem);
    OnnxImportOptions io;
    io.batch = 1;
    const Graph g = import_onnx_file(f.path().string(), io);
    ExecOptions o;
    o.weights = read_onnx_weights(f.path().string());
    auto e = make_executor(g, o);
    const auto outs = e->run({});
    const HostTensor want = read_tensor_pb((root / (stem + "_output_0.pb")).string());
    const std::string diff = compare(outs.at(0), want, 1e-3, 1e-7);
    EXPECT_EQ(diff, "") << stem;
    std::printf("%-12s %s %s\n", diff.empty() ? "pass" : "mismatch", stem.c_str(), diff.c_str());
    if (diff.empty()) ++pass;
  }
  std::printf("light: %d of %d pass\n", pass, total);
}

}  // namespace
}  // namespace dnnroof

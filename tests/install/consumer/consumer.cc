// Uses the installed library through its topic headers; every expected value
// is derived by hand or published (torchvision, NVIDIA's A100 datasheet).
#include <dnnroof/core/error.h>
#include <dnnroof/core/version.h>
#include <dnnroof/cost/cost.h>
#include <dnnroof/graph/graph.h>
#include <dnnroof/hw/catalog.h>
#include <dnnroof/zoo/zoo.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace {
int failures = 0;
void expect_near(const char* what, double got, double want, double rel = 1e-9) {
  const bool ok = std::abs(got - want) <= rel * std::abs(want);
  std::printf("%s %s: %.10g (expected %.10g)\n", ok ? "ok  " : "FAIL", what, got, want);
  if (!ok) ++failures;
}
}  // namespace

int main() {
  using namespace dnnroof;
  // The headers and the package config come from one version.
  if (std::string(kVersion) != DNNROOF_FOUND_VERSION) {
    std::printf("FAIL version: header %s, package %s\n", kVersion, DNNROOF_FOUND_VERSION);
    ++failures;
  }

  // Linear(8 -> 4) on a [2, 8] input: 2*8*4 = 64 MACs, 128 FLOPs, 8*4 + 4 = 36
  // parameters; fp32 bytes read (16 + 32 + 4) * 4 = 208, written 8 * 4 = 32.
  GraphBuilder b("tiny", DType::fp32);
  b.output(b.linear(b.input("x", {2, 8}), 4));
  const ModelCost tiny = estimate_cost(b.finish());
  expect_near("tiny MACs", tiny.forward.macs, 64);
  expect_near("tiny FLOPs", tiny.forward.flops(), 128);
  expect_near("tiny params", tiny.params, 36);
  expect_near("tiny bytes", tiny.forward.bytes(), 240);

  // torchvision's resnet18: 11,689,512 parameters, "1.81 GFLOPS" (GMACs).
  const ModelCost resnet = estimate_cost(build_zoo_model("resnet18", {}));
  expect_near("resnet18 params", resnet.params, 11689512);
  expect_near("resnet18 GMACs", resnet.forward.macs / 1e9, 1.81, 0.005);

  // A100 SXM4 80GB datasheet: 19.5 TFLOP/s fp32, 2.039 TB/s HBM2e.
  const Catalog catalog = Catalog::builtin();
  const Chip& a100 = catalog.get("a100-sxm4-80gb");
  expect_near("a100 ridge", ridge_point(a100, DType::fp32), 19.5e12 / 2.039e12);
  expect_near("a100 roof at 1 FLOP/B", attainable_flops(a100, DType::fp32, 1.0), 2.039e12);
  expect_near("a100 roof at 100 FLOP/B", attainable_flops(a100, DType::fp32, 100.0), 19.5e12);

  // Errors are dnnroof::Error, naming what is wrong.
  try {
    catalog.get("no-such-chip");
    std::printf("FAIL unknown chip: no error\n");
    ++failures;
  } catch (const Error& e) {
    std::printf("ok   unknown chip: %s\n", e.what());
  }
  std::printf("failures: %d.\n", failures);
  return failures == 0 ? 0 : 1;
}

// An ONNX file's place under a chip's roofline (fp32, forward pass, main memory).
//   roofline_onnx MODEL.onnx [CHIP] [BATCH]     CHIP: a catalog id or host
#include <dnnroof/dnnroof.h>

#include <cstdio>
#include <exception>
#include <string>

int main(int argc, char** argv) try {
  if (argc < 2) return std::fprintf(stderr, "usage: %s MODEL.onnx [CHIP] [BATCH]\n", argv[0]), 2;
  using namespace dnnroof;
  OnnxImportOptions options;
  options.batch = argc > 3 ? std::stoll(argv[3]) : 1;  // fills a symbolic batch dim
  const Graph graph = import_onnx_file(argv[1], options);
  const ModelCost cost = estimate_cost(graph);
  const Catalog catalog = load_catalog({});  // built in (+ probe's host-measured), + host
  const Chip& chip = catalog.get(argc > 2 ? argv[2] : "a100-sxm4-80gb");
  const double ridge = ridge_point(chip, DType::fp32);  // Error when a figure is unknown
  const double flops = cost.forward.flops(), bytes = cost.forward.bytes(), oi = flops / bytes;
  const double roof = attainable_flops(chip, DType::fp32, oi), peak = *chip.peak_flops(DType::fp32);
  std::printf("%s (batch %lld): %.0f FLOPs, %.0f B moved, %.4g FLOP/B\n", graph.name.c_str(),
              static_cast<long long>(cost.batch), flops, bytes, oi);
  std::printf("%s: %.4g FLOP/s fp32, %.4g B/s, ridge %.4g FLOP/B\n", chip.name.c_str(), peak,
              chip.main_memory().bandwidth.value, ridge);
  std::printf("%s-bound: attainable %.4g FLOP/s (%.3g%% of peak), lower bound %.4g s\n",
              oi < ridge ? "memory" : "compute", roof, 100 * roof / peak, flops / roof);
} catch (const std::exception& e) {
  return std::fprintf(stderr, "roofline_onnx: %s\n", e.what()), 1;
}

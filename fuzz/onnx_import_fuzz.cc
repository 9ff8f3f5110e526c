// libFuzzer target for the ONNX importer: any bytes must import or give an
// Error, never crash, hang or leak (run under ASan/UBSan). See docs/onnx.md
// for how to build and run it; crashing inputs it finds are kept under
// tests/onnx/data/ and replayed by tests/onnx/errors_test.cc.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "graph/graph.h"
#include "onnx/onnx_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool load_weights : {false, true}) {
    dnnroof::OnnxImportOptions options;
    options.load_weights = load_weights;
    options.batch = 2;
    try {
      const dnnroof::Graph g = dnnroof::import_onnx_bytes(bytes, "fuzz.onnx", options);
      dnnroof::validate(g);  // what the importer returns is always a valid graph
    } catch (const dnnroof::Error&) {
      // the expected outcome for most inputs
    }
  }
  return 0;
}

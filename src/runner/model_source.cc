// Models of a sweep: zoo names or .onnx files.
#include <filesystem>

#include "core/error.h"
#include "core/strings.h"
#include "runner/sweep.h"
#include "zoo/zoo.h"
#if defined(DNNROOF_HAVE_ONNX)
#include "onnx/onnx_import.h"
#include "onnx/tensor_io.h"
#endif

namespace dnnroof {
namespace {

bool is_onnx_path(const std::string& source) { return to_lower(source).ends_with(".onnx"); }

}  // namespace

std::string sweep_model_name(const std::string& source) {
  if (is_onnx_path(source)) return std::filesystem::path(source).stem().string();
  return source;
}

SweepModel load_sweep_model(const std::string& source, int batch, DType dtype) {
  SweepModel m;
  m.name = sweep_model_name(source);
  m.source = source;
  if (is_onnx_path(source)) {
#if defined(DNNROOF_HAVE_ONNX)
    OnnxImportOptions io;
    io.batch = batch;
    io.override_fixed_batch = true;
    m.graph = import_onnx_file(source, io);
    // The file's weights (initializers, external data, constant-built
    // weights); a parameter the file lacks gets the executor's seeded init.
    m.weights = read_onnx_weights(source);
#else
    (void)batch;
    fail(
        "'{}': this dnnroof was built without ONNX import (install libonnx-dev and "
        "libprotobuf-dev, then rebuild)",
        source);
#endif
    return m;
  }
  ZooOptions z;
  z.batch = batch;
  z.dtype = dtype;
  m.graph = build_zoo_model(source, z);
  return m;
}

}  // namespace dnnroof

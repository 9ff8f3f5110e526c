// Models of every command: zoo names or .onnx files (model_source.h).
#include "runner/model_source.h"

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

bool is_onnx_path(const std::string& source) { return to_lower(source).ends_with(".onnx"); }

std::string sweep_model_name(const std::string& source) {
  if (is_onnx_path(source)) return std::filesystem::path(source).stem().string();
  return source;
}

SweepModel resolve_model(const std::string& source, const ModelRequest& request) {
  SweepModel m;
  m.name = sweep_model_name(source);
  m.source = source;
  if (request.onnx_bytes || is_onnx_path(source)) {
    m.family = "ONNX";
#if defined(DNNROOF_HAVE_ONNX)
    OnnxImportOptions io;
    if (request.batch > 0) {
      io.batch = request.batch;
      io.override_fixed_batch = request.override_fixed_batch;
    }
    for (const std::string& d : request.dims) io.dims.insert(parse_dim_assignment(d));
    if (request.onnx_bytes) {
      m.graph = import_onnx_bytes(*request.onnx_bytes, source, io);
      return m;
    }
    m.graph = import_onnx_file(source, io);
    // The file's weights (initializers, external data, constant-built
    // weights); a parameter the file lacks gets the executor's seeded init.
    if (request.weights) m.weights = read_onnx_weights(source);
#else
    fail(
        "'{}': this dnnroof was built without ONNX import (install libonnx-dev and "
        "libprotobuf-dev, then rebuild)",
        source);
#endif
    return m;
  }
  if (!request.dims.empty()) {
    fail("--dim applies to .onnx models only, not to the zoo model '{}'", source);
  }
  ZooOptions z;
  z.batch = request.batch > 0 ? request.batch : 1;
  z.image_size = request.image_size;
  z.seq_len = request.seq_len;
  z.dtype = request.dtype;
  m.graph = build_zoo_model(source, z);
  m.family = zoo_entry(source).family;
  return m;
}

SweepModel load_sweep_model(const std::string& source, std::int64_t batch, DType dtype) {
  ModelRequest r;
  r.batch = batch;
  r.dtype = dtype;
  r.weights = true;
  return resolve_model(source, r);
}

}  // namespace dnnroof

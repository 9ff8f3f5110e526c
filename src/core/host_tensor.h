#pragma once
// A tensor's bytes outside LibTorch: what `dnnroof run` reads from and writes
// to ONNX TensorProto files (src/onnx/tensor_io.h), and what the executor
// (src/exec) takes weights from. Plain data; no dependency on either.

#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace dnnroof {

struct HostTensor {
  std::string name;
  DType dtype = DType::fp32;
  std::vector<std::int64_t> dims;
  std::vector<unsigned char> data;  // little-endian, row-major, dims' numel * dtype size
};

}  // namespace dnnroof

// find_converter: the supported-op table is the rows of each converter
// family (convert_ops_nn.cc, convert_ops_tensor.cc; see convert_ops.h).
#include "onnx/detail/convert_ops.h"

namespace dnnroof::onnx_import {

ConvertFn find_converter(std::string_view op_type) {
  for (const auto& family : {nn_converters(), tensor_converters()}) {
    for (const ConvertRow& r : family) {
      if (r.op == op_type) return r.fn;
    }
  }
  return nullptr;
}

}  // namespace dnnroof::onnx_import

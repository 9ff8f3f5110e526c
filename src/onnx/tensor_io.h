#pragma once
// ONNX tensors on disk <-> HostTensor: TensorProto .pb files (the ONNX test
// data's input_0.pb/output_0.pb, what `dnnroof run` reads and writes) and a
// model's weights (initializers, external data included). No protobuf or
// libonnx in this header.
//
// Element types: FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT64, INT32, INT8, BOOL
// map to the DType of the same name; UINT8, INT16 and UINT16 are widened to
// int32 on reading (dnnroof has no such DType). Payloads come from raw_data
// or the typed fields (float_data, int32_data, int64_data, double_data,
// uint64_data). Every Error names the file.

#include <map>
#include <string>

#include "core/host_tensor.h"

namespace dnnroof {

// Reads one serialized onnx.TensorProto.
HostTensor read_tensor_pb(const std::string& path);
// Writes `t` as an onnx.TensorProto (raw_data, little-endian) named t.name.
void write_tensor_pb(const HostTensor& t, const std::string& path);

// The model's initializers by name, data stored as external data included
// (data_location EXTERNAL: location, offset, length relative to the model's
// folder; a missing or short data file is an Error naming both files).
std::map<std::string, HostTensor> read_onnx_initializers(const std::string& model_path);

// The initializers plus every tensor a node computes from constants alone
// where the value is a weight: Constant nodes' values and ConstantOfShape
// outputs (as in the ONNX light models, whose weights are all
// ConstantOfShape), by output name.
std::map<std::string, HostTensor> read_onnx_weights(const std::string& model_path);

}  // namespace dnnroof

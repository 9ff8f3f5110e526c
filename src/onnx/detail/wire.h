#pragma once
// Protobuf wire-format pass over a serialized onnx.ModelProto that drops the
// large payloads of tensors (weights) without decoding or copying them, so an
// analysis-only import touches only the graph's structure: a 350 MB model
// becomes a few hundred KB of protobuf, and the skipped pages of a mapped
// file are never read. Internal to src/onnx.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace dnnroof::onnx_import {

struct StrippedModel {
  std::string bytes;  // the ModelProto without the dropped payloads
  // Per tensor name (initializers and named Constant tensors): the length of
  // the raw_data that was dropped, to check it against the tensor's dims.
  std::map<std::string, std::uint64_t, std::less<>> raw_lengths;
};

// Copies `model` dropping every tensor payload field (raw_data, float_data,
// int32_data, int64_data, double_data, uint64_data) longer than
// `keep_limit` bytes, in graph initializers and in node attributes,
// subgraphs included. Throws Error (naming `source`) when the bytes are not
// well-formed protobuf.
StrippedModel strip_tensor_payloads(std::string_view model, std::size_t keep_limit,
                                    std::string_view source);

}  // namespace dnnroof::onnx_import

// The wire-format walk: only the five message types on the path from
// ModelProto to TensorProto are understood; every other field is copied
// verbatim (tag and payload bytes), so unknown and future fields survive.
#include "onnx/detail/wire.h"

#include <optional>

#include "core/error.h"

namespace dnnroof::onnx_import {
namespace {

// Field numbers from onnx.proto.
constexpr std::uint32_t kModelGraph = 7;
constexpr std::uint32_t kGraphNode = 1;
constexpr std::uint32_t kGraphInitializer = 5;
constexpr std::uint32_t kNodeAttribute = 5;
constexpr std::uint32_t kAttributeT = 5;
constexpr std::uint32_t kAttributeG = 6;
constexpr std::uint32_t kAttributeTensors = 10;
constexpr std::uint32_t kAttributeGraphs = 11;
constexpr std::uint32_t kTensorName = 8;
constexpr std::uint32_t kTensorRawData = 9;
constexpr int kMaxDepth = 32;  // nested subgraphs

enum class Kind { model, graph, node, attribute, tensor };

class Reader {
 public:
  Reader(std::string_view data, std::string_view source) : data_(data), source_(source) {}
  bool done() const { return pos_ >= data_.size(); }
  std::size_t pos() const { return pos_; }

  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) bad("a varint runs past the end");
      const auto byte = static_cast<std::uint8_t>(data_[pos_++]);
      v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return v;
    }
    bad("a varint is longer than 10 bytes");
  }

  std::string_view take(std::uint64_t n) {
    if (n > data_.size() - pos_) bad("a field claims more bytes than remain");
    std::string_view s = data_.substr(pos_, static_cast<std::size_t>(n));
    pos_ += static_cast<std::size_t>(n);
    return s;
  }

  // Skips the payload of a field of `wire_type`; returns the payload for
  // length-delimited fields.
  std::string_view skip(std::uint32_t wire_type) {
    switch (wire_type) {
      case 0:
        varint();
        return {};
      case 1:
        return take(8);
      case 2:
        return take(varint());
      case 5:
        return take(4);
      default:
        bad("unsupported wire type (groups or garbage)");
    }
  }

  [[noreturn]] void bad(std::string_view what) const {
    fail("{}: not a valid ONNX model: malformed protobuf at byte {}: {}", source_, pos_, what);
  }

 private:
  std::string_view data_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

class Stripper {
 public:
  Stripper(std::size_t keep_limit, std::string_view source, StrippedModel& result)
      : keep_limit_(keep_limit), source_(source), result_(result) {}

  std::string strip(std::string_view data, Kind kind, int depth) {
    if (depth > kMaxDepth) fail("{}: not a valid ONNX model: subgraphs nest too deep", source_);
    Reader r(data, source_);
    std::string out;
    out.reserve(data.size() < (1u << 20) ? data.size() : (1u << 20));
    std::string tensor_name;
    std::uint64_t dropped_raw = 0;
    bool dropped_any_raw = false;
    while (!r.done()) {
      const std::size_t start = r.pos();
      const std::uint64_t tag = r.varint();
      const auto field = static_cast<std::uint32_t>(tag >> 3);
      const auto wire_type = static_cast<std::uint32_t>(tag & 7);
      if (field == 0) r.bad("field number 0");
      const std::string_view payload = r.skip(wire_type);
      const std::optional<Kind> child = wire_type == 2 ? child_kind(kind, field) : std::nullopt;
      if (child) {
        const std::string inner = strip(payload, *child, depth + 1);
        put_varint(out, tag);
        put_varint(out, inner.size());
        out += inner;
        continue;
      }
      if (kind == Kind::tensor && wire_type == 2) {
        if (field == kTensorName) tensor_name = std::string(payload);
        if (is_payload_field(field) && payload.size() > keep_limit_) {
          if (field == kTensorRawData) {
            dropped_raw = payload.size();
            dropped_any_raw = true;
          }
          continue;  // dropped: neither decoded nor copied
        }
      }
      out.append(data.substr(start, r.pos() - start));
    }
    if (dropped_any_raw && !tensor_name.empty()) result_.raw_lengths[tensor_name] = dropped_raw;
    return out;
  }

 private:
  static bool is_payload_field(std::uint32_t field) {
    // float_data 4, int32_data 5, int64_data 7, raw_data 9, double_data 10,
    // uint64_data 11 (string_data 6 is kept: strings are not weights).
    return field == 4 || field == 5 || field == 7 || field == 9 || field == 10 || field == 11;
  }

  static std::optional<Kind> child_kind(Kind parent, std::uint32_t field) {
    switch (parent) {
      case Kind::model:
        if (field == kModelGraph) return Kind::graph;
        break;
      case Kind::graph:
        if (field == kGraphNode) return Kind::node;
        if (field == kGraphInitializer) return Kind::tensor;
        break;
      case Kind::node:
        if (field == kNodeAttribute) return Kind::attribute;
        break;
      case Kind::attribute:
        if (field == kAttributeT || field == kAttributeTensors) return Kind::tensor;
        if (field == kAttributeG || field == kAttributeGraphs) return Kind::graph;
        break;
      case Kind::tensor:
        break;
    }
    return std::nullopt;
  }

  std::size_t keep_limit_;
  std::string_view source_;
  StrippedModel& result_;
};

}  // namespace

StrippedModel strip_tensor_payloads(std::string_view model, std::size_t keep_limit,
                                    std::string_view source) {
  StrippedModel result;
  Stripper s(keep_limit, source, result);
  result.bytes = s.strip(model, Kind::model, 0);
  return result;
}

}  // namespace dnnroof::onnx_import

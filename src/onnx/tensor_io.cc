// TensorProto files and model weights <-> HostTensor (see tensor_io.h).
#include "onnx/tensor_io.h"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/text_file.h"

namespace dnnroof {
namespace {

namespace fs = std::filesystem;
using onnx::TensorProto;

std::string read_bytes(const std::string& path, std::string_view what) {
  std::optional<std::string> bytes = read_text_file(path);
  if (!bytes) fail("{}: cannot open {}", path, what);
  return std::move(*bytes);
}

// The DType a TensorProto element type is read as, and its stored size.
DType dtype_for(int onnx_type, const std::string& where) {
  switch (onnx_type) {
    case TensorProto::FLOAT:
      return DType::fp32;
    case TensorProto::DOUBLE:
      return DType::fp64;
    case TensorProto::FLOAT16:
      return DType::fp16;
    case TensorProto::BFLOAT16:
      return DType::bf16;
    case TensorProto::INT64:
      return DType::int64;
    case TensorProto::INT32:
    case TensorProto::UINT8:
    case TensorProto::INT16:
    case TensorProto::UINT16:
      return DType::int32;
    case TensorProto::INT8:
      return DType::int8;
    case TensorProto::BOOL:
      return DType::boolean;
    default:
      fail(
          "{}: tensor element type {} is not supported (FLOAT, DOUBLE, FLOAT16, BFLOAT16, "
          "INT64, INT32, INT16, UINT16, INT8, UINT8, BOOL are)",
          where, onnx_type);
  }
}

std::size_t stored_size(int onnx_type) {
  switch (onnx_type) {
    case TensorProto::DOUBLE:
    case TensorProto::INT64:
    case TensorProto::UINT64:
      return 8;
    case TensorProto::FLOAT:
    case TensorProto::INT32:
    case TensorProto::UINT32:
      return 4;
    case TensorProto::FLOAT16:
    case TensorProto::BFLOAT16:
    case TensorProto::INT16:
    case TensorProto::UINT16:
      return 2;
    default:
      return 1;
  }
}

template <typename T>
void put(HostTensor& h, std::size_t i, T v) {
  std::memcpy(h.data.data() + i * sizeof(T), &v, sizeof(T));
}

// Stores element i given as an integer (the typed int fields and widened raw bytes).
void put_int(HostTensor& h, std::size_t i, std::int64_t v) {
  switch (h.dtype) {
    case DType::int64:
      put<std::int64_t>(h, i, v);
      break;
    case DType::int32:
      put<std::int32_t>(h, i, static_cast<std::int32_t>(v));
      break;
    case DType::int8:
      put<std::int8_t>(h, i, static_cast<std::int8_t>(v));
      break;
    case DType::boolean:
      put<std::uint8_t>(h, i, v != 0 ? 1 : 0);
      break;
    case DType::fp16:
    case DType::bf16:
      put<std::uint16_t>(h, i,
                         static_cast<std::uint16_t>(v));  // the bits, as int32_data holds them
      break;
    default:
      fail("internal: put_int on {}", dtype_name(h.dtype));
  }
}

// Fills h.data from `raw` (the stored little-endian elements of onnx_type).
void from_raw(HostTensor& h, int onnx_type, const std::string& raw, std::size_t n) {
  const std::size_t es = stored_size(onnx_type);
  switch (onnx_type) {
    case TensorProto::UINT8:
      for (std::size_t i = 0; i < n; ++i) put_int(h, i, static_cast<unsigned char>(raw[i]));
      return;
    case TensorProto::INT16:
    case TensorProto::UINT16:
      for (std::size_t i = 0; i < n; ++i) {
        std::uint16_t u = 0;
        std::memcpy(&u, raw.data() + i * es, 2);
        put_int(h, i,
                onnx_type == TensorProto::INT16
                    ? static_cast<std::int64_t>(static_cast<std::int16_t>(u))
                    : static_cast<std::int64_t>(u));
      }
      return;
    case TensorProto::BOOL:
      for (std::size_t i = 0; i < n; ++i) put_int(h, i, raw[i] != 0 ? 1 : 0);
      return;
    default:
      std::memcpy(h.data.data(), raw.data(), n * es);
  }
}

// One TensorProto as a HostTensor; `where` names it in errors; `base_dir`
// resolves external data.
HostTensor to_host(const TensorProto& t, const std::string& where, const fs::path& base_dir) {
  HostTensor h;
  h.name = t.name();
  h.dtype = dtype_for(t.data_type(), where);
  std::size_t n = 1;
  for (std::int64_t d : t.dims()) {
    if (d < 0) fail("{}: negative dim {}", where, d);
    h.dims.push_back(d);
    n *= static_cast<std::size_t>(d);
  }
  h.data.assign(n * static_cast<std::size_t>(dtype_bytes(h.dtype)), 0);
  const std::size_t es = stored_size(t.data_type());
  const std::size_t need = n * es;
  if (t.data_location() == TensorProto::EXTERNAL) {
    std::string location;
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> length;
    for (const auto& kv : t.external_data()) {
      if (kv.key() == "location") location = kv.value();
      if (kv.key() == "offset") offset = std::stoull(kv.value());
      if (kv.key() == "length") length = std::stoull(kv.value());
    }
    if (location.empty()) fail("{}: external data without a location", where);
    const fs::path file = base_dir / location;
    std::ifstream in(file, std::ios::binary);
    if (!in) fail("{}: external data file {} cannot be opened", where, file.string());
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::uint64_t>(in.tellg());
    const std::uint64_t len = length.value_or(size > offset ? size - offset : 0);
    if (len < need || offset + need > size) {
      fail(
          "{}: external data file {} is too short: {} bytes from offset {} hold less than the "
          "{} bytes {} elements need",
          where, file.string(), size > offset ? size - offset : 0, offset, need, n);
    }
    std::string raw(need, '\0');
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(raw.data(), static_cast<std::streamsize>(need));
    if (!in) fail("{}: reading external data file {} failed", where, file.string());
    from_raw(h, t.data_type(), raw, n);
    return h;
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != need) {
      fail("{}: raw_data has {} bytes, {} elements need {}", where, t.raw_data().size(), n, need);
    }
    from_raw(h, t.data_type(), t.raw_data(), n);
    return h;
  }
  auto count = [&](std::size_t got, const char* field) {
    if (got != n) fail("{}: {} holds {} values, the dims need {}", where, field, got, n);
  };
  switch (t.data_type()) {
    case TensorProto::FLOAT:
      count(static_cast<std::size_t>(t.float_data_size()), "float_data");
      for (std::size_t i = 0; i < n; ++i) put<float>(h, i, t.float_data(static_cast<int>(i)));
      break;
    case TensorProto::DOUBLE:
      count(static_cast<std::size_t>(t.double_data_size()), "double_data");
      for (std::size_t i = 0; i < n; ++i) put<double>(h, i, t.double_data(static_cast<int>(i)));
      break;
    case TensorProto::INT64:
      count(static_cast<std::size_t>(t.int64_data_size()), "int64_data");
      for (std::size_t i = 0; i < n; ++i) put_int(h, i, t.int64_data(static_cast<int>(i)));
      break;
    default:  // INT32, INT16, UINT16, INT8, UINT8, BOOL, FLOAT16, BFLOAT16: int32_data
      count(static_cast<std::size_t>(t.int32_data_size()), "int32_data");
      for (std::size_t i = 0; i < n; ++i) put_int(h, i, t.int32_data(static_cast<int>(i)));
      break;
  }
  return h;
}

int onnx_type_of(DType t) {
  switch (t) {
    case DType::fp32:
    case DType::tf32:
      return TensorProto::FLOAT;
    case DType::fp64:
      return TensorProto::DOUBLE;
    case DType::fp16:
      return TensorProto::FLOAT16;
    case DType::bf16:
      return TensorProto::BFLOAT16;
    case DType::int64:
      return TensorProto::INT64;
    case DType::int32:
      return TensorProto::INT32;
    case DType::int8:
      return TensorProto::INT8;
    case DType::boolean:
      return TensorProto::BOOL;
    default:
      fail("dtype {} has no ONNX tensor type", dtype_name(t));
  }
}

onnx::ModelProto read_model(const std::string& path) {
  const std::string bytes = read_bytes(path, "the ONNX model");
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) fail("{}: not an ONNX model (protobuf parse failed)", path);
  return model;
}

fs::path folder_of(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

}  // namespace

HostTensor read_tensor_pb(const std::string& path) {
  const std::string bytes = read_bytes(path, "the tensor file");
  TensorProto t;
  if (!t.ParseFromString(bytes)) fail("{}: not an ONNX TensorProto (protobuf parse failed)", path);
  return to_host(t, path, folder_of(path));
}

void write_tensor_pb(const HostTensor& t, const std::string& path) {
  TensorProto p;
  p.set_name(t.name);
  p.set_data_type(onnx_type_of(t.dtype));
  std::size_t n = 1;
  for (std::int64_t d : t.dims) {
    p.add_dims(d);
    n *= static_cast<std::size_t>(d);
  }
  const auto bytes = n * static_cast<std::size_t>(dtype_bytes(t.dtype));
  if (t.data.size() != bytes) {
    fail("{}: tensor '{}' has {} bytes, its dims need {}", path, t.name, t.data.size(), bytes);
  }
  p.set_raw_data(std::string(t.data.begin(), t.data.end()));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("{}: cannot open for writing", path);
  if (!p.SerializeToOstream(&out)) fail("{}: writing the tensor failed", path);
}

std::map<std::string, HostTensor> read_onnx_initializers(const std::string& model_path) {
  const onnx::ModelProto model = read_model(model_path);
  const fs::path dir = folder_of(model_path);
  std::map<std::string, HostTensor> out;
  for (const auto& t : model.graph().initializer()) {
    out[t.name()] = to_host(t, fmt::format("{}: initializer '{}'", model_path, t.name()), dir);
  }
  return out;
}

namespace {

// `in` transposed by `perm` (ONNX Transpose; empty: reversed dims).
HostTensor transposed(const HostTensor& in, std::vector<std::int64_t> perm,
                      const std::string& where) {
  const std::size_t rank = in.dims.size();
  if (perm.empty()) {
    for (std::size_t k = rank; k-- > 0;) perm.push_back(static_cast<std::int64_t>(k));
  }
  if (perm.size() != rank) fail("{}: perm has {} entries for rank {}", where, perm.size(), rank);
  std::vector<bool> seen(rank, false);
  for (auto& p : perm) {
    if (p < 0) p += static_cast<std::int64_t>(rank);
    if (p < 0 || p >= static_cast<std::int64_t>(rank) || seen[static_cast<std::size_t>(p)]) {
      fail("{}: perm is not a permutation of {} axes", where, rank);
    }
    seen[static_cast<std::size_t>(p)] = true;
  }
  const auto es = static_cast<std::size_t>(dtype_bytes(in.dtype));
  std::vector<std::size_t> in_stride(rank, 1);
  for (std::size_t k = rank; k-- > 1;) {
    in_stride[k - 1] = in_stride[k] * static_cast<std::size_t>(in.dims[k]);
  }
  HostTensor out;
  out.dtype = in.dtype;
  for (auto p : perm) out.dims.push_back(in.dims[static_cast<std::size_t>(p)]);
  std::size_t n = 1;
  for (auto d : out.dims) n *= static_cast<std::size_t>(d);
  if (in.data.size() != n * es)
    fail("{}: the weight holds {} bytes, not {}", where, in.data.size(), n * es);
  out.data.resize(n * es);
  std::vector<std::size_t> idx(rank, 0);  // over out.dims, row-major
  for (std::size_t flat = 0; flat < n; ++flat) {
    std::size_t src = 0;
    for (std::size_t k = 0; k < rank; ++k)
      src += idx[k] * in_stride[static_cast<std::size_t>(perm[k])];
    std::memcpy(out.data.data() + flat * es, in.data.data() + src * es, es);
    for (std::size_t k = rank; k-- > 0;) {
      if (++idx[k] < static_cast<std::size_t>(out.dims[k])) break;
      idx[k] = 0;
    }
  }
  return out;
}

}  // namespace

std::map<std::string, HostTensor> read_onnx_weights(const std::string& model_path) {
  const onnx::ModelProto model = read_model(model_path);
  const fs::path dir = folder_of(model_path);
  std::map<std::string, HostTensor> out;
  for (const auto& t : model.graph().initializer()) {
    out[t.name()] = to_host(t, fmt::format("{}: initializer '{}'", model_path, t.name()), dir);
  }
  // Passes until nothing is added, so nodes out of order are followed too.
  for (bool added = true; added;) {
    added = false;
    for (const auto& node : model.graph().node()) {
      if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
      if (node.output_size() != 1 || out.count(node.output(0)) != 0) continue;
      const std::string where =
          fmt::format("{}: node '{}' ({})", model_path, node.name(), node.op_type());
      const std::string& op = node.op_type();
      if (op == "Constant") {
        for (const auto& a : node.attribute()) {
          if (a.name() == "value" && a.has_t()) {
            HostTensor h = to_host(a.t(), where, dir);
            h.name = node.output(0);
            out[h.name] = std::move(h);
            added = true;
          }
        }
        continue;
      }
      if (node.input_size() < 1) continue;
      auto it = out.find(node.input(0));
      if (it == out.end()) continue;
      if (op == "ConstantOfShape") {
        if (it->second.dtype != DType::int64) continue;
        const HostTensor& shape = it->second;
        HostTensor h;
        h.name = node.output(0);
        h.dtype = DType::fp32;
        for (std::size_t i = 0; i < shape.data.size() / 8; ++i) {
          std::int64_t d = 0;
          std::memcpy(&d, shape.data.data() + i * 8, 8);
          if (d < 0) fail("{}: negative dim {} in the shape", where, d);
          h.dims.push_back(d);
        }
        HostTensor value;  // default: one float 0
        value.dtype = DType::fp32;
        value.dims = {1};
        value.data.assign(4, 0);
        for (const auto& a : node.attribute()) {
          if (a.name() == "value" && a.has_t()) value = to_host(a.t(), where, dir);
        }
        const auto es = static_cast<std::size_t>(dtype_bytes(value.dtype));
        if (value.data.size() != es) fail("{}: attribute 'value' must hold one element", where);
        h.dtype = value.dtype;
        std::size_t n = 1;
        for (std::int64_t d : h.dims) n *= static_cast<std::size_t>(d);
        h.data.resize(n * es);
        for (std::size_t i = 0; i < n; ++i)
          std::memcpy(h.data.data() + i * es, value.data.data(), es);
        out[h.name] = std::move(h);
        added = true;
      } else if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze" ||
                 op == "Identity" || (op == "Cast" && is_floating(it->second.dtype))) {
        // Ops that keep the elements in order: the same data under the
        // output's name (the executor reshapes a weight to its value's shape
        // and converts a float weight to the dtype it computes in).
        HostTensor h = it->second;
        h.name = node.output(0);
        out[h.name] = std::move(h);
        added = true;
      } else if (op == "Transpose") {
        // The importer folds a Transpose of a weight (an old-style exported
        // Linear: Transpose(W) -> MatMul): its value is the transposed data.
        std::vector<std::int64_t> perm;
        for (const auto& a : node.attribute()) {
          if (a.name() == "perm") perm.assign(a.ints().begin(), a.ints().end());
        }
        HostTensor h = transposed(it->second, perm, where);
        h.name = node.output(0);
        out[h.name] = std::move(h);
        added = true;
      }
    }
  }
  return out;
}

}  // namespace dnnroof

// TensorProto -> Entry: element types, payload decoding (raw_data and the
// typed fields), the length checks, and external data (data_location
// EXTERNAL: a file named by `location`, relative to the model's folder, with
// an optional `offset` and `length`). Shared by initializers and Constant
// attributes.
#include <fmt/format.h>
#include <sys/stat.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "core/error.h"
#include "onnx/detail/importer.h"

namespace dnnroof::onnx_import {
namespace {

// Bytes per element of a TensorProto data type (0: variable, strings).
std::size_t elem_bytes(std::int32_t t) {
  switch (t) {
    case onnx::TensorProto::FLOAT:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      return 4;
    case onnx::TensorProto::DOUBLE:
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
    case onnx::TensorProto::COMPLEX64:
      return 8;
    case onnx::TensorProto::FLOAT16:
    case onnx::TensorProto::BFLOAT16:
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
      return 2;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL:
      return 1;
    case onnx::TensorProto::COMPLEX128:
      return 16;
    default:
      return 0;
  }
}

template <typename T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));  // x86-64 and aarch64 are little-endian, as ONNX is
  return v;
}

double half_to_double(std::uint16_t h, bool bf16) {
  if (bf16) {
    const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  const int sign = (h >> 15) != 0 ? -1 : 1;
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31)
    return sign * (mant != 0 ? std::numeric_limits<double>::quiet_NaN()
                             : std::numeric_limits<double>::infinity());
  return sign * std::ldexp(mant + 1024, exp - 25);
}

// Decodes raw_data into ints or floats.
void decode_raw(const std::string& raw, std::int32_t t, Entry& e) {
  const std::size_t n = raw.size() / std::max<std::size_t>(elem_bytes(t), 1);
  const char* p = raw.data();
  for (std::size_t i = 0; i < n; ++i) {
    switch (t) {
      case onnx::TensorProto::FLOAT:
        e.floats.push_back(load_le<float>(p + 4 * i));
        break;
      case onnx::TensorProto::DOUBLE:
        e.floats.push_back(load_le<double>(p + 8 * i));
        break;
      case onnx::TensorProto::FLOAT16:
      case onnx::TensorProto::BFLOAT16:
        e.floats.push_back(
            half_to_double(load_le<std::uint16_t>(p + 2 * i), t == onnx::TensorProto::BFLOAT16));
        break;
      case onnx::TensorProto::INT64:
        e.ints.push_back(load_le<std::int64_t>(p + 8 * i));
        break;
      case onnx::TensorProto::UINT64:
        e.ints.push_back(static_cast<std::int64_t>(load_le<std::uint64_t>(p + 8 * i)));
        break;
      case onnx::TensorProto::INT32:
        e.ints.push_back(load_le<std::int32_t>(p + 4 * i));
        break;
      case onnx::TensorProto::UINT32:
        e.ints.push_back(load_le<std::uint32_t>(p + 4 * i));
        break;
      case onnx::TensorProto::INT16:
        e.ints.push_back(load_le<std::int16_t>(p + 2 * i));
        break;
      case onnx::TensorProto::UINT16:
        e.ints.push_back(load_le<std::uint16_t>(p + 2 * i));
        break;
      case onnx::TensorProto::INT8:
        e.ints.push_back(load_le<std::int8_t>(p + i));
        break;
      case onnx::TensorProto::UINT8:
      case onnx::TensorProto::BOOL:
        e.ints.push_back(load_le<std::uint8_t>(p + i));
        break;
      default:
        return;
    }
  }
}

// A non-negative integer of an external_data entry; Error otherwise.
std::uint64_t external_number(const std::string& text, std::string_view key,
                              std::string_view what) {
  std::uint64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty()) {
    fail("{}: external data '{}' is '{}', not a non-negative integer", what, key, text);
  }
  return v;
}

// True when `location` is a relative path that stays inside the folder.
bool inside_folder(const std::string& location) {
  if (location.empty() || location.front() == '/') return false;
  std::size_t start = 0;
  while (start <= location.size()) {
    const std::size_t slash = location.find('/', start);
    const std::size_t end = slash == std::string::npos ? location.size() : slash;
    if (location.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

// External data: checked (every tensor, when `verify`) and read (tensors of
// at most kKeepPayloadBytes, which shape computations may need). A problem
// is an Error when verifying, else it only leaves the data unknown, with the
// reason in `no_data`: analysis counts weights from their dims.
void read_external(const onnx::TensorProto& t, std::string_view what, std::int64_t n,
                   std::uint64_t expected, const ExternalData* ext, Entry& e) {
  const bool verify = ext != nullptr && ext->verify;
  const bool small = n <= kMaxFoldElements && expected <= kKeepPayloadBytes;
  if (!verify && !small) return;
  auto problem = [&](const std::string& msg) {
    if (verify) fail("{}: {}", what, msg);
    e.no_data = msg;
  };
  std::string location;
  std::uint64_t offset = 0;
  std::optional<std::uint64_t> length;
  for (const auto& kv : t.external_data()) {
    if (kv.key() == "location") {
      location = kv.value();
    } else if (kv.key() == "offset") {
      offset = external_number(kv.value(), "offset", what);
    } else if (kv.key() == "length") {
      length = external_number(kv.value(), "length", what);
    }
  }
  if (location.empty()) return problem("stored as external data without a 'location'");
  if (!inside_folder(location)) {
    return problem(fmt::format(
        "external data location '{}' must be a relative path inside the model's folder", location));
  }
  if (ext == nullptr || !ext->dir) {
    return problem(fmt::format(
        "stored as external data in '{}', but the model was read from memory, without its "
        "folder; import it from its file",
        location));
  }
  const std::string file = (ext->dir->empty() ? std::string(".") : *ext->dir) + "/" + location;
  if (length && *length != expected) {
    return problem(
        fmt::format("external data in '{}' has length {}, but {} elements of {} need {} bytes",
                    file, *length, n, dtype_name(e.dtype), expected));
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return problem(fmt::format("external data file '{}' does not exist or cannot be read", file));
  }
  if (!S_ISREG(st.st_mode)) {
    return problem(fmt::format("external data file '{}' is not a regular file", file));
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (offset > size || size - offset < expected) {
    return problem(fmt::format(
        "external data file '{}' has {} bytes; the tensor needs {} bytes from offset {} ({} "
        "elements of {})",
        file, size, expected, offset, n, dtype_name(e.dtype)));
  }
  if (!small) return;
  std::string bytes(static_cast<std::size_t>(expected), '\0');
  std::ifstream in(file, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!in) return problem(fmt::format("reading external data file '{}' failed", file));
  decode_raw(bytes, t.data_type(), e);
  e.has_data = static_cast<std::int64_t>(e.ints.size() + e.floats.size()) == n;
}

}  // namespace

DType dtype_of(std::int32_t elem_type, std::string_view what) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT:
      return DType::fp32;
    case onnx::TensorProto::DOUBLE:
      return DType::fp64;
    case onnx::TensorProto::FLOAT16:
      return DType::fp16;
    case onnx::TensorProto::BFLOAT16:
      return DType::bf16;
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
      return DType::int8;
    case onnx::TensorProto::INT16:
    case onnx::TensorProto::UINT16:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::UINT32:
      return DType::int32;
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::UINT64:
      return DType::int64;
    case onnx::TensorProto::BOOL:
      return DType::boolean;
    default:
      fail("{} has element type {}, which dnnroof does not support", what, elem_type);
  }
}

std::int64_t checked_numel(const Shape& shape, std::string_view what) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) {
    if (d < 0) fail("{} has a negative dim: {}", what, shape_str(shape));
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / 16 / d) {
      fail("{} is too large: {}", what, shape_str(shape));
    }
    n *= d;
  }
  return n;
}

Entry tensor_entry(const onnx::TensorProto& t, std::string_view what,
                   const std::map<std::string, std::uint64_t, std::less<>>* raw_lengths,
                   const ExternalData* external) {
  Entry e;
  e.is_constant = true;
  e.dtype = dtype_of(t.data_type(), what);
  e.shape.assign(t.dims().begin(), t.dims().end());
  const std::int64_t n = checked_numel(e.shape, what);
  const std::size_t eb = elem_bytes(t.data_type());
  const auto expected = static_cast<std::uint64_t>(n) * eb;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) {
    read_external(t, what, n, expected, external, e);
    return e;  // sizes from the dims
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != expected) {
      fail("{}: raw_data has {} bytes, but {} elements of {} need {}", what, t.raw_data().size(), n,
           dtype_name(e.dtype), expected);
    }
  } else if (raw_lengths != nullptr && !t.name().empty()) {
    auto it = raw_lengths->find(t.name());
    if (it != raw_lengths->end() && it->second != expected) {
      fail("{}: raw_data has {} bytes, but {} elements of {} need {}", what, it->second, n,
           dtype_name(e.dtype), expected);
    }
  }
  if (n > kMaxFoldElements) return e;
  if (t.has_raw_data()) {
    decode_raw(t.raw_data(), t.data_type(), e);
  } else if (t.float_data_size() > 0) {
    if (t.data_type() == onnx::TensorProto::FLOAT16 ||
        t.data_type() == onnx::TensorProto::BFLOAT16) {
      return e;  // stored as int32_data in the spec; a float_data here is malformed, keep the shape
    }
    e.floats.assign(t.float_data().begin(), t.float_data().end());
  } else if (t.double_data_size() > 0) {
    e.floats.assign(t.double_data().begin(), t.double_data().end());
  } else if (t.int64_data_size() > 0) {
    e.ints.assign(t.int64_data().begin(), t.int64_data().end());
  } else if (t.int32_data_size() > 0) {
    if (t.data_type() == onnx::TensorProto::FLOAT16 ||
        t.data_type() == onnx::TensorProto::BFLOAT16) {
      for (std::int32_t v : t.int32_data()) {
        e.floats.push_back(half_to_double(static_cast<std::uint16_t>(v),
                                          t.data_type() == onnx::TensorProto::BFLOAT16));
      }
    } else {
      e.ints.assign(t.int32_data().begin(), t.int32_data().end());
    }
  } else if (t.uint64_data_size() > 0) {
    for (std::uint64_t v : t.uint64_data()) e.ints.push_back(static_cast<std::int64_t>(v));
  }
  const auto got = static_cast<std::int64_t>(e.ints.size() + e.floats.size());
  if (got == n) {
    // Integer-typed data stays integer; floats stay floats.
    e.has_data = true;
  } else if (got != 0) {
    fail("{}: holds {} values, its dims {} need {}", what, got, shape_str(e.shape), n);
  } else if (n == 0) {
    e.has_data = true;
  }
  return e;
}

}  // namespace dnnroof::onnx_import

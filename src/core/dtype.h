#pragma once
// Data types of tensors and of arithmetic, with their storage sizes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dnnroof {

// The precisions chips are rated in and tensors are stored in. tf32 is a
// compute format only (stored as fp32); fp8 means the e4m3/e5m2 formats.
enum class DType : std::uint8_t {
  fp64,
  fp32,
  tf32,
  fp16,
  bf16,
  fp8,
  int8,
  int32,
  int64,
  boolean,
  count  // keep last
};

// Short lower-case name ("fp32", "bf16", "int8", "bool").
std::string_view dtype_name(DType t);

// Parses a name as printed by dtype_name, plus common aliases ("float32",
// "float", "half", "f16", "bfloat16", "double", "i8"); nullopt when unknown.
std::optional<DType> parse_dtype(std::string_view name);

// Parses or throws Error naming the bad value and listing the valid ones.
DType parse_dtype_or_throw(std::string_view name);

// Bytes one element occupies in memory (tf32: 4, bool: 1).
double dtype_bytes(DType t);

// The precisions a chip's peak can be quoted in, in display order:
// fp64, fp32, tf32, fp16, bf16, fp8, int8.
std::span<const DType> peak_precisions();

// True for the floating-point types.
bool is_floating(DType t);

// The dtype tensors of compute type `t` are stored in: tf32 is a compute
// format stored as fp32; every other type is stored as itself.
DType storage_dtype(DType t);

}  // namespace dnnroof

#include "core/dtype.h"

#include <array>
#include <string>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {
namespace {

struct DTypeInfo {
  std::string_view name;
  double bytes;
  bool floating;
};

constexpr std::array<DTypeInfo, static_cast<std::size_t>(DType::count)> kInfo{{
    {"fp64", 8, true},
    {"fp32", 4, true},
    {"tf32", 4, true},
    {"fp16", 2, true},
    {"bf16", 2, true},
    {"fp8", 1, true},
    {"int8", 1, false},
    {"int32", 4, false},
    {"int64", 8, false},
    {"bool", 1, false},
}};

constexpr std::array<DType, 7> kPeakPrecisions{DType::fp64, DType::fp32, DType::tf32, DType::fp16,
                                               DType::bf16, DType::fp8,  DType::int8};

}  // namespace

std::string_view dtype_name(DType t) { return kInfo.at(static_cast<std::size_t>(t)).name; }

double dtype_bytes(DType t) { return kInfo.at(static_cast<std::size_t>(t)).bytes; }

bool is_floating(DType t) { return kInfo.at(static_cast<std::size_t>(t)).floating; }

std::span<const DType> peak_precisions() { return kPeakPrecisions; }

std::optional<DType> parse_dtype(std::string_view name) {
  const std::string n = to_lower(name);
  for (std::size_t i = 0; i < kInfo.size(); ++i) {
    if (kInfo[i].name == n) return static_cast<DType>(i);
  }
  struct Alias {
    std::string_view alias;
    DType type;
  };
  static constexpr std::array<Alias, 17> kAliases{{
      {"float64", DType::fp64},
      {"double", DType::fp64},
      {"f64", DType::fp64},
      {"float32", DType::fp32},
      {"float", DType::fp32},
      {"f32", DType::fp32},
      {"float16", DType::fp16},
      {"half", DType::fp16},
      {"f16", DType::fp16},
      {"bfloat16", DType::bf16},
      {"i8", DType::int8},
      {"uint8", DType::int8},
      {"int", DType::int32},
      {"i32", DType::int32},
      {"long", DType::int64},
      {"i64", DType::int64},
      {"fp8e4m3", DType::fp8},
  }};
  for (const auto& a : kAliases) {
    if (a.alias == n) return a.type;
  }
  return std::nullopt;
}

DType parse_dtype_or_throw(std::string_view name) {
  if (auto t = parse_dtype(name)) return *t;
  std::string valid;
  for (const auto& info : kInfo) {
    if (!valid.empty()) valid += ", ";
    valid += info.name;
  }
  fail("unknown dtype '{}' (valid: {})", name, valid);
}

DType storage_dtype(DType t) { return t == DType::tf32 ? DType::fp32 : t; }

}  // namespace dnnroof

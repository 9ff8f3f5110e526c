#include "core/dtype.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace dnnroof {
namespace {

TEST(DType, BytesPerElement) {
  EXPECT_EQ(dtype_bytes(DType::fp32), 4);
  EXPECT_EQ(dtype_bytes(DType::fp16), 2);
  EXPECT_EQ(dtype_bytes(DType::bf16), 2);
  EXPECT_EQ(dtype_bytes(DType::int8), 1);
  EXPECT_EQ(dtype_bytes(DType::fp64), 8);
}

TEST(DType, NamesRoundTripAndAliases) {
  for (int i = 0; i < static_cast<int>(DType::count); ++i) {
    const auto t = static_cast<DType>(i);
    EXPECT_EQ(parse_dtype(dtype_name(t)), t);
  }
  EXPECT_EQ(parse_dtype("float32"), DType::fp32);
  EXPECT_EQ(parse_dtype("BFloat16"), DType::bf16);
  EXPECT_EQ(parse_dtype("half"), DType::fp16);
  EXPECT_FALSE(parse_dtype("fp12").has_value());
  EXPECT_THROW(parse_dtype_or_throw("fp12"), Error);
}

}  // namespace
}  // namespace dnnroof

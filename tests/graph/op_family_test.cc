// op_family: every op kind in one family, the families of OpKind's
// declaration (ops.h), counted here by hand from that declaration.
#include "graph/op_family.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string_view>

#include "graph/ops.h"

namespace dnnroof {
namespace {

TEST(OpFamily, EveryKindHasOneFamilyAndTheSizesAreTheDeclarations) {
  std::map<OpFamily, int> size;
  for (std::size_t i = 0; i < kOpKindCount; ++i) ++size[op_family(static_cast<OpKind>(i))];
  // ops.h: 5 matrix-class, 4 normalisations, 13 activations (ReLU ... Tanh,
  // Clip), Softmax and LogSoftmax, 6 poolings, 4 + 3 broadcasting binaries,
  // 7 unary math, 14 + 1 data movement (Tile), 2 + 4 reductions, 6
  // comparisons/selection/conversion.
  const std::map<OpFamily, int> expected{{OpFamily::matrix, 5},      {OpFamily::normalisation, 4},
                                         {OpFamily::activation, 13}, {OpFamily::softmax, 2},
                                         {OpFamily::pooling, 6},     {OpFamily::arithmetic, 7},
                                         {OpFamily::unary_math, 7},  {OpFamily::data_movement, 15},
                                         {OpFamily::reduction, 6},   {OpFamily::comparison, 6}};
  EXPECT_EQ(size, expected);
}

TEST(OpFamily, KindsThePeersGroup) {
  // torch.utils.flop_counter counts exactly these (mm, addmm, bmm,
  // convolution, sdpa): the matrix family.
  for (OpKind op :
       {OpKind::Conv, OpKind::ConvTranspose, OpKind::Gemm, OpKind::MatMul, OpKind::Attention}) {
    EXPECT_EQ(op_family(op), OpFamily::matrix) << op_name(op);
  }
  // ptflops' pool hook and calflops' patched F.*pool*: the pooling family.
  for (OpKind op : {OpKind::MaxPool, OpKind::AvgPool, OpKind::GlobalAvgPool, OpKind::GlobalMaxPool,
                    OpKind::AdaptiveAvgPool, OpKind::AdaptiveMaxPool}) {
    EXPECT_EQ(op_family(op), OpFamily::pooling) << op_name(op);
  }
  EXPECT_EQ(op_family(OpKind::Lrn), OpFamily::normalisation);
  EXPECT_EQ(op_family(OpKind::Clip), OpFamily::activation);  // ReLU6 as exported
  EXPECT_EQ(op_family(OpKind::Softmax), OpFamily::softmax);  // along an axis, not elementwise
  EXPECT_EQ(op_family(OpKind::Pow), OpFamily::arithmetic);
  EXPECT_EQ(op_family(OpKind::Softplus), OpFamily::unary_math);
  EXPECT_EQ(op_family(OpKind::Identity), OpFamily::data_movement);
  EXPECT_EQ(op_family(OpKind::ArgMax), OpFamily::reduction);
  EXPECT_EQ(op_family(OpKind::Where), OpFamily::comparison);
}

TEST(OpFamily, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (OpFamily f :
       {OpFamily::matrix, OpFamily::normalisation, OpFamily::activation, OpFamily::softmax,
        OpFamily::pooling, OpFamily::arithmetic, OpFamily::unary_math, OpFamily::data_movement,
        OpFamily::reduction, OpFamily::comparison}) {
    EXPECT_FALSE(op_family_name(f).empty());
    names.insert(op_family_name(f));
  }
  EXPECT_EQ(names.size(), 10u);
  EXPECT_EQ(op_family_name(OpFamily::data_movement), "data movement");
}

}  // namespace
}  // namespace dnnroof

#pragma once
// What every op table shares (op names: ops.cc; shape rules: shape_rules.cc;
// cost rules: src/cost/rules.cc; lowerings: src/exec/lowering.cc).
// Each row names its OpKind in a member `op`, and the table is
// static_assert'ed with rows_in_op_order(): one row per op kind, row i for
// op i. A missing, extra or misplaced row is a compile error that names the
// table, not a wrong rule applied to the next op at run time.

#include <array>
#include <cstddef>

#include "graph/ops.h"

namespace dnnroof {

template <typename Row, std::size_t N>
constexpr bool rows_in_op_order(const std::array<Row, N>& rows) {
  if (N != kOpKindCount) return false;
  for (std::size_t i = 0; i < N; ++i) {
    if (static_cast<std::size_t>(rows[i].op) != i) return false;
  }
  return true;
}

}  // namespace dnnroof

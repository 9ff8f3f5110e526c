#pragma once
// Shared by zoo_test.cc and zoo_long_test.cc: builds one zoo model at batch 1
// (image_size 0: the model's default; GPT-2 at sequence length 16), runs one
// inference and checks the output's shape and that every value is finite.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "exec/executor.h"
#include "zoo/zoo.h"

namespace dnnroof::testing_zoo {

inline void run_model(const std::string& name, std::int64_t image_size) {
  ZooOptions zo;
  zo.batch = 1;
  zo.image_size = image_size;
  if (name == "gpt2") zo.seq_len = 16;
  const Graph g = build_zoo_model(name, zo);
  auto e = make_executor(g, {});
  const auto outs = e->run({});
  ASSERT_EQ(outs.size(), g.outputs.size());
  const Value& out = g.value(g.outputs[0]);
  EXPECT_EQ(outs[0].dims, out.shape) << name;
  std::vector<float> v(outs[0].data.size() / 4);
  std::memcpy(v.data(), outs[0].data.data(), outs[0].data.size());
  for (float f : v) ASSERT_TRUE(std::isfinite(f)) << name << " gave a non-finite output";
  EXPECT_GT(e->infer(), 0.0);
}

}  // namespace dnnroof::testing_zoo

// Every zoo model (all 41, default input sizes) builds an executor and runs
// one inference at batch 1 with finite outputs of the right shape. About 3
// minutes on 2 cores: label "long", and it runs only with
// DNNROOF_LONG_TESTS=1 (DNNROOF_LONG_TESTS=1 ctest -L long).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "exec/executor.h"
#include "zoo/zoo.h"
#include "zoo_run.h"

namespace dnnroof {
namespace {

using testing_zoo::run_model;

TEST(ExecZooLong, EveryModelRunsAtBatch1) {
  if (std::getenv("DNNROOF_LONG_TESTS") == nullptr) GTEST_SKIP() << "set DNNROOF_LONG_TESTS=1";
  int n = 0;
  for (const ZooEntry& z : zoo_models()) {
    SCOPED_TRACE(z.name);
    run_model(z.name, 0);
    std::fprintf(stderr, "ran %s\n", z.name.c_str());
    ++n;
  }
  std::printf("%d zoo models ran\n", n);
}

}  // namespace
}  // namespace dnnroof

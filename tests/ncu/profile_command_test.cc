// The ncu command line printed by `dnnroof profile-cmd`.

#include "ncu/profile_command.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/error.h"

namespace dnnroof {
namespace {

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The argument after `flag` in argv, "" when absent.
std::string after(const std::vector<std::string>& argv, const std::string& flag) {
  const auto it = std::find(argv.begin(), argv.end(), flag);
  return it == argv.end() || it + 1 == argv.end() ? "" : *(it + 1);
}

TEST(ProfileMetrics, A100List) {
  const std::vector<std::string> m = profile_metrics(80);
  // 5 (time, DRAM read/write, L2, L1) + 9 SASS FLOP counters + tensor inst
  // + 5 tensor-path op counters (fp8 only from sm_89).
  EXPECT_EQ(m.size(), 5u + 9u + 1u + 5u);
  EXPECT_EQ(m[0], "gpu__time_duration.sum");
  EXPECT_TRUE(contains(m, "dram__bytes_read.sum"));
  EXPECT_TRUE(contains(m, "dram__bytes_write.sum"));
  EXPECT_TRUE(contains(m, "lts__t_bytes.sum"));
  EXPECT_TRUE(contains(m, "l1tex__t_bytes.sum"));
  for (const char* p : {"d", "f", "h"}) {
    for (const char* op : {"add", "mul", "fma"}) {
      EXPECT_TRUE(
          contains(m, std::string("smsp__sass_thread_inst_executed_op_") + p + op + "_pred_on.sum"))
          << p << op;
    }
  }
  EXPECT_TRUE(contains(m, "sm__inst_executed_pipe_tensor.sum"));
  EXPECT_TRUE(contains(m, "sm__ops_path_tensor_src_tf32_dst_fp32.sum"));
  EXPECT_FALSE(contains(m, "sm__ops_path_tensor_src_fp8.sum"));
}

TEST(ProfileMetrics, VoltaHasNoTensorPathOps) {
  const std::vector<std::string> m = profile_metrics(70);
  EXPECT_EQ(m.size(), 15u);
  EXPECT_TRUE(contains(m, "sm__inst_executed_pipe_tensor.sum"));
  EXPECT_TRUE(std::none_of(m.begin(), m.end(), [](const std::string& s) {
    return s.find("ops_path") != std::string::npos;
  }));
  EXPECT_TRUE(contains(profile_metrics(90), "sm__ops_path_tensor_src_fp8.sum"));
}

TEST(ProfileCommand, TrainResnet18) {
  ProfileCommandOptions o;
  o.model = "resnet18";
  o.batch = 64;
  o.mode = "train";
  o.device_chip = "a100-sxm4-40gb";
  const ProfileCommand c = make_profile_command(o);
  EXPECT_EQ(c.csv, "resnet18-b64-train.ncu.csv");
  ASSERT_FALSE(c.argv.empty());
  EXPECT_EQ(c.argv[0], "ncu");
  EXPECT_EQ(after(c.argv, "--profile-from-start"), "off");
  EXPECT_EQ(after(c.argv, "--page"), "raw");
  EXPECT_EQ(after(c.argv, "--log-file"), "resnet18-b64-train.ncu.csv");
  EXPECT_TRUE(contains(c.argv, "--csv"));
  EXPECT_EQ(after(c.argv, "--metrics"),
            "gpu__time_duration.sum,dram__bytes_read.sum,"
            "dram__bytes_write.sum,lts__t_bytes.sum,"
            "l1tex__t_bytes.sum,"
            "smsp__sass_thread_inst_executed_op_dadd_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_dmul_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_dfma_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_fadd_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_fmul_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_ffma_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_hadd_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_hmul_pred_on.sum,"
            "smsp__sass_thread_inst_executed_op_hfma_pred_on.sum,"
            "sm__inst_executed_pipe_tensor.sum,"
            "sm__ops_path_tensor_src_fp16_dst_fp16.sum,"
            "sm__ops_path_tensor_src_fp16_dst_fp32.sum,"
            "sm__ops_path_tensor_src_bf16_dst_fp32.sum,"
            "sm__ops_path_tensor_src_tf32_dst_fp32.sum,"
            "sm__ops_path_tensor_src_fp64.sum");
  EXPECT_FALSE(contains(c.argv, "--cache-control"));
  // The profiled program: one iteration between cudaProfilerStart/Stop.
  const auto bench = std::find(c.argv.begin(), c.argv.end(), "bench");
  ASSERT_NE(bench, c.argv.end());
  EXPECT_EQ(*(bench - 1), "dnnroof");
  const std::vector<std::string> tail(bench, c.argv.end());
  EXPECT_EQ(tail,
            (std::vector<std::string>{"bench", "resnet18", "--device", "cuda", "--batch", "64",
                                      "--mode", "train", "--dtype", "fp32", "--profile-range"}));
  EXPECT_EQ(c.command.rfind("ncu --profile-from-start off --target-processes all --metrics "
                            "gpu__time_duration.sum,",
                            0),
            0u)
      << c.command;
  EXPECT_EQ(c.import_command,
            "dnnroof import-ncu resnet18-b64-train.ncu.csv --model resnet18 --batch 64 --mode "
            "train --dtype fp32 --device-chip a100-sxm4-40gb --out resnet18-b64-train.ncu.json");
}

TEST(ProfileCommand, OptionsAndQuoting) {
  ProfileCommandOptions o;
  o.model = "/models/my net.onnx";
  o.warm_cache = true;
  o.unlocked_clocks = true;
  o.csv = "out.csv";
  const ProfileCommand c = make_profile_command(o);
  EXPECT_EQ(after(c.argv, "--cache-control"), "none");
  EXPECT_EQ(after(c.argv, "--clock-control"), "none");
  EXPECT_NE(c.command.find("bench '/models/my net.onnx' --device cuda"), std::string::npos)
      << c.command;
  EXPECT_NE(c.import_command.find("--out out.json"), std::string::npos);
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("a,b.c:d=e"), "a,b.c:d=e");
}

TEST(ProfileCommand, DefaultCsvNameFromOnnxStem) {
  ProfileCommandOptions o;
  o.model = "/models/vit.onnx";
  o.batch = 8;
  EXPECT_EQ(make_profile_command(o).csv, "vit-b8-infer.ncu.csv");
}

TEST(ProfileCommand, BadInput) {
  ProfileCommandOptions o;
  o.model = "resnet18";
  o.mode = "training";
  EXPECT_THROW(make_profile_command(o), Error);
  o.mode = "infer";
  o.batch = 0;
  EXPECT_THROW(make_profile_command(o), Error);
  o.batch = 1;
  o.arch = 61;
  EXPECT_THROW(make_profile_command(o), Error);
}

}  // namespace
}  // namespace dnnroof

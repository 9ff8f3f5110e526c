// `dnnroof profile-cmd MODEL`: prints the Nsight Compute command that
// measures one iteration of MODEL (the metrics import-ncu reads, with
// --profile-from-start off and the cudaProfilerStart/Stop range the executor
// puts around exactly one iteration under `bench --profile-range`), and the
// import-ncu command to run afterwards.

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "commands.h"
#include "core/table.h"
#include "ncu/profile_command.h"

namespace dnnroof::cli {
namespace {

struct ProfileCmdOptions {
  ProfileCommandOptions cmd;
  std::string format = "table";
};

void run_profile_cmd(const ProfileCmdOptions& o) {
  const OutputFormat format = parse_output_format(o.format);
  const ProfileCommand c = make_profile_command(o.cmd);
  switch (format) {
    case OutputFormat::table:
      fmt::print(
          "# 1. on the machine with the GPU (needs Nsight Compute and GPU counter access):\n");
      fmt::print("{}\n", c.command);
      fmt::print("# 2. anywhere, with the CSV it wrote:\n");
      fmt::print("{}\n", c.import_command);
      break;
    case OutputFormat::csv: {
      Table t({"step", "command"}, {"step", "command"});
      t.add_row({"profile", c.command});
      t.add_row({"import", c.import_command});
      fmt::print("{}", t.render(format));
      break;
    }
    case OutputFormat::json: {
      const nlohmann::json j{{"ncu_command", c.command},
                             {"ncu_argv", c.argv},
                             {"metrics", c.metrics},
                             {"csv", c.csv},
                             {"import_command", c.import_command}};
      fmt::print("{}\n", j.dump(2));
      break;
    }
  }
  fmt::print(stderr,
             "ncu profiles only the kernels between cudaProfilerStart and cudaProfilerStop (one "
             "iteration after warm-up under bench --profile-range); it replays each kernel once "
             "per metric pass with caches flushed and clocks at base, so expect the run to take "
             "minutes. See docs/ncu.md.\n");
}

void register_profile_cmd(CLI::App& app, Context& /*ctx*/) {
  auto opt = std::make_shared<ProfileCmdOptions>();
  auto* sub = app.add_subcommand(
      "profile-cmd",
      "Print the Nsight Compute (ncu) command that measures FLOPs, DRAM/L2/L1 bytes and time of\n"
      "one iteration of a model, and the import-ncu command to read its CSV");
  sub->footer(
      "Examples:\n"
      "  dnnroof profile-cmd resnet18 --batch 64 --mode train\n"
      "  dnnroof profile-cmd vit_b_16 --dtype bf16 --arch 90 --device-chip h100-sxm\n"
      "  dnnroof profile-cmd resnet50 --format json | jq -r .ncu_command\n"
      "--arch is the GPU's compute capability x10: 70 (V100) and 75 (T4) have no tensor-path\n"
      "op counters, so tensor-core FLOPs are only counted from 80 (A100) on.");
  sub->add_option("model", opt->cmd.model, "Zoo model name or .onnx file")->required();
  sub->add_option("--batch", opt->cmd.batch, "Batch size (default 1)");
  sub->add_option("--mode", opt->cmd.mode, "infer or train")->default_val("infer");
  sub->add_option("--dtype", opt->cmd.dtype, "Compute dtype passed to bench")->default_val("fp32");
  sub->add_option("--device", opt->cmd.device, "CUDA device passed to bench")->default_val("cuda");
  sub->add_option("--arch", opt->cmd.arch, "Compute capability x10 of the GPU (default 80)");
  sub->add_option("--csv", opt->cmd.csv, "CSV file ncu writes (default MODEL-bBATCH-MODE.ncu.csv)");
  sub->add_option("--device-chip", opt->cmd.device_chip,
                  "Catalog id of the GPU, passed on to import-ncu");
  sub->add_flag("--warm-cache", opt->cmd.warm_cache,
                "Keep caches between kernels (--cache-control none) instead of flushing them");
  sub->add_flag("--unlocked-clocks", opt->cmd.unlocked_clocks,
                "Let clocks boost (--clock-control none) instead of locking them to base");
  sub->add_option("--ncu", opt->cmd.ncu, "The ncu executable")->default_val("ncu");
  sub->add_option("--dnnroof", opt->cmd.dnnroof, "The dnnroof executable on the GPU machine")
      ->default_val("dnnroof");
  add_format_option(*sub, opt->format);
  sub->callback([opt] { run_profile_cmd(*opt); });
}

DNNROOF_COMMAND(810, register_profile_cmd);

}  // namespace
}  // namespace dnnroof::cli

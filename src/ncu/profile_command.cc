#include "ncu/profile_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/error.h"
#include "core/strings.h"
#include "ncu/ncu.h"

namespace dnnroof {

std::vector<std::string> profile_metrics(int arch) {
  std::vector<std::string> m{std::string(ncu_metric::kTime), std::string(ncu_metric::kDramRead),
                             std::string(ncu_metric::kDramWrite), std::string(ncu_metric::kL2),
                             std::string(ncu_metric::kL1)};
  for (char p : {'d', 'f', 'h'}) {
    for (const char* op : {"add", "mul", "fma"}) m.push_back(sass_flop_metric(p, op, true));
  }
  m.emplace_back(ncu_metric::kTensorInst);
  if (arch >= 80) {
    for (const std::string& t : tensor_ops_metrics()) {
      if (t.find("fp8") != std::string::npos && arch < 89) continue;
      m.push_back(t);
    }
  }
  return m;
}

std::string shell_quote(std::string_view s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("_./,:=+-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out.push_back(c);
    }
  }
  return out + "'";
}

namespace {
std::string quote_all(const std::vector<std::string>& argv) {
  std::vector<std::string> q;
  q.reserve(argv.size());
  for (const auto& a : argv) q.push_back(shell_quote(a));
  return join(q, " ");
}
}  // namespace

ProfileCommand make_profile_command(const ProfileCommandOptions& o) {
  if (o.model.empty()) fail("profile-cmd: a model is needed");
  if (o.mode != "infer" && o.mode != "train") {
    fail("--mode must be infer or train, got '{}'", o.mode);
  }
  if (o.batch < 1) fail("--batch {}: batch sizes must be >= 1", o.batch);
  if (o.arch < 70 || o.arch > 120) {
    fail(
        "--arch {}: give the compute capability x10 of a GPU with Nsight Compute support "
        "(70 for V100 ... 90 for H100, 100 for B200)",
        o.arch);
  }
  ProfileCommand c;
  c.metrics = profile_metrics(o.arch);
  if (o.csv.empty()) {
    const std::string stem = std::filesystem::path(o.model).stem().string();
    c.csv = fmt::format("{}-b{}-{}.ncu.csv", stem, o.batch, o.mode);
  } else {
    c.csv = o.csv;
  }
  c.argv = {o.ncu, "--profile-from-start", "off", "--target-processes", "all"};
  if (o.warm_cache) c.argv.insert(c.argv.end(), {"--cache-control", "none"});
  if (o.unlocked_clocks) c.argv.insert(c.argv.end(), {"--clock-control", "none"});
  c.argv.insert(c.argv.end(),
                {"--metrics", join(c.metrics, ","), "--csv", "--page", "raw", "--log-file", c.csv});
  c.argv.insert(c.argv.end(),
                {o.dnnroof, "bench", o.model, "--device", o.device, "--batch",
                 std::to_string(o.batch), "--mode", o.mode, "--dtype", o.dtype, "--profile-range"});
  c.command = quote_all(c.argv);
  std::vector<std::string> imp{
      o.dnnroof, "import-ncu", c.csv,     "--model", o.model, "--batch", std::to_string(o.batch),
      "--mode",  o.mode,       "--dtype", o.dtype};
  if (!o.device_chip.empty()) imp.insert(imp.end(), {"--device-chip", o.device_chip});
  const std::string json = c.csv.size() > 4 && c.csv.substr(c.csv.size() - 4) == ".csv"
                               ? c.csv.substr(0, c.csv.size() - 4) + ".json"
                               : c.csv + ".json";
  imp.insert(imp.end(), {"--out", json});
  c.import_command = quote_all(imp);
  return c;
}

}  // namespace dnnroof

// Each --convention against its tool's own numbers: tests/cost/fixtures/
// peers.json holds what thop, ptflops (pytorch backend with and without
// count_functional, aten backend), fvcore, calflops, torchinfo and torch's
// FlopCounterMode printed for torchvision models (generated once by
// fixtures/gen_peers.py, tool and torch versions recorded in the file). The
// zoo builds the same architectures: the parameter count is checked first.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cost/cost.h"
#include "zoo/zoo.h"

namespace dnnroof {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json j = [] {
    std::ifstream in(DNNROOF_PEERS_FIXTURE);
    if (!in) throw std::runtime_error(std::string("cannot read ") + DNNROOF_PEERS_FIXTURE);
    return json::parse(in);
  }();
  return j;
}

Graph model(const std::string& name) {
  ZooOptions z;
  z.batch = 1;
  return build_zoo_model(name, z);
}

ModelCost model_cost(const std::string& name, CostConvention c, bool training = false,
                     bool recompute = false) {
  CostOptions o;
  o.convention = c;
  o.training = training;
  o.attention_recompute = recompute;
  return estimate_cost(model(name), o);
}

// The tools print integers (thop sums doubles, ptflops truncates per
// module): equal to 1e-9 relative, i.e. exactly, for these sizes.
void expect_same(double ours, double theirs, const std::string& what) {
  const double pct = theirs != 0 ? 100 * (ours - theirs) / theirs : 0;
  EXPECT_NEAR(ours, theirs, 1e-9 * std::max(1.0, std::abs(theirs)))
      << what << ": dnnroof " << std::fixed << std::setprecision(0) << ours << " vs the tool "
      << theirs << std::setprecision(4) << " (" << pct << "%)";
}

double num(const json& j, const char* tool, const char* key) {
  return j.at(tool).at(key).get<double>();
}

std::vector<std::string> fixture_models() {
  std::vector<std::string> names;
  for (const auto& [name, r] : fixture().at("models").items()) names.push_back(name);
  return names;
}

TEST(Peers, FixtureRecordsTheVersionsItRan) {
  const json& v = fixture().at("versions");
  for (const char* p :
       {"torch", "torchvision", "thop", "ptflops", "fvcore", "torchinfo", "calflops"}) {
    EXPECT_FALSE(v.at(p).get<std::string>().empty()) << p;
  }
  // Five models at least, one of them a transformer.
  const auto models = fixture_models();
  EXPECT_GE(models.size(), 5U);
  EXPECT_TRUE(std::find(models.begin(), models.end(), "vit_b_16") != models.end() ||
              std::find(models.begin(), models.end(), "swin_t") != models.end());
}

class PeerModel : public ::testing::TestWithParam<std::string> {
 protected:
  const json& r() const { return fixture().at("models").at(GetParam()); }
};

// The zoo builds the architecture the tools ran: same parameter count.
TEST_P(PeerModel, SameArchitecture) {
  expect_same(model_cost(GetParam(), CostConvention::dnnroof).params,
              r().at("params_torchvision").get<double>(), "parameters");
}

TEST_P(PeerModel, Thop) {
  const ModelCost c = model_cost(GetParam(), CostConvention::thop);
  expect_same(c.forward.flops(), num(r(), "thop", "macs"), "thop MACs");
  expect_same(c.convention_macs, num(r(), "thop", "macs"), "thop MACs (convention_macs)");
  expect_same(c.convention_params, num(r(), "thop", "params"), "thop params");
}

TEST_P(PeerModel, Ptflops) {
  const struct {
    CostConvention convention;
    const char* key;
  } modes[] = {{CostConvention::ptflops, "ptflops"},
               {CostConvention::ptflops_no_functional, "ptflops_nofunc"},
               {CostConvention::ptflops_aten, "ptflops_aten"}};
  for (const auto& m : modes) {
    const ModelCost c = model_cost(GetParam(), m.convention);
    const std::string name(cost_convention_name(m.convention));
    expect_same(c.forward.flops(), num(r(), m.key, "macs"), name + " MACs");
    expect_same(c.convention_params, num(r(), m.key, "params"), name + " params");
  }
}

TEST_P(PeerModel, Fvcore) {
  const ModelCost c = model_cost(GetParam(), CostConvention::fvcore);
  expect_same(c.forward.flops(), num(r(), "fvcore", "flops"), "fvcore flops");
  expect_same(c.convention_params, num(r(), "fvcore", "params"), "fvcore params");
}

TEST_P(PeerModel, Calflops) {
  const ModelCost c = model_cost(GetParam(), CostConvention::calflops);
  expect_same(c.forward.flops(), num(r(), "calflops", "flops"), "calflops FLOPs");
  expect_same(c.convention_macs, num(r(), "calflops", "macs"), "calflops MACs");
  expect_same(c.convention_params, num(r(), "calflops", "params"), "calflops params");
}

TEST_P(PeerModel, Torchinfo) {
  const ModelCost c = model_cost(GetParam(), CostConvention::torchinfo);
  expect_same(c.forward.flops(), num(r(), "torchinfo", "mult_adds"), "torchinfo mult-adds");
  expect_same(c.convention_params, num(r(), "torchinfo", "params"), "torchinfo params");
}

TEST_P(PeerModel, TorchFlopCounterMode) {
  expect_same(model_cost(GetParam(), CostConvention::torch).forward.flops(),
              num(r(), "torch", "flops_forward"), "torch forward FLOPs");
  // Forward + backward: torch's sdpa backward recomputes QK^T, which
  // --attention-recompute adds (a no-op for models without an Attention node).
  expect_same(model_cost(GetParam(), CostConvention::torch, true, true).step().flops(),
              num(r(), "torch", "flops_step"), "torch forward+backward FLOPs");
}

// Without --attention-recompute the torch step is short by exactly the
// recompute of QK^T: 12 layers x 2 FLOPs x (12 heads x 197 x 197 x 64) MACs.
TEST(Peers, VitTorchBackwardNeedsTheRecompute) {
  const json& r = fixture().at("models").at("vit_b_16");
  const double without = model_cost("vit_b_16", CostConvention::torch, true, false).step().flops();
  expect_same(num(r, "torch", "flops_step") - without, 12.0 * 2 * (12.0 * 197 * 197 * 64),
              "vit_b_16 torch step minus the step without the recompute");
}

// convention_profile() is what a Python binding returns: (macs, params).
TEST_P(PeerModel, ProfileReturnsTheToolsPair) {
  const ConventionProfile p = convention_profile(model(GetParam()), CostConvention::thop);
  expect_same(p.macs, num(r(), "thop", "macs"), "profile thop MACs");
  expect_same(p.params, num(r(), "thop", "params"), "profile thop params");
  const ConventionProfile q = convention_profile(model(GetParam()), CostConvention::ptflops);
  expect_same(q.macs, num(r(), "ptflops", "macs"), "profile ptflops MACs");
  expect_same(q.params, num(r(), "ptflops", "params"), "profile ptflops params");
}

INSTANTIATE_TEST_SUITE_P(Torchvision, PeerModel, ::testing::ValuesIn(fixture_models()),
                         [](const ::testing::TestParamInfo<std::string>& i) { return i.param; });

}  // namespace
}  // namespace dnnroof

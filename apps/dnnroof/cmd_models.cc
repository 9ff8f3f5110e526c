// `dnnroof models`: the built-in zoo, with each model's parameters and MACs
// at batch 1 computed by building and costing it (nothing is hard-coded).

#include <fmt/format.h>

#include <memory>
#include <string>

#include "commands.h"
#include "core/table.h"
#include "core/units.h"
#include "cost/cost.h"
#include "llm/config.h"
#include "llm/cost.h"
#include "zoo/zoo.h"

namespace dnnroof::cli {
namespace {

void list_models(const std::string& format_name) {
  const OutputFormat format = parse_output_format(format_name);
  Table t({"name", "family", "task", "input", "params", "GMACs (batch 1)", "GFLOPs fwd (batch 1)"},
          {"name", "family", "task", "input_shape", "params", "gmacs", "gflops_fwd"});
  for (const ZooEntry& e : zoo_models()) {
    ZooOptions z;
    z.batch = 1;
    const Graph g = e.build(z);
    const ModelCost c = estimate_cost(g);
    std::string input;
    for (ValueId id : g.inputs) {
      if (!input.empty()) input += " ";
      input += shape_str(g.value(id).shape);
    }
    t.add_row({e.name, e.family, e.task, input, Cell(c.params, format_si(c.params, "")),
               Cell(c.forward.macs / 1e9, fmt::format("{:.3f}", c.forward.macs / 1e9)),
               Cell(c.forward.flops() / 1e9, fmt::format("{:.3f}", c.forward.flops() / 1e9))});
  }
  fmt::print("{}", t.render(format));
  if (format != OutputFormat::table) return;  // programs get the zoo table alone, as before
  // The shipped language-model configs (docs/llm.md), for people.
  Table l({"language model", "type", "layers", "hidden", "heads / KV heads", "params",
           "active params", "KV cache per token (bf16)"});
  for (const auto& name : llm::builtin_llm_names()) {
    const auto c = llm::resolve_llm(name);
    const auto p = llm::count_parameters(c);
    l.add_row({c.name, c.model_type, std::to_string(c.layers), std::to_string(c.hidden),
               fmt::format("{} / {} ({})", c.heads, c.kv_heads, c.attention_kind()),
               format_si(static_cast<double>(p.total), ""),
               format_si(static_cast<double>(p.active), ""),
               format_si(llm::kv_bytes_per_token(c, llm::Precision{}), "B")});
  }
  fmt::print("\nLanguage models (dnnroof analyze NAME --phase prefill|decode; docs/llm.md):\n{}",
             l.render(format));
}

void register_models(CLI::App& app, Context& /*ctx*/) {
  auto format = std::make_shared<std::string>("table");
  auto* sub = app.add_subcommand("models", "List the built-in model zoo with parameters and MACs");
  sub->footer(
      "GMACs are multiply-accumulates (torchvision's \"GFLOPS\" column is in fact GMACs);\n"
      "GFLOPs count 2 per MAC plus every other op (docs/cost-model.md).\n"
      "Example:\n"
      "  dnnroof models --format csv > zoo.csv");
  add_format_option(*sub, *format);
  sub->callback([format] { list_models(*format); });
}

DNNROOF_COMMAND(200, register_models);

}  // namespace
}  // namespace dnnroof::cli

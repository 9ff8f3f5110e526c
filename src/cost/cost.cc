// The cost driver: walks the graph once, propagates which values need a
// gradient, and applies each node's row of the cost table (rules.cc).
#include "cost/cost.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "cost/detail/rules.h"

namespace dnnroof {

namespace {

constexpr std::array<std::string_view, kCostConventionCount> kConventionNames{
    "dnnroof",      "fvcore",   "thop",  "ptflops",  "ptflops-no-functional",
    "ptflops-aten", "calflops", "torch", "torchinfo"};

}  // namespace

std::string_view cost_convention_name(CostConvention c) {
  return kConventionNames.at(static_cast<std::size_t>(c));
}

std::string_view cost_convention_unit(CostConvention c) {
  switch (c) {
    case CostConvention::dnnroof:
    case CostConvention::torch:
    case CostConvention::calflops:
      return "FLOPs";
    case CostConvention::fvcore:
      return "flops";
    case CostConvention::thop:
    case CostConvention::ptflops:
    case CostConvention::ptflops_no_functional:
    case CostConvention::ptflops_aten:
      return "MACs";
    case CostConvention::torchinfo:
      return "mult-adds";
  }
  return "FLOPs";
}

std::string cost_convention_label(CostConvention c) {
  if (c == CostConvention::dnnroof) return "FLOPs";
  return fmt::format("{} {}", cost_convention_name(c), cost_convention_unit(c));
}

std::string cost_convention_names() {
  std::vector<std::string> names(kConventionNames.begin(), kConventionNames.end());
  return join(names, ", ");
}

CostConvention parse_cost_convention(std::string_view name) {
  std::string n = to_lower(name);
  std::replace(n.begin(), n.end(), '_', '-');
  for (std::size_t i = 0; i < kConventionNames.size(); ++i) {
    if (kConventionNames[i] == n) return static_cast<CostConvention>(i);
  }
  fail("unknown FLOP-counting convention '{}'; use one of: {}", name, cost_convention_names());
}

PassCost& PassCost::operator+=(const PassCost& o) {
  macs += o.macs;
  matmul_flops += o.matmul_flops;
  other_flops += o.other_flops;
  bytes_read += o.bytes_read;
  bytes_written += o.bytes_written;
  return *this;
}

PassCost operator+(PassCost a, const PassCost& b) { return a += b; }

std::string ModelCost::coverage_line() const {
  if (uncovered.empty()) return fmt::format("all {} nodes have a cost rule", nodes.size());
  return fmt::format("{} of {} nodes have no cost rule: {}", uncovered.size(), nodes.size(),
                     join(uncovered, ", "));
}

namespace {

using cost_detail::MemoryKind;
using cost_detail::RuleContext;

AttentionMemory node_attention_memory(const Node& n, AttentionMemory def) {
  const std::string m = n.attrs.get_string("memory", "");
  if (m.empty()) return def;
  if (m == "plain") return AttentionMemory::plain;
  if (m == "flash") return AttentionMemory::flash;
  fail("node '{}' ({}): attribute memory = '{}', expected plain or flash", n.name, op_name(n.op),
       m);
}

// Bytes of the inputs a node really reads: constants holding shapes are metadata.
double read_bytes(const RuleContext& c) {
  double b = 0;
  for (ValueId id : c.node.inputs) {
    const Value& v = c.graph.value(id);
    if (v.role == ValueRole::constant && !v.int_data.empty()) continue;
    b += c.value_bytes(id);
  }
  return b;
}

double output_bytes(const RuleContext& c) {
  double b = 0;
  for (ValueId id : c.node.outputs) b += c.value_bytes(id);
  return b;
}

}  // namespace

ModelCost estimate_cost(const Graph& graph, const CostOptions& options) {
  ModelCost m;
  m.graph_name = graph.name;
  m.options = options;
  m.storage = options.dtype.value_or(graph.dtype);
  const double float_bytes = dtype_bytes(m.storage);
  if (!graph.inputs.empty() && !graph.value(graph.inputs[0]).shape.empty()) {
    m.batch = graph.value(graph.inputs[0]).shape[0];
  }

  // requires_grad: parameters, and every activation computed from one.
  std::vector<bool> requires_grad(graph.values.size(), false);
  if (options.training) {
    for (std::size_t i = 0; i < graph.values.size(); ++i) {
      requires_grad[i] = graph.values[i].role == ValueRole::parameter;
    }
  }

  std::set<ValueId> saved_values;
  double saved_extra = 0;
  std::set<ValueId> seen_params;
  std::set<ValueId> seen_buffers;
  std::set<ValueId> convention_params;  // parameters the convention's tool counts

  m.nodes.reserve(graph.nodes.size());
  for (std::size_t ni = 0; ni < graph.nodes.size(); ++ni) {
    const Node& node = graph.nodes[ni];
    NodeCost nc;
    nc.node = static_cast<std::int32_t>(ni);
    nc.name = node.name;
    nc.op = node.op;
    if (!node.outputs.empty()) nc.output_shape = graph.value(node.outputs[0]).shape;

    RuleContext ctx{graph,       node, options,
                    float_bytes, {},   node_attention_memory(node, options.attention)};
    ctx.needs_grad.resize(node.inputs.size(), false);
    for (std::size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      ctx.needs_grad[i] = requires_grad.at(static_cast<std::size_t>(id));
      const Value& v = graph.value(id);
      if (v.role == ValueRole::parameter) {
        nc.params += static_cast<double>(numel(v.shape));
        if (seen_params.insert(id).second) m.params += static_cast<double>(numel(v.shape));
      } else if (v.role == ValueRole::buffer) {
        nc.buffers += static_cast<double>(numel(v.shape));
        if (seen_buffers.insert(id).second) m.buffers += static_cast<double>(numel(v.shape));
      }
    }
    // Gradients flow only into floating-point outputs: a comparison (bool)
    // or a Cast to an integer type ends them, and has no backward.
    bool differentiable = false;
    for (ValueId out : node.outputs)
      differentiable = differentiable || is_floating(graph.value(out).dtype);
    const bool any_grad = differentiable && ctx.any_grad();
    nc.input_needs_grad = differentiable && ctx.any_activation_grad();
    for (ValueId out : node.outputs) {
      requires_grad.at(static_cast<std::size_t>(out)) =
          any_grad && is_floating(graph.value(out).dtype);
    }

    if (!has_cost_rule(node.op)) {
      nc.has_rule = false;
      m.uncovered.push_back(node.name);
      m.nodes.push_back(std::move(nc));
      continue;
    }
    const cost_detail::CostRow& row = cost_detail::cost_row(node.op);
    const MemoryKind mem = cost_detail::effective_memory(node, options.training);

    try {
      // Forward.
      const cost_detail::Work fw = row.forward(ctx);
      const cost_detail::ConventionFlops cf = cost_detail::convention_forward(ctx, fw);
      nc.forward.macs = fw.macs;
      nc.forward.matmul_flops = cf.matmul_flops;
      nc.forward.other_flops = cf.other_flops;
      m.convention_macs += cf.macs;
      if (cf.params_seen) {
        for (std::size_t i = 0; i < node.inputs.size(); ++i) {
          if (ctx.is_param(i)) convention_params.insert(node.inputs[i]);
        }
      }
      if (mem != MemoryKind::view) {
        nc.forward.bytes_read = read_bytes(ctx);
        nc.forward.bytes_written = output_bytes(ctx);
        nc.activation_bytes = nc.forward.bytes_written;
        if (row.extra_bytes != nullptr) {
          const cost_detail::Traffic extra = row.extra_bytes(ctx, false);
          nc.forward.bytes_read += extra.read;
          nc.forward.bytes_written += extra.written;
        }
      }

      // Backward.
      if (options.training && any_grad) {
        const cost_detail::Work bw = row.backward(ctx);
        nc.backward.macs = bw.macs;
        if (options.convention == CostConvention::torch) {
          nc.backward.matmul_flops = cost_detail::torch_backward_flops(ctx, bw);
        } else {
          const double matmul_factor = options.convention == CostConvention::dnnroof ? 2 : 1;
          nc.backward.matmul_flops = matmul_factor * bw.macs;
          nc.backward.other_flops = bw.other_flops;
        }
        const cost_detail::Saved saved = row.saved(ctx);
        double saved_bytes = saved.extra_bytes;
        for (ValueId id : saved.values) saved_bytes += ctx.value_bytes(id);
        nc.saved_bytes = saved_bytes;
        saved_values.insert(saved.values.begin(), saved.values.end());
        saved_extra += saved.extra_bytes;
        if (mem != MemoryKind::view) {
          // Reads grad-out, the saved tensors and (for grad-input) the weights;
          // writes grad-input for inputs that need it and grad-weight.
          double read = output_bytes(ctx) + saved_bytes;
          double written = 0;
          for (std::size_t i = 0; i < node.inputs.size(); ++i) {
            if (ctx.is_param(i)) {
              if (nc.input_needs_grad) read += ctx.input_bytes(i);
              if (ctx.grad(i)) written += ctx.input_bytes(i);
            } else if (ctx.grad(i)) {
              written += ctx.input_bytes(i);
            }
          }
          if (row.extra_bytes != nullptr) {
            const cost_detail::Traffic extra = row.extra_bytes(ctx, true);
            read += extra.read;
            written += extra.written;
          }
          nc.backward.bytes_read = read;
          nc.backward.bytes_written = written;
        }
      }
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind("node '", 0) == 0) throw;
      fail("node '{}' ({}): {}", node.name, op_name(node.op), what);
    }

    m.forward += nc.forward;
    m.backward += nc.backward;
    m.activation_bytes += nc.activation_bytes;
    m.nodes.push_back(std::move(nc));
  }

  auto bytes_of = [&](ValueId id) {
    const Value& v = graph.value(id);
    const double per = is_floating(v.dtype) ? float_bytes : dtype_bytes(v.dtype);
    return static_cast<double>(numel(v.shape)) * per;
  };
  for (ValueId id : seen_params) m.param_bytes += bytes_of(id);
  // Parameters no node reads still belong to the model (torchvision's
  // sum(p.numel() for p in model.parameters())); they move no bytes.
  for (std::size_t i = 0; i < graph.values.size(); ++i) {
    const Value& v = graph.values[i];
    if (v.role == ValueRole::parameter && !seen_params.count(static_cast<ValueId>(i))) {
      m.unused_params += static_cast<double>(numel(v.shape));
    }
  }
  m.params += m.unused_params;
  if (options.convention == CostConvention::thop) {
    // thop counts the parameters of the modules whose hooks ran, nothing else.
    for (ValueId id : convention_params) {
      m.convention_params += static_cast<double>(numel(graph.value(id).shape));
    }
  } else {
    m.convention_params = m.params;
  }
  for (ValueId id : seen_buffers) m.buffer_bytes += bytes_of(id);
  for (ValueId id : graph.inputs) m.input_bytes += bytes_of(id);
  for (ValueId id : graph.outputs) m.output_bytes += bytes_of(id);
  for (ValueId id : saved_values) m.saved_bytes += bytes_of(id);
  m.saved_bytes += saved_extra;
  m.compulsory_forward_bytes = m.param_bytes + m.buffer_bytes + m.input_bytes + m.output_bytes;
  m.compulsory_backward_bytes =
      options.training ? 2 * m.param_bytes + m.output_bytes + m.input_bytes : 0;
  return m;
}

ConventionProfile convention_profile(const Graph& graph, CostConvention convention) {
  CostOptions o;
  o.convention = convention;
  const ModelCost m = estimate_cost(graph, o);
  return {convention, m.convention_macs, m.forward.flops(), m.convention_params};
}

std::vector<OpTypeCost> group_by_op(const ModelCost& cost) {
  std::map<OpKind, OpTypeCost> groups;
  for (const NodeCost& n : cost.nodes) {
    OpTypeCost& g = groups[n.op];
    g.op = n.op;
    g.nodes += 1;
    g.forward += n.forward;
    g.backward += n.backward;
    g.params += n.params;
  }
  std::vector<OpTypeCost> out;
  out.reserve(groups.size());
  for (auto& [op, g] : groups) out.push_back(g);
  std::stable_sort(out.begin(), out.end(), [](const OpTypeCost& a, const OpTypeCost& b) {
    return a.forward.flops() + a.backward.flops() > b.forward.flops() + b.backward.flops();
  });
  return out;
}

}  // namespace dnnroof

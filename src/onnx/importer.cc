// The import driver: reading the file (memory-mapped; weights skipped at the
// wire level unless asked for), opsets, initializers, graph inputs with their
// dims resolved, a topological order (cycles and dangling inputs are errors),
// the up-front check that lists every unsupported op, then one conversion per
// node, folding constants where it can.
#include "onnx/detail/importer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <queue>

#include "core/error.h"
#include "core/strings.h"
#include "graph/detail/shape_rules.h"
#include "onnx/detail/wire.h"
#include "onnx/onnx_import.h"

namespace dnnroof {
namespace onnx_import {
namespace {

bool is_default_domain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

}  // namespace

// --- Importer --------------------------------------------------------------------

Importer::Importer(const onnx::ModelProto& model, std::string source,
                   const OnnxImportOptions& options,
                   const std::map<std::string, std::uint64_t, std::less<>>* raw_lengths,
                   std::optional<std::string> model_dir)
    : model_(model),
      g_(model.graph()),
      source_(std::move(source)),
      options_(options),
      raw_lengths_(raw_lengths),
      external_{std::move(model_dir), options.load_weights} {}

const Entry& Importer::entry(const std::string& onnx_name, std::string_view node) const {
  auto it = entries_.find(onnx_name);
  if (it == entries_.end()) fail("node '{}': input '{}' is not defined", node, onnx_name);
  return it->second;
}

Entry& Importer::mutable_entry(const std::string& onnx_name) {
  auto it = entries_.find(onnx_name);
  if (it == entries_.end()) fail("value '{}' is not defined", onnx_name);
  return it->second;
}

void Importer::define(const std::string& onnx_name, Entry e) {
  if (!entries_.emplace(onnx_name, std::move(e)).second) {
    fail("value '{}' is produced twice", onnx_name);
  }
}

std::string Importer::unique_value_name(std::string_view base) {
  std::string name(base.empty() ? "value" : base);
  for (int k = 1; value_names_.count(name) != 0; ++k) name = fmt::format("{}_{}", base, k);
  value_names_.insert(name);
  return name;
}

ValueId Importer::leaf(const std::string& onnx_name, ValueRole role, const Shape& shape) {
  Entry& e = mutable_entry(onnx_name);
  auto it = e.leaves.find(shape);
  if (it != e.leaves.end()) return it->second;
  for (std::int64_t d : shape) {
    if (d < 1) fail("constant '{}' has a non-positive dim: {}", onnx_name, shape_str(shape));
  }
  Value v;
  v.name = unique_value_name(onnx_name);
  v.shape = shape;
  v.dtype = e.dtype;
  v.role = role;
  if (role == ValueRole::constant && e.has_data) {
    v.int_data = e.ints;
    v.float_data = e.floats;
  }
  graph_.values.push_back(std::move(v));
  const auto id = static_cast<ValueId>(graph_.values.size() - 1);
  e.leaves.emplace(shape, id);
  if (e.id == kNoValue) e.id = id;
  return id;
}

std::vector<ValueId> Importer::add_ir_node(OpKind op, const std::string& name,
                                           std::vector<ValueId> inputs, Attributes attrs,
                                           const std::vector<std::string>& out_names) {
  Node node;
  node.op = op;
  node.name = name;
  for (int k = 1; node_names_.count(node.name) != 0; ++k) node.name = fmt::format("{}_{}", name, k);
  node.inputs = std::move(inputs);
  node.attrs = std::move(attrs);
  std::vector<Shape> shapes;
  try {
    shapes = infer_node_shapes(graph_, node, out_names.size());
  } catch (const Error& e) {
    // Drop the IR's own "node 'x' (Op): " prefix; the driver names the ONNX node.
    std::string msg = e.what();
    const std::string prefix = fmt::format("node '{}' ({}): ", node.name, op_name(op));
    if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
    fail("{} ({}): {}", op_name(op), "dnnroof shape rule", msg);
  }
  if (shapes.size() != out_names.size()) {
    fail("the {} rule gives {} outputs, expected {}", op_name(op), shapes.size(), out_names.size());
  }
  const DType dt = infer_node_dtype(graph_, node);
  const auto index = static_cast<std::int32_t>(graph_.nodes.size());
  for (std::size_t o = 0; o < shapes.size(); ++o) {
    for (std::int64_t d : shapes[o]) {
      if (d < 1)
        fail("output '{}' would have a non-positive dim: {}", out_names[o], shape_str(shapes[o]));
    }
    checked_numel(shapes[o], fmt::format("output '{}'", out_names[o]));
    Value v;
    v.name = out_names[o];
    v.shape = std::move(shapes[o]);
    v.dtype = dt;
    v.role = ValueRole::activation;
    v.producer = index;
    graph_.values.push_back(std::move(v));
    node.outputs.push_back(static_cast<ValueId>(graph_.values.size() - 1));
  }
  node_names_.insert(node.name);
  graph_.nodes.push_back(std::move(node));
  return graph_.nodes.back().outputs;
}

void Importer::read_opsets() {
  opset_ = -1;
  for (const auto& o : model_.opset_import()) {
    if (is_default_domain(o.domain())) opset_ = static_cast<int>(o.version());
  }
  // IR version 3+ requires opset_import; an older file names none: opset 1.
  if (opset_ < 0) opset_ = 1;
  if (opset_ < 6) {
    fail("{}: the model uses opset {} of the default domain; dnnroof imports opsets 6 to 21",
         source_, opset_);
  }
}

void Importer::read_initializers() {
  for (const auto& t : g_.initializer()) {
    if (t.name().empty()) fail("{}: an initializer has no name", source_);
    try {
      Entry e =
          tensor_entry(t, fmt::format("initializer '{}'", t.name()), raw_lengths_, &external_);
      e.stored = true;
      define(t.name(), std::move(e));
    } catch (const Error& e) {
      fail("{}: {}", source_, e.what());
    }
  }
  if (g_.sparse_initializer_size() > 0) {
    fail("{}: sparse initializers are not supported", source_);
  }
}

void Importer::read_inputs() {
  bool first = true;
  for (const auto& in : g_.input()) {
    if (entries_.count(in.name()) != 0) continue;  // IR v3: initializers are listed as inputs too
    const std::string what = fmt::format("graph input '{}'", in.name());
    if (!in.type().has_tensor_type()) fail("{}: {} is not a tensor", source_, what);
    const auto& tt = in.type().tensor_type();
    if (!tt.has_shape()) {
      fail("{}: {} has no shape; dnnroof needs static shapes", source_, what);
    }
    Shape shape;
    for (int d = 0; d < tt.shape().dim_size(); ++d) {
      const auto& dim = tt.shape().dim(d);
      std::optional<std::int64_t> v;
      if (dim.has_dim_value()) {
        if (dim.dim_value() < 1) {
          fail("{}: {} dim {} is {}; dims must be positive", source_, what, d, dim.dim_value());
        }
        v = dim.dim_value();
        if (first && d == 0) file_batch_ = v;
        if (d == 0 && options_.batch && options_.override_fixed_batch && v == file_batch_) {
          v = *options_.batch;
        }
      } else if (dim.has_dim_param()) {
        auto it = options_.dims.find(dim.dim_param());
        if (it != options_.dims.end()) v = it->second;
      }
      if (d == 0 && !v && options_.batch) v = *options_.batch;
      if (!v) {
        const std::string param =
            dim.has_dim_param() ? fmt::format(" ('{}')", dim.dim_param()) : std::string();
        fail("{}: {} dim {}{} is unknown; set it with {}", source_, what, d, param,
             d == 0 ? "--batch N" + (dim.has_dim_param() ? " or --dim " + dim.dim_param() + "=N"
                                                         : std::string())
                    : (dim.has_dim_param() ? "--dim " + dim.dim_param() + "=N"
                                           : std::string("a model with a fixed dim")));
      }
      if (*v < 1) fail("{}: {} dim {} is {}; dims must be positive", source_, what, d, *v);
      shape.push_back(*v);
    }
    checked_numel(shape, what);
    Value v;
    v.name = unique_value_name(in.name());
    v.shape = shape;
    v.dtype = dtype_of(tt.elem_type(), what);
    v.role = ValueRole::input;
    graph_.values.push_back(std::move(v));
    const auto id = static_cast<ValueId>(graph_.values.size() - 1);
    graph_.inputs.push_back(id);
    Entry e;
    e.id = id;
    e.shape = shape;
    e.dtype = graph_.values.back().dtype;
    define(in.name(), std::move(e));
    first = false;
  }
}

std::vector<int> Importer::topological_order() {
  const int n = g_.node_size();
  display_names_.resize(static_cast<std::size_t>(n));
  std::map<std::string, int, std::less<>> producer;
  std::set<std::string, std::less<>> names;
  for (int i = 0; i < n; ++i) {
    const auto& node = g_.node(i);
    std::string name = node.name().empty() ? fmt::format("{}_{}", node.op_type(), i) : node.name();
    for (int k = 1; names.count(name) != 0; ++k) name = fmt::format("{}_{}", node.name(), k);
    names.insert(name);
    display_names_[static_cast<std::size_t>(i)] = name;
    for (const auto& o : node.output()) {
      if (o.empty()) continue;
      if (entries_.count(o) != 0 || !producer.emplace(o, i).second) {
        fail("{}: node '{}' ({}): output '{}' is already defined", source_, name, node.op_type(),
             o);
      }
    }
  }
  std::vector<int> missing(static_cast<std::size_t>(n), 0);
  std::vector<std::vector<int>> consumers(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& node = g_.node(i);
    for (const auto& in : node.input()) {
      if (in.empty()) continue;
      used_.insert(in);
      if (entries_.count(in) != 0) continue;
      auto it = producer.find(in);
      if (it == producer.end()) {
        fail(
            "{}: node '{}' ({}): input '{}' is dangling: no node, initializer or graph input "
            "defines it",
            source_, display_names_[static_cast<std::size_t>(i)], node.op_type(), in);
      }
      ++missing[static_cast<std::size_t>(i)];
      consumers[static_cast<std::size_t>(it->second)].push_back(i);
    }
  }
  for (const auto& o : g_.output()) used_.insert(o.name());
  // Kahn's algorithm, smallest index first: a file already in order keeps it.
  std::priority_queue<int, std::vector<int>, std::greater<>> ready;
  for (int i = 0; i < n; ++i) {
    if (missing[static_cast<std::size_t>(i)] == 0) ready.push(i);
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int c : consumers[static_cast<std::size_t>(i)]) {
      if (--missing[static_cast<std::size_t>(c)] == 0) ready.push(c);
    }
  }
  if (static_cast<int>(order.size()) != n) {
    std::vector<std::string> stuck;
    for (int i = 0; i < n && stuck.size() < 8; ++i) {
      if (missing[static_cast<std::size_t>(i)] > 0) {
        stuck.push_back(fmt::format("'{}' ({})", display_names_[static_cast<std::size_t>(i)],
                                    g_.node(i).op_type()));
      }
    }
    fail("{}: the graph has a cycle: {} node(s) wait on each other, among them {}", source_,
         n - static_cast<int>(order.size()), join(stuck, ", "));
  }
  return order;
}

// torch's exporter writes GELU (before opset 20) as
//   Div(x, sqrt 2) -> Erf -> Add(., 1) -> Mul(x, .) -> Mul(., 0.5)
// with each intermediate read once; the chain becomes one IR Gelu. The
// constants are checked when the final Mul is converted.
void Importer::find_gelu_patterns() {
  std::map<std::string, int, std::less<>> producer;
  std::map<std::string, int, std::less<>> readers;
  for (int i = 0; i < g_.node_size(); ++i) {
    for (const auto& o : g_.node(i).output()) producer[o] = i;
    for (const auto& in : g_.node(i).input()) ++readers[in];
  }
  for (const auto& o : g_.output()) ++readers[o.name()];
  auto only_reader = [&](const std::string& value, std::string_view op) -> int {
    if (readers[value] != 1) return -1;
    for (int i = 0; i < g_.node_size(); ++i) {
      const auto& n = g_.node(i);
      if (std::find(n.input().begin(), n.input().end(), value) != n.input().end()) {
        return n.op_type() == op && is_default_domain(n.domain()) ? i : -1;
      }
    }
    return -1;
  };
  for (int e = 0; e < g_.node_size(); ++e) {
    const auto& erf = g_.node(e);
    if (erf.op_type() != "Erf" || erf.input_size() != 1 || erf.output_size() != 1) continue;
    auto it = producer.find(erf.input(0));
    if (it == producer.end()) continue;
    const auto& div = g_.node(it->second);
    if (div.op_type() != "Div" || div.input_size() != 2 || readers[div.output(0)] != 1) continue;
    const std::string& x = div.input(0);
    const int add = only_reader(erf.output(0), "Add");
    if (add < 0) continue;
    const int mul1 = only_reader(g_.node(add).output(0), "Mul");
    if (mul1 < 0) continue;
    // x * (1 + erf) * 0.5 (torch's TorchScript exporter), or 0.5 * (1 + erf)
    // * x (its dynamo exporter): x is read by one of the two Muls.
    const auto& m1 = g_.node(mul1);
    const int mul2 = only_reader(m1.output(0), "Mul");
    if (mul2 < 0) continue;
    const auto& m2 = g_.node(mul2);
    auto reads_x = [&](const onnx::NodeProto& m) {
      return m.input_size() == 2 && (m.input(0) == x || m.input(1) == x);
    };
    if (!reads_x(m1) && !reads_x(m2)) continue;
    gelu_inner_.insert({it->second, e, add, mul1});
    gelu_final_[mul2] = it->second;
  }
}

void Importer::convert_gelu_pattern(int index) {
  const auto& div = g_.node(gelu_final_.at(index));
  const auto& final_mul = g_.node(index);
  const std::string& x = div.input(0);
  auto scalar_of = [&](const std::string& name) -> std::optional<double> {
    auto it = entries_.find(name);
    if (it == entries_.end() || !it->second.is_constant || !it->second.has_data) return {};
    const Entry& c = it->second;
    if (c.ints.size() + c.floats.size() != 1) return {};
    return c.floats.empty() ? static_cast<double>(c.ints[0]) : c.floats[0];
  };
  auto near = [](std::optional<double> v, double want) {
    return v && std::abs(*v - want) < 1e-4 * std::abs(want);
  };
  bool ok = near(scalar_of(div.input(1)), std::sqrt(2.0));
  // The Add's constant: whichever input is not the Erf's output.
  for (int i = 0; i < g_.node_size() && ok; ++i) {
    const auto& n = g_.node(i);
    if (n.op_type() == "Add" && gelu_inner_.count(i) != 0) {
      for (const auto& in : n.input()) {
        auto e = scalar_of(in);
        if (e) ok = ok && near(e, 1.0);
      }
    }
  }
  // The 0.5: in the final Mul, or in the inner one (the Mul of the pattern
  // whose output the final Mul reads).
  bool half = false;
  for (int i : gelu_inner_) {
    const auto& n = g_.node(i);
    const bool feeds_final = n.op_type() == "Mul" && n.output_size() == 1 &&
                             std::find(final_mul.input().begin(), final_mul.input().end(),
                                       n.output(0)) != final_mul.input().end();
    for (const auto* m : {&final_mul, feeds_final ? &n : nullptr}) {
      if (m == nullptr) continue;
      for (const auto& in : m->input()) half = half || near(scalar_of(in), 0.5);
    }
  }
  ok = ok && half;
  if (!ok) {
    fail(
        "looks like an exported GELU (Div, Erf, Add, Mul, Mul) but its constants are not "
        "sqrt(2), 1 and 0.5; Erf alone is not supported");
  }
  const Entry& in = entry(x, display_names_[static_cast<std::size_t>(index)]);
  if (in.is_constant) fail("GELU of a constant");
  Attributes a;
  a.set("approximate", std::string("none"));
  const std::vector<ValueId> out =
      add_ir_node(OpKind::Gelu, display_names_[static_cast<std::size_t>(index)], {in.id}, a,
                  {unique_value_name(final_mul.output(0))});
  Entry e;
  e.id = out[0];
  e.shape = graph_.value(out[0]).shape;
  e.dtype = graph_.value(out[0]).dtype;
  define(final_mul.output(0), std::move(e));
}

void Importer::check_supported(const std::vector<int>& order) {
  // Values computed at run time: the graph inputs and everything computed
  // from them, except through Shape and Size (shapes are static). An op that
  // exists only to compute constants (Equal, Where, Range, ...) and reads
  // one cannot fold: it is as unsupported as an op without a converter.
  std::set<std::string, std::less<>> runtime;
  for (const auto& in : g_.input()) {
    if (entries_.count(in.name()) != 0 && !entries_.at(in.name()).is_constant) {
      runtime.insert(in.name());
    }
  }
  std::vector<std::string> bad;
  for (int i : order) {
    const auto& node = g_.node(i);
    bool reads_runtime = false;
    for (const auto& in : node.input()) reads_runtime = reads_runtime || runtime.count(in) != 0;
    if (reads_runtime && node.op_type() != "Shape" && node.op_type() != "Size") {
      for (const auto& o : node.output()) runtime.insert(o);
    }
    if (gelu_inner_.count(i) != 0) continue;
    const std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
    const bool known =
        is_default_domain(node.domain()) &&
        (find_converter(node.op_type()) != nullptr || find_folder(node.op_type()) != nullptr);
    const bool unfoldable = known && reads_runtime && is_fold_only(node.op_type()) &&
                            node.op_type() != "Shape" && node.op_type() != "Size";
    if (!known || unfoldable) {
      int opset = opset_;
      for (const auto& o : model_.opset_import()) {
        if (o.domain() == node.domain()) opset = static_cast<int>(o.version());
      }
      bad.push_back(fmt::format("  node '{}': op {} (domain {}, opset {}){}",
                                display_names_[static_cast<std::size_t>(i)], node.op_type(), domain,
                                opset,
                                unfoldable ? " on a run-time tensor (supported only on constants, "
                                             "where it folds)"
                                           : ""));
    }
  }
  if (!bad.empty()) {
    fail("{}: {} node(s) use ops dnnroof does not support (see docs/onnx.md):\n{}", source_,
         bad.size(), join(bad, "\n"));
  }
}

void Importer::convert(int index) {
  const auto& node = g_.node(index);
  NodeView view(*this, node, opset_, display_names_[static_cast<std::size_t>(index)]);
  try {
    if (gelu_inner_.count(index) != 0) return;  // folded into the pattern's final Mul
    if (gelu_final_.count(index) != 0) {
      convert_gelu_pattern(index);
      return;
    }
    for (int i = 0; i < node.input_size(); ++i) {
      if (!node.input(i).empty()) entry(node.input(i), view.name());
    }
    if (const FoldFn fold = find_folder(node.op_type()); fold != nullptr && fold(view)) return;
    if (is_fold_only(node.op_type())) {
      fail(
          "cannot be folded: it needs constant inputs, but one is computed at run time or is a "
          "weight (a float tensor of the file, which folds only through re-layouts)");
    }
    const ConvertFn converter = find_converter(node.op_type());
    if (converter == nullptr) fail("no converter");
    converter(view);
    for (int o = 0; o < node.output_size(); ++o) {
      if (!node.output(o).empty() && entries_.count(node.output(o)) == 0 && view.output_used(o)) {
        fail("output {} ('{}') is not supported", o, node.output(o));
      }
    }
  } catch (const Error& e) {
    fail("{}: node '{}' ({}, opset {}): {}", source_, view.name(), node.op_type(), opset_,
         e.what());
  }
}

void Importer::read_outputs() {
  for (const auto& o : g_.output()) {
    auto it = entries_.find(o.name());
    if (it == entries_.end()) fail("{}: graph output '{}' is not produced", source_, o.name());
    Entry& e = it->second;
    ValueId id = e.id;
    if (e.is_constant) id = leaf(o.name(), ValueRole::constant, e.shape);
    graph_.outputs.push_back(id);
  }
  if (graph_.outputs.empty()) fail("{}: the graph has no outputs", source_);
}

Graph Importer::run() {
  if (!model_.has_graph()) fail("{}: not an ONNX model: no graph", source_);
  graph_.name = g_.name().empty() ? "onnx_model" : g_.name();
  graph_.dtype = DType::fp32;
  read_opsets();
  read_initializers();
  read_inputs();
  const std::vector<int> order = topological_order();
  find_gelu_patterns();
  check_supported(order);
  for (int i : order) convert(i);
  read_outputs();
  try {
    validate(graph_);
  } catch (const Error& e) {
    fail("{}: the imported graph is not valid: {}", source_, e.what());
  }
  return std::move(graph_);
}

// --- Reading files ---------------------------------------------------------------

Graph import_bytes(std::string_view bytes, const std::string& source,
                   const OnnxImportOptions& options, std::optional<std::string> model_dir) {
  if (bytes.empty()) fail("{}: not an ONNX model: the file is empty", source);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    fail("{}: the file is {} bytes; protobuf reads at most 2 GiB (store weights as external data)",
         source, bytes.size());
  }
  onnx::ModelProto model;
  StrippedModel stripped;
  bool ok = false;
  if (options.load_weights) {
    ok = model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } else {
    stripped = strip_tensor_payloads(bytes, kKeepPayloadBytes, source);
    ok = model.ParseFromString(stripped.bytes);
  }
  if (!ok)
    fail("{}: not an ONNX model: protobuf could not parse it (truncated or garbage)", source);
  Importer imp(model, source, options, options.load_weights ? nullptr : &stripped.raw_lengths,
               std::move(model_dir));
  return imp.run();
}

}  // namespace onnx_import

Graph import_onnx_bytes(std::string_view bytes, std::string_view source,
                        const OnnxImportOptions& options) {
  return onnx_import::import_bytes(bytes, std::string(source), options, std::nullopt);
}

Graph import_onnx_file(const std::string& path, const OnnxImportOptions& options) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("{}: cannot open: {}", path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    fail("{}: not a regular file", path);
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    fail("{}: not an ONNX model: the file is empty", path);
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (p == MAP_FAILED) fail("{}: cannot map: {}", path, std::strerror(errno));
  struct Unmap {
    void* p;
    std::size_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{p, size};
  // External data is relative to the model's folder.
  const auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? std::string(".") : path.substr(0, slash);
  if (dir.empty()) dir = "/";
  Graph g = onnx_import::import_bytes(std::string_view(static_cast<const char*>(p), size), path,
                                      options, std::move(dir));
  // Exporters name every graph alike (torch: "main_graph"): the file tells
  // models apart, as `bench` and `report` already name them.
  g.name = std::filesystem::path(path).stem().string();
  if (g.name.empty()) g.name = "onnx_model";
  return g;
}

std::pair<std::string, std::int64_t> parse_dim_assignment(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    fail("--dim '{}': expected NAME=VALUE (e.g. --dim seq=128)", text);
  }
  const std::string name(trim(text.substr(0, eq)));
  const std::string value(trim(text.substr(eq + 1)));
  std::int64_t v = 0;
  std::size_t used = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != value.size() || v < 1) {
    fail("--dim '{}': the value must be an integer >= 1", text);
  }
  return {name, v};
}

}  // namespace dnnroof

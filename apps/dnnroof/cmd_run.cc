// `dnnroof run`: runs a model once on inputs given as ONNX TensorProto files
// and writes every output as a TensorProto file (named after the graph
// output, and output_<i>.pb), the way the ONNX test data stores them.
#if defined(DNNROOF_HAVE_EXEC)

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "commands.h"
#include "core/error.h"
#include "core/output_path.h"
#include "core/strings.h"
#include "core/table.h"
#include "exec/executor.h"
#include "zoo/zoo.h"
#if defined(DNNROOF_HAVE_ONNX)
#include "onnx/onnx_import.h"
#include "onnx/tensor_io.h"
#endif

namespace dnnroof::cli {
namespace {

namespace fs = std::filesystem;

struct RunOptions {
  std::string model;
  std::vector<std::string> inputs;
  std::string outputs;
  std::string device = "cpu";
  std::string dtype = "fp32";
  int threads = 0;
  std::int64_t batch = 1;
  bool batch_given = false;  // --batch on the command line; else the inputs' dim 0
  std::vector<std::string> dims;
  std::uint64_t seed = 0;
  std::string format = "table";
};

bool is_onnx(const std::string& path) {
  const std::string l = to_lower(path);
  return l.size() >= 5 && l.substr(l.size() - 5) == ".onnx";
}

// A graph output's name as a file name: characters other than letters,
// digits, '.', '-' and '_' become '_'.
std::string file_name_for(const std::string& name) {
  std::string s = name.empty() ? std::string("output") : name;
  for (char& c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) c = '_';
  }
  if (s == "." || s == "..") s = "_";
  return s + ".pb";
}

std::string summary(const HostTensor& t) {
  std::string dims;
  for (std::int64_t d : t.dims) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return "[" + dims + "]";
}

void run_model(const RunOptions& o) {
  const OutputFormat format = parse_output_format(o.format);
  prepare_output_dir("--outputs", o.outputs);  // before the model runs
  ExecOptions eo;
  eo.device = o.device;
  eo.dtype = parse_dtype_or_throw(o.dtype);
  eo.threads = o.threads;
  eo.seed = o.seed;
  std::map<std::string, HostTensor> feed;
  // `batch` fills a symbolic dim 0; `rebatch` also replaces the file's fixed one.
  auto load = [&](std::int64_t batch, bool rebatch) {
    if (is_onnx(o.model)) {
#if defined(DNNROOF_HAVE_ONNX)
      OnnxImportOptions io;
      io.batch = batch;
      io.override_fixed_batch = rebatch;
      for (const auto& d : o.dims) io.dims.insert(parse_dim_assignment(d));
      return import_onnx_file(o.model, io);
#else
      fail("'{}': this dnnroof was built without ONNX import", o.model);
#endif
    }
    if (!o.dims.empty()) fail("--dim applies to .onnx models only");
    ZooOptions z;
    z.batch = batch;
    z.dtype = eo.dtype;
    return build_zoo_model(o.model, z);
  };
  std::vector<HostTensor> given;
  for (const auto& path : o.inputs) {
#if defined(DNNROOF_HAVE_ONNX)
    given.push_back(read_tensor_pb(path));
#else
    fail("'{}': reading TensorProto files needs the ONNX support (libonnx-dev)", path);
#endif
  }
  Graph graph = load(o.batch, o.batch_given);
  // Without --batch the batch is the inputs' own: the tensor that feeds the
  // first graph input (by name, else the first unnamed one) sets dim 0, and
  // a fixed batch in the file is replaced by it.
  if (!o.batch_given && !graph.inputs.empty()) {
    const Value& first = graph.value(graph.inputs.front());
    const HostTensor* feeds_first = nullptr;
    for (const HostTensor& t : given) {
      if (!t.name.empty() && t.name == first.name) feeds_first = &t;
    }
    for (const HostTensor& t : given) {
      bool names_an_input = false;
      for (ValueId id : graph.inputs)
        names_an_input |= !t.name.empty() && graph.value(id).name == t.name;
      if (feeds_first == nullptr && !names_an_input) feeds_first = &t;
    }
    if (feeds_first != nullptr && !feeds_first->dims.empty() && !first.shape.empty() &&
        feeds_first->dims.front() != first.shape.front() && feeds_first->dims.front() >= 1) {
      graph = load(feeds_first->dims.front(), true);
    }
  }
  if (is_onnx(o.model)) {
#if defined(DNNROOF_HAVE_ONNX)
    eo.weights = read_onnx_weights(o.model);
#endif
  }
  // Inputs: a file whose tensor is named after a graph input feeds it; the
  // others feed the remaining graph inputs in order.
  if (o.inputs.size() > graph.inputs.size()) {
    fail("{} input files for {} graph inputs", o.inputs.size(), graph.inputs.size());
  }
  std::vector<HostTensor> unnamed;
  for (std::size_t k = 0; k < given.size(); ++k) {
    const std::string& path = o.inputs[k];
    HostTensor t = std::move(given[k]);
    bool named = false;
    for (ValueId id : graph.inputs) {
      if (!t.name.empty() && graph.value(id).name == t.name) named = true;
    }
    if (named) {
      if (feed.count(t.name) != 0) fail("{}: input '{}' is given twice", path, t.name);
      feed[t.name] = std::move(t);
    } else {
      t.name = path;
      unnamed.push_back(std::move(t));
    }
  }
  std::size_t next = 0;
  for (ValueId id : graph.inputs) {
    const std::string& name = graph.value(id).name;
    if (feed.count(name) != 0 || next >= unnamed.size()) continue;
    feed[name] = std::move(unnamed[next++]);
  }
  for (const auto& [name, t] : feed) {
    for (ValueId id : graph.inputs) {
      const Value& v = graph.value(id);
      if (v.name == name && t.dims != v.shape) {
        fail("input '{}' ({}) has shape {}, the model expects {}", name, t.name, summary(t),
             shape_str(v.shape));
      }
    }
  }
  for (ValueId id : graph.inputs) {
    if (feed.count(graph.value(id).name) == 0) {
      fmt::print(stderr, "input '{}' {}: not given, filled with arange(n)/n\n",
                 graph.value(id).name, shape_str(graph.value(id).shape));
    }
  }
  auto executor = make_executor(graph, eo);
  // An ONNX file defines every weight of its graph: one the executor would
  // fill with seeded random values is one the file's data did not reach (a
  // bug), and its outputs would be wrong. Refuse rather than run.
  if (const auto& seeded = executor->info().seeded; !seeded.empty() && is_onnx(o.model)) {
    fail(
        "{}: {} weight(s) of the imported graph have no data from the file ({}{}); refusing to "
        "run them with random values",
        o.model, seeded.size(), seeded.front(), seeded.size() > 1 ? ", ..." : "");
  }
  if (executor->info().reference_blas && executor->info().device == "cpu") {
    fmt::print(stderr,
               "warning: LibTorch's BLAS is the slow reference BLAS ({}); install "
               "libopenblas0-pthread\n",
               executor->info().blas);
  }
  fmt::print(stderr, "running {} on {} ({}, {} threads, {})\n", o.model, executor->info().device,
             o.dtype, executor->info().threads, executor->info().blas);
  const std::vector<HostTensor> outs = executor->run(feed);
  Table table({"output", "shape", "dtype", "files"}, {"output", "shape", "dtype", "files"});
  for (std::size_t i = 0; i < outs.size(); ++i) {
    std::string files;
    if (!o.outputs.empty()) {
#if defined(DNNROOF_HAVE_ONNX)
      const std::string numbered = (fs::path(o.outputs) / fmt::format("output_{}.pb", i)).string();
      const std::string named = (fs::path(o.outputs) / file_name_for(outs[i].name)).string();
      write_tensor_pb(outs[i], numbered);
      files = numbered;
      if (named != numbered) {
        write_tensor_pb(outs[i], named);
        files += " " + named;
      }
#else
      fail("writing TensorProto files needs the ONNX support (libonnx-dev)");
#endif
    }
    table.add_row({outs[i].name, summary(outs[i]), std::string(dtype_name(outs[i].dtype)), files});
  }
  fmt::print("{}", table.render(format));
}

void register_run(CLI::App& app, Context& /*ctx*/) {
  auto o = std::make_shared<RunOptions>();
  auto* sub = app.add_subcommand(
      "run", "Run a model once on TensorProto inputs and write its outputs as TensorProto files");
  sub->footer(
      "Inputs are matched to graph inputs by the tensor's name, else in order; an input\n"
      "not given is filled with arange(n)/n (the ONNX light models' fill). Each output\n"
      "is written as DIR/output_<i>.pb and DIR/<graph output name>.pb.\n"
      "Example:\n"
      "  dnnroof run model.onnx --inputs test_data_set_0/input_0.pb --outputs out/\n"
      "  dnnroof run resnet18 --outputs out/ --device cuda --dtype bf16");
  sub->add_option("model", o->model, "An .onnx file or a zoo model name")->required();
  sub->add_option("--inputs", o->inputs, "TensorProto files (.pb), one per graph input");
  sub->add_option("--outputs", o->outputs, "Folder to write the outputs to (created)");
  sub->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
  sub->add_option("--dtype", o->dtype, "Compute dtype: fp32, bf16, fp16")->capture_default_str();
  sub->add_option("--threads", o->threads, "CPU threads (0: LibTorch's default)")
      ->capture_default_str();
  sub->add_option("--batch", o->batch,
                  "The batch (dim 0 of the inputs; replaces an .onnx file's own). Default: "
                  "the --inputs tensors' dim 0, else 1");
  sub->add_option("--dim", o->dims, "A symbolic dim of an .onnx model, NAME=VALUE (repeatable)");
  sub->add_option("--seed", o->seed, "Seed of the weights a model does not carry")
      ->capture_default_str();
  add_format_option(*sub, o->format);
  sub->callback([o, sub] {
    o->batch_given = sub->count("--batch") > 0;
    run_model(*o);
  });
}

DNNROOF_COMMAND(450, register_run);

}  // namespace
}  // namespace dnnroof::cli

#else  // !DNNROOF_HAVE_EXEC

#include "commands.h"
#include "core/error.h"

namespace dnnroof::cli {
namespace {

// A build without LibTorch has no executor: `run` still exists, so that it
// says why it cannot run rather than "unexpected argument" (docs/startup.md).
void register_run(CLI::App& app, Context& /*ctx*/) {
  auto* sub = app.add_subcommand(
      "run", "Run a model once (needs the LibTorch executor, which this build lacks)");
  // Said as soon as `run` is seen, whatever follows it (its usual options included).
  sub->preparse_callback([](std::size_t /*args*/) {
    fail(
        "dnnroof run needs the LibTorch executor, which this build lacks (install "
        "libtorch-dev, configure with -DDNNROOF_WITH_TORCH=ON and rebuild)");
  });
}

DNNROOF_COMMAND(450, register_run);

}  // namespace
}  // namespace dnnroof::cli

#endif  // DNNROOF_HAVE_EXEC

// dnnroof._dnnroof: the C++ library bound for Python (pybind11). The Python
// package (python/dnnroof) turns what these functions return (dicts and lists
// of plain numbers) into result objects and pandas DataFrames; the work is all
// here, in the same library calls the command-line program makes. Nothing
// here links LibTorch: bench() runs models through the executor module
// loaded on demand (src/exec_module), as `dnnroof bench` does.
//
// Errors: dnnroof::Error becomes dnnroof.Error (a RuntimeError) with the C++
// message, which names the file, node and op where they apply.

#include <fmt/format.h>
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "cost/cost.h"
#include "graph/graph.h"
#include "hw/catalog.h"
#include "hw/host.h"
#include "report/chip_rooflines.h"
#include "report/gnuplot.h"
#include "report/report_writer.h"
#include "report/roofline.h"
#include "report/study.h"
#include "runner/model_source.h"
#include "runner/sweep.h"
#include "store/merge.h"
#include "store/record.h"
#include "store/results_file.h"
#include "zoo/zoo.h"

namespace py = pybind11;

namespace dnnroof::python {
namespace {

// A zoo name, an .onnx path, or (with `onnx_bytes`) a model held in memory
// named `source`, as a Graph at `batch` (0: the ONNX model's own batch):
// resolve_model, as every command resolves its models.
Graph load_graph(const std::string& source, std::optional<std::string> onnx_bytes,
                 std::int64_t batch, DType dtype, const std::map<std::string, std::int64_t>& dims,
                 std::int64_t image_size) {
  ModelRequest r;
  r.batch = batch;
  r.dtype = dtype;
  r.image_size = image_size;
  for (const auto& [name, value] : dims) r.dims.push_back(fmt::format("{}={}", name, value));
  r.onnx_bytes = std::move(onnx_bytes);
  return resolve_model(source, r).graph;
}

py::dict pass_dict(const PassCost& p, const std::string& suffix) {
  py::dict d;
  d[py::str("macs_" + suffix)] = p.macs;
  d[py::str("flops_" + suffix)] = p.flops();
  d[py::str("matmul_flops_" + suffix)] = p.matmul_flops;
  d[py::str("other_flops_" + suffix)] = p.other_flops;
  d[py::str("bytes_" + suffix)] = p.bytes();
  d[py::str("bytes_read_" + suffix)] = p.bytes_read;
  d[py::str("bytes_written_" + suffix)] = p.bytes_written;
  return d;
}

// The whole analysis of one graph: totals and one row per node (columns as
// lists, ready for pandas.DataFrame).
py::dict analyze(const std::string& source, const std::optional<py::bytes>& onnx_bytes,
                 std::int64_t batch, bool training, const std::string& convention,
                 const std::string& dtype_text, const std::map<std::string, std::int64_t>& dims,
                 std::int64_t image_size) {
  const DType dtype = parse_dtype_or_throw(dtype_text);
  CostOptions copt;
  copt.dtype = storage_dtype(dtype);
  copt.training = training;
  copt.convention = parse_cost_convention(convention);
  ModelCost c;
  std::size_t graph_nodes = 0;
  std::optional<std::string> data;  // copied while the GIL is held
  if (onnx_bytes) data = std::string(*onnx_bytes);
  {
    py::gil_scoped_release release;  // pure C++ from here on
    const Graph g = load_graph(source, std::move(data), batch, dtype, dims, image_size);
    graph_nodes = g.nodes.size();
    c = estimate_cost(g, copt);
  }
  py::dict totals;
  // A model held in memory is named by `source` (the file-name-like name the
  // caller gives it), as a file is by its stem, not by the name exporters
  // give every graph alike.
  totals["model"] = onnx_bytes ? std::filesystem::path(source).stem().string() : c.graph_name;
  totals["batch"] = c.batch;
  totals["dtype"] = std::string(dtype_name(c.storage));
  totals["convention"] = std::string(cost_convention_name(c.options.convention));
  totals["training"] = training;
  totals["nodes"] = graph_nodes;
  totals["params"] = c.params;
  totals["unused_params"] = c.unused_params;
  totals["buffers"] = c.buffers;
  for (auto item : pass_dict(c.forward, "fwd")) totals[item.first] = item.second;
  for (auto item : pass_dict(c.backward, "bwd")) totals[item.first] = item.second;
  totals["flops_step"] = c.step().flops();
  totals["bytes_step"] = c.step().bytes();
  totals["bwd_fwd_flops_ratio"] =
      c.forward.flops() > 0 ? c.backward.flops() / c.forward.flops() : 0;
  totals["activation_bytes"] = c.activation_bytes;
  totals["saved_bytes"] = c.saved_bytes;
  totals["param_bytes"] = c.param_bytes;
  totals["buffer_bytes"] = c.buffer_bytes;
  totals["input_bytes"] = c.input_bytes;
  totals["output_bytes"] = c.output_bytes;
  totals["traffic_no_reuse_bytes"] = c.step().bytes();
  totals["traffic_compulsory_bytes"] = c.compulsory_step_bytes();
  totals["intensity_no_reuse"] = c.intensity_no_reuse();
  totals["intensity_compulsory"] = c.intensity_compulsory();
  totals["convention_macs"] = c.convention_macs;
  totals["convention_params"] = c.convention_params;
  totals["convention_unit"] = std::string(cost_convention_unit(c.options.convention));
  totals["coverage"] = c.coverage_line();
  totals["uncovered"] = c.uncovered;

  std::vector<std::string> names, ops, shapes, grad_input;
  std::vector<double> macs, flops, matmul, other, bytes, oi, params, act, flops_bwd, bytes_bwd;
  for (const NodeCost& n : c.nodes) {
    names.push_back(n.name);
    ops.emplace_back(op_name(n.op));
    shapes.push_back(shape_str(n.output_shape));
    macs.push_back(n.forward.macs);
    flops.push_back(n.forward.flops());
    matmul.push_back(n.forward.matmul_flops);
    other.push_back(n.forward.other_flops);
    bytes.push_back(n.forward.bytes());
    oi.push_back(n.forward.intensity());
    params.push_back(n.params);
    act.push_back(n.activation_bytes);
    flops_bwd.push_back(n.backward.flops());
    bytes_bwd.push_back(n.backward.bytes());
    grad_input.emplace_back(n.input_needs_grad ? "yes" : "no");
  }
  py::dict layers;
  layers["node"] = names;
  layers["op"] = ops;
  layers["output_shape"] = shapes;
  layers["macs_fwd"] = macs;
  layers["flops_fwd"] = flops;
  layers["matmul_flops_fwd"] = matmul;
  layers["other_flops_fwd"] = other;
  layers["bytes_fwd"] = bytes;
  layers["intensity_fwd"] = oi;
  layers["params"] = params;
  layers["activation_bytes"] = act;
  if (training) {
    layers["flops_bwd"] = flops_bwd;
    layers["bytes_bwd"] = bytes_bwd;
    layers["grad_input"] = grad_input;
  }
  py::dict out;
  out["totals"] = totals;
  out["layers"] = layers;
  return out;
}

double main_bandwidth(const Chip& chip) {
  double bandwidth = 0;
  for (const auto& m : chip.memory) {
    if (m.is_main) bandwidth = m.bandwidth.value;
  }
  return bandwidth;
}

// The catalog's chips as rows: `dnnroof chips --kind K --precision P`.
py::list chips(const std::optional<std::string>& kind_text, const std::string& precision_text,
               const std::vector<std::string>& catalog_files) {
  const DType precision = parse_dtype_or_throw(precision_text);
  std::optional<ChipKind> kind;
  if (kind_text && !kind_text->empty()) {
    kind = parse_chip_kind(*kind_text);
    if (!kind) fail("kind '{}': expected cpu, gpu, asic or soc", *kind_text);
  }
  const Catalog catalog = load_catalog(catalog_files);
  py::list rows;
  for (const Chip& chip : catalog.chips()) {
    if (kind && chip.kind != *kind) continue;
    const std::optional<double> peak = chip.peak_flops(precision);
    const double bandwidth = main_bandwidth(chip);
    py::dict r;
    r["id"] = chip.id;
    r["name"] = chip.name;
    r["kind"] = std::string(chip_kind_name(chip.kind));
    r["vendor"] = chip.vendor;
    r["year"] = chip.year > 0 ? py::object(py::int_(chip.year)) : py::object(py::none());
    r["peak_flops"] = peak ? py::object(py::float_(*peak)) : py::object(py::none());
    r["bandwidth_bytes_per_s"] =
        bandwidth > 0 ? py::object(py::float_(bandwidth)) : py::object(py::none());
    const double ridge = peak ? ridge_point(*peak, bandwidth) : std::nan("");
    r["ridge_flop_per_byte"] =
        std::isfinite(ridge) ? py::object(py::float_(ridge)) : py::object(py::none());
    rows.append(r);
  }
  return rows;
}

std::string provenance(const Figure& f) {
  if (!f.derivation.empty() && !f.source.empty()) {
    return fmt::format("{} (inputs: {})", f.derivation, f.source);
  }
  return f.derivation.empty() ? f.source : f.derivation;
}

// Every figure of one chip with its source or derivation:
// `dnnroof chips show ID`.
py::dict chip(const std::string& id, const std::vector<std::string>& catalog_files) {
  const Catalog catalog = load_catalog(catalog_files);
  const Chip& c = catalog.get(id);
  py::list figures;
  auto add = [&](const std::string& field, const Figure& f, const std::string& unit) {
    py::dict d;
    d["figure"] = field;
    d["value"] = f.value > 0 ? py::object(py::float_(f.value)) : py::object(py::none());
    d["unit"] = unit;
    d["source"] = provenance(f);
    figures.append(d);
  };
  for (DType p : peak_precisions()) {
    auto it = c.peak.find(p);
    if (it == c.peak.end()) continue;
    add(fmt::format("peak {}", dtype_name(p)), it->second, is_floating(p) ? "FLOP/s" : "OP/s");
  }
  for (const auto& [p, f] : c.practical) {
    add(fmt::format("practical {} (GEMM)", dtype_name(p)), f, is_floating(p) ? "FLOP/s" : "OP/s");
  }
  for (const auto& m : c.memory) {
    const std::string level = m.is_main ? fmt::format("{} (main)", m.name) : m.name;
    add(level + " bandwidth", m.bandwidth, "B/s");
    add(level + " capacity", m.capacity, "B");
  }
  if (const double bw = main_bandwidth(c); bw > 0) {
    const std::string level = c.main_memory().name;
    for (const auto& [p, f] : c.peak) {
      if (!(f.value > 0)) continue;
      Figure ridge;
      ridge.value = f.value / bw;
      ridge.derivation =
          fmt::format("{} / {}", format_si(f.value, is_floating(p) ? "FLOP/s" : "OP/s", 4),
                      format_si(bw, "B/s", 4));
      add(fmt::format("ridge {} vs {}", dtype_name(p), level), ridge,
          is_floating(p) ? "FLOP/B" : "OP/B");
    }
  }
  py::dict d;
  d["id"] = c.id;
  d["name"] = c.name;
  d["kind"] = std::string(chip_kind_name(c.kind));
  d["vendor"] = c.vendor;
  d["year"] = c.year;
  d["source"] = c.source;
  d["defined_in"] = c.origin;
  d["notes"] = c.notes;
  d["figures"] = figures;
  return d;
}

// A point of roofline(): a model's intensity, placed on every chip's roof.
struct ModelPoint {
  std::string label;
  double intensity = 0;  // [FLOP/B]
};

// The chips' rooflines at `precision` (main memory), with each model on each
// chip's roof. Writes `path` when given (format from its extension) and
// returns "", else returns the SVG to inline.
std::string roofline(const std::vector<std::string>& chip_ids, const std::string& precision_text,
                     const std::vector<std::pair<std::string, double>>& models,
                     const std::string& title, const std::string& path,
                     const std::vector<std::string>& catalog_files) {
  const DType precision = parse_dtype_or_throw(precision_text);
  if (!path.empty()) (void)image_format_for_path(path);  // a bad extension fails first
  const Catalog catalog = load_catalog(catalog_files);
  std::vector<const Chip*> selected;
  for (const auto& id : chip_ids) selected.push_back(&catalog.get(id));
  if (selected.empty()) fail("roofline: give at least one chip");
  const std::vector<DType> precisions{precision};
  const ChipCeilings drawable = main_memory_ceilings(selected, precisions);
  if (drawable.chips.empty()) {
    fail("none of the chips can be drawn at {}: {}", dtype_name(precision),
         drawable.skipped.empty() ? std::string("no ceiling") : drawable.skipped.front().reason);
  }
  std::vector<PointInput> points;
  for (std::size_t c = 0; c < drawable.ceilings.size(); ++c) {
    for (const auto& [label, intensity] : models) {
      const std::string shown = drawable.ceilings.size() > 1
                                    ? fmt::format("{} on {}", label, drawable.chips[c]->id)
                                    : label;
      points.push_back({shown, label, PointKind::attainable, intensity, 0, c});
    }
  }
  const std::string t =
      title.empty()
          ? fmt::format("Rooflines at {} (datasheet peaks, main memory){}", dtype_name(precision),
                        models.empty() ? "" : ": models on the roof")
          : title;
  std::vector<RooflineFigure> panels{build_roofline_figure(t, drawable.ceilings, points)};
  py::gil_scoped_release release;
  if (path.empty()) return roofline_svg_for_html(panels, t, "dnnroof-py-");
  render_roofline(panels, t, path);
  return "";
}

// Messages from the sweep thread to the Python thread.
struct SweepChannel {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::string> progress;  // progress lines
  std::deque<std::string> results;   // one record as JSON each
  bool done = false;
  std::exception_ptr error;
};

// Measures models x batches x modes through the executor module (run_sweep,
// as `dnnroof bench`). The sweep runs on a thread of its own with the GIL
// released; this thread passes its progress and each finished record to the
// Python callbacks and checks for signals, so Ctrl-C (KeyboardInterrupt, a
// notebook's interrupt) stops the sweep at its next iteration and what
// finished is kept. Returns (records as JSON text, interrupted).
std::pair<std::string, bool> bench(const std::vector<std::string>& models,
                                   const std::vector<std::int64_t>& batches,
                                   const std::vector<std::string>& modes, const std::string& dtype,
                                   const std::string& device, int threads, double budget_s,
                                   double target, bool layers, const std::string& out,
                                   const std::function<void(const std::string&)>& on_progress,
                                   const std::function<void(const std::string&)>& on_result) {
  SweepOptions s;
  s.models = models;
  s.batches = batches;
  s.modes.clear();
  for (const auto& m : modes) {
    const auto mode = parse_run_mode(m);
    if (!mode) fail("mode '{}': expected infer or train", m);
    s.modes.push_back(*mode);
  }
  s.dtype = parse_dtype_or_throw(dtype);
  s.device = normalize_device(device);
  s.threads = threads;
  s.budget_s = budget_s;
  s.target = target;
  fit_floors_to_budget(s);
  s.layers = layers;
  s.out = out;
  s.make_executor = default_executor_factory();

  auto channel = std::make_shared<SweepChannel>();
  std::atomic<bool> stop{false};
  std::vector<ResultRecord> finished;
  s.stop = &stop;
  s.on_progress = [channel](const SweepProgress& p) {
    std::lock_guard lock(channel->mutex);
    channel->progress.push_back(progress_line(p));
    channel->cv.notify_all();
  };
  s.on_warning = [channel](const std::string& w) {
    std::lock_guard lock(channel->mutex);
    channel->progress.push_back("warning: " + w);
    channel->cv.notify_all();
  };
  s.on_result = [channel, &finished](const ResultRecord& r) {
    ResultsFile one;
    one.records.push_back(r);
    const std::string text = results_to_json(one).dump();
    std::lock_guard lock(channel->mutex);
    finished.push_back(r);
    channel->results.push_back(text);
    channel->cv.notify_all();
  };

  bool interrupted = false;
  std::thread worker([&s, channel] {
    try {
      (void)run_sweep(s);
    } catch (...) {
      std::lock_guard lock(channel->mutex);
      channel->error = std::current_exception();
    }
    std::lock_guard lock(channel->mutex);
    channel->done = true;
    channel->cv.notify_all();
  });
  // Deliver messages and watch for Ctrl-C until the sweep ends.
  for (;;) {
    std::deque<std::string> progress, results;
    bool done = false;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(channel->mutex);
      channel->cv.wait_for(lock, std::chrono::milliseconds(100), [&] {
        return channel->done || !channel->progress.empty() || !channel->results.empty();
      });
      progress.swap(channel->progress);
      results.swap(channel->results);
      done = channel->done;
    }
    try {
      for (const auto& line : progress) {
        if (on_progress) on_progress(line);
      }
      for (const auto& r : results) {
        if (on_result) on_result(r);
      }
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    } catch (py::error_already_set& e) {
      // KeyboardInterrupt (or an error in a callback): stop the sweep, keep
      // what finished.
      stop.store(true);
      {
        py::gil_scoped_release release;
        worker.join();
      }
      if (!e.matches(PyExc_KeyboardInterrupt)) throw;
      interrupted = true;
      break;
    }
    if (done) {
      py::gil_scoped_release release;
      worker.join();
      break;
    }
  }
  if (channel->error && !interrupted) std::rethrow_exception(channel->error);
  ResultsFile all;
  all.records = finished;
  return {results_to_json(all).dump(), interrupted};
}

// The whole study as a folder (index.html, report.md, figures, data), from
// results files (bench's `out`) and the models' static analysis: what
// `dnnroof report --results FILE...` writes. Returns the paths written and
// the notes (what was left out and why).
std::pair<std::vector<std::string>, std::vector<std::string>> report(
    const std::string& out, const std::vector<std::string>& models,
    const std::vector<std::int64_t>& batches, const std::vector<std::string>& results_files,
    const std::vector<std::string>& chip_ids, const std::string& title, bool include_host,
    bool figures, const std::string& precision, const std::vector<std::string>& catalog_files,
    const std::function<void(const std::string&)>& on_progress) {
  StudyOptions study;
  study.title = title;
  study.include_host = include_host;
  study.chips.precision = parse_dtype_or_throw(precision);
  study.dtype = study.chips.precision;
  study.chip_ids = chip_ids;
  study.models = models;
  study.load_graph = [](const std::string& source, std::int64_t batch, DType dtype) {
    SweepModel m = load_sweep_model(source, batch, dtype);
    return LoadedModel{std::move(m.graph), std::move(m.family)};
  };
  for (const std::string& f : results_files) {
    if (!std::filesystem::exists(f)) fail("results: no such file: {}", f);
  }
  std::vector<std::string> notes;
  std::vector<std::string> written;
  std::vector<std::string> progress;
  {
    py::gil_scoped_release release;
    const Catalog catalog = load_catalog(catalog_files);
    std::optional<HostInfo> host;
    if (include_host) host = detect_host_info();
    if (!results_files.empty()) {
      std::vector<std::filesystem::path> paths(results_files.begin(), results_files.end());
      MergeResult merged = merge_result_files(paths);
      notes.insert(notes.end(), merged.warnings.begin(), merged.warnings.end());
      study.records = std::move(merged.results.records);
      study.run.results_files = results_files;
      study.run.mode = "results";
    }
    if (!batches.empty()) {
      study.batches = batches;
    } else {
      std::set<std::int64_t> b;
      for (const ResultRecord& r : study.records) b.insert(r.batch);
      study.batches.assign(b.begin(), b.end());
      if (study.batches.empty()) study.batches = {1};
    }
    const Document doc = build_study(catalog, host ? &*host : nullptr, study, &notes);
    ReportWriteOptions write;
    write.draw_figures = figures;
    write.progress = [&progress](const std::string& line) { progress.push_back(line); };
    for (const auto& p : write_report(doc, out, write)) written.push_back(p.string());
  }
  if (on_progress) {
    for (const auto& line : progress) on_progress(line);
  }
  return {written, notes};
}

}  // namespace
}  // namespace dnnroof::python

PYBIND11_MODULE(_dnnroof, m) {
  using namespace dnnroof::python;
  m.doc() = "dnnroof's C++ library (the Python API is the dnnroof package)";
  m.attr("__version__") = dnnroof::kVersion;
  m.attr("git_revision") = dnnroof::kGitRevision;
#if defined(DNNROOF_HAVE_ONNX)
  m.attr("has_onnx") = true;
#else
  m.attr("has_onnx") = false;
#endif
  m.attr("has_executor") = dnnroof::executor_built();
  py::register_exception<dnnroof::Error>(m, "Error", PyExc_RuntimeError);
  m.def("analyze", &analyze, py::arg("source"), py::arg("onnx_bytes") = py::none(),
        py::arg("batch") = 0, py::arg("training") = false, py::arg("convention") = "dnnroof",
        py::arg("dtype") = "fp32", py::arg("dims") = std::map<std::string, std::int64_t>{},
        py::arg("image_size") = 0);
  m.def("zoo_models", [] {
    std::vector<std::string> names;
    for (const auto& e : dnnroof::zoo_models()) names.push_back(e.name);
    return names;
  });
  m.def("chips", &chips, py::arg("kind") = py::none(), py::arg("precision") = "fp32",
        py::arg("catalog") = std::vector<std::string>{});
  m.def("chip", &chip, py::arg("id"), py::arg("catalog") = std::vector<std::string>{});
  m.def("roofline", &roofline, py::arg("chips"), py::arg("precision"), py::arg("models"),
        py::arg("title") = "", py::arg("path") = "",
        py::arg("catalog") = std::vector<std::string>{});
  m.def("bench", &bench, py::arg("models"), py::arg("batches"), py::arg("modes"), py::arg("dtype"),
        py::arg("device"), py::arg("threads"), py::arg("budget_s"), py::arg("target"),
        py::arg("layers"), py::arg("out"), py::arg("on_progress"), py::arg("on_result"));
  m.def("report", &report, py::arg("out"), py::arg("models"), py::arg("batches"),
        py::arg("results"), py::arg("chips"), py::arg("title"), py::arg("include_host"),
        py::arg("figures"), py::arg("precision"), py::arg("catalog"), py::arg("on_progress"));
}

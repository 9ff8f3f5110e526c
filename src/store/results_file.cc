#include "store/results_file.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "core/text_file.h"
#include "core/version.h"
#include "store/atomic_file.h"

namespace dnnroof {
namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// JSON has no NaN: it is written as null and read back as NaN.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

json timing_to_json(const TimingStats& t) {
  return json{{"n", t.n},
              {"median_s", number(t.median_s)},
              {"mean_s", number(t.mean_s)},
              {"stdev_s", number(t.stdev_s)},
              {"min_s", number(t.min_s)},
              {"max_s", number(t.max_s)},
              {"p5_s", number(t.p5_s)},
              {"p95_s", number(t.p95_s)},
              {"iqr_s", number(t.iqr_s)},
              {"ci_low_s", number(t.ci_low_s)},
              {"ci_high_s", number(t.ci_high_s)},
              {"ci_confidence", number(t.ci_confidence)},
              {"ci_rel_half_width", number(t.ci_rel_half_width)},
              {"converged", t.converged},
              {"warmup_iterations", t.warmup_iterations},
              {"total_s", number(t.total_s)}};
}

json cost_to_json(const CostFigures& c) {
  return json{{"convention", c.convention},
              {"forward_flops", number(c.forward_flops)},
              {"backward_flops", number(c.backward_flops)},
              {"forward_matmul_flops", number(c.forward_matmul_flops)},
              {"backward_matmul_flops", number(c.backward_matmul_flops)},
              {"forward_bytes", number(c.forward_bytes)},
              {"backward_bytes", number(c.backward_bytes)},
              {"compulsory_bytes", number(c.compulsory_bytes)}};
}

json layer_to_json(const LayerTiming& l) {
  return json{{"name", l.name},
              {"op", l.op},
              {"module", l.module},
              {"forward_median_s", number(l.forward_median_s)},
              {"backward_median_s", number(l.backward_median_s)},
              {"forward_flops", number(l.forward_flops)},
              {"backward_flops", number(l.backward_flops)}};
}

json record_to_json(const ResultRecord& r) {
  json timings = json::object();
  for (const auto& [phase, stats] : r.timings) {
    timings[std::string(phase_name(phase))] = timing_to_json(stats);
  }
  const Conditions& c = r.conditions;
  json out{{"model", r.model},
           {"source", r.source},
           {"device", r.device},
           {"chip", r.chip},
           {"mode", run_mode_name(r.mode)},
           {"batch", r.batch},
           {"dtype", dtype_name(r.dtype)},
           {"threads", r.threads},
           {"status", record_status_name(r.status)},
           {"status_reason", r.status_reason},
           {"timings", timings},
           {"throughput_per_s", number(throughput_per_s(r))},
           {"memory_peak_bytes", number(r.memory_peak_bytes)},
           {"conditions",
            {{"host_name", c.host_name},
             {"cpu_model", c.cpu_model},
             {"threads", c.threads},
             {"library_versions", c.library_versions},
             {"dnnroof_version", c.dnnroof_version},
             {"git_revision", c.git_revision},
             {"date_utc", c.date_utc}}}};
  // Optional, additive fields (schema 1): written only when present.
  json& conditions = out["conditions"];
  auto optional = [&conditions](const char* name, const std::string& value) {
    if (!value.empty()) conditions[name] = value;
  };
  optional("partition", c.partition);
  optional("slurm_node", c.slurm_node);
  optional("slurm_job_id", c.slurm_job_id);
  optional("slurm_array_job_id", c.slurm_array_job_id);
  optional("slurm_array_task_id", c.slurm_array_task_id);
  optional("gpu_name", c.gpu_name);
  optional("gpu_driver", c.gpu_driver);
  if (std::isfinite(r.memory_start_bytes)) out["memory_start_bytes"] = r.memory_start_bytes;
  if (c.interop_threads > 0) conditions["interop_threads"] = c.interop_threads;
  if (c.blas_threads > 0) conditions["blas_threads"] = c.blas_threads;
  if (c.openmp_threads > 0) conditions["openmp_threads"] = c.openmp_threads;
  if (!c.pinned_cpus.empty()) conditions["pinned_cpus"] = c.pinned_cpus;
  if (r.cost) {
    out["cost"] = cost_to_json(*r.cost);
    out["achieved_flops_per_s"] = number(achieved_flops_per_s(r));
  }
  if (!r.layers.empty()) {
    json layers = json::array();
    for (const LayerTiming& l : r.layers) layers.push_back(layer_to_json(l));
    out["layers"] = std::move(layers);
    out["layer_passes"] = r.layer_passes;
    out["layers_sum_s"] = number(layers_sum_s(r));
    out["layers_to_model_ratio"] = number(layers_to_model_ratio(r));
  }
  if (!r.llm_phase.empty()) out["llm"] = {{"phase", r.llm_phase}, {"context", r.llm_context}};
  return out;
}

// Reads fields of one JSON object, with errors that say where.
class Reader {
 public:
  Reader(const json& obj, std::string where) : obj_(obj), where_(std::move(where)) {
    if (!obj_.is_object()) fail("{}: expected an object, found {}", where_, obj_.type_name());
  }

  const json& get(const char* key) const {
    const auto it = obj_.find(key);
    if (it == obj_.end()) fail("{}: missing field '{}'", where_, key);
    return *it;
  }
  bool has(const char* key) const { return obj_.contains(key); }

  std::string str(const char* key) const {
    const json& v = get(key);
    if (!v.is_string()) {
      fail("{}: field '{}' must be a string, found {}", where_, key, v.type_name());
    }
    return v.get<std::string>();
  }
  std::string str_or(const char* key, const std::string& fallback) const {
    return has(key) ? str(key) : fallback;
  }
  // Numbers; null reads as NaN.
  double num(const char* key) const {
    const json& v = get(key);
    if (v.is_null()) return kNaN;
    if (!v.is_number()) {
      fail("{}: field '{}' must be a number, found {}", where_, key, v.type_name());
    }
    return v.get<double>();
  }
  double num_or(const char* key, double fallback) const { return has(key) ? num(key) : fallback; }
  long long integer(const char* key) const {
    const json& v = get(key);
    if (!v.is_number_integer()) {
      fail("{}: field '{}' must be an integer, found {}", where_, key, v.dump());
    }
    return v.get<long long>();
  }
  std::size_t count(const char* key) const {
    const long long v = integer(key);
    if (v < 0) fail("{}: field '{}' must not be negative, found {}", where_, key, v);
    return static_cast<std::size_t>(v);
  }
  bool boolean(const char* key) const {
    const json& v = get(key);
    if (!v.is_boolean()) {
      fail("{}: field '{}' must be true or false, found {}", where_, key, v.dump());
    }
    return v.get<bool>();
  }
  const std::string& where() const { return where_; }

 private:
  const json& obj_;
  std::string where_;
};

TimingStats timing_from_json(const Reader& r) {
  TimingStats t;
  t.n = r.count("n");
  t.median_s = r.num("median_s");
  t.mean_s = r.num("mean_s");
  t.stdev_s = r.num("stdev_s");
  t.min_s = r.num("min_s");
  t.max_s = r.num("max_s");
  t.p5_s = r.num("p5_s");
  t.p95_s = r.num("p95_s");
  t.iqr_s = r.num_or("iqr_s", kNaN);
  t.ci_low_s = r.num("ci_low_s");
  t.ci_high_s = r.num("ci_high_s");
  t.ci_confidence = r.num_or("ci_confidence", kNaN);
  t.ci_rel_half_width = r.num("ci_rel_half_width");
  t.converged = r.boolean("converged");
  t.warmup_iterations = r.has("warmup_iterations") ? r.count("warmup_iterations") : 0;
  t.total_s = r.num_or("total_s", kNaN);
  return t;
}

ResultRecord record_from_json(const Reader& r) {
  ResultRecord rec;
  rec.model = r.str("model");
  rec.source = r.str_or("source", rec.model);
  rec.device = r.str("device");
  rec.chip = r.str_or("chip", "");
  const std::string mode = r.str("mode");
  const auto parsed_mode = parse_run_mode(mode);
  if (!parsed_mode) fail("{}: mode '{}' is not infer or train", r.where(), mode);
  rec.mode = *parsed_mode;
  rec.batch = static_cast<std::int64_t>(r.integer("batch"));
  const std::string dtype = r.str("dtype");
  const auto parsed_dtype = parse_dtype(dtype);
  if (!parsed_dtype) fail("{}: unknown dtype '{}'", r.where(), dtype);
  rec.dtype = *parsed_dtype;
  rec.threads = static_cast<int>(r.integer("threads"));
  const std::string status = r.str("status");
  const auto parsed_status = parse_record_status(status);
  if (!parsed_status) fail("{}: status '{}' is not ok, noisy or failed", r.where(), status);
  rec.status = *parsed_status;
  rec.status_reason = r.str_or("status_reason", "");
  const json& timings = r.get("timings");
  if (!timings.is_object()) fail("{}: field 'timings' must be an object", r.where());
  for (const auto& [name, value] : timings.items()) {
    const auto phase = parse_phase(name);
    if (!phase) {
      fail("{}: unknown phase '{}' in timings (forward, backward, optimizer, step)", r.where(),
           name);
    }
    rec.timings[*phase] =
        timing_from_json(Reader(value, fmt::format("{}, timing '{}'", r.where(), name)));
  }
  rec.memory_peak_bytes = r.num_or("memory_peak_bytes", kNaN);
  rec.memory_start_bytes = r.num_or("memory_start_bytes", kNaN);
  if (r.has("cost")) {
    const Reader c(r.get("cost"), r.where() + ", cost");
    CostFigures f;
    f.convention = c.str_or("convention", "dnnroof");
    f.forward_flops = c.num("forward_flops");
    f.backward_flops = c.num_or("backward_flops", 0);
    f.forward_matmul_flops = c.num_or("forward_matmul_flops", kNaN);
    f.backward_matmul_flops = c.num_or("backward_matmul_flops", kNaN);
    f.forward_bytes = c.num_or("forward_bytes", kNaN);
    f.backward_bytes = c.num_or("backward_bytes", kNaN);
    f.compulsory_bytes = c.num_or("compulsory_bytes", kNaN);
    rec.cost = f;
  }
  if (r.has("layers")) {
    const json& layers = r.get("layers");
    if (!layers.is_array()) fail("{}: field 'layers' must be an array", r.where());
    std::size_t i = 0;
    for (const json& item : layers) {
      const Reader l(item, fmt::format("{}, layer {}", r.where(), i++));
      LayerTiming t;
      t.name = l.str("name");
      t.op = l.str_or("op", "");
      t.module = l.str_or("module", "");
      t.forward_median_s = l.num("forward_median_s");
      t.backward_median_s = l.num_or("backward_median_s", kNaN);
      t.forward_flops = l.num_or("forward_flops", kNaN);
      t.backward_flops = l.num_or("backward_flops", kNaN);
      rec.layers.push_back(std::move(t));
    }
    rec.layer_passes = r.has("layer_passes") ? r.count("layer_passes") : 0;
  }
  if (r.has("llm")) {
    const Reader l(r.get("llm"), r.where() + ", llm");
    rec.llm_phase = l.str("phase");
    if (rec.llm_phase != "prefill" && rec.llm_phase != "decode") {
      fail("{}: llm phase '{}' is not 'prefill' or 'decode'", l.where(), rec.llm_phase);
    }
    rec.llm_context = static_cast<std::int64_t>(l.integer("context"));
  }
  if (r.has("conditions")) {
    const Reader c(r.get("conditions"), r.where() + ", conditions");
    Conditions& out = rec.conditions;
    out.host_name = c.str_or("host_name", "");
    out.cpu_model = c.str_or("cpu_model", "");
    out.threads = c.has("threads") ? static_cast<int>(c.integer("threads")) : 0;
    out.interop_threads =
        c.has("interop_threads") ? static_cast<int>(c.integer("interop_threads")) : 0;
    out.blas_threads = c.has("blas_threads") ? static_cast<int>(c.integer("blas_threads")) : 0;
    out.openmp_threads =
        c.has("openmp_threads") ? static_cast<int>(c.integer("openmp_threads")) : 0;
    out.pinned_cpus = c.str_or("pinned_cpus", "");
    if (c.has("library_versions")) {
      const json& libs = c.get("library_versions");
      if (!libs.is_object()) fail("{}: library_versions must be an object", c.where());
      for (const auto& [lib, version] : libs.items()) {
        if (!version.is_string()) fail("{}: library_versions.{} must be a string", c.where(), lib);
        out.library_versions[lib] = version.get<std::string>();
      }
    }
    out.dnnroof_version = c.str_or("dnnroof_version", "");
    out.git_revision = c.str_or("git_revision", "");
    out.date_utc = c.str_or("date_utc", "");
    out.partition = c.str_or("partition", "");
    out.slurm_node = c.str_or("slurm_node", "");
    out.slurm_job_id = c.str_or("slurm_job_id", "");
    out.slurm_array_job_id = c.str_or("slurm_array_job_id", "");
    out.slurm_array_task_id = c.str_or("slurm_array_task_id", "");
    out.gpu_name = c.str_or("gpu_name", "");
    out.gpu_driver = c.str_or("gpu_driver", "");
  }
  return rec;
}

}  // namespace

nlohmann::json results_to_json(const ResultsFile& file) {
  json records = json::array();
  for (const ResultRecord& r : file.records) records.push_back(record_to_json(r));
  // Always the version this code writes, whatever the file was read as.
  return json{{"schema_version", kResultsSchemaVersion},
              {"generator", fmt::format("dnnroof {} ({})", kVersion, kGitRevision)},
              {"records", records}};
}

ResultsFile parse_results(std::string_view text, std::string_view name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // Line and column of the byte nlohmann stopped at (1-based).
    const std::size_t byte = std::min<std::size_t>(e.byte, text.size() + 1);
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    fail("results file '{}': malformed JSON at line {}, column {} (byte {}): {}", name, line,
         column, e.byte, e.what());
  }
  if (!doc.is_object()) fail("results file '{}': expected a JSON object at the top", name);
  const auto version = doc.find("schema_version");
  if (version == doc.end()) {
    fail("results file '{}': no schema_version (not a dnnroof results file?)", name);
  }
  if (!version->is_number_integer()) {
    fail("results file '{}': schema_version must be an integer, found {}", name, version->dump());
  }
  const long long v = version->get<long long>();
  if (v != kResultsSchemaVersion) {
    fail("results file '{}' has schema version {}; this dnnroof ({}) reads schema version {}", name,
         v, kVersion, kResultsSchemaVersion);
  }
  if (!doc.contains("records") || !doc.at("records").is_array()) {
    fail("results file '{}': 'records' must be an array", name);
  }
  ResultsFile file;
  file.schema_version = static_cast<int>(v);
  std::size_t index = 0;
  for (const json& record : doc.at("records")) {
    file.records.push_back(
        record_from_json(Reader(record, fmt::format("results file '{}', record {}", name, index))));
    ++index;
  }
  return file;
}

ResultsFile load_results(const std::filesystem::path& path) {
  const std::optional<std::string> text = read_text_file(path);
  if (!text) fail("cannot read results file '{}'", path.string());
  return parse_results(*text, path.string());
}

void save_results(const std::filesystem::path& path, const ResultsFile& file) {
  write_file_atomic(path, results_to_json(file).dump(2) + "\n");
}

bool append_record(const std::filesystem::path& path, const ResultRecord& record) {
  ResultsFile file = std::filesystem::exists(path) ? load_results(path) : ResultsFile{};
  bool replaced = false;
  for (ResultRecord& r : file.records) {
    if (r.key() == record.key()) {
      r = record;
      replaced = true;
      break;
    }
  }
  if (!replaced) file.records.push_back(record);
  save_results(path, file);
  return replaced;
}

std::set<ConfigKey> finished_keys(const ResultsFile& file, bool include_failed) {
  std::set<ConfigKey> keys;
  for (const ResultRecord& r : file.records) {
    if (r.status != RecordStatus::failed || include_failed) keys.insert(r.key());
  }
  return keys;
}

}  // namespace dnnroof

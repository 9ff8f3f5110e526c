#include "ncu/results.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/error.h"
#include "store/atomic_file.h"

namespace dnnroof {
namespace {

using nlohmann::json;

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

std::optional<double> get_opt(const json& j, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
  return j.at(key).get<double>();
}

json work_json(const KernelWork& w) {
  return json{{"fp64_flops", opt(w.fp64_flops)},   {"fp32_flops", opt(w.fp32_flops)},
              {"fp16_flops", opt(w.fp16_flops)},   {"tensor_flops", opt(w.tensor_flops)},
              {"tensor_inst", opt(w.tensor_inst)}, {"flops", opt(w.flops())},
              {"dram_bytes", opt(w.dram_bytes)},   {"l2_bytes", opt(w.l2_bytes)},
              {"l1_bytes", opt(w.l1_bytes)},       {"time_s", opt(w.time_s)}};
}

KernelWork work_from(const json& j) {
  KernelWork w;
  w.fp64_flops = get_opt(j, "fp64_flops");
  w.fp32_flops = get_opt(j, "fp32_flops");
  w.fp16_flops = get_opt(j, "fp16_flops");
  w.tensor_flops = get_opt(j, "tensor_flops");
  w.tensor_inst = get_opt(j, "tensor_inst");
  w.dram_bytes = get_opt(j, "dram_bytes");
  w.l2_bytes = get_opt(j, "l2_bytes");
  w.l1_bytes = get_opt(j, "l1_bytes");
  w.time_s = get_opt(j, "time_s");
  return w;
}

}  // namespace

std::string ncu_results_to_json(const NcuResults& r) {
  json j;
  j["kind"] = kNcuResultsKind;
  j["version"] = kNcuResultsVersion;
  j["source"] = r.summary.source;
  j["device_name"] = r.summary.device_name;
  j["model"] = r.model;
  j["batch"] = r.batch;
  j["mode"] = r.mode;
  j["device_chip"] = r.device_chip;
  j["tensor_flops_unknown"] = r.summary.tensor_flops_unknown;
  j["missing"] = r.summary.missing;
  j["total"] = work_json(r.summary.total);
  json groups = json::array();
  for (const GroupRow& g : r.summary.groups) {
    json e = work_json(g.work);
    e["group"] = g.group;
    e["kernels"] = g.kernels;
    groups.push_back(std::move(e));
  }
  j["groups"] = std::move(groups);
  json kernels = json::array();
  for (const KernelRow& k : r.summary.kernels) {
    json e = work_json(k.work);
    e["id"] = k.id;
    e["name"] = k.name;
    e["group"] = k.group;
    kernels.push_back(std::move(e));
  }
  j["kernels"] = std::move(kernels);
  json points = json::array();
  for (const MeasuredPoint& p : r.points) {
    points.push_back({{"label", p.label},
                      {"level", p.level},
                      {"flops", p.flops},
                      {"bytes", p.bytes},
                      {"seconds", p.seconds},
                      {"intensity", p.intensity},
                      {"flops_per_s", p.flops_per_s}});
  }
  j["points"] = std::move(points);
  if (r.comparison) {
    json rows = json::array();
    for (const ComparisonRow& row : r.comparison->rows) {
      rows.push_back({{"quantity", row.quantity},
                      {"analytic", row.analytic},
                      {"measured", opt(row.measured)},
                      {"ratio", opt(row.ratio)}});
    }
    j["comparison"] = {{"model", r.comparison->model},
                       {"batch", r.comparison->batch},
                       {"training", r.comparison->training},
                       {"rows", std::move(rows)},
                       {"explanations", r.comparison->explanations}};
  } else {
    j["comparison"] = nullptr;
  }
  return j.dump(2) + "\n";
}

NcuResults ncu_results_from_json(std::string_view text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail("'{}' is not JSON: {}", source, e.what());
  }
  try {
    if (!j.is_object() || j.value("kind", std::string()) != kNcuResultsKind) {
      fail("'{}' is not a dnnroof-ncu file (no \"kind\": \"{}\")", source, kNcuResultsKind);
    }
    const int version = j.at("version").get<int>();
    if (version != kNcuResultsVersion) {
      fail("'{}' has dnnroof-ncu version {}; this dnnroof reads version {}", source, version,
           kNcuResultsVersion);
    }
    NcuResults r;
    r.model = j.value("model", std::string());
    r.batch = j.value("batch", std::int64_t{0});
    r.mode = j.value("mode", std::string());
    r.device_chip = j.value("device_chip", std::string());
    r.summary.source = j.value("source", std::string());
    r.summary.device_name = j.value("device_name", std::string());
    r.summary.tensor_flops_unknown = j.value("tensor_flops_unknown", false);
    r.summary.missing = j.value("missing", std::vector<std::string>{});
    r.summary.total = work_from(j.at("total"));
    for (const json& g : j.at("groups")) {
      r.summary.groups.push_back(
          {g.at("group").get<std::string>(), g.at("kernels").get<int>(), work_from(g)});
    }
    for (const json& k : j.at("kernels")) {
      r.summary.kernels.push_back({k.at("id").get<std::string>(), k.at("name").get<std::string>(),
                                   k.at("group").get<std::string>(), work_from(k)});
    }
    for (const json& p : j.at("points")) {
      r.points.push_back({p.at("label").get<std::string>(), p.at("level").get<std::string>(),
                          p.at("flops").get<double>(), p.at("bytes").get<double>(),
                          p.at("seconds").get<double>(), p.at("intensity").get<double>(),
                          p.at("flops_per_s").get<double>()});
    }
    if (j.contains("comparison") && !j.at("comparison").is_null()) {
      const json& c = j.at("comparison");
      NcuComparison cmp;
      cmp.model = c.at("model").get<std::string>();
      cmp.batch = c.at("batch").get<std::int64_t>();
      cmp.training = c.at("training").get<bool>();
      for (const json& row : c.at("rows")) {
        cmp.rows.push_back({row.at("quantity").get<std::string>(), row.at("analytic").get<double>(),
                            get_opt(row, "measured"), get_opt(row, "ratio")});
      }
      cmp.explanations = c.at("explanations").get<std::vector<std::string>>();
      r.comparison = std::move(cmp);
    }
    return r;
  } catch (const json::exception& e) {
    fail("'{}': malformed dnnroof-ncu file: {}", source, e.what());
  }
}

void write_ncu_results(const std::string& path, const NcuResults& r) {
  write_file_atomic(path, ncu_results_to_json(r));
}

NcuResults read_ncu_results(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '{}' for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ncu_results_from_json(ss.str(), path);
}

}  // namespace dnnroof

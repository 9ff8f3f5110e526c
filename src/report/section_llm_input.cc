// The language-model section's input: models, chips and precision resolved
// from the options and the records (section_llm.h).

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "report/section_llm.h"

namespace dnnroof {
namespace {

const Chip* find_chip(const Catalog& catalog, const std::string& id) {
  for (const Chip& c : catalog.chips()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

}  // namespace

LlmSectionInput make_llm_section_input(const Catalog& catalog, const LlmStudyOptions& options,
                                       const std::vector<std::string>& report_chip_ids,
                                       std::vector<ResultRecord> records,
                                       std::vector<MeasuredDevice> devices) {
  LlmSectionInput in;
  in.records = std::move(records);
  in.devices = std::move(devices);
  LlmSweep& s = in.sweep;
  s.precision.weights = s.precision.activations = s.precision.kv_cache = to_lower(options.dtype);
  s.precision.validate();
  const DType compute = s.precision.compute();
  s.batches = options.batches;
  s.contexts = options.contexts;
  for (auto* v : {&s.batches, &s.contexts}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  if (s.batches.empty() || s.batches.front() < 1) fail("--llm-batch: batch sizes must be >= 1");
  if (s.contexts.empty() || s.contexts.front() < 1) fail("--llm-context: contexts must be >= 1");

  std::set<std::string> seen;
  for (const std::string& m : options.models) {
    llm::LlmConfig c = llm::resolve_llm(m);  // the user's input: errors propagate
    if (seen.insert(c.name).second) s.models.push_back(std::move(c));
  }
  for (const ResultRecord& r : in.records) {
    const std::string src = r.source.empty() ? r.model : r.source;
    if (seen.count(r.model) != 0) continue;
    try {
      llm::LlmConfig c = llm::resolve_llm(src);
      c.name = r.model;
      seen.insert(r.model);
      s.models.push_back(std::move(c));
    } catch (const Error& e) {
      seen.insert(r.model);
      in.notes.push_back(
          fmt::format("language model {} of the records left out: {}", src, e.what()));
    }
  }

  std::vector<std::string> ids = options.chip_ids;
  if (ids.empty()) {
    for (const ResultRecord& r : in.records) {
      const Chip* c = find_chip(catalog, r.chip);
      if (c != nullptr && c->kind != ChipKind::cpu) ids.push_back(r.chip);
    }
    for (const std::string& id : report_chip_ids) {
      const Chip* c = find_chip(catalog, id);
      if (c != nullptr && (c->kind == ChipKind::gpu || c->kind == ChipKind::asic) &&
          c->peak_flops(compute).has_value()) {
        ids.push_back(id);
      }
    }
    if (ids.empty()) {
      for (const char* id : {"h100-sxm", "a100-sxm4-80gb"}) {
        if (find_chip(catalog, id) != nullptr) ids.emplace_back(id);
      }
    }
  }
  std::set<std::string> chip_seen;
  for (const std::string& id : ids) {
    if (!chip_seen.insert(id).second) continue;
    const Chip* c = find_chip(catalog, id);
    if (c == nullptr) {
      in.notes.push_back(fmt::format("language-model chip '{}' is not in the catalog", id));
      continue;
    }
    if (s.chips.size() >= kMaxLlmChips) {
      in.notes.push_back(fmt::format(
          "language-model figures: chip {} left out (at most {} chips; --llm-chips chooses)", id,
          kMaxLlmChips));
      continue;
    }
    try {
      s.chips.push_back(llm_chip(*c, compute));
    } catch (const Error& e) {
      in.notes.push_back(fmt::format("language-model figures: chip {} left out: {}", id, e.what()));
    }
  }
  return in;
}

}  // namespace dnnroof

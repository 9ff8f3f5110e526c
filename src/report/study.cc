#include "report/study.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/version.h"
#include "report/chip_rooflines.h"
#include "report/section_measured.h"

namespace dnnroof {
namespace {

std::string this_host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

const Chip* find_chip(const Catalog& catalog, const std::string& id) {
  for (const Chip& c : catalog.chips()) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// The chips of the static overlay: as asked, or the host (measured when
// probed) and the GPUs the records ran on, else the first GPU asked for in
// section 1, else a T4 (the GPU of the seeds' Colab runs).
std::vector<const Chip*> overlay_chips(const Catalog& catalog, const StudyOptions& o,
                                       std::vector<std::string>& notes) {
  std::vector<const Chip*> out;
  auto add = [&](const std::string& id) {
    const Chip* c = find_chip(catalog, id);
    if (c == nullptr) {
      notes.push_back(fmt::format("overlay chip '{}' is not in the catalog", id));
      return;
    }
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  };
  if (!o.overlay_chip_ids.empty()) {
    for (const std::string& id : o.overlay_chip_ids) add(id);
    return out;
  }
  if (find_chip(catalog, "host-measured") != nullptr) {
    add("host-measured");
  } else if (o.include_host && find_chip(catalog, "host") != nullptr) {
    add("host");
  }
  for (const ResultRecord& r : o.records) {
    if (r.device.starts_with("cuda") && find_chip(catalog, r.chip) != nullptr) add(r.chip);
  }
  if (out.size() < 2) {
    for (const std::string& id : o.chip_ids) {
      const Chip* c = find_chip(catalog, id);
      if (c != nullptr && c->kind == ChipKind::gpu) {
        add(id);
        break;
      }
    }
  }
  if (out.size() < 2 && find_chip(catalog, "t4") != nullptr) add("t4");
  return out;
}

MeasuredDevice make_device(const ResultRecord& r, const Catalog& catalog, const std::string& here,
                           bool several_hosts) {
  MeasuredDevice d;
  d.key = device_key(r);
  d.device = r.device;
  d.gpu = r.device.starts_with("cuda");
  d.short_name = several_hosts ? fmt::format("{}@{}", r.device, r.conditions.host_name) : r.device;
  const bool local_host = r.conditions.host_name == here || r.conditions.host_name.empty();
  std::vector<std::pair<std::string, CeilingSource>> candidates;
  if (!d.gpu && (r.chip.empty() || r.chip == "host")) {
    if (local_host) {
      candidates.emplace_back("host-measured", CeilingSource::measured);
      candidates.emplace_back("host", CeilingSource::datasheet);
    }
  } else {
    candidates.emplace_back(r.chip, CeilingSource::datasheet);
  }
  std::vector<std::string> why;
  for (const auto& [id, source] : candidates) {
    const Chip* chip = find_chip(catalog, id);
    if (chip == nullptr) {
      why.push_back(fmt::format("chip '{}' is not in the catalog", id));
      continue;
    }
    try {
      d.ceilings = chip_ceilings(*chip, r.dtype, source);
      d.chip_id = id;
      d.name = fmt::format("{} ({})", chip->name.empty() ? id : chip->name, d.short_name);
      d.note = fmt::format("Ceilings: {} ({}).", id,
                           source == CeilingSource::measured ? "measured on this machine by "
                                                               "`dnnroof probe`"
                                                             : "catalog");
      if (source == CeilingSource::datasheet && id == "host") {
        d.note += " Not probed: run `dnnroof probe` (or let `dnnroof report` do it) for measured "
                  "bandwidths.";
      }
      return d;
    } catch (const Error& e) {
      why.push_back(e.what());
    }
  }
  d.chip_id = r.chip;
  d.name = r.conditions.cpu_model.empty() || d.gpu ? d.short_name
                                                    : fmt::format("{} ({})", r.conditions.cpu_model,
                                                                  d.short_name);
  if (candidates.empty()) {
    why.push_back(fmt::format("measured on host '{}', not this machine, and recorded as chip "
                              "'host'; add its chip with --catalog and name it in the results",
                              r.conditions.host_name));
  }
  d.note = join(why, "; ");
  return d;
}

}  // namespace

std::string utc_now_text() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

Document build_study(const Catalog& catalog, const HostInfo* host, const StudyOptions& options,
                     std::vector<std::string>* notes_out) {
  std::vector<const Chip*> chips;
  if (options.chip_ids.empty()) {
    for (const Chip& c : catalog.chips()) {
      if ((c.id == "host" || c.id == "host-measured") && !options.include_host) continue;
      chips.push_back(&c);
    }
  } else {
    for (const std::string& id : options.chip_ids) chips.push_back(&catalog.get(id));
  }
  if (chips.empty()) fail("no chip to report on: the catalog is empty");
  std::vector<std::string> notes;

  Document doc;
  doc.title = options.title;
  doc.subtitle_lines.push_back(
      fmt::format("Generated {} by dnnroof {} (revision {}).",
                  options.generated_at.empty() ? utc_now_text() : options.generated_at, kVersion,
                  kGitRevision));
  const HostInfo* used_host = options.include_host ? host : nullptr;
  if (used_host != nullptr && !used_host->cpu_model.empty()) {
    doc.subtitle_lines.push_back(fmt::format("Host: {}, {} cores / {} threads.",
                                             used_host->cpu_model, used_host->physical_cores,
                                             used_host->logical_cpus));
  }

  ChipStudy chip_study = build_chip_study(chips, used_host, options.chips);
  notes.insert(notes.end(), chip_study.notes.begin(), chip_study.notes.end());
  doc.sections.push_back(std::move(chip_study.section));
  for (DataFile& d : chip_study.data) doc.data_files.push_back(std::move(d));

  if (options.models.empty() && options.records.empty()) {
    if (notes_out != nullptr) notes_out->insert(notes_out->end(), notes.begin(), notes.end());
    return doc;
  }

  // Section 2: the cost model of every model asked for.
  std::vector<ModelCosts> static_models;
  std::vector<int> batches = options.batches;
  std::sort(batches.begin(), batches.end());
  batches.erase(std::unique(batches.begin(), batches.end()), batches.end());
  if (batches.empty()) batches.push_back(1);
  std::vector<std::string> sources = options.models;
  if (sources.empty()) {
    // --results alone: the models of the records.
    for (const ResultRecord& r : options.records) {
      const std::string src = r.source.empty() ? r.model : r.source;
      if (std::find(sources.begin(), sources.end(), src) == sources.end()) sources.push_back(src);
    }
  }
  for (const std::string& src : sources) {
    std::string name = src;
    for (const ResultRecord& r : options.records) {
      if (r.source == src) name = r.model;
    }
    if (name.ends_with(".onnx")) name = std::filesystem::path(src).stem().string();
    try {
      static_models.push_back(
          compute_model_costs(src, name, batches, options.dtype, options.load_graph));
    } catch (const Error& e) {
      notes.push_back(fmt::format("model {} left out of section 2: {}", src, e.what()));
    }
  }
  ModelSectionOptions mo;
  mo.precision = options.dtype;
  mo.overlay_chips = overlay_chips(catalog, options, notes);
  if (!static_models.empty()) {
    SectionBuild models = build_model_section(static_models, mo);
    notes.insert(notes.end(), models.notes.begin(), models.notes.end());
    doc.sections.push_back(std::move(models.section));
    for (DataFile& d : models.data) doc.data_files.push_back(std::move(d));
  }

  // Sections 3-6 from the records.
  MeasuredData data;
  data.records = options.records;
  data.precision = options.dtype;
  for (const ModelCosts& m : static_models) data.costs[m.name] = m;
  for (const ResultRecord& r : data.records) {
    if (r.status == RecordStatus::failed) continue;
    ModelCosts& mc = data.costs[r.model];
    if (mc.infer.count(r.batch) != 0) continue;
    try {
      const ModelCosts one = compute_model_costs(r.source.empty() ? r.model : r.source, r.model,
                                                 {r.batch}, r.dtype, options.load_graph);
      mc.name = r.model;
      mc.family = one.family;
      mc.infer.insert(one.infer.begin(), one.infer.end());
      mc.train.insert(one.train.begin(), one.train.end());
    } catch (const Error& e) {
      data.notes.push_back(fmt::format("no cost model for {} at batch {}: {}", r.model, r.batch,
                                       e.what()));
    }
  }
  std::set<std::string> hosts;
  for (const ResultRecord& r : data.records) hosts.insert(r.conditions.host_name);
  const std::string here = this_host_name();
  for (const ResultRecord& r : data.records) {
    if (data.device_of(r) != nullptr) continue;
    data.devices.push_back(make_device(r, catalog, here, hosts.size() > 1));
    if (data.devices.back().ceilings.empty()) {
      data.notes.push_back(fmt::format("no roofline for {}: {}", data.devices.back().short_name,
                                       data.devices.back().note));
    }
  }
  notes.insert(notes.end(), data.notes.begin(), data.notes.end());

  std::vector<std::string> flags;
  auto add = [&](MeasuredSection m) {
    doc.sections.push_back(std::move(m.section));
    for (DataFile& d : m.data) doc.data_files.push_back(std::move(d));
    flags.insert(flags.end(), m.flags.begin(), m.flags.end());
  };
  if (data.records.empty()) {
    const char* why =
        "Nothing was measured for this report (no results given and measuring was off), so this "
        "section is empty; `dnnroof report` measures on this machine, `--results FILE` reads "
        "measurements from others.";
    Section s3{"benchmarks", "3. Benchmarks", {Paragraph{why}}};
    Section s4{"utilisation", "4. Hardware utilisation", {Paragraph{why}}};
    doc.sections.push_back(s3);
    doc.sections.push_back(s4);
    add(build_training_section(data, static_models, "5"));
    doc.sections.push_back(Section{"prediction", "6. Predicted vs measured", {Paragraph{why}}});
  } else {
    add(build_benchmark_section(data, "3"));
    add(build_utilisation_section(data, "4"));
    add(build_training_section(data, static_models, "5"));
    add(build_prediction_section(data, "6"));
  }
  doc.sections.push_back(build_methods_section(data, options.run, used_host, "7"));
  doc.sections.push_back(build_caveats_section(data, options.run, used_host, flags, notes, "8"));
  if (notes_out != nullptr) notes_out->insert(notes_out->end(), notes.begin(), notes.end());
  return doc;
}

}  // namespace dnnroof

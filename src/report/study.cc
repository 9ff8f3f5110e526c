#include "report/study.h"

#include <fmt/format.h>
#include <unistd.h>

#include <ctime>
#include <limits>
#include <map>
#include <set>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"
#include "core/version.h"
#include "report/chip_rooflines.h"
#include "report/hierarchical_roofline.h"
#include "report/paper.h"
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

// The device a record ran on, with the ceilings that judge it: measured
// with the same thread count, dtype and device (DESIGN.md). On the CPU:
// host-measured's ceilings of the record's thread count; failing those, the
// host's derived (datasheet) ceilings for that thread count (scaled from the
// whole chip, and said so); never another thread count's.
MeasuredDevice make_device(const ResultRecord& r, const Catalog& catalog, const std::string& here,
                           bool several_hosts, bool several_threads) {
  MeasuredDevice d;
  d.key = device_key(r);
  d.device = r.device;
  d.gpu = r.device.starts_with("cuda");
  d.threads = d.gpu ? 0 : threads_in_force(r);
  d.short_name = !r.conditions.partition.empty()
                     ? fmt::format("{}@{}", r.device, r.conditions.partition)
                 : several_hosts ? fmt::format("{}@{}", r.device, r.conditions.host_name)
                                 : r.device;
  if (!d.gpu && several_threads && d.threads > 0) {
    d.short_name += fmt::format(", {} thread{}", d.threads, d.threads == 1 ? "" : "s");
  }
  d.figure_id = d.gpu || !several_threads ? std::string() : fmt::format("{}t", d.threads);
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
  const std::string threads_words =
      d.threads > 0 ? fmt::format("{} thread{}", d.threads, d.threads == 1 ? "" : "s") : "";
  std::vector<std::string> why;
  for (const auto& [id, source] : candidates) {
    const Chip* chip = find_chip(catalog, id);
    if (chip == nullptr) {
      why.push_back(fmt::format("chip '{}' is not in the catalog", id));
      continue;
    }
    try {
      try {
        d.ceilings = chip_ceilings_for_threads(*chip, r.dtype, source, d.threads);
      } catch (const Error& e) {
        // A derived (datasheet) CPU chip is the whole chip's: scaled to the
        // run's thread count, explicitly. A measured one is never scaled.
        if (source != CeilingSource::datasheet || d.gpu || !chip->thread_ceilings.empty() ||
            chip_threads(*chip) <= 0 || d.threads > chip_threads(*chip)) {
          throw;
        }
        d.ceilings = scaled_chip_ceilings(*chip, r.dtype, source, d.threads);
      }
      d.chip_id = id;
      d.name = fmt::format(
          "{} ({}{})", chip->name.empty() ? id : chip->name, d.short_name,
          d.gpu || several_threads || threads_words.empty() ? "" : ", " + threads_words);
      const RoofCeiling& first = d.ceilings.front();
      d.note = fmt::format(
          "Ceilings: {} {}{} ({}{}).", id, dtype_name(r.dtype),
          d.gpu || threads_words.empty() ? ""
                                         : fmt::format(" for {}, as these runs had", threads_words),
          source == CeilingSource::measured ? "measured on this machine by `dnnroof probe`"
                                            : "catalog",
          first.scaling.empty() ? "" : fmt::format("; {}", first.scaling));
      if (!why.empty())
        d.note += fmt::format(" Not {}: {}.", candidates.front().first, join(why, "; "));
      if (source == CeilingSource::datasheet && id == "host") {
        d.note +=
            " Not probed for this thread count: run `dnnroof probe` (with --also-threads "
            "for other counts; `dnnroof report` does it) for measured ceilings.";
      }
      return d;
    } catch (const Error& e) {
      why.push_back(e.what());
    }
  }
  d.chip_id = r.chip;
  d.name = r.conditions.cpu_model.empty() || d.gpu
               ? d.short_name
               : fmt::format("{} ({})", r.conditions.cpu_model, d.short_name);
  if (candidates.empty()) {
    why.push_back(
        fmt::format("measured on host '{}', not this machine, and recorded as chip "
                    "'host'; add its chip with --catalog and name it in the results",
                    r.conditions.host_name));
  }
  d.note = join(why, "; ");
  return d;
}

// "1.4 What the numbers say" -> "What the numbers say".
std::string strip_number(const std::string& heading) {
  const std::size_t space = heading.find(' ');
  return space == std::string::npos ? heading : heading.substr(space + 1);
}

// What the hierarchical roofline draws, level by level as measured: the
// levels with a measured bandwidth, and those without (not drawn) named.
std::string hierarchical_caption(const Chip& measured) {
  std::vector<std::string> drawn, missing;
  for (const MemoryLevel& m : measured.memory) {
    (m.bandwidth.value > 0 ? drawn : missing).push_back(m.name);
  }
  std::string caption = fmt::format(
      "The host's roofs derived from its detected facts (datasheet method) and the roofs "
      "`dnnroof probe` measured: the peak against every memory level with a measured "
      "bandwidth ({}). Each line is one ceiling; a layer whose data stays in a cache level is "
      "bounded by that level's roof, not by DRAM's.",
      drawn.empty() ? std::string("none") : join(drawn, ", "));
  if (!missing.empty()) {
    caption += fmt::format(
        " No measured roof for {}: the probe's bandwidth sweep found no plateau for {}.",
        join(missing, ", "), missing.size() == 1 ? "it" : "them");
  }
  return caption;
}

// The host's datasheet (derived) roofs against what `dnnroof probe`
// measured, as one hierarchical roofline, before the chips' commentary;
// the subsections after it are renumbered.
void add_hierarchical_roofline(const Catalog& catalog, DType precision, Section& section,
                               std::vector<std::string>& notes) {
  const Chip* host = find_chip(catalog, "host");
  const Chip* measured = find_chip(catalog, "host-measured");
  if (host == nullptr || measured == nullptr) return;
  std::vector<Block> blocks;
  blocks.reserve(3);  // also keeps GCC 12's -Wnull-dereference quiet (as in chip_study.cc)
  blocks.emplace_back(Heading{3, "x This machine: derived against measured roofs"});
  try {
    FigureBlock fig;
    fig.id = "host-hierarchical";
    fig.panels.push_back(hierarchical_roofline(*host, measured, precision));
    fig.title = fig.panels.front().title;
    fig.caption = hierarchical_caption(*measured);
    std::string text;
    const auto hp = host->peak.find(precision);
    const auto mp = measured->peak.find(precision);
    if (hp != host->peak.end() && mp != measured->peak.end() && hp->second.value > 0) {
      text = fmt::format("Measured {} peak: {} ({:.0f}% of the derived {}).", dtype_name(precision),
                         format_si(mp->second.value, "FLOP/s"),
                         100 * mp->second.value / hp->second.value,
                         format_si(hp->second.value, "FLOP/s"));
    }
    std::vector<std::string> levels;
    bool descending = true;  // each level down slower than the one above
    double above = std::numeric_limits<double>::infinity();
    for (const MemoryLevel& m : measured->memory) {
      if (m.bandwidth.value > 0) {
        levels.push_back(fmt::format("{} {}", m.name, format_si(m.bandwidth.value, "B/s")));
        descending = descending && m.bandwidth.value < above;
        above = m.bandwidth.value;
      }
    }
    if (!levels.empty()) {
      text += fmt::format(" Measured bandwidth per level: {}", join(levels, ", "));
      text += descending && levels.size() >= 2
                  ? "; each level down is a lower roof, so the same layer is bound differently "
                    "depending on where its working set lives."
                  : ".";
    }
    blocks.emplace_back(std::move(fig));
    if (!text.empty()) blocks.emplace_back(Paragraph{text});
  } catch (const Error& e) {
    notes.push_back(fmt::format("no hierarchical roofline of the host: {}", e.what()));
    return;
  }
  std::vector<Block> merged;
  merged.reserve(section.blocks.size() + blocks.size());
  bool inserted = false;
  for (Block& b : section.blocks) {
    const auto* h = std::get_if<Heading>(&b);
    if (!inserted && h != nullptr && h->text.find("What the numbers say") != std::string::npos) {
      for (Block& n : blocks) merged.push_back(std::move(n));
      inserted = true;
    }
    merged.push_back(std::move(b));
  }
  if (!inserted) {
    for (Block& n : blocks) merged.push_back(std::move(n));
  }
  section.blocks = std::move(merged);
  // Renumber the level-3 headings: "<section>.<k> title".
  const std::string number = section.title.substr(0, section.title.find('.'));
  int k = 0;
  for (Block& b : section.blocks) {
    if (auto* h = std::get_if<Heading>(&b); h != nullptr && h->level == 3) {
      h->text = fmt::format("{}.{} {}", number, ++k, strip_number(h->text));
    }
  }
}

// Adds the costs of `model` (built from `source`) at `batch` to data.costs;
// an Error becomes the note "no cost model for <model> at batch <batch><why>:
// <error>".
void add_model_costs(MeasuredData& data, const std::string& source, const std::string& model,
                     std::int64_t batch, DType dtype, const GraphLoader& load,
                     const std::string& why) {
  ModelCosts& mc = data.costs[model];
  try {
    const ModelCosts one = compute_model_costs(source, model, {batch}, dtype, load);
    mc.name = model;
    mc.family = one.family;
    mc.infer.insert(one.infer.begin(), one.infer.end());
    mc.train.insert(one.train.begin(), one.train.end());
  } catch (const Error& e) {
    data.notes.push_back(
        fmt::format("no cost model for {} at batch {}{}: {}", model, batch, why, e.what()));
  }
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

Document build_study(const Catalog& catalog, const HostInfo* host,
                     const StudyOptions& options_with_llm, std::vector<std::string>* notes_out) {
  // Language-model records (llm_phase set) go to their own section only.
  StudyOptions options = options_with_llm;
  std::vector<ResultRecord> llm_records;
  std::erase_if(options.records, [&](const ResultRecord& r) {
    if (r.llm_phase.empty()) return false;
    llm_records.push_back(r);
    return true;
  });
  const bool with_llm = !options.llm.models.empty() || !llm_records.empty();
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

  const bool chips_only = options.models.empty() && options.records.empty() && options.ncu.empty();
  // The paper's order: 1 introduction, 2 methods, then the results from 3,
  // then discussion, threats to validity and conclusion; the chips-only
  // report is the chips section alone.
  int next_number = chips_only ? 1 : 3;
  auto number = [&] { return std::to_string(next_number++); };
  ChipStudyOptions chip_options = options.chips;
  chip_options.section_number = number();
  ChipStudy chip_study = build_chip_study(chips, used_host, chip_options);
  notes.insert(notes.end(), chip_study.notes.begin(), chip_study.notes.end());
  if (used_host != nullptr)
    add_hierarchical_roofline(catalog, options.chips.precision, chip_study.section, notes);
  std::vector<Section> results;
  results.push_back(std::move(chip_study.section));
  for (DataFile& d : chip_study.data) doc.data_files.push_back(std::move(d));

  PaperContext paper;
  paper.chips = chips;
  paper.host = used_host;
  paper.run = &options.run;
  paper.precision = options.dtype;

  // The language-model section, numbered after the results before it.
  auto llm_section = [&]() {
    std::vector<MeasuredDevice> devices;
    const std::string here = this_host_name();
    std::set<std::string> llm_hosts;
    for (const ResultRecord& r : llm_records) llm_hosts.insert(r.conditions.host_name);
    for (const ResultRecord& r : llm_records) {
      if (std::any_of(devices.begin(), devices.end(),
                      [&](const MeasuredDevice& d) { return d.key == device_key(r); })) {
        continue;
      }
      devices.push_back(make_device(r, catalog, here, llm_hosts.size() > 1, false));
    }
    LlmSectionInput in =
        make_llm_section_input(catalog, options.llm, options.chip_ids, llm_records, devices);
    MeasuredSection m = build_llm_section(in, number());
    notes.insert(notes.end(), in.notes.begin(), in.notes.end());
    for (DataFile& d : m.data) doc.data_files.push_back(std::move(d));
    return m;
  };
  if (chips_only) {
    doc.sections.push_back(std::move(results.front()));
    if (with_llm) doc.sections.push_back(llm_section().section);
    doc.sections.push_back(references_section(paper, compute_findings(paper)));
    if (notes_out != nullptr) notes_out->insert(notes_out->end(), notes.begin(), notes.end());
    return doc;
  }

  // Section 2: the cost model of every model asked for.
  std::vector<ModelCosts> static_models;
  std::vector<std::int64_t> batches = options.batches;
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
    mo.section_number = number();
    SectionBuild models = build_model_section(static_models, mo);
    notes.insert(notes.end(), models.notes.begin(), models.notes.end());
    results.push_back(std::move(models.section));
    for (DataFile& d : models.data) doc.data_files.push_back(std::move(d));
  }

  // Sections 3-6 from the records.
  MeasuredData data;
  data.records = options.records;
  data.precision = options.dtype;
  for (const ModelCosts& m : static_models) data.costs[m.name] = m;
  for (const ResultRecord& r : data.records) {
    if (r.status == RecordStatus::failed) continue;
    if (data.costs[r.model].infer.count(r.batch) != 0) continue;
    add_model_costs(data, r.source.empty() ? r.model : r.source, r.model, r.batch, r.dtype,
                    options.load_graph, "");
  }
  std::set<std::string> hosts;
  std::map<std::string, std::set<int>> thread_counts;  // by device@host
  for (const ResultRecord& r : data.records) {
    hosts.insert(r.conditions.host_name);
    thread_counts[fmt::format("{}@{}", r.device, r.conditions.host_name)].insert(
        threads_in_force(r));
  }
  const std::string here = this_host_name();
  for (const ResultRecord& r : data.records) {
    if (data.device_of(r) != nullptr) continue;
    data.devices.push_back(make_device(
        r, catalog, here, hosts.size() > 1,
        thread_counts[fmt::format("{}@{}", r.device, r.conditions.host_name)].size() > 1));
    if (data.devices.back().ceilings.empty()) {
      data.notes.push_back(fmt::format("no roofline for {}: {}", data.devices.back().short_name,
                                       data.devices.back().note));
    }
  }
  data.ncu = options.ncu;
  for (const NcuResults& r : data.ncu) {
    if (r.comparison || r.model.empty() || r.batch <= 0) continue;
    const bool training = r.mode == "train";
    const ModelCosts& mc = data.costs[r.model];
    const std::int64_t b = r.batch;
    if ((training ? mc.train : mc.infer).count(b) != 0) continue;
    add_model_costs(data, r.model, r.model, b, options.dtype, options.load_graph,
                    fmt::format(" (Nsight Compute results {})", r.summary.source));
  }
  notes.insert(notes.end(), data.notes.begin(), data.notes.end());

  std::vector<std::string> flags;
  auto add = [&](MeasuredSection m) {
    results.push_back(std::move(m.section));
    for (DataFile& d : m.data) doc.data_files.push_back(std::move(d));
    flags.insert(flags.end(), m.flags.begin(), m.flags.end());
  };
  if (data.records.empty()) {
    const char* why =
        "Nothing was measured for this report (no results given and measuring was off), so this "
        "section is empty; `dnnroof report` measures on this machine, `--results FILE` reads "
        "measurements from others.";
    const std::string n3 = number();
    Section s3{"benchmarks", n3 + ". Benchmarks", {Paragraph{why}}};
    const std::string n4 = number();
    Section s4{"utilisation",
               n4 + ". Hardware utilisation",
               {Paragraph{data.ncu.empty()
                              ? std::string(why)
                              : "No benchmark was measured or given for this report, so there "
                                "are no timed points on the rooflines; the FLOPs and bytes "
                                "Nsight Compute measured follow."}}};
    results.push_back(s3);
    MeasuredSection ncu = build_ncu_subsection(data, n4 + ".1");
    for (Block& b : ncu.section.blocks) s4.blocks.push_back(std::move(b));
    ncu.section.blocks.clear();
    results.push_back(s4);
    for (DataFile& d : ncu.data) doc.data_files.push_back(std::move(d));
    flags.insert(flags.end(), ncu.flags.begin(), ncu.flags.end());
    add(build_training_section(data, static_models, number()));
    results.push_back(
        Section{"prediction", number() + ". Predicted vs measured", {Paragraph{why}}});
  } else {
    add(build_benchmark_section(data, number()));
    add(build_utilisation_section(data, number()));
    add(build_training_section(data, static_models, number()));
    add(build_prediction_section(data, number()));
  }
  if (with_llm) {
    MeasuredSection m = llm_section();
    results.push_back(std::move(m.section));
    flags.insert(flags.end(), m.flags.begin(), m.flags.end());
  }

  // The paper around the results.
  paper.data = &data;
  paper.models = &static_models;
  paper.overlay_chips = mo.overlay_chips;
  paper.flags = flags.size();
  for (const Section& r : results) paper.results_sections.push_back(r.title);
  const PaperFindings findings = compute_findings(paper);
  if (options.title.empty() || options.title == "dnnroof study") {
    doc.title = paper_title(paper, findings);
  }
  doc.sections.push_back(abstract_section(paper, findings));
  doc.sections.push_back(introduction_section(paper, findings, "1"));
  Section methods = build_methods_section(data, options.run, used_host, "2");
  doc.sections.push_back(std::move(methods));
  for (Section& r : results) doc.sections.push_back(std::move(r));
  doc.sections.push_back(discussion_section(paper, findings, number()));
  doc.sections.push_back(threats_section(paper, findings, number()));
  doc.sections.push_back(conclusion_section(paper, findings, number()));
  doc.sections.push_back(references_section(paper, findings));
  doc.sections.push_back(worked_example_section(options.load_graph, "A"));
  Section caveats = build_caveats_section(data, options.run, used_host, flags, notes, "B");
  caveats.title = "Appendix B. Caveats of this run";
  doc.sections.push_back(std::move(caveats));
  if (notes_out != nullptr) notes_out->insert(notes_out->end(), notes.begin(), notes.end());
  return doc;
}

}  // namespace dnnroof

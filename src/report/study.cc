#include "report/study.h"

#include <fmt/format.h>

#include <ctime>

#include "core/error.h"
#include "core/version.h"

namespace dnnroof {

std::string utc_now_text() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

Document build_study(const Catalog& catalog, const HostInfo* host, const StudyOptions& options,
                     std::vector<std::string>* notes) {
  std::vector<const Chip*> chips;
  if (options.chip_ids.empty()) {
    for (const Chip& c : catalog.chips()) {
      if (c.id == "host" && !options.include_host) continue;
      chips.push_back(&c);
    }
  } else {
    for (const std::string& id : options.chip_ids) chips.push_back(&catalog.get(id));
  }
  if (chips.empty()) fail("no chip to report on: the catalog is empty");

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
  if (notes != nullptr) {
    notes->insert(notes->end(), chip_study.notes.begin(), chip_study.notes.end());
  }
  doc.sections.push_back(std::move(chip_study.section));
  for (DataFile& d : chip_study.data) doc.data_files.push_back(std::move(d));
  return doc;
}

}  // namespace dnnroof

#pragma once
// The whole study as one Document, section by section. Today: section 1,
// the chips; later issues add the models, the measurements and the analysis
// as further sections built the same way.

#include <string>
#include <vector>

#include "hw/catalog.h"
#include "hw/host.h"
#include "report/chip_study.h"
#include "report/document.h"

namespace dnnroof {

struct StudyOptions {
  std::string title = "dnnroof study";
  // Chips to include (catalog ids); empty: the whole catalog.
  std::vector<std::string> chip_ids;
  bool include_host = true;  // the detected machine as a chip and its facts
  ChipStudyOptions chips;
  std::string generated_at;  // "2026-11-21 23:40 UTC"; empty: now
};

// Builds the document from `catalog` (and `host`, used when include_host).
// `notes` receives the chips left out of figures and why. Throws Error for
// an unknown chip id (listing the closest) or when no chip is left.
Document build_study(const Catalog& catalog, const HostInfo* host, const StudyOptions& options,
                     std::vector<std::string>* notes = nullptr);

// The current UTC time as "YYYY-MM-DD HH:MM UTC".
std::string utc_now_text();

}  // namespace dnnroof

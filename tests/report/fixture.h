#pragma once
// The report tests' fixture catalog (tests/report/data/fixture.toml) and
// hand-made chips for cases the catalog format rejects; with it the shared
// hand-made records and ceilings (support/study_fixtures.h) and the readers
// of a built report (support/report_text.h).

#include <cstdint>
#include <string>
#include <vector>

#include "hw/catalog.h"
#include "report/section_models.h"
#include "report/study.h"
#include "support/report_text.h"
#include "support/study_fixtures.h"

namespace dnnroof::testing {

// fx-gpu-a, fx-gpu-b, fx-cpu, fx-asic (see the file for the numbers).
const Catalog& fixture_catalog();
std::vector<const Chip*> fixture_chips();

// A chip with only a peak and a main-memory bandwidth (0: unknown).
Chip simple_chip(std::string id, ChipKind kind, DType precision, double peak_flops,
                 double bandwidth);

// The zoo's model (build_zoo_model) with its family: the loader the report
// tests give StudyOptions::load_graph and compute_model_costs.
LoadedModel zoo_model(const std::string& source, std::int64_t batch, DType dtype);

// The study options of the report tests: zoo models (zoo_model), no host,
// generated at "2026-01-01 00:00 UTC"; chips, models and records unset.
StudyOptions study_options();

}  // namespace dnnroof::testing

#pragma once
// Reading and writing results files (versioned JSON, docs/results-schema.md),
// appending to them during a sweep and resuming one.

#include <filesystem>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>

#include "store/record.h"

namespace dnnroof {

// The JSON document of a results file (schema_version, generator, records);
// schema_version is always kResultsSchemaVersion, the format written here.
// Throughput is written with every record for people reading the file; it is
// derived (throughput_per_s) and ignored when read back.
nlohmann::json results_to_json(const ResultsFile& file);

// Parses the text of a results file; `name` (usually the path) goes into
// every error message. Throws Error when: the text is not JSON (with the
// line, column and byte of the error), schema_version is missing or differs
// from kResultsSchemaVersion (naming both versions), or a record lacks a
// required field or has one of the wrong type (naming the record's index and
// the field).
ResultsFile parse_results(std::string_view text, std::string_view name);

// Reads and parses `path`; an unreadable file is an Error naming it.
ResultsFile load_results(const std::filesystem::path& path);

// Writes `file` to `path` atomically (write_file_atomic): an interrupted
// write leaves the previous file whole.
void save_results(const std::filesystem::path& path, const ResultsFile& file);

// Adds `record` to the results file at `path` (created when missing),
// replacing a record with the same key in place, and rewrites the file
// atomically, so a sweep that is killed keeps every record finished before.
// Returns true when a record was replaced.
bool append_record(const std::filesystem::path& path, const ResultRecord& record);

// The keys a resumed sweep can skip: records with status ok or noisy, and
// failed ones too when `include_failed` (by default a failure is retried).
std::set<ConfigKey> finished_keys(const ResultsFile& file, bool include_failed = false);

}  // namespace dnnroof

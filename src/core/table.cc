#include "core/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace dnnroof {

OutputFormat parse_output_format(std::string_view name) {
  if (name == "table") return OutputFormat::table;
  if (name == "csv") return OutputFormat::csv;
  if (name == "json") return OutputFormat::json;
  fail("unknown format '{}' (valid: table, csv, json)", name);
}

Table::Table(std::vector<std::string> columns, std::vector<std::string> keys)
    : columns_(std::move(columns)), keys_(std::move(keys)) {
  if (keys_.empty()) keys_ = columns_;
  if (keys_.size() != columns_.size()) {
    fail("table: {} keys for {} columns", keys_.size(), columns_.size());
  }
}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != columns_.size()) {
    fail("table: row has {} cells, header has {}", row.size(), columns_.size());
  }
  rows_.push_back(std::move(row));
}

std::string Table::render(OutputFormat format) const {
  switch (format) {
    case OutputFormat::table:
      return to_text();
    case OutputFormat::csv:
      return to_csv();
    case OutputFormat::json:
      return to_json();
  }
  return {};
}

std::string Table::to_text() const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].text.size());
  }
  // Columns whose cells are all numbers are right-aligned.
  std::vector<bool> numeric(columns_.size(), !rows_.empty());
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (!row[c].number && !row[c].text.empty() && row[c].text != "-") numeric[c] = false;
    }
  }
  auto line = [&](auto cell_text, bool header) {
    std::string out;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      if (c) out += "  ";
      const std::string& t = cell_text(c);
      if (numeric[c] && !header) {
        out += fmt::format("{:>{}}", t, width[c]);
      } else if (c + 1 == columns_.size()) {
        out += t;
      } else {
        out += fmt::format("{:<{}}", t, width[c]);
      }
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line([&](std::size_t c) -> const std::string& { return columns_[c]; }, true);
  std::string rule;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (c) rule += "  ";
    rule += std::string(width[c], '-');
  }
  out += rule + "\n";
  for (const auto& row : rows_) {
    out += line([&](std::size_t c) -> const std::string& { return row[c].text; }, false);
  }
  return out;
}

std::string csv_escape(std::string_view field) {
  if (field.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char ch : field) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string Table::to_csv() const {
  std::string out;
  for (std::size_t c = 0; c < keys_.size(); ++c) {
    if (c) out += ',';
    out += csv_escape(keys_[c]);
  }
  out += '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c) out += ',';
      if (row[c].number) {
        out += fmt::format("{}", *row[c].number);
      } else {
        out += csv_escape(row[c].text);
      }
    }
    out += '\n';
  }
  return out;
}

std::string Table::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& row : rows_) {
    nlohmann::json obj = nlohmann::json::object();
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (row[c].number) {
        obj[keys_[c]] = *row[c].number;
      } else {
        obj[keys_[c]] = row[c].text;
      }
    }
    arr.push_back(std::move(obj));
  }
  return arr.dump(2) + "\n";
}

}  // namespace dnnroof

#pragma once
// One table, three renderings: aligned text for people, CSV (RFC 4180, full
// precision numbers, pandas-ready) and JSON (an array of objects, numbers as
// numbers) for programs. Every command that prints data builds a Table and
// renders it in the format the user chose with --format.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dnnroof {

enum class OutputFormat { table, csv, json };

// "table", "csv" or "json"; throws Error otherwise.
OutputFormat parse_output_format(std::string_view name);

// A cell shows `text` to people; programs get `number` when it is set (in base
// SI units, unscaled), else `text`.
struct Cell {
  std::string text;
  std::optional<double> number;

  Cell() = default;
  Cell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit on purpose
  Cell(const char* t) : text(t) {}             // NOLINT
  Cell(double value, std::string t) : text(std::move(t)), number(value) {}
};

class Table {
 public:
  // `columns` are the header names; for CSV/JSON keys use `keys` (snake_case
  // with the unit, e.g. "peak_flops"); when empty the headers are used.
  explicit Table(std::vector<std::string> columns, std::vector<std::string> keys = {});

  // Adds a row; throws Error if its width differs from the header's.
  void add_row(std::vector<Cell> row);

  std::size_t rows() const { return rows_.size(); }
  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::string>& keys() const { return keys_; }  // CSV/JSON names
  const std::vector<std::vector<Cell>>& data() const { return rows_; }

  std::string render(OutputFormat format) const;
  std::string to_text() const;
  std::string to_csv() const;
  std::string to_json() const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::string> keys_;
  std::vector<std::vector<Cell>> rows_;
};

// Quotes a CSV field when it holds a comma, quote or newline.
std::string csv_escape(std::string_view field);

}  // namespace dnnroof

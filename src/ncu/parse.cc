// Reading `ncu --csv` output: the details page and `--page raw`.

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "core/error.h"
#include "core/strings.h"
#include "ncu/ncu.h"

namespace dnnroof {

std::string_view ncu_layout_name(NcuLayout l) {
  return l == NcuLayout::details ? "details" : "raw";
}

std::optional<double> NcuKernel::get(std::string_view metric) const {
  const auto it = metrics.find(std::string(metric));
  if (it == metrics.end()) return std::nullopt;
  return it->second.value;
}

std::optional<double> parse_ncu_number(std::string_view text) {
  const std::string t = trim(text);
  if (t.empty() || t == "n/a" || t == "N/A") return std::nullopt;
  std::string digits;
  digits.reserve(t.size());
  for (char c : t) {
    if (c != ',') digits.push_back(c);
  }
  double v = 0;
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  if (!digits.empty() && *first == '+') ++first;
  const auto [ptr, ec] = std::from_chars(first, last, v);
  if (ec != std::errc() || ptr != last || first == last || !std::isfinite(v)) {
    fail("'{}' is not a number", t);
  }
  return v;
}

namespace {

struct UnitScale {
  std::string_view unit;
  double factor;
  std::string_view base;
};

// Units ncu prints. SI prefixes are decimal (1 Kbyte = 1000 byte), as ncu's
// own scaling is; the binary spellings are accepted too.
constexpr std::array kUnits{
    UnitScale{"nsecond", 1e-9, "second"},
    UnitScale{"usecond", 1e-6, "second"},
    UnitScale{"msecond", 1e-3, "second"},
    UnitScale{"second", 1.0, "second"},
    UnitScale{"ns", 1e-9, "second"},
    UnitScale{"us", 1e-6, "second"},
    UnitScale{"ms", 1e-3, "second"},
    UnitScale{"s", 1.0, "second"},
    UnitScale{"byte", 1.0, "byte"},
    UnitScale{"Kbyte", 1e3, "byte"},
    UnitScale{"Mbyte", 1e6, "byte"},
    UnitScale{"Gbyte", 1e9, "byte"},
    UnitScale{"Tbyte", 1e12, "byte"},
    UnitScale{"B", 1.0, "byte"},
    UnitScale{"KB", 1e3, "byte"},
    UnitScale{"MB", 1e6, "byte"},
    UnitScale{"GB", 1e9, "byte"},
    UnitScale{"TB", 1e12, "byte"},
    UnitScale{"Kibyte", 1024.0, "byte"},
    UnitScale{"Mibyte", 1048576.0, "byte"},
    UnitScale{"Gibyte", 1073741824.0, "byte"},
    UnitScale{"KiB", 1024.0, "byte"},
    UnitScale{"MiB", 1048576.0, "byte"},
    UnitScale{"GiB", 1073741824.0, "byte"},
};

// Count units that ncu may scale with K/M/G/T ("Kinst").
constexpr std::array<std::string_view, 6> kCountUnits{"inst",   "op",   "ops",
                                                      "thread", "warp", "sector"};

double si_prefix(char c) {
  switch (c) {
    case 'K':
    case 'k':
      return 1e3;
    case 'M':
      return 1e6;
    case 'G':
      return 1e9;
    case 'T':
      return 1e12;
    default:
      return 0;
  }
}

}  // namespace

BaseQuantity ncu_to_base(std::string_view value_text, std::string_view unit_in) {
  const std::string unit = trim(unit_in);
  const std::optional<double> v = parse_ncu_number(value_text);
  const double value = v.value_or(std::nan(""));
  for (const UnitScale& u : kUnits) {
    if (unit == u.unit) return {value * u.factor, std::string(u.base)};
  }
  for (std::string_view c : kCountUnits) {
    if (unit == c) return {value, std::string(c)};
    if (unit.size() == c.size() + 1 && std::string_view(unit).substr(1) == c &&
        si_prefix(unit[0]) > 0) {
      return {value * si_prefix(unit[0]), std::string(c)};
    }
  }
  // Anything else ("%", "cycle", "byte/second", "") is kept as printed.
  return {value, unit};
}

namespace {

// One CSV record with the line it started on.
struct Record {
  std::vector<std::string> fields;
  int line = 0;
  bool quoted = false;  // the first field was quoted
};

// Splits one line into RFC 4180 fields ("" inside quotes is a quote). Throws
// for an unterminated quote or text after a closing quote.
std::vector<std::string> split_csv_line(std::string_view line, const std::string& where) {
  std::vector<std::string> out;
  std::string field;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    field.clear();
    if (i < n && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field.push_back(line[i++]);
      }
      if (!closed) fail("{}: unterminated quoted field (field {})", where, out.size() + 1);
      if (i < n && line[i] != ',') {
        fail("{}: unexpected text after the closing quote of field {}", where, out.size() + 1);
      }
    } else {
      while (i < n && line[i] != ',') field.push_back(line[i++]);
    }
    out.push_back(field);
    if (i >= n) break;
    ++i;  // the comma
    if (i == n) {
      out.emplace_back();
      break;
    }
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

int find_column(const std::vector<std::string>& header, std::string_view name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// Metric names hold "__" ("dram__bytes_read.sum"); the descriptive columns
// of the raw page ("Kernel Name", "Block Size", ...) do not.
bool is_metric_column(std::string_view name) { return name.find("__") != std::string_view::npos; }

// Metrics whose value must be a number in a known unit family.
enum class Family { none, time, bytes, count };
Family metric_family(std::string_view metric) {
  if (metric == ncu_metric::kTime) return Family::time;
  if (starts_with(metric, "dram__bytes") || metric == ncu_metric::kL2 ||
      metric == ncu_metric::kL1) {
    return Family::bytes;
  }
  if (metric.find("sass_thread_inst_executed_op_") != std::string_view::npos ||
      starts_with(metric, "sm__ops_path_tensor") ||
      starts_with(metric, "sm__inst_executed_pipe_tensor")) {
    return Family::count;
  }
  return Family::none;
}

// Stores one metric value of `k`, checking the metrics dnnroof uses.
void store_value(NcuKernel& k, const std::string& metric, const std::string& value,
                 const std::string& unit, const std::string& where) {
  const Family family = metric_family(metric);
  if (family == Family::none) {
    // Not used for the counts: keep numbers, keep the rest as text.
    try {
      const BaseQuantity q = ncu_to_base(value, unit);
      if (!std::isnan(q.value)) k.metrics.emplace(metric, NcuValue{q.value, q.unit, 0});
    } catch (const Error&) {
      k.strings.emplace(metric, value);
    }
    return;
  }
  BaseQuantity q;
  try {
    q = ncu_to_base(value, unit);
  } catch (const Error& e) {
    fail("{}: metric '{}': {}", where, metric, e.what());
  }
  if (std::isnan(q.value)) return;  // "n/a": not collected for this kernel
  const bool ok = (family == Family::time && q.unit == "second") ||
                  (family == Family::bytes && q.unit == "byte") ||
                  (family == Family::count && q.unit != "second" && q.unit != "byte" &&
                   q.unit.find('/') == std::string::npos && q.unit != "%");
  if (!ok) {
    fail("{}: metric '{}' has unit '{}', expected {}", where, metric, unit,
         family == Family::time    ? "a time (nsecond, usecond, msecond, second)"
         : family == Family::bytes ? "bytes (byte, Kbyte, Mbyte, Gbyte)"
                                   : "a count (inst or none)");
  }
  if (q.value < 0) fail("{}: metric '{}' is negative ({})", where, metric, value);
  k.metrics.emplace(metric, NcuValue{q.value, q.unit, 0});
}

std::string location(const std::string& source, int line) {
  return fmt::format("{}:{}", source, line);
}

}  // namespace

NcuProfile parse_ncu_csv(std::string_view text, const std::string& source) {
  NcuProfile profile;
  profile.source = source;

  // Lines, with ncu's own noise set aside.
  std::vector<Record> records;
  int skipped_foreign = 0;
  int first_foreign = 0;
  int line_no = 0;
  bool have_header = false;
  bool header_quoted = false;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 && starts_with(line, "\xEF\xBB\xBF")) line.remove_prefix(3);  // BOM
    if (trim(line).empty()) {
      if (end == text.size()) break;
      continue;
    }
    if (starts_with(line, "==")) {
      // ==PROF== progress, ==WARNING==, ==ERROR==: not data.
      if (starts_with(line, "==ERROR==") || starts_with(line, "==WARNING==")) {
        profile.notes.push_back(fmt::format("line {}: {}", line_no, trim(line)));
      }
      if (end == text.size()) break;
      continue;
    }
    const bool quoted = line.front() == '"';
    if (!have_header) {
      // The header is the first line naming the "Kernel Name" column.
      if (line.find("Kernel Name") == std::string_view::npos) {
        ++skipped_foreign;
        if (first_foreign == 0) first_foreign = line_no;
      } else {
        have_header = true;
        header_quoted = quoted;
        records.push_back({split_csv_line(line, location(source, line_no)), line_no, quoted});
      }
    } else if (header_quoted && !quoted) {
      // ncu quotes every field; an unquoted line is the program's own output
      // (ncu --csv > file mixes them; --log-file keeps them apart).
      ++skipped_foreign;
      if (first_foreign == 0) first_foreign = line_no;
    } else {
      records.push_back({split_csv_line(line, location(source, line_no)), line_no, quoted});
    }
    if (end == text.size()) break;
  }
  if (records.empty()) {
    fail(
        "{}: no Nsight Compute CSV header (a row with a \"Kernel Name\" column); write it with "
        "`ncu --csv --page raw --log-file FILE ...` (see `dnnroof profile-cmd`)",
        source);
  }
  if (skipped_foreign > 0) {
    profile.notes.push_back(
        fmt::format("skipped {} line(s) that are not Nsight Compute CSV (program output?), the "
                    "first at line {}",
                    skipped_foreign, first_foreign));
  }

  const std::vector<std::string>& header = records.front().fields;
  const int header_line = records.front().line;
  const int c_id = find_column(header, "ID");
  const int c_name = find_column(header, "Kernel Name");
  const int c_metric = find_column(header, "Metric Name");
  const int c_unit = find_column(header, "Metric Unit");
  const int c_value = find_column(header, "Metric Value");
  const auto check_width = [&](const Record& r) {
    if (r.fields.size() != header.size()) {
      fail("{}: malformed row: {} fields, the header (line {}) has {}", location(source, r.line),
           r.fields.size(), header_line, header.size());
    }
  };

  if (c_metric >= 0 || c_value >= 0) {
    // Details page: one row per (kernel, metric).
    profile.layout = NcuLayout::details;
    if (c_metric < 0 || c_value < 0 || c_unit < 0) {
      fail(
          "{}: the details layout needs the columns \"Metric Name\", \"Metric Unit\" and "
          "\"Metric Value\"",
          location(source, header_line));
    }
    std::map<std::string, std::size_t> by_id;
    for (std::size_t i = 1; i < records.size(); ++i) {
      const Record& r = records[i];
      check_width(r);
      const std::string id = c_id >= 0 ? r.fields[static_cast<std::size_t>(c_id)] : "";
      const std::string& name = r.fields[static_cast<std::size_t>(c_name)];
      // Without an ID column, consecutive rows of one kernel name form a
      // kernel until a metric repeats.
      std::size_t index = 0;
      bool fresh = false;
      if (c_id >= 0) {
        const auto it = by_id.find(id);
        fresh = it == by_id.end();
        if (!fresh) index = it->second;
      } else {
        fresh =
            profile.kernels.empty() || profile.kernels.back().name != name ||
            profile.kernels.back().metrics.contains(r.fields[static_cast<std::size_t>(c_metric)]) ||
            profile.kernels.back().strings.contains(r.fields[static_cast<std::size_t>(c_metric)]);
        index = profile.kernels.size() - 1;
      }
      if (fresh) {
        NcuKernel k;
        k.id = id;
        k.name = name;
        k.line = r.line;
        profile.kernels.push_back(std::move(k));
        index = profile.kernels.size() - 1;
        if (c_id >= 0) by_id.emplace(id, index);
      }
      NcuKernel& k = profile.kernels[index];
      if (k.name != name) {
        fail("{}: kernel ID {} is '{}' here but '{}' at line {}", location(source, r.line), id,
             name, k.name, k.line);
      }
      std::string metric = r.fields[static_cast<std::size_t>(c_metric)];
      // The SpeedOfLight section prints the duration under its display name.
      if (metric == "Duration" && !k.metrics.contains(std::string(ncu_metric::kTime))) {
        metric = std::string(ncu_metric::kTime);
      }
      if (k.metrics.contains(metric) || k.strings.contains(metric)) {
        continue;  // repeated in another section
      }
      store_value(k, metric, r.fields[static_cast<std::size_t>(c_value)],
                  r.fields[static_cast<std::size_t>(c_unit)],
                  fmt::format("{}", location(source, r.line)));
      if (auto m = k.metrics.find(metric); m != k.metrics.end()) m->second.line = r.line;
    }
  } else {
    // Raw page: a header of metric names, a units row, one row per kernel.
    profile.layout = NcuLayout::raw;
    std::vector<std::string> units(header.size());
    std::size_t first = 1;
    if (records.size() > 1) {
      const Record& u = records[1];
      // The units row has an empty ID (and kernel name).
      const auto probe = static_cast<std::size_t>(c_id >= 0 ? c_id : c_name);
      const bool is_units = u.fields.size() > probe && trim(u.fields[probe]).empty();
      if (is_units) {
        check_width(u);
        units = u.fields;
        first = 2;
      }
    }
    for (std::size_t i = first; i < records.size(); ++i) {
      const Record& r = records[i];
      check_width(r);
      NcuKernel k;
      k.id = c_id >= 0 ? r.fields[static_cast<std::size_t>(c_id)] : "";
      k.name = r.fields[static_cast<std::size_t>(c_name)];
      k.line = r.line;
      for (std::size_t c = 0; c < header.size(); ++c) {
        if (!is_metric_column(header[c])) continue;
        store_value(k, header[c], r.fields[c], units[c],
                    fmt::format("{}: column {}", location(source, r.line), c + 1));
        if (auto m = k.metrics.find(header[c]); m != k.metrics.end()) m->second.line = r.line;
      }
      profile.kernels.push_back(std::move(k));
    }
  }
  for (const NcuKernel& k : profile.kernels) {
    if (auto it = k.strings.find(std::string(ncu_metric::kDeviceName)); it != k.strings.end()) {
      profile.device_name = it->second;
      break;
    }
  }
  return profile;
}

NcuProfile read_ncu_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '{}' for reading", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_ncu_csv(ss.str(), path);
}

}  // namespace dnnroof

#include "hw/detail/catalog_parse.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <map>

#include "core/error.h"
#include "core/strings.h"
#include "core/units.h"

namespace dnnroof::detail {
namespace {

// An example of each unit, for error messages.
std::string_view example_of(std::string_view unit) {
  if (unit == "FLOP/s") return "\"19.5 TFLOP/s\"";
  if (unit == "B/s") return "\"2039 GB/s\"";
  if (unit == "B") return "\"80 GB\" or \"40 MiB\"";
  if (unit == "Hz") return "\"2.3 GHz\"";
  return "a number with its unit";
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    default:
      return "a date/time";
  }
}

std::vector<std::string> precision_names() {
  std::vector<std::string> names;
  for (DType p : peak_precisions()) names.emplace_back(dtype_name(p));
  return names;
}

std::optional<DType> parse_precision(std::string_view name) {
  for (DType p : peak_precisions()) {
    if (dtype_name(p) == name) return p;
  }
  return std::nullopt;
}

// Reads one [[chip]] table. Every error names the origin, the line, the chip
// and the field.
class ChipReader {
 public:
  ChipReader(std::string_view origin, const toml::table& table, std::size_t index)
      : origin_(origin), table_(table), label_(fmt::format("chip #{}", index + 1)) {}

  Chip read() {
    // Name the chip in errors as soon as possible, even an unknown-key one.
    if (const toml::node* id = table_.get("id"); id && id->is_string()) {
      label_ = fmt::format("chip '{}'", id->as_string()->get());
    }
    check_keys(table_, "",
               {"id", "name", "kind", "vendor", "year", "source", "notes", "peak", "practical",
                "memory", "cpu", "threads"});
    Chip chip;
    chip.id = required_string(table_, "id", "id");
    check_id(chip.id);
    label_ = fmt::format("chip '{}'", chip.id);
    chip.name = required_string(table_, "name", "name");
    const std::string kind = required_string(table_, "kind", "kind");
    auto parsed_kind = parse_chip_kind(kind);
    if (!parsed_kind || kind != chip_kind_name(*parsed_kind)) {
      fail_at(*table_.get("kind"), "kind",
              fmt::format("unknown kind '{}' (valid: cpu, gpu, asic, soc)", kind));
    }
    chip.kind = *parsed_kind;
    chip.vendor = optional_string(table_, "vendor", "vendor");
    chip.source = optional_string(table_, "source", "source");
    chip.notes = optional_string(table_, "notes", "notes");
    if (const toml::node* year = table_.get("year")) {
      chip.year = static_cast<int>(integer(*year, "year", 1940, 2100));
    }
    default_source_ = chip.source;

    if (const toml::node* peak = table_.get("peak")) read_peaks(*peak, chip.peak, "peak");
    if (const toml::node* practical = table_.get("practical")) {
      read_peaks(*practical, chip.practical, "practical");
    }
    if (const toml::node* cpu = table_.get("cpu")) {
      if (chip.kind != ChipKind::cpu) {
        fail_at(*cpu, "cpu",
                fmt::format("[chip.cpu] is for kind = \"cpu\", this chip is \"{}\"",
                            chip_kind_name(chip.kind)));
      }
      chip.cpu = read_cpu(*cpu);
    } else if (chip.kind == ChipKind::cpu) {
      fail_at(table_, "cpu",
              "missing: a CPU needs [chip.cpu] (cores, allcore_clock, flops_per_cycle, "
              "memory_channels, memory_mts) to derive its peaks and bandwidth");
    }
    read_memory(chip);
    if (const toml::node* threads = table_.get("threads")) read_thread_ceilings(*threads, chip);
    if (chip.cpu) derive_cpu_figures(chip);
    check_complete(chip);
    return chip;
  }

 private:
  [[noreturn]] void fail_line(std::size_t line, std::string_view field,
                              std::string_view what) const {
    if (line == 0) line = table_.source().begin.line;
    fail("{}:{}: {}: field '{}': {}", origin_, line, label_, field, what);
  }
  [[noreturn]] void fail_at(const toml::node& n, std::string_view field,
                            std::string_view what) const {
    fail_line(n.source().begin.line, field, what);
  }

  static std::string join_field(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : fmt::format("{}.{}", prefix, key);
  }

  // Unknown keys are errors: they are nearly always typos.
  void check_keys(const toml::table& t, std::string_view prefix,
                  std::initializer_list<std::string_view> allowed) const {
    for (auto&& [key, node] : t) {
      bool known = false;
      for (auto a : allowed) known = known || a == key.str();
      if (known) continue;
      std::vector<std::string> valid(allowed.begin(), allowed.end());
      auto close = closest_matches(key.str(), valid, 1);
      fail_line(key.source().begin.line, join_field(prefix, key.str()),
                fmt::format("unknown key{} (valid: {})",
                            close.empty() ? "" : fmt::format("; did you mean '{}'?", close[0]),
                            join(valid, ", ")));
    }
  }

  std::string string_of(const toml::node& n, std::string_view field) const {
    if (!n.is_string()) {
      fail_at(n, field, fmt::format("expected a string, found {}", type_name(n)));
    }
    return std::string(n.as_string()->get());
  }

  std::string required_string(const toml::table& t, std::string_view key,
                              std::string_view field) const {
    const toml::node* n = t.get(key);
    if (!n) fail_at(t, field, "missing");
    std::string s = string_of(*n, field);
    if (trim(s).empty()) fail_at(*n, field, "is empty");
    return s;
  }

  std::string optional_string(const toml::table& t, std::string_view key,
                              std::string_view field) const {
    const toml::node* n = t.get(key);
    return n ? string_of(*n, field) : std::string();
  }

  std::int64_t integer(const toml::node& n, std::string_view field, std::int64_t lo,
                       std::int64_t hi) const {
    if (!n.is_integer()) {
      fail_at(n, field, fmt::format("expected an integer, found {}", type_name(n)));
    }
    const std::int64_t v = n.as_integer()->get();
    if (v < lo || v > hi) fail_at(n, field, fmt::format("{} is outside [{}, {}]", v, lo, hi));
    return v;
  }

  double positive_number(const toml::node& n, std::string_view field) const {
    if (!n.is_number()) {
      fail_at(n, field, fmt::format("expected a number, found {}", type_name(n)));
    }
    const double v =
        n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.as_floating_point()->get();
    if (!std::isfinite(v) || v <= 0) fail_at(n, field, fmt::format("{} is not positive", v));
    return v;
  }

  // A quantity: "19.5 TFLOP/s" (with `unit`) or a bare number in base units.
  double quantity(const toml::node& n, std::string_view field, std::string_view unit) const {
    if (n.is_number()) return positive_number(n, field);
    if (!n.is_string()) {
      fail_at(
          n, field,
          fmt::format("expected a quantity such as {}, found {}", example_of(unit), type_name(n)));
    }
    double v = 0;
    try {
      v = parse_quantity(n.as_string()->get(), unit);
    } catch (const Error& e) {
      fail_at(n, field, e.what());
    }
    if (!std::isfinite(v) || v <= 0) fail_at(n, field, "must be positive");
    return v;
  }

  // A figure: a quantity (which takes `default_source`), or a table
  // { value, source, derivation }.
  Figure figure(const toml::node& n, std::string_view field, std::string_view unit,
                const std::string& default_source) const {
    Figure f;
    if (const toml::table* t = n.as_table()) {
      check_keys(*t, field, {"value", "source", "derivation"});
      const toml::node* value = t->get("value");
      if (!value) fail_at(n, join_field(field, "value"), "missing");
      f.value = quantity(*value, join_field(field, "value"), unit);
      f.source = optional_string(*t, "source", join_field(field, "source"));
      f.derivation = optional_string(*t, "derivation", join_field(field, "derivation"));
      if (!t->contains("source") && f.derivation.empty()) f.source = default_source;
      return f;
    }
    f.value = quantity(n, field, unit);
    f.source = default_source;
    return f;
  }

  void check_id(const std::string& id) const {
    const bool ok = !id.empty() && std::isalnum(static_cast<unsigned char>(id.front())) &&
                    std::all_of(id.begin(), id.end(), [](char c) {
                      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                             c == '.' || c == '_';
                    });
    if (!ok) {
      fail_at(*table_.get("id"), "id",
              fmt::format("'{}' is not a valid id (lower-case letters, digits and dashes, "
                          "as in \"a100-sxm4-80gb\")",
                          id));
    }
  }

  void read_peaks(const toml::node& node, std::map<DType, Figure>& peaks,
                  std::string_view table) const {
    const toml::table* t = node.as_table();
    if (!t) fail_at(node, table, fmt::format("expected a table, found {}", type_name(node)));
    for (auto&& [key, value] : *t) {
      const std::string field = join_field(table, key.str());
      auto precision = parse_precision(key.str());
      if (!precision) {
        auto close = closest_matches(key.str(), precision_names(), 1);
        fail_line(key.source().begin.line, field,
                  fmt::format("unknown precision{} (valid: {})",
                              close.empty() ? "" : fmt::format("; did you mean '{}'?", close[0]),
                              join(precision_names(), ", ")));
      }
      peaks[*precision] = figure(value, field, "FLOP/s", default_source_);
    }
  }

  // [[chip.threads]]: ceilings per thread count (docs/catalog.md).
  void read_thread_ceilings(const toml::node& node, Chip& chip) const {
    const toml::array* entries = node.as_array();
    if (!entries || !entries->is_array_of_tables()) {
      fail_at(node, "threads",
              fmt::format("expected [[chip.threads]] tables, found {}", type_name(node)));
    }
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const toml::table& t = *entries->get(i)->as_table();
      const std::string field = fmt::format("threads[{}]", i + 1);
      check_keys(t, field, {"threads", "peak", "practical", "bandwidth"});
      ThreadCeilings entry;
      const toml::node* n = t.get("threads");
      if (!n) fail_at(t, field + ".threads", "missing (the thread count these ceilings hold for)");
      entry.threads = static_cast<int>(integer(*n, field + ".threads", 1, 1 << 20));
      for (const ThreadCeilings& other : chip.thread_ceilings) {
        if (other.threads == entry.threads) {
          fail_at(*n, field + ".threads", fmt::format("{} threads appears twice", entry.threads));
        }
      }
      if (const toml::node* peak = t.get("peak")) read_peaks(*peak, entry.peak, field + ".peak");
      if (const toml::node* practical = t.get("practical")) {
        read_peaks(*practical, entry.practical, field + ".practical");
      }
      if (const toml::node* bw = t.get("bandwidth")) {
        const toml::table* levels = bw->as_table();
        if (!levels) {
          fail_at(*bw, field + ".bandwidth",
                  fmt::format("expected a table of memory levels, found {}", type_name(*bw)));
        }
        for (auto&& [key, value] : *levels) {
          const std::string level(key.str());
          const std::string lf = join_field(field + ".bandwidth", level);
          if (chip.find_level(level) == nullptr) {
            std::vector<std::string> names;
            for (const MemoryLevel& m : chip.memory) names.push_back(m.name);
            fail_line(key.source().begin.line, lf,
                      fmt::format("no memory level '{}' in [[chip.memory]] (levels: {})", level,
                                  join(names, ", ")));
          }
          entry.bandwidth[chip.find_level(level)->name] = figure(value, lf, "B/s", default_source_);
        }
      }
      if (entry.peak.empty()) {
        fail_at(t, field + ".peak", "missing: an entry needs at least one peak");
      }
      chip.thread_ceilings.push_back(std::move(entry));
    }
    std::sort(
        chip.thread_ceilings.begin(), chip.thread_ceilings.end(),
        [](const ThreadCeilings& a, const ThreadCeilings& b) { return a.threads < b.threads; });
  }

  CpuMicroarch read_cpu(const toml::node& node) const {
    const toml::table* t = node.as_table();
    if (!t) fail_at(node, "cpu", fmt::format("expected a table, found {}", type_name(node)));
    check_keys(*t, "cpu",
               {"sockets", "cores", "threads_per_core", "base_clock", "allcore_clock", "simd_bits",
                "fma_units", "amx", "isa", "memory_channels", "memory_mts", "clock_source",
                "memory_source", "flops_per_cycle"});
    CpuMicroarch cpu;
    auto need = [&](std::string_view key) -> const toml::node& {
      const toml::node* n = t->get(key);
      if (!n) fail_at(node, join_field("cpu", key), "missing (the peak formulas need it)");
      return *n;
    };
    if (const toml::node* n = t->get("sockets")) {
      cpu.sockets = static_cast<int>(integer(*n, "cpu.sockets", 1, 64));
    }
    cpu.cores_per_socket = static_cast<int>(integer(need("cores"), "cpu.cores", 1, 100000));
    if (const toml::node* n = t->get("threads_per_core")) {
      cpu.threads_per_core = static_cast<int>(integer(*n, "cpu.threads_per_core", 1, 16));
    }
    if (const toml::node* n = t->get("base_clock")) {
      cpu.base_clock_hz = quantity(*n, "cpu.base_clock", "Hz");
    }
    cpu.allcore_clock_hz = quantity(need("allcore_clock"), "cpu.allcore_clock", "Hz");
    if (const toml::node* n = t->get("simd_bits")) {
      cpu.simd_bits = static_cast<int>(integer(*n, "cpu.simd_bits", 64, 4096));
    }
    if (const toml::node* n = t->get("fma_units")) {
      cpu.fma_units = static_cast<int>(integer(*n, "cpu.fma_units", 0, 16));
    }
    if (const toml::node* n = t->get("amx")) {
      if (!n->is_boolean()) {
        fail_at(*n, "cpu.amx", fmt::format("expected true or false, found {}", type_name(*n)));
      }
      cpu.amx = n->as_boolean()->get();
    }
    if (const toml::node* n = t->get("isa")) {
      const toml::array* a = n->as_array();
      if (!a) fail_at(*n, "cpu.isa", fmt::format("expected an array, found {}", type_name(*n)));
      for (const toml::node& e : *a) cpu.isa.push_back(string_of(e, "cpu.isa"));
    }
    if (const toml::node* n = t->get("memory_channels")) {
      cpu.memory_channels = static_cast<int>(integer(*n, "cpu.memory_channels", 1, 64));
    }
    if (const toml::node* n = t->get("memory_mts")) {
      cpu.memory_mts = positive_number(*n, "cpu.memory_mts");
    }
    cpu.clock_source = optional_string(*t, "clock_source", "cpu.clock_source");
    cpu.memory_source = optional_string(*t, "memory_source", "cpu.memory_source");
    const toml::node& fpc = need("flops_per_cycle");
    const toml::table* ft = fpc.as_table();
    if (!ft) {
      fail_at(fpc, "cpu.flops_per_cycle",
              fmt::format("expected a table, found {}", type_name(fpc)));
    }
    for (auto&& [key, value] : *ft) {
      const std::string field = join_field("cpu.flops_per_cycle", key.str());
      auto precision = parse_precision(key.str());
      if (!precision) {
        fail_line(key.source().begin.line, field,
                  fmt::format("unknown precision (valid: {})", join(precision_names(), ", ")));
      }
      cpu.flops_per_cycle[*precision] = positive_number(value, field);
    }
    if (cpu.flops_per_cycle.empty()) fail_at(fpc, "cpu.flops_per_cycle", "is empty");
    return cpu;
  }

  void read_memory(Chip& chip) const {
    const toml::node* node = table_.get("memory");
    if (!node) {
      fail_at(table_, "memory",
              "missing: at least the main-memory level ([[chip.memory]] with main = true)");
    }
    const toml::array* levels = node->as_array();
    if (!levels) {
      fail_at(*node, "memory",
              fmt::format("expected [[chip.memory]] tables, found {}", type_name(*node)));
    }
    std::size_t main_index = 0;
    for (std::size_t i = 0; i < levels->size(); ++i) {
      const toml::node& ln = *levels->get(i);
      const std::string field = fmt::format("memory[{}]", i + 1);
      const toml::table* t = ln.as_table();
      if (!t) fail_at(ln, field, fmt::format("expected a table, found {}", type_name(ln)));
      check_keys(*t, field, {"name", "main", "bandwidth", "capacity", "source"});
      MemoryLevel level;
      level.name = required_string(*t, "name", field + ".name");
      for (const auto& other : chip.memory) {
        if (to_lower(other.name) == to_lower(level.name)) {
          fail_at(*t->get("name"), field + ".name",
                  fmt::format("level '{}' appears twice", level.name));
        }
      }
      if (const toml::node* m = t->get("main")) {
        if (!m->is_boolean()) {
          fail_at(*m, field + ".main",
                  fmt::format("expected true or false, found {}", type_name(*m)));
        }
        level.is_main = m->as_boolean()->get();
      }
      std::string source = optional_string(*t, "source", field + ".source");
      if (source.empty()) source = default_source_;
      if (const toml::node* b = t->get("bandwidth")) {
        level.bandwidth = figure(*b, field + ".bandwidth", "B/s", source);
      }
      if (const toml::node* c = t->get("capacity")) {
        level.capacity = figure(*c, field + ".capacity", "B", source);
      }
      if (level.is_main) {
        if (main_index != 0) {
          fail_at(ln, field + ".main",
                  fmt::format("a second main-memory level ('{}' after '{}'): exactly one level "
                              "has main = true",
                              level.name, chip.memory[main_index - 1].name));
        }
        main_index = i + 1;
      }
      chip.memory.push_back(std::move(level));
    }
    if (main_index == 0) {
      fail_at(*node, "memory", "no main-memory level: exactly one [[chip.memory]] has main = true");
    }
    const MemoryLevel& main = chip.memory[main_index - 1];
    if (main.bandwidth.value <= 0) {
      if (chip.cpu && (chip.cpu->memory_channels <= 0 || chip.cpu->memory_mts <= 0)) {
        fail_at(*levels->get(main_index - 1), fmt::format("memory[{}].bandwidth", main_index),
                "missing: give it, or cpu.memory_channels and cpu.memory_mts to derive it");
      }
      if (!chip.cpu) {
        fail_at(*levels->get(main_index - 1), fmt::format("memory[{}].bandwidth", main_index),
                "missing: the main-memory level needs a bandwidth (it makes the roofline)");
      }
    }
  }

  // Every figure says where it comes from; a chip has at least one peak.
  void check_complete(const Chip& chip) const {
    if (chip.peak.empty()) {
      fail_at(table_, "peak", "no peak at any precision ([chip.peak] or cpu.flops_per_cycle)");
    }
    auto check = [&](const Figure& f, std::string_view field) {
      if (f.value > 0 && f.source.empty() && f.derivation.empty()) {
        fail_at(table_, field,
                "has no source: give the chip's `source`, or a table { value, source } or "
                "{ value, derivation }");
      }
    };
    for (const auto& [p, f] : chip.peak) check(f, join_field("peak", dtype_name(p)));
    for (const auto& [p, f] : chip.practical) check(f, join_field("practical", dtype_name(p)));
    for (std::size_t i = 0; i < chip.memory.size(); ++i) {
      check(chip.memory[i].bandwidth, fmt::format("memory[{}].bandwidth", i + 1));
      check(chip.memory[i].capacity, fmt::format("memory[{}].capacity", i + 1));
    }
  }

  std::string_view origin_;
  const toml::table& table_;
  std::string label_;
  std::string default_source_;
};

}  // namespace

std::vector<Chip> parse_catalog_text(std::string_view text, std::string_view origin) {
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    fail("{}:{}: TOML syntax error: {}", origin, e.source().begin.line, e.description());
  }
  for (auto&& [key, node] : doc) {
    if (key.str() != "chip") {
      fail("{}:{}: unknown top-level key '{}' (a catalog holds [[chip]] tables)", origin,
           key.source().begin.line, key.str());
    }
  }
  std::vector<Chip> chips;
  const toml::node* list = doc.get("chip");
  if (!list) return chips;
  const toml::array* tables = list->as_array();
  if (!tables || !tables->is_array_of_tables()) {
    fail("{}:{}: 'chip' must be an array of tables ([[chip]])", origin, list->source().begin.line);
  }
  std::map<std::string, std::size_t> first_line;
  for (std::size_t i = 0; i < tables->size(); ++i) {
    const toml::table& t = *tables->get(i)->as_table();
    Chip chip = ChipReader(origin, t, i).read();
    chip.origin = std::string(origin);
    const std::size_t line = t.source().begin.line;
    auto [it, inserted] = first_line.emplace(chip.id, line);
    if (!inserted) {
      fail("{}:{}: chip '{}': field 'id': duplicate id (first defined at line {})", origin, line,
           chip.id, it->second);
    }
    chips.push_back(std::move(chip));
  }
  return chips;
}

}  // namespace dnnroof::detail

#include "hw/detail/dmi.h"

#include <fstream>
#include <iterator>
#include <vector>

namespace dnnroof::detail {
namespace {

std::uint32_t word_at(std::span<const std::uint8_t> s, std::size_t offset) {
  return static_cast<std::uint32_t>(s[offset]) | (static_cast<std::uint32_t>(s[offset + 1]) << 8);
}

}  // namespace

std::optional<DmiMemory> parse_dmi_memory(std::span<const std::uint8_t> table) {
  // SMBIOS 3.x, 7.18 "Memory Device (Type 17)": Size at 0x0C (0: empty slot),
  // Speed at 0x15, Configured Memory Speed at 0x20 (structure length >= 0x22).
  DmiMemory out;
  std::size_t pos = 0;
  while (pos + 4 <= table.size()) {
    const std::uint8_t type = table[pos];
    const std::size_t length = table[pos + 1];
    if (length < 4 || pos + length > table.size()) return std::nullopt;
    const auto s = table.subspan(pos, length);
    if (type == 17 && length >= 0x17) {
      const std::uint32_t size = word_at(s, 0x0C);
      double speed = word_at(s, 0x15);
      if (length >= 0x22 && word_at(s, 0x20) != 0 && word_at(s, 0x20) != 0xFFFF) {
        speed = word_at(s, 0x20);
      }
      if (size != 0 && size != 0xFFFF && speed > 0 && speed != 0xFFFF) {
        ++out.populated_devices;
        if (out.speed_mts == 0 || speed < out.speed_mts) out.speed_mts = speed;
      }
    }
    // The strings follow the formatted area and end with two NUL bytes.
    std::size_t next = pos + length;
    while (next + 1 < table.size() && (table[next] != 0 || table[next + 1] != 0)) ++next;
    next += 2;
    if (type == 127) break;  // end of table
    pos = next;
  }
  if (out.populated_devices == 0) return std::nullopt;
  return out;
}

std::optional<DmiMemory> read_dmi_memory() {
  std::ifstream in("/sys/firmware/dmi/tables/DMI", std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  return parse_dmi_memory(bytes);
}

}  // namespace dnnroof::detail

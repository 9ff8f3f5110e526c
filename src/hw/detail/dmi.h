#pragma once
// Internal: memory DIMMs from the SMBIOS/DMI table (type 17, Memory Device),
// which Linux exposes as /sys/firmware/dmi/tables/DMI, readable by root only
// on most systems, and absent in many VMs.

#include <cstdint>
#include <optional>
#include <span>

namespace dnnroof::detail {

struct DmiMemory {
  int populated_devices = 0;  // memory devices with a module installed
  double speed_mts = 0;       // [MT/s] the lowest configured (else rated) speed among them
};

// Parses an SMBIOS structure table; nullopt when no populated device reports
// a speed, or the table is malformed.
std::optional<DmiMemory> parse_dmi_memory(std::span<const std::uint8_t> table);

// Reads /sys/firmware/dmi/tables/DMI when this process may; nullopt otherwise.
std::optional<DmiMemory> read_dmi_memory();

}  // namespace dnnroof::detail

// The DMI memory-device reader on hand-made SMBIOS tables, and the DRAM
// bandwidth the host derives from it.

#include "hw/detail/dmi.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "hw/host.h"

namespace dnnroof {
namespace {

// One SMBIOS type-17 structure (SMBIOS 2.7+, 0x22 bytes) and its strings.
void add_memory_device(std::vector<std::uint8_t>& t, std::uint16_t size_mb, std::uint16_t speed,
                       std::uint16_t configured) {
  std::vector<std::uint8_t> s(0x22, 0);
  s[0] = 17;
  s[1] = 0x22;
  s[0x0C] = size_mb & 0xff;
  s[0x0D] = size_mb >> 8;
  s[0x15] = speed & 0xff;
  s[0x16] = speed >> 8;
  s[0x20] = configured & 0xff;
  s[0x21] = configured >> 8;
  t.insert(t.end(), s.begin(), s.end());
  const std::string strings = "DIMM_A1";
  t.insert(t.end(), strings.begin(), strings.end());
  t.push_back(0);
  t.push_back(0);
}

void add_end(std::vector<std::uint8_t>& t) {
  for (std::uint8_t b : {127, 4, 0, 0, 0, 0}) t.push_back(b);
}

TEST(Dmi, CountsPopulatedModulesAndTakesTheLowestConfiguredSpeed) {
  std::vector<std::uint8_t> t;
  // A BIOS structure (type 0) with no strings first: 4-byte header, then "\0\0".
  for (std::uint8_t b : {0, 4, 0, 0, 0, 0}) t.push_back(b);
  add_memory_device(t, 16384, 3200, 2933);
  add_memory_device(t, 16384, 3200, 3200);
  add_memory_device(t, 0, 0, 0);  // an empty slot
  add_end(t);
  auto m = detail::parse_dmi_memory(t);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->populated_devices, 2);
  EXPECT_DOUBLE_EQ(m->speed_mts, 2933);
}

TEST(Dmi, NothingUsable) {
  std::vector<std::uint8_t> empty_slots;
  add_memory_device(empty_slots, 0, 0, 0);
  add_end(empty_slots);
  EXPECT_FALSE(detail::parse_dmi_memory(empty_slots).has_value());

  std::vector<std::uint8_t> truncated;
  add_memory_device(truncated, 8192, 2666, 2666);
  truncated.resize(20);  // cut inside the structure
  EXPECT_FALSE(detail::parse_dmi_memory(truncated).has_value());
  EXPECT_FALSE(detail::parse_dmi_memory({}).has_value());
}

TEST(HostChip, DramBandwidthFromDmiModules) {
  HostInfo info;
  info.cpu_model = "Test CPU";
  info.sockets = 2;
  info.physical_cores = 16;
  info.logical_cpus = 32;
  info.isa = {"avx2", "fma"};
  info.clock_hz = 2e9;
  info.memory_bytes = 256e9;
  info.memory_dimms = 16;  // 8 per socket
  info.memory_mts = 3200;
  const Chip chip = host_chip(info);
  // 2 sockets x 8 channels x 3200e6 x 8 B = 409.6e9 B/s
  EXPECT_DOUBLE_EQ(chip.main_memory().bandwidth.value, 409.6e9);
  EXPECT_EQ(chip.main_memory().bandwidth.derivation,
            "2 sockets x 8 channels x 3200 MT/s x 8 B = 409.6 GB/s");
  EXPECT_NE(chip.main_memory().bandwidth.source.find("one module per channel"), std::string::npos);
  // fp32 ridge: 2 x 8 x 2e9 x 32 = 1.024e12 FLOP/s over 409.6e9 B/s = 2.5 FLOP/B.
  EXPECT_DOUBLE_EQ(ridge_point(chip, DType::fp32), 2.5);
}

}  // namespace
}  // namespace dnnroof

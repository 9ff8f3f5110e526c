#include "measure/cache_flush.h"

#include <cstring>
#include <memory>

namespace dnnroof {
namespace {
constexpr std::size_t kLineBytes = 64;
}  // namespace

std::uint64_t flush_cache(std::size_t bytes) {
  // Per thread, so concurrent flushes do not race; grown, never shrunk.
  thread_local std::unique_ptr<unsigned char[]> buffer;
  thread_local std::size_t capacity = 0;
  thread_local std::uint64_t calls = 0;
  if (bytes > capacity) {
    buffer = std::make_unique<unsigned char[]>(bytes);
    capacity = bytes;
  }
  const auto value = static_cast<unsigned char>(calls % 251 + 1);
  ++calls;
  std::memset(buffer.get(), value, bytes);
  // volatile reads: the compiler may not fold the sum into bytes * value.
  const volatile unsigned char* p = buffer.get();
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < bytes; i += kLineBytes) sum += p[i];
  return sum;
}

}  // namespace dnnroof

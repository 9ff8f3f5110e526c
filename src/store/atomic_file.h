#pragma once
// Replace a file atomically: readers (and an interrupted writer) see either
// the whole old file or the whole new one, never a mix or a truncation.

#include <filesystem>
#include <functional>
#include <string_view>

namespace dnnroof {

// Appends one chunk to the file being written.
using ChunkSink = std::function<void(std::string_view chunk)>;

// Calls `produce` with a sink that writes to a new temporary file in the
// same directory as `path`, then fsyncs it, renames it over `path` and
// fsyncs the directory. If `produce` throws, or any step fails, the
// temporary file is removed, `path` is untouched and the exception (an
// Error naming the file for I/O failures) propagates. The new file gets
// mode 0644.
void write_file_atomic(const std::filesystem::path& path,
                       const std::function<void(const ChunkSink&)>& produce);

// The common case: the whole content at once.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

}  // namespace dnnroof

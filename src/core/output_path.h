#pragma once
// Output paths a command writes (--out, --outputs): checked before any work,
// so a path that cannot be created is a user error naming the path and the
// reason ("--out '/proc/x/y.svg': cannot create folder '/proc/x': No such
// file or directory"), not a failure after the work or an internal error.

#include <filesystem>
#include <string_view>

namespace dnnroof {

// Creates the folders above `file` and checks that `file` can be opened for
// writing (a file that did not exist is removed again). Error names `option`,
// the path and the reason.
void prepare_output_file(std::string_view option, const std::filesystem::path& file);

// Creates `dir` (and its parents) and checks that it is a folder one can
// write in. Error names `option`, the path and the reason.
void prepare_output_dir(std::string_view option, const std::filesystem::path& dir);

}  // namespace dnnroof

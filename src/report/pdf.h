#pragma once
// `dnnroof report --pdf`: the report's index.html printed to PDF by headless
// Chromium (`chromium --headless --no-sandbox --disable-gpu
// --print-to-pdf=...`), the same page a reader opens, paginated.

#include <filesystem>
#include <string>

namespace dnnroof {

// The Chromium to print with: $DNNROOF_CHROMIUM when set (an error when it
// is not an executable file), else the first of chromium, chromium-browser,
// google-chrome, google-chrome-stable on PATH; empty when none is found.
std::string find_chromium();

// Prints `html` to `pdf` with `chromium` (find_chromium() when empty).
// Chromium's own messages go to `pdf` with ".log" appended. Throws Error
// naming what to install when no Chromium is found, and with the log's
// path when Chromium fails or writes no PDF.
void print_pdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
               std::string chromium = {});

}  // namespace dnnroof

#include "report/gnuplot_script.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "core/strings.h"

namespace dnnroof {

ImageFormat image_format_for_path(const std::filesystem::path& path) {
  const std::string ext = to_lower(path.extension().string());
  if (ext == ".svg") return ImageFormat::svg;
  if (ext == ".png") return ImageFormat::png;
  if (ext == ".pdf") return ImageFormat::pdf;
  fail("cannot tell the image format of '{}': use a .svg, .png or .pdf file name", path.string());
}

std::string gnuplot_terminal(ImageFormat format, int width_px, int height_px, bool svg_mouse) {
  switch (format) {
    case ImageFormat::svg:
      return fmt::format(
          "set terminal svg size {},{} dynamic {}noenhanced font 'Helvetica,13' "
          "background '#ffffff'\n",
          width_px, height_px, svg_mouse ? "standalone mouse " : "standalone ");
    case ImageFormat::png:
      return fmt::format("set terminal pngcairo size {},{} noenhanced font 'Sans,11'\n", width_px,
                         height_px);
    case ImageFormat::pdf:
      return fmt::format("set terminal pdfcairo size {:.2f}in,{:.2f}in noenhanced font 'Sans,8'\n",
                         width_px / 100.0, height_px / 100.0);
  }
  return {};
}

std::string gnuplot_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string gnuplot_number(double v) {
  if (!std::isfinite(v)) return "?";
  return fmt::format("{:.10g}", v);
}

}  // namespace dnnroof

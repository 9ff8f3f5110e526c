#pragma once
// The pieces of a gnuplot script every figure shares (rooflines: gnuplot.h,
// charts: chart.h, the probe's bandwidth figure: probe_figure.h): the image
// format and its terminal, quoting, numbers. Text only; gnuplot.h runs the
// scripts.

#include <filesystem>
#include <string>
#include <string_view>

namespace dnnroof {

enum class ImageFormat { svg, png, pdf };

// From the extension of `path` (.svg, .png, .pdf; any case). Throws Error
// naming the path otherwise.
ImageFormat image_format_for_path(const std::filesystem::path& path);

// The `set terminal` line of `format` at width x height pixels (PDF: 100 px
// per inch), noenhanced text (names keep their underscores). SVG: standalone,
// with gnuplot's JavaScript (hover read-out, hide a line by clicking its
// legend entry) when `svg_mouse`.
std::string gnuplot_terminal(ImageFormat format, int width_px, int height_px,
                             bool svg_mouse = false);

// A gnuplot single-quoted string: only the quote itself needs doubling.
std::string gnuplot_quote(std::string_view s);

// A number as gnuplot reads it back exactly enough ({:.10g}); "?" (a missing
// value in a data block) when not finite.
std::string gnuplot_number(double v);

}  // namespace dnnroof

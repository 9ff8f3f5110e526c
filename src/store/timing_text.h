#pragma once
// How a measured time is printed: the one place every table that shows a
// measured time (report sections, `dnnroof bench`, the results summary)
// takes its text from, so the rule of measure/interval_rule.h holds
// everywhere: "±" only for a 95% interval of at least 10 samples; otherwise
// the sample count and "no 95% CI".

#include <string>

#include "core/table.h"
#include "store/record.h"

namespace dnnroof {

// True when `t`'s interval may be printed as ± (interval_reportable). A
// record without ci_confidence (optional in the file) counts as a 95% one.
bool has_reportable_interval(const TimingStats& t);

// "±1.2%" (the interval's relative half-width, larger side), or
// "n=4, no 95% CI" when the interval may not be printed.
std::string interval_text(const TimingStats& t);

// "12.3 ms ±1.2%", or "12.3 ms (n=4, no 95% CI)"; "-" when the median is not
// a finite number.
std::string time_with_interval_text(const TimingStats& t);

// Table cells of the two: the number (the relative half-width, the median
// [s]) only where the text shows it. The interval cell of an unreportable
// interval is the text "no 95% CI" alone (no number, no comma: every table
// with this cell has an n column beside it, see samples_cell), so programs
// reading the CSV do not take a 50% interval for a 95% one.
Cell interval_cell(const TimingStats& t);
Cell time_with_interval_cell(const TimingStats& t);

// The sample count as a cell ("12").
Cell samples_cell(const TimingStats& t);

}  // namespace dnnroof

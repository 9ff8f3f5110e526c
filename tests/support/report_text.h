#pragma once
// Reading a built report in tests: the text of a section's blocks, a data
// file's table and a column by name, and checks that a text holds (or lacks)
// a list of phrases.

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "report/document.h"

namespace dnnroof::test {

// Which blocks section_text() reads, each block's text then "\n" (a list or
// a note box: one line per item; a table: its CSV or its text, as it ends).
enum BlockText : unsigned {
  kParagraphs = 1u << 0,
  kHeadings = 1u << 1,
  kBulletLists = 1u << 2,
  kNoteTitles = 1u << 3,
  kNoteItems = 1u << 4,
  kTablesCsv = 1u << 5,   // Table::to_csv(), as is
  kTablesText = 1u << 6,  // Table::to_text() and "\n"
};

// The text of the blocks of `s` that `what` (BlockText bits) names, in order.
std::string section_text(const Section& s, unsigned what);
// The same over every section of `doc`.
std::string document_text(const Document& doc, unsigned what);

// The table saved as data/<stem>.csv; nullptr when there is none.
const Table* data_file(const Document& doc, const std::string& stem);

// The index of the column titled `name`; a test failure (and 0) when none is.
int column(const Table& t, const std::string& name);

// Paragraphs one a line.
std::string joined(const std::vector<std::string>& paragraphs);

// Success when `text` holds every phrase of `phrases`; else a failure naming
// each one missing, then the text.
::testing::AssertionResult has_all(const std::string& text,
                                   std::initializer_list<std::string_view> phrases);
// Success when `text` holds none of `phrases`; else a failure naming each one
// found, then the text.
::testing::AssertionResult has_none(const std::string& text,
                                    std::initializer_list<std::string_view> phrases);

}  // namespace dnnroof::test

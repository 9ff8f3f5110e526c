#include "support/report_text.h"

#include <variant>

namespace dnnroof::test {
namespace {

std::string block_text(const Block& b, unsigned what) {
  std::string out;
  if (const auto* h = std::get_if<Heading>(&b); h && (what & kHeadings)) out += h->text + "\n";
  if (const auto* p = std::get_if<Paragraph>(&b); p && (what & kParagraphs)) {
    out += p->text + "\n";
  }
  if (const auto* l = std::get_if<BulletList>(&b); l && (what & kBulletLists)) {
    for (const std::string& i : l->items) out += i + "\n";
  }
  if (const auto* n = std::get_if<NoteBox>(&b)) {
    if (what & kNoteTitles) out += n->title + "\n";
    if (what & kNoteItems) {
      for (const std::string& i : n->items) out += i + "\n";
    }
  }
  if (const auto* t = std::get_if<TableBlock>(&b)) {
    if (what & kTablesCsv) out += t->table.to_csv();
    if (what & kTablesText) out += t->table.to_text() + "\n";
  }
  return out;
}

// `phrases` found in `text` (want_found) or missing from it (!want_found).
::testing::AssertionResult check_phrases(const std::string& text,
                                         std::initializer_list<std::string_view> phrases,
                                         bool want_found) {
  std::string wrong;
  for (std::string_view p : phrases) {
    if ((text.find(p) != std::string::npos) != want_found) {
      wrong += "\n  \"" + std::string(p) + "\"";
    }
  }
  if (wrong.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << (want_found ? "missing:" : "present:") << wrong << "\nin:\n"
         << text;
}

}  // namespace

std::string section_text(const Section& s, unsigned what) {
  std::string out;
  for (const Block& b : s.blocks) out += block_text(b, what);
  return out;
}

std::string document_text(const Document& doc, unsigned what) {
  std::string out;
  for (const Section& s : doc.sections) out += section_text(s, what);
  return out;
}

const Table* data_file(const Document& doc, const std::string& stem) {
  for (const DataFile& d : doc.data_files) {
    if (d.stem == stem) return &d.table;
  }
  return nullptr;
}

int column(const Table& t, const std::string& name) {
  for (std::size_t i = 0; i < t.columns().size(); ++i) {
    if (t.columns()[i] == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

std::string joined(const std::vector<std::string>& paragraphs) {
  std::string s;
  for (const std::string& p : paragraphs) s += p + "\n";
  return s;
}

::testing::AssertionResult has_all(const std::string& text,
                                   std::initializer_list<std::string_view> phrases) {
  return check_phrases(text, phrases, true);
}

::testing::AssertionResult has_none(const std::string& text,
                                    std::initializer_list<std::string_view> phrases) {
  return check_phrases(text, phrases, false);
}

}  // namespace dnnroof::test

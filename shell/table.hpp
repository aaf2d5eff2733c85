// shell/table.hpp — columns as wide as their widest cell, so rows stay in
// line whatever they hold (a long wait reason, a long name).
//
//   Table t({{"ID", Table::right}, {"NAME"}});
//   t.add({"1", "fib"});
//   for (const std::string& line : t.lines()) out.line(line);
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace corosh::shell {

class Table {
 public:
  enum Align { left, right };
  struct Column {
    std::string heading;
    Align align = left;
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // A row: one cell per column (missing cells are empty).
  void add(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  // The heading, then every row; two blanks between columns, no blanks at
  // the end of a line. Widths count characters, not bytes.
  std::vector<std::string> lines() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Characters a terminal shows for `text` (UTF-8 continuation bytes take none).
std::size_t display_width(std::string_view text);

}  // namespace corosh::shell

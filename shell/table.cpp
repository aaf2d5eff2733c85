#include "table.hpp"

#include <algorithm>

namespace corosh::shell {

std::size_t display_width(std::string_view text) {
  return std::size_t(std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::vector<std::string> Table::lines() const {
  std::vector<std::size_t> width(columns_.size(), 0);
  for (std::size_t i = 0; i < columns_.size(); ++i) width[i] = display_width(columns_[i].heading);
  for (const std::vector<std::string>& row : rows_)
    for (std::size_t i = 0; i < row.size() && i < columns_.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  const auto render = [&](const auto& cell_of) {
    std::string line;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      const std::string& cell = cell_of(i);
      const std::string pad(width[i] - display_width(cell), ' ');
      if (i > 0) line += "  ";
      line += columns_[i].align == right ? pad + cell : cell + pad;
    }
    line.erase(line.find_last_not_of(' ') + 1);
    return line;
  };
  std::vector<std::string> out;
  out.reserve(rows_.size() + 1);
  out.push_back(render([&](std::size_t i) -> const std::string& { return columns_[i].heading; }));
  static const std::string none;
  for (const std::vector<std::string>& row : rows_)
    out.push_back(render([&](std::size_t i) -> const std::string& { return i < row.size() ? row[i] : none; }));
  return out;
}

}  // namespace corosh::shell

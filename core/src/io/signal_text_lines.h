// Private to the text signal parsers (bedGraph, wig, chromosome sizes): numbered lines
// from a file read in chunks, or from text in memory, plus the field parsing they all
// share. Errors come back as "<name>: line <n>: <problem>".
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/status.h"

namespace epibook::signal_text {

class TextLines {
 public:
  static Result<TextLines> open_file(const std::string& path);
  static TextLines over_text(std::string_view text, std::string name);

  // Moves to the next line (without "\n" or "\r\n"); false at the end.
  Result<bool> next();
  std::string_view line() const { return line_; }
  uint64_t number() const { return number_; }
  const std::string& name() const { return name_; }

  // Puts "<name>: line <n>: " in front of a message about the current line.
  Status at_line(const Status& status) const;

 private:
  struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
  };
  Status refill();

  std::string name_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string buffer_;
  size_t begin_ = 0;
  bool at_end_ = false;
  std::string_view line_;
  uint64_t number_ = 0;
};

// Splits on runs of spaces and tabs.
std::vector<std::string_view> split_fields(std::string_view line);

// True for lines the formats skip: blank, '#', "track ..." and "browser ...".
bool is_skipped_line(std::string_view line);

// A base position that fits a bigWig (0 .. 4,294,967,295); `what` names the field.
Result<uint32_t> parse_position(std::string_view text, std::string_view what);
// A finite number stored as float; NaN, infinities and non-numbers are errors.
Result<float> parse_value(std::string_view text);

}  // namespace epibook::signal_text

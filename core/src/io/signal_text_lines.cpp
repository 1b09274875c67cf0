// Line reading and field parsing shared by the bedGraph, wig and chromosome-sizes
// parsers (see signal_text_lines.h). Files are read in 1 MiB chunks so memory stays
// flat however large the input.
#include "io/signal_text_lines.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "epibook/region.h"

namespace epibook::signal_text {
namespace {
constexpr size_t kChunk = size_t{1} << 20;
}

Result<TextLines> TextLines::open_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return not_found(path + ": cannot open for reading");
  TextLines lines;
  lines.name_ = path;
  lines.file_.reset(file);
  return lines;
}

TextLines TextLines::over_text(std::string_view text, std::string name) {
  TextLines lines;
  lines.name_ = std::move(name);
  lines.buffer_.assign(text);
  lines.at_end_ = true;
  return lines;
}

Status TextLines::refill() {
  buffer_.erase(0, begin_);
  begin_ = 0;
  const size_t kept = buffer_.size();
  buffer_.resize(kept + kChunk);
  const size_t got = std::fread(buffer_.data() + kept, 1, kChunk, file_.get());
  buffer_.resize(kept + got);
  if (got < kChunk) {
    if (std::ferror(file_.get())) return io_error(name_ + ": read failed after line " + with_thousands(number_));
    at_end_ = true;
  }
  return Status::ok();
}

Result<bool> TextLines::next() {
  size_t newline = buffer_.find('\n', begin_);
  while (newline == std::string::npos && !at_end_) {
    const size_t searched = buffer_.size() - begin_;
    EPIBOOK_RETURN_IF_ERROR(refill());
    newline = buffer_.find('\n', searched);
  }
  if (begin_ >= buffer_.size()) return false;
  const size_t stop = newline == std::string::npos ? buffer_.size() : newline;
  line_ = std::string_view(buffer_).substr(begin_, stop - begin_);
  if (!line_.empty() && line_.back() == '\r') line_.remove_suffix(1);
  begin_ = newline == std::string::npos ? buffer_.size() : newline + 1;
  ++number_;
  return true;
}

Status TextLines::at_line(const Status& status) const {
  return status.with_context(name_ + ": line " + with_thousands(number_));
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool is_skipped_line(std::string_view line) {
  const size_t first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos) return true;
  line.remove_prefix(first);
  if (line.front() == '#') return true;
  for (std::string_view word : {std::string_view("track"), std::string_view("browser")}) {
    if (line.substr(0, word.size()) == word && (line.size() == word.size() || line[word.size()] == ' ' ||
                                                line[word.size()] == '\t')) {
      return true;
    }
  }
  return false;
}

Result<uint32_t> parse_position(std::string_view text, std::string_view what) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
    return invalid_argument(std::string(what) + " '" + std::string(text) + "' is not a whole number");
  }
  if (error == std::errc::result_out_of_range || value > std::numeric_limits<uint32_t>::max()) {
    return invalid_argument(std::string(what) + " " + std::string(text) +
                            " is past the largest position a bigWig holds (4,294,967,295)");
  }
  return static_cast<uint32_t>(value);
}

Result<float> parse_value(std::string_view text) {
  // strtod needs a terminated string; values are short, so copy.
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) {
    return invalid_argument("value '" + copy + "' is not a number");
  }
  if (std::isnan(value)) return invalid_argument("value is NaN (bigWig holds finite numbers)");
  if (std::isinf(value)) return invalid_argument("value " + copy + " is infinite (bigWig holds finite numbers)");
  const auto stored = static_cast<float>(value);
  if (std::isinf(stored)) return invalid_argument("value " + copy + " is too large for a 32-bit float");
  return stored;
}

}  // namespace epibook::signal_text

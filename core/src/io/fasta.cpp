// FASTA, its .fai index and random access to regions (see epibook/fasta.h). The
// index builder follows samtools faidx line by line so that its .fai is the one
// samtools writes; fetches read only the bytes between a region's first and last base.
#include "epibook/fasta.h"

#include <algorithm>
#include <cstdlib>
#include <unordered_set>

#include "epibook/npy.h"
#include "io/text_stream.h"

namespace epibook {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// ">chr1 some description" -> "chr1"
std::string_view header_name(std::string_view header) {
  header.remove_prefix(1);
  const size_t end = std::find_if(header.begin(), header.end(), is_space) - header.begin();
  return header.substr(0, end);
}

std::string line_context(const LineReader& lines) {
  return lines.name() + ": line " + std::to_string(lines.number());
}

// The state of one sequence while its lines are read.
struct SequenceLayout {
  FaiEntry entry;
  bool has_first_line = false;
  uint64_t last_line = 0;         // line number of a short or blank line that must end the sequence
  bool last_line_blank = false;
};

class FaiBuilder {
 public:
  Status add_line(const LineReader& lines) {
    const std::string_view text = lines.text();
    if (!text.empty() && text.front() == '>') return start_sequence(lines);
    if (text.empty()) {
      // Blank lines before the first header are harmless; inside a sequence they end it.
      if (current_ && current_->last_line == 0) {
        current_->last_line = lines.number();
        current_->last_line_blank = true;
      }
      return Status::ok();
    }
    if (!current_) {
      return corrupt(line_context(lines) + ": sequence before the first '>' header");
    }
    return add_sequence_line(lines);
  }

  FastaIndex finish() {
    close_sequence();
    return std::move(index_);
  }

 private:
  Status start_sequence(const LineReader& lines) {
    close_sequence();
    const std::string_view name = header_name(lines.text());
    if (name.empty()) return corrupt(line_context(lines) + ": header '>' has no sequence name");
    if (const std::string problem = sequence_name_problem(name); !problem.empty()) {
      return corrupt(line_context(lines) + ": sequence " + problem);
    }
    if (!names_.insert(std::string(name)).second) {
      return corrupt(line_context(lines) + ": sequence name '" + std::string(name) +
                     "' was used before; every name must be unique to fetch by it");
    }
    current_.emplace();
    current_->entry.name = std::string(name);
    current_->entry.offset = lines.offset() + lines.raw_size();
    return Status::ok();
  }

  Status add_sequence_line(const LineReader& lines) {
    SequenceLayout& layout = *current_;
    const std::string_view text = lines.text();
    const auto space = std::find_if(text.begin(), text.end(), is_space);
    if (space != text.end()) {
      return corrupt(line_context(lines) + ": whitespace inside the sequence of '" + layout.entry.name +
                     "' at column " + std::to_string(space - text.begin() + 1));
    }
    // A '>' inside a line is a header glued to bases or a broken file, not a base.
    const size_t header_mark = text.find('>');
    if (header_mark != std::string_view::npos) {
      return corrupt(line_context(lines) + ": '>' inside the sequence of '" + layout.entry.name + "' at column " +
                     std::to_string(header_mark + 1));
    }
    const uint64_t bases = text.size();
    // samtools counts a final line without a newline as if it had one.
    const uint64_t bytes = lines.ended_with_newline() ? lines.raw_size() : bases + 1;
    if (layout.last_line != 0) {
      return corrupt(line_context(lines) + ": sequence '" + layout.entry.name + "' continues after " +
                     (layout.last_line_blank ? "a blank line" : "a shorter line") + " (line " +
                     std::to_string(layout.last_line) +
                     "); all lines of a sequence but the last must have the same length, as samtools faidx requires");
    }
    if (!layout.has_first_line) {
      layout.has_first_line = true;
      layout.entry.line_bases = bases;
      layout.entry.line_bytes = bytes;
    } else if (bases > layout.entry.line_bases || bytes > layout.entry.line_bytes) {
      return corrupt(line_context(lines) + ": different line length in sequence '" + layout.entry.name + "': " +
                     std::to_string(bases) + " bases in " + std::to_string(bytes) + " bytes after lines of " +
                     std::to_string(layout.entry.line_bases) + " bases in " +
                     std::to_string(layout.entry.line_bytes) + " bytes");
    } else if (bases < layout.entry.line_bases || bytes < layout.entry.line_bytes) {
      layout.last_line = lines.number();
    }
    layout.entry.length += bases;
    return Status::ok();
  }

  // samtools leaves sequences without bases out of the index.
  void close_sequence() {
    if (current_ && current_->entry.length > 0) index_.entries.push_back(std::move(current_->entry));
    current_.reset();
  }

  FastaIndex index_;
  std::optional<SequenceLayout> current_;
  std::unordered_set<std::string> names_;
};

Result<FastaIndex> build_from_lines(LineReader& lines) {
  if (lines.is_compressed()) {
    return unsupported(lines.name() + ": a compressed FASTA cannot be indexed for random access; decompress it first");
  }
  FaiBuilder builder;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    EPIBOOK_RETURN_IF_ERROR(builder.add_line(lines));
  }
  return builder.finish();
}

Result<uint64_t> parse_fai_number(std::string_view text, const std::string& where, const char* what) {
  if (text.empty() || text.size() > 19 || text.find_first_not_of("0123456789") != std::string_view::npos) {
    return corrupt(where + ": " + what + " '" + std::string(text) + "' is not a whole number");
  }
  uint64_t value = 0;
  for (char c : text) value = value * 10 + static_cast<uint64_t>(c - '0');
  return value;
}

Result<FaiEntry> parse_fai_line(std::string_view line, const std::string& where) {
  std::vector<std::string_view> fields;
  size_t begin = 0;
  while (true) {
    const size_t tab = line.find('\t', begin);
    fields.push_back(line.substr(begin, tab == std::string_view::npos ? std::string_view::npos : tab - begin));
    if (tab == std::string_view::npos) break;
    begin = tab + 1;
  }
  // FASTQ indexes add a sixth column (quality offset); the first five mean the same.
  if (fields.size() != 5 && fields.size() != 6) {
    return corrupt(where + ": " + std::to_string(fields.size()) +
                   " columns; a .fai line has 5 (name, length, offset, line bases, line bytes)");
  }
  FaiEntry entry;
  entry.name = std::string(fields[0]);
  if (entry.name.empty()) return corrupt(where + ": empty sequence name");
  if (const std::string problem = sequence_name_problem(entry.name); !problem.empty()) {
    return corrupt(where + ": column 1 (name): " + problem);
  }
  EPIBOOK_ASSIGN_OR_RETURN(entry.length, parse_fai_number(fields[1], where, "length"));
  EPIBOOK_ASSIGN_OR_RETURN(entry.offset, parse_fai_number(fields[2], where, "offset"));
  EPIBOOK_ASSIGN_OR_RETURN(entry.line_bases, parse_fai_number(fields[3], where, "line bases"));
  EPIBOOK_ASSIGN_OR_RETURN(entry.line_bytes, parse_fai_number(fields[4], where, "line bytes"));
  if (entry.length > 0 && entry.line_bases == 0) {
    return corrupt(where + ": '" + entry.name + "' has " + std::to_string(entry.length) + " bases but 0 bases per line");
  }
  if (entry.line_bytes < entry.line_bases) {
    return corrupt(where + ": '" + entry.name + "' has fewer bytes per line (" + std::to_string(entry.line_bytes) +
                   ") than bases per line (" + std::to_string(entry.line_bases) + ")");
  }
  return entry;
}

Result<FastaIndex> read_fai_lines(LineReader& lines) {
  FastaIndex index;
  std::unordered_set<std::string> names;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    if (lines.text().empty()) continue;
    EPIBOOK_ASSIGN_OR_RETURN(FaiEntry entry, parse_fai_line(lines.text(), line_context(lines)));
    if (!names.insert(entry.name).second) {
      return corrupt(line_context(lines) + ": sequence '" + entry.name + "' is listed twice");
    }
    index.entries.push_back(std::move(entry));
  }
  return index;
}

// Byte offset, in the FASTA file, of a base of a sequence.
uint64_t byte_of_base(const FaiEntry& entry, uint64_t base) {
  return entry.offset + base / entry.line_bases * entry.line_bytes + base % entry.line_bases;
}

std::string some_names(const FastaIndex& index) {
  std::string out;
  const size_t shown = std::min<size_t>(index.entries.size(), 5);
  for (size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + index.entries[i].name;
  if (index.entries.size() > shown) out += ", ... (" + std::to_string(index.entries.size()) + " in all)";
  return out.empty() ? "none" : out;
}

Result<std::vector<FastaRecord>> parse_fasta_lines(LineReader& lines) {
  std::vector<FastaRecord> records;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    const std::string_view text = lines.text();
    if (!text.empty() && text.front() == '>') {
      FastaRecord record;
      record.name = std::string(header_name(text));
      if (record.name.empty()) return corrupt(line_context(lines) + ": header '>' has no sequence name");
      if (const std::string problem = sequence_name_problem(record.name); !problem.empty()) {
        return corrupt(line_context(lines) + ": sequence " + problem);
      }
      size_t rest = 1 + record.name.size();
      while (rest < text.size() && is_space(text[rest])) ++rest;
      record.description = std::string(text.substr(std::min(rest, text.size())));
      records.push_back(std::move(record));
      continue;
    }
    const auto is_blank_line = std::all_of(text.begin(), text.end(), is_space);
    if (is_blank_line) continue;
    if (records.empty()) return corrupt(line_context(lines) + ": sequence before the first '>' header");
    const size_t header_mark = text.find('>');
    if (header_mark != std::string_view::npos) {
      return corrupt(line_context(lines) + ": '>' inside the sequence of '" + records.back().name + "' at column " +
                     std::to_string(header_mark + 1));
    }
    for (char c : text) {
      if (!is_space(c)) records.back().sequence.push_back(c);
    }
  }
  return records;
}

}  // namespace

const FaiEntry* FastaIndex::find(std::string_view name) const {
  for (const FaiEntry& entry : entries) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

Result<FastaIndex> build_fai(const std::string& fasta_path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(fasta_path));
  LineReader lines(std::move(stream));
  return build_from_lines(lines);
}

Result<FastaIndex> build_fai_from_memory(std::string bytes, std::string name) {
  LineReader lines(ByteStream::from_memory(std::move(bytes), std::move(name)));
  return build_from_lines(lines);
}

Result<FastaIndex> read_fai(const std::string& fai_path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(fai_path));
  LineReader lines(std::move(stream));
  return read_fai_lines(lines);
}

Result<FastaIndex> parse_fai(const std::string& text, const std::string& source_name) {
  LineReader lines(ByteStream::from_memory(text, source_name));
  return read_fai_lines(lines);
}

std::string format_fai(const FastaIndex& index) {
  std::string out;
  for (const FaiEntry& e : index.entries) {
    out += e.name + '\t' + std::to_string(e.length) + '\t' + std::to_string(e.offset) + '\t' +
           std::to_string(e.line_bases) + '\t' + std::to_string(e.line_bytes) + '\n';
  }
  return out;
}

Status write_fai(const std::string& fai_path, const FastaIndex& index) {
  return write_file_atomically(fai_path, format_fai(index));
}

// ---------------------------------------------------------------------------------

struct FastaReader::Impl {
  std::unique_ptr<ByteSource> source;
  FastaIndex index;
};

FastaReader::FastaReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FastaReader::FastaReader(FastaReader&&) noexcept = default;
FastaReader& FastaReader::operator=(FastaReader&&) noexcept = default;
FastaReader::~FastaReader() = default;

Result<FastaReader> FastaReader::open(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, open_file_source(path));
  const std::string fai_path = path + ".fai";
  Result<FastaIndex> index = read_fai(fai_path);
  if (!index.is_ok() && index.status().code() == ErrorCode::kNotFound) index = build_fai(path);
  if (!index.is_ok()) return index.status();
  return open(std::move(source), std::move(index).value());
}

Result<FastaReader> FastaReader::open(std::unique_ptr<ByteSource> source, FastaIndex index) {
  const uint64_t size = source->size();
  if (size >= 2) {
    unsigned char magic[2];
    EPIBOOK_RETURN_IF_ERROR(source->read_at(0, 2, magic));
    if (magic[0] == 0x1f && magic[1] == 0x8b) {
      return unsupported(source->name() + ": a compressed FASTA cannot be read by region; decompress it first");
    }
  }
  for (const FaiEntry& entry : index.entries) {
    if (entry.length == 0) continue;
    const uint64_t last_byte = byte_of_base(entry, entry.length - 1);
    if (last_byte >= size) {
      return corrupt(source->name() + ": the index puts the end of '" + entry.name + "' at byte " +
                     with_thousands(last_byte) + " but the file has " + with_thousands(size) +
                     " bytes (an index of another or an older file?)");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->source = std::move(source);
  impl->index = std::move(index);
  return FastaReader(std::move(impl));
}

const std::string& FastaReader::name() const { return impl_->source->name(); }
const FastaIndex& FastaReader::index() const { return impl_->index; }

std::optional<uint64_t> FastaReader::sequence_length(std::string_view name) const {
  const FaiEntry* entry = impl_->index.find(name);
  if (entry == nullptr) return std::nullopt;
  return entry->length;
}

Result<std::string> FastaReader::fetch(const Region& region, LetterCase letter_case) const {
  const FaiEntry* entry = impl_->index.find(region.chrom);
  if (entry == nullptr) {
    return not_found(format_region(region) + ": no sequence '" + region.chrom + "' in " + name() +
                     " (it has " + some_names(impl_->index) + ")");
  }
  if (region.end < region.start) {
    return invalid_argument(format_region(region) + ": end is before start");
  }
  if (region.end > entry->length) {
    return invalid_argument(format_region(region) + ": runs past the end of '" + entry->name + "' (length " +
                            with_thousands(entry->length) + ") in " + name());
  }
  std::string bases;
  if (region.length() == 0) return bases;
  const uint64_t first = byte_of_base(*entry, region.start);
  const uint64_t last = byte_of_base(*entry, region.end - 1);
  std::string bytes(last - first + 1, '\0');
  EPIBOOK_RETURN_IF_ERROR(impl_->source->read_at(first, bytes.size(), bytes.data()));
  bases.reserve(region.length());
  for (char c : bytes) {
    if (c == '\n' || c == '\r') continue;
    if (c == '>' || is_space(c)) {
      return corrupt(format_region(region) + ": found '" + std::string(c == '>' ? ">" : "whitespace") +
                     "' among the bases in " + name() + "; the .fai index does not match the file");
    }
    bases.push_back(letter_case == LetterCase::kUpper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  if (bases.size() != region.length()) {
    return corrupt(format_region(region) + ": read " + std::to_string(bases.size()) + " bases instead of " +
                   std::to_string(region.length()) + " from " + name() + "; the .fai index does not match the file");
  }
  return bases;
}

// ---------------------------------------------------------------------------------

Result<std::vector<FastaRecord>> read_fasta(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(path));
  LineReader lines(std::move(stream));
  return parse_fasta_lines(lines);
}

Result<std::vector<FastaRecord>> parse_fasta(std::string text, const std::string& source_name) {
  LineReader lines(ByteStream::from_memory(std::move(text), source_name));
  return parse_fasta_lines(lines);
}

}  // namespace epibook

// FASTQ records and Phred scores (see epibook/fastq.h): the first file a reader of
// chapter 1 opens, and the CLI's `fastq head`. Lines come from the streaming,
// gzip-aware LineReader; this file only knows the four-line record.
#include "epibook/fastq.h"

#include <algorithm>
#include <cmath>

#include "io/text_stream.h"

namespace epibook {
namespace {

// A short, printable excerpt of a line for messages.
std::string excerpt(std::string_view text) {
  constexpr size_t kMax = 24;
  std::string out;
  for (char c : text.substr(0, kMax)) out.push_back(c >= ' ' && c <= '~' ? c : '?');
  if (text.size() > kMax) out += "...";
  return out;
}

std::string describe_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= '!' && byte <= '~') return std::string("'") + c + "'";
  static const char* kHex = "0123456789abcdef";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 15];
}

bool is_sequence_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '*';
}

}  // namespace

double phred_error_probability(int score) { return std::pow(10.0, -score / 10.0); }

std::string fastq_read_id(const FastqRecord& record) {
  const size_t end = record.name.find_first_of(" \t");
  return record.name.substr(0, end);
}

// ---------------------------------------------------------------------------------

struct FastqReader::Impl {
  explicit Impl(ByteStream stream) : lines(std::move(stream)) {}

  LineReader lines;
  uint64_t records = 0;

  Status error_at(uint64_t line, const std::string& problem) const {
    return corrupt(lines.name() + ": line " + std::to_string(line) + " (record " + std::to_string(records + 1) +
                   "): " + problem);
  }

  // Moves to the record's next line, or explains that the file ended inside the record.
  Status expect_line(const char* what) {
    const uint64_t expected_line = lines.number() + 1;
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) {
      return error_at(expected_line, std::string("the file ends before the ") + what + " line (truncated record)");
    }
    return Status::ok();
  }

  Result<bool> next(FastqRecord& record) {
    // Blank lines between or after records carry nothing; skip them.
    bool more = false;
    do {
      EPIBOOK_ASSIGN_OR_RETURN(more, lines.next());
    } while (more && lines.text().empty());
    if (!more) return false;

    if (lines.text().front() != '@') {
      return error_at(lines.number(), "a record must start with '@', found '" + excerpt(lines.text()) + "'");
    }
    record.name.assign(lines.text().substr(1));

    EPIBOOK_RETURN_IF_ERROR(expect_line("sequence"));
    record.sequence.assign(lines.text());
    for (size_t i = 0; i < record.sequence.size(); ++i) {
      if (!is_sequence_character(record.sequence[i])) {
        return error_at(lines.number(), "sequence has " + describe_byte(record.sequence[i]) + " at position " +
                                            std::to_string(i + 1) + " (expected letters such as A, C, G, T, N)");
      }
    }

    EPIBOOK_RETURN_IF_ERROR(expect_line("'+' separator"));
    if (lines.text().empty() || lines.text().front() != '+') {
      return error_at(lines.number(), "the third line of a record must start with '+', found '" +
                                          excerpt(lines.text()) + "'");
    }

    EPIBOOK_RETURN_IF_ERROR(expect_line("quality"));
    const std::string_view quality = lines.text();
    if (quality.size() != record.sequence.size()) {
      std::string problem = "quality has " + std::to_string(quality.size()) + " characters, sequence has " +
                            std::to_string(record.sequence.size());
      if (!lines.ended_with_newline()) problem += " (the file ends here: truncated?)";
      return error_at(lines.number(), problem);
    }
    record.quality.resize(quality.size());
    for (size_t i = 0; i < quality.size(); ++i) {
      const char c = quality[i];
      if (c < '!' || c > '~') {
        return error_at(lines.number(), "quality has " + describe_byte(c) + " at position " + std::to_string(i + 1) +
                                            ", outside '!'..'~' (Phred+33)");
      }
      record.quality[i] = static_cast<uint8_t>(c - '!');
    }
    ++records;
    return true;
  }
};

FastqReader::FastqReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FastqReader::FastqReader(FastqReader&&) noexcept = default;
FastqReader& FastqReader::operator=(FastqReader&&) noexcept = default;
FastqReader::~FastqReader() = default;

Result<FastqReader> FastqReader::open(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(path));
  return FastqReader(std::make_unique<Impl>(std::move(stream)));
}

FastqReader FastqReader::from_memory(std::string bytes, std::string name) {
  return FastqReader(std::make_unique<Impl>(ByteStream::from_memory(std::move(bytes), std::move(name))));
}

Result<bool> FastqReader::next(FastqRecord& record) { return impl_->next(record); }
uint64_t FastqReader::records_read() const { return impl_->records; }
const std::string& FastqReader::name() const { return impl_->lines.name(); }

Result<std::vector<FastqRecord>> read_fastq(const std::string& path, uint64_t max_records) {
  EPIBOOK_ASSIGN_OR_RETURN(FastqReader reader, FastqReader::open(path));
  std::vector<FastqRecord> records;
  FastqRecord record;
  while (records.size() < max_records) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, reader.next(record));
    if (!more) break;
    records.push_back(std::move(record));
  }
  return records;
}

// ---------------------------------------------------------------------------------

void QualitySummaryBuilder::add(std::span<const uint8_t> quality) {
  ++records_;
  if (histograms_.size() < quality.size()) {
    histograms_.resize(quality.size(), std::vector<uint64_t>(kMaxPhredScore + 1, 0));
  }
  for (size_t i = 0; i < quality.size(); ++i) {
    histograms_[i][std::min<int>(quality[i], kMaxPhredScore)] += 1;
  }
}

namespace {

// The k-th smallest score (0-based) in a histogram of scores.
int order_statistic(const std::vector<uint64_t>& histogram, uint64_t k) {
  uint64_t seen = 0;
  for (size_t score = 0; score < histogram.size(); ++score) {
    seen += histogram[score];
    if (seen > k) return static_cast<int>(score);
  }
  return static_cast<int>(histogram.size()) - 1;
}

// numpy.percentile's default ("linear"): h = (n-1)p, interpolated between the
// order statistics at floor(h) and floor(h)+1.
double percentile(const std::vector<uint64_t>& histogram, uint64_t n, double p) {
  const double h = static_cast<double>(n - 1) * p;
  const auto below = static_cast<uint64_t>(std::floor(h));
  const double low = order_statistic(histogram, below);
  if (below + 1 >= n) return low;
  const double high = order_statistic(histogram, below + 1);
  return low + (h - static_cast<double>(below)) * (high - low);
}

PositionQuality summarize_position(const std::vector<uint64_t>& histogram) {
  PositionQuality position;
  double sum = 0;
  bool seen_any = false;
  for (size_t score = 0; score < histogram.size(); ++score) {
    if (histogram[score] == 0) continue;
    position.reads += histogram[score];
    sum += static_cast<double>(score) * static_cast<double>(histogram[score]);
    if (!seen_any) position.min = static_cast<int>(score);
    position.max = static_cast<int>(score);
    seen_any = true;
  }
  if (position.reads == 0) return position;
  position.mean = sum / static_cast<double>(position.reads);
  position.q1 = percentile(histogram, position.reads, 0.25);
  position.median = percentile(histogram, position.reads, 0.5);
  position.q3 = percentile(histogram, position.reads, 0.75);
  return position;
}

}  // namespace

QualitySummary QualitySummaryBuilder::summary() const {
  QualitySummary summary;
  summary.records = records_;
  summary.positions.reserve(histograms_.size());
  for (const auto& histogram : histograms_) summary.positions.push_back(summarize_position(histogram));
  return summary;
}

QualitySummary summarize_quality(std::span<const FastqRecord> records) {
  QualitySummaryBuilder builder;
  for (const FastqRecord& record : records) builder.add(record.quality);
  return builder.summary();
}

Result<QualitySummary> summarize_fastq_quality(const std::string& path, uint64_t max_records) {
  EPIBOOK_ASSIGN_OR_RETURN(FastqReader reader, FastqReader::open(path));
  QualitySummaryBuilder builder;
  FastqRecord record;
  for (uint64_t i = 0; i < max_records; ++i) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, reader.next(record));
    if (!more) break;
    builder.add(record.quality);
  }
  return builder.summary();
}

}  // namespace epibook

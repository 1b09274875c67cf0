// Summary statistics over bigWig regions (BigWigReader::stats, see epibook/bigwig.h),
// from the raw intervals (exact) or from zoom records, computed the way libBigWig does
// for pyBigWig.stats(): same bin edges, same zoom level choice, same weighting of zoom
// records that straddle a bin edge, same float/double arithmetic, so the numbers agree
// to the last bit. The quirks we keep on purpose are named where they happen.
#include <cmath>
#include <limits>
#include <span>

#include "epibook/bigwig.h"
#include "io/bigwig_index.h"

namespace epibook {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr uint32_t kMaxBins = 1u << 24;  // 128 MB of answers: more is a mistake, not a query

// ---------------------------------------------------------------------------------
// Bins and zoom level choice

// End of bin i of `bins` over [start, end): computed in double and truncated.
uint32_t bin_end(uint32_t start, uint32_t end, uint32_t bins, uint32_t i) {
  return static_cast<uint32_t>(start + (static_cast<double>(end - start) * (i + 1)) / static_cast<int>(bins));
}

// The zoom level with the largest reduction not above half a bin, or -1 for none. Half,
// because a zoom record that straddles a bin edge is counted in part (see
// zoom_record_weight), and smaller records keep that error small.
int choose_zoom_level(const std::vector<BigWigZoomLevel>& levels, uint32_t length, uint32_t bins) {
  const int bases_per_bin = static_cast<int>(static_cast<double>(length) / static_cast<int>(bins)) / 2;
  int best = -1;
  int64_t best_difference = std::numeric_limits<uint32_t>::max();
  for (size_t i = 0; i < levels.size(); ++i) {
    const int64_t difference = int64_t{bases_per_bin} - int64_t{levels[i].reduction_level};
    if (difference >= 0 && difference < best_difference) {
      best_difference = difference;
      best = static_cast<int>(i);
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------
// Exact statistics from the intervals that pass libBigWig's overlap test for a bin.

uint32_t clipped_length(const BigWigInterval& interval, uint32_t start, uint32_t end) {
  const uint32_t from = interval.start < start ? start : interval.start;
  const uint32_t to = interval.end > end ? end : interval.end;
  return to - from;  // 0 for an empty bin inside an interval
}

double exact_mean(std::span<const BigWigInterval> in, uint32_t start, uint32_t end) {
  double sum = 0;
  uint32_t bases = 0;
  for (const BigWigInterval& interval : in) {
    const uint32_t length = clipped_length(interval, start, end);
    bases += length;
    sum += length * static_cast<double>(interval.value);
  }
  return sum / bases;
}

// Sample standard deviation over bases (n - 1), from the mean first.
double exact_std(std::span<const BigWigInterval> in, uint32_t start, uint32_t end) {
  const double mean = exact_mean(in, start, end);
  double squares = 0;
  uint32_t bases = 0;
  for (const BigWigInterval& interval : in) {
    const uint32_t length = clipped_length(interval, start, end);
    bases += length;
    squares += length * std::pow(static_cast<double>(interval.value) - mean, 2.0);
  }
  if (bases >= 2) return std::sqrt(squares / (bases - 1));
  if (bases == 1) return std::sqrt(squares);
  return kNaN;
}

double exact_max(std::span<const BigWigInterval> in) {
  double best = in.front().value;
  for (const BigWigInterval& interval : in) {
    if (interval.value > best) best = interval.value;
  }
  return best;
}

double exact_min(std::span<const BigWigInterval> in) {
  double best = in.front().value;
  for (const BigWigInterval& interval : in) {
    if (interval.value < best) best = interval.value;
  }
  return best;
}

double exact_coverage(std::span<const BigWigInterval> in, uint32_t start, uint32_t end) {
  double covered = 0;
  for (const BigWigInterval& interval : in) covered += clipped_length(interval, start, end);
  return covered / (end - start);
}

// libBigWig multiplies length by value in float precision here (not in the mean).
double exact_sum(std::span<const BigWigInterval> in, uint32_t start, uint32_t end) {
  double sum = 0;
  for (const BigWigInterval& interval : in) {
    sum += static_cast<float>(clipped_length(interval, start, end)) * interval.value;
  }
  return sum;
}

double exact_stat(SummaryStat stat, std::span<const BigWigInterval> in, uint32_t start, uint32_t end) {
  if (in.empty()) return kNaN;
  switch (stat) {
    case SummaryStat::kMean: return exact_mean(in, start, end);
    case SummaryStat::kStd: return exact_std(in, start, end);
    case SummaryStat::kMax: return exact_max(in);
    case SummaryStat::kMin: return exact_min(in);
    case SummaryStat::kCoverage: return exact_coverage(in, start, end);
    case SummaryStat::kSum: return exact_sum(in, start, end);
  }
  return kNaN;
}

// ---------------------------------------------------------------------------------
// Statistics from zoom records

struct ZoomRecord {
  uint32_t bases;
  float min, max, sum, sum_squares;
  double weight;
};

// The share of a zoom record [record_start, record_end) counted in a bin [start, end).
// libBigWig's formula: a record that starts before the bin counts from the bin start to
// the record end, even when the record also runs past the bin end.
double zoom_record_weight(uint32_t start, uint32_t end, uint32_t record_start, uint32_t record_end) {
  if (record_start <= start) {
    if (record_end > start) return static_cast<double>(record_end - start) / (record_end - record_start);
    return 0;
  }
  if (record_start < end) {
    if (record_end < end) return 1;
    return static_cast<double>(end - record_start) / (record_end - record_start);
  }
  return 0;
}

double zoom_mean(const std::vector<ZoomRecord>& records) {
  double sum = 0, covered = 0;
  for (const ZoomRecord& r : records) {
    sum += r.sum * r.weight;
    covered += r.bases * r.weight;
  }
  if (covered == 0) return kNaN;
  return sum / covered;
}

// Sample standard deviation from weighted sums; differences below 1e-8 count as 0.
double zoom_std(const std::vector<ZoomRecord>& records) {
  double sum = 0, squares = 0, covered = 0;
  for (const ZoomRecord& r : records) {
    covered += r.bases * r.weight;
    sum += r.sum * r.weight;
    squares += r.sum_squares * r.weight;
  }
  if (covered <= 1.0) return kNaN;
  const double variance = (squares - sum * sum / covered) / (covered - 1);
  return std::fabs(variance) > 1e-8 ? std::sqrt(variance) : 0.0;
}

double zoom_max(const std::vector<ZoomRecord>& records) {
  if (records.empty()) return kNaN;
  double best = records.front().max;
  for (const ZoomRecord& r : records) {
    if (r.max > best) best = r.max;
  }
  return best;
}

double zoom_min(const std::vector<ZoomRecord>& records) {
  if (records.empty()) return kNaN;
  double best = records.front().min;
  for (const ZoomRecord& r : records) {
    if (r.min < best) best = r.min;
  }
  return best;
}

double zoom_coverage(const std::vector<ZoomRecord>& records, uint32_t start, uint32_t end) {
  double covered = 0;
  for (const ZoomRecord& r : records) covered += r.bases * r.weight;
  if (covered == 0) return kNaN;
  return covered / (end - start);
}

// libBigWig's zoom sum truncates the weight to a whole number, so only records wholly
// inside the bin count, each as its mean (sum / bases), in float. pyBigWig answers so;
// we answer the same, and the CLI's help points to --exact for a true sum.
double zoom_sum(const std::vector<ZoomRecord>& records) {
  double sum = 0;
  for (const ZoomRecord& r : records) {
    uint32_t whole = static_cast<uint32_t>(r.weight);
    if (whole > r.bases) whole = r.bases;
    sum += (r.sum * static_cast<float>(whole)) / static_cast<float>(r.bases);
  }
  if (sum == 0) return kNaN;
  return sum;
}

double zoom_stat(SummaryStat stat, const std::vector<ZoomRecord>& records, uint32_t start, uint32_t end) {
  switch (stat) {
    case SummaryStat::kMean: return zoom_mean(records);
    case SummaryStat::kStd: return zoom_std(records);
    case SummaryStat::kMax: return zoom_max(records);
    case SummaryStat::kMin: return zoom_min(records);
    case SummaryStat::kCoverage: return zoom_coverage(records, start, end);
    case SummaryStat::kSum: return zoom_sum(records);
  }
  return kNaN;
}

// Appends the records of one zoom block that lie on `chrom` and overlap [start, end)
// (or contain `start`, for an empty bin), as libBigWig selects them.
void select_zoom_records(const io::InflatedBlock& block, uint32_t chrom, uint32_t start, uint32_t end,
                         std::vector<ZoomRecord>& out) {
  const std::vector<uint8_t>& bytes = block.bytes;
  for (size_t at = 0; at + io::kZoomRecordBytes <= bytes.size(); at += io::kZoomRecordBytes) {
    const uint8_t* p = bytes.data() + at;
    const uint32_t record_chrom = io::load<uint32_t>(p);
    const uint32_t record_start = io::load<uint32_t>(p + 4);
    const uint32_t record_end = io::load<uint32_t>(p + 8);
    if (record_chrom > chrom) break;
    if (record_chrom != chrom) continue;
    const bool overlaps = (start <= record_start && end > record_start) || (start < record_end && start >= record_start);
    if (overlaps) {
      out.push_back({io::load<uint32_t>(p + 12), io::load<float>(p + 16), io::load<float>(p + 20),
                     io::load<float>(p + 24), io::load<float>(p + 28),
                     zoom_record_weight(start, end, record_start, record_end)});
    }
    if (record_start > end) break;
  }
}

// Fills out[i] with the exact statistic of bin i. A bin sees the intervals that pass
// libBigWig's test for it, in file order. When starts and ends never decrease (every
// writer's output) those intervals are a run of the list whose both ends only move
// forward from bin to bin; otherwise each bin scans the whole list.
void exact_stats_by_bin(const std::vector<BigWigInterval>& all, const io::ChromSpan& span, SummaryStat stat,
                        std::vector<double>& out) {
  const uint32_t bins = static_cast<uint32_t>(out.size());
  bool sorted = true;
  for (size_t j = 1; j < all.size() && sorted; ++j) {
    sorted = all[j].start >= all[j - 1].start && all[j].end >= all[j - 1].end;
  }
  std::vector<BigWigInterval> in_bin;
  size_t first = 0, last = 0;  // the run [first, last) of the current bin, when sorted
  uint32_t position = span.start;
  for (uint32_t i = 0; i < bins; ++i) {
    const uint32_t end = bin_end(span.start, span.end, bins, i);
    if (sorted) {
      while (first < all.size() && all[first].end <= position) ++first;
      if (last < first) last = first;
      while (last < all.size() && all[last].start < end) ++last;
      out[i] = exact_stat(stat, std::span<const BigWigInterval>(all.data() + first, last - first), position, end);
    } else {
      in_bin.clear();
      for (const BigWigInterval& interval : all) {
        if (interval.end <= position || interval.start >= end) continue;
        in_bin.push_back(interval);
      }
      out[i] = exact_stat(stat, in_bin, position, end);
    }
    position = end;
  }
}

}  // namespace

Result<SummaryStat> parse_summary_stat(std::string_view name) {
  if (name == "mean") return SummaryStat::kMean;
  if (name == "min") return SummaryStat::kMin;
  if (name == "max") return SummaryStat::kMax;
  if (name == "sum") return SummaryStat::kSum;
  if (name == "std") return SummaryStat::kStd;
  if (name == "coverage") return SummaryStat::kCoverage;
  return invalid_argument("unknown statistic '" + std::string(name) + "' (expected mean, min, max, sum, std or coverage)");
}

const char* summary_stat_name(SummaryStat stat) {
  switch (stat) {
    case SummaryStat::kMean: return "mean";
    case SummaryStat::kMin: return "min";
    case SummaryStat::kMax: return "max";
    case SummaryStat::kSum: return "sum";
    case SummaryStat::kStd: return "std";
    case SummaryStat::kCoverage: return "coverage";
  }
  return "mean";
}

Result<std::vector<double>> BigWigReader::stats(const Region& region, SummaryStat stat, uint32_t bins,
                                                bool exact) const {
  EPIBOOK_ASSIGN_OR_RETURN(io::ChromSpan span, impl_->locate(region, false));
  if (bins == 0 || bins > kMaxBins) {
    return invalid_argument(name() + ": " + format_region(region) + ": number of bins must be 1 to " +
                            with_thousands(kMaxBins) + ", not " + with_thousands(bins));
  }
  std::vector<double> out(bins, kNaN);
  // A file without data answers None everywhere in pyBigWig, whatever its blocks hold.
  if (impl_->header.summary.bases_covered == 0) return out;

  const int level = exact ? -1 : choose_zoom_level(impl_->zoom_levels, span.end - span.start, bins);
  if (level < 0) {
    std::vector<BigWigInterval> all;
    EPIBOOK_RETURN_IF_ERROR(impl_->collect_intervals(span, all));
    exact_stats_by_bin(all, span, stat, out);
    return out;
  }

  const io::RTreeIndex& index = *impl_->zoom_indexes[static_cast<size_t>(level)];
  std::vector<io::BlockRef> refs;
  std::vector<ZoomRecord> records;
  uint32_t position = span.start;
  for (uint32_t i = 0; i < bins; ++i) {
    const uint32_t end = bin_end(span.start, span.end, bins, i);
    refs.clear();
    records.clear();
    EPIBOOK_RETURN_IF_ERROR(index.find_blocks(span.chrom, position, end, refs));
    for (const io::BlockRef& ref : refs) {
      EPIBOOK_ASSIGN_OR_RETURN(std::shared_ptr<const io::InflatedBlock> block, impl_->block(ref, io::BlockKind::kZoom));
      select_zoom_records(*block, span.chrom, position, end, records);
    }
    out[i] = refs.empty() ? kNaN : zoom_stat(stat, records, position, end);
    position = end;
  }
  return out;
}

}  // namespace epibook

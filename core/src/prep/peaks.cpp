// The teaching peak caller (peaks.h): fragment pile-up, MACS2-style local lambda,
// Poisson tail scores and runs merged into peaks. Linear in the span's length except
// the scores, which are computed once per change of (pile-up, lambda).
#include "epibook/peaks.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <tuple>

namespace epibook {

namespace {

// The fragment a read stands for, as genome coordinates (may start below 0).
struct Fragment {
  int64_t start = 0;
  int64_t end = 0;
};

Fragment fragment_of(const BedRecord& read, uint32_t fragment_length) {
  const int64_t d = fragment_length;
  if (read.strand == '-') return {static_cast<int64_t>(read.region.end) - d, static_cast<int64_t>(read.region.end)};
  return {static_cast<int64_t>(read.region.start), static_cast<int64_t>(read.region.start) + d};
}

int64_t fragment_centre(const BedRecord& read, uint32_t fragment_length) {
  const Fragment fragment = fragment_of(read, fragment_length);
  return fragment.start + fragment_length / 2;
}

// Reads whose fragment centre lies in the span: the depth the lambdas are scaled by.
uint64_t reads_in_span(std::span<const BedRecord> reads, const Region& span, uint32_t fragment_length) {
  uint64_t count = 0;
  for (const BedRecord& read : reads) {
    if (read.region.chrom != span.chrom) continue;
    const int64_t centre = fragment_centre(read, fragment_length);
    if (centre >= static_cast<int64_t>(span.start) && centre < static_cast<int64_t>(span.end)) ++count;
  }
  return count;
}

double log_poisson_pmf(uint64_t i, double lambda) {
  return -lambda + static_cast<double>(i) * std::log(lambda) - std::lgamma(static_cast<double>(i) + 1.0);
}

}  // namespace

Status validate_peak_options(const PeakCallOptions& options) {
  if (options.fragment_length == 0) return invalid_argument("fragment length 0: it must be at least 1 bp");
  if (options.small_window == 0 || options.large_window == 0) {
    return invalid_argument("local lambda windows must be at least 1 bp");
  }
  if (!std::isfinite(options.threshold) || options.threshold < 0) {
    return invalid_argument("threshold " + std::to_string(options.threshold) + ": -log10 p must be a number >= 0");
  }
  return Status::ok();
}

double poisson_upper_tail_score(uint64_t k, double lambda) {
  if (k == 0 || !(lambda > 0)) return 0.0;
  double log_tail = 0;
  if (static_cast<double>(k) > lambda) {
    // Terms fall from i = k on; sum them relative to the first.
    double relative_sum = 1.0;
    double term = 1.0;
    for (uint64_t i = k + 1; term > relative_sum * 1e-17; ++i) {
      term *= lambda / static_cast<double>(i);
      relative_sum += term;
    }
    log_tail = log_poisson_pmf(k, lambda) + std::log(relative_sum);
  } else {
    // k at or below the mean: the tail is at least about a half, so 1 - CDF is exact enough.
    double lower = 0;
    for (uint64_t i = 0; i < k; ++i) lower += std::exp(log_poisson_pmf(i, lambda));
    log_tail = std::log(std::max(1.0 - lower, 1e-300));
  }
  return std::max(0.0, -log_tail / std::log(10.0));
}

std::vector<uint32_t> fragment_pileup(std::span<const BedRecord> reads, const Region& span,
                                      uint32_t fragment_length) {
  const int64_t length = static_cast<int64_t>(span.length());
  std::vector<int64_t> change(static_cast<size_t>(length) + 1, 0);
  for (const BedRecord& read : reads) {
    if (read.region.chrom != span.chrom) continue;
    const Fragment fragment = fragment_of(read, fragment_length);
    const int64_t from = std::clamp<int64_t>(fragment.start - static_cast<int64_t>(span.start), 0, length);
    const int64_t to = std::clamp<int64_t>(fragment.end - static_cast<int64_t>(span.start), 0, length);
    if (from >= to) continue;
    ++change[static_cast<size_t>(from)];
    --change[static_cast<size_t>(to)];
  }
  std::vector<uint32_t> pileup(static_cast<size_t>(length));
  int64_t depth = 0;
  for (int64_t i = 0; i < length; ++i) {
    depth += change[static_cast<size_t>(i)];
    pileup[static_cast<size_t>(i)] = static_cast<uint32_t>(depth);
  }
  return pileup;
}

std::vector<float> window_lambda(std::span<const BedRecord> reads, const Region& span, uint32_t fragment_length,
                                 uint32_t window) {
  // centres[j] counts centres at genome position first + j; base i's window is
  // [i, i + window) in that array.
  const int64_t length = static_cast<int64_t>(span.length());
  const int64_t first = static_cast<int64_t>(span.start) - window / 2;
  std::vector<uint64_t> prefix(static_cast<size_t>(length + window) + 1, 0);
  for (const BedRecord& read : reads) {
    if (read.region.chrom != span.chrom) continue;
    const int64_t at = fragment_centre(read, fragment_length) - first;
    if (at >= 0 && at < length + window) ++prefix[static_cast<size_t>(at) + 1];
  }
  std::partial_sum(prefix.begin(), prefix.end(), prefix.begin());
  const double scale = static_cast<double>(fragment_length) / window;
  std::vector<float> lambda(static_cast<size_t>(length));
  for (size_t i = 0; i < lambda.size(); ++i) {
    lambda[i] = static_cast<float>(static_cast<double>(prefix[i + window] - prefix[i]) * scale);
  }
  return lambda;
}

Result<PeakSignal> build_peak_signal(std::span<const BedRecord> treatment, std::span<const BedRecord> control,
                                     const Region& span, const PeakCallOptions& options) {
  EPIBOOK_RETURN_IF_ERROR(validate_peak_options(options));
  if (span.length() == 0) return invalid_argument(format_region(span) + ": the region is empty");
  PeakSignal signal;
  signal.span = span;
  signal.options = options;
  const uint32_t d = options.fragment_length;
  signal.treatment_reads = reads_in_span(treatment, span, d);
  if (signal.treatment_reads == 0) {
    return invalid_argument(format_region(span) + ": no treatment read falls in the region");
  }
  signal.control_reads = reads_in_span(control, span, d);
  const double genome_size = static_cast<double>(options.genome_size > 0 ? options.genome_size : span.length());
  signal.genome_lambda = static_cast<double>(signal.treatment_reads) * d / genome_size;
  signal.pileup = fragment_pileup(treatment, span, d);

  signal.lambda.assign(signal.pileup.size(), static_cast<float>(signal.genome_lambda));
  auto raise_to = [&](const std::vector<float>& local, double scale) {
    for (size_t i = 0; i < local.size(); ++i) {
      signal.lambda[i] = std::max(signal.lambda[i], static_cast<float>(local[i] * scale));
    }
  };
  if (!options.local_lambda) {
    // The genome-wide rate alone.
  } else if (signal.control_reads > 0) {
    const double depth_ratio = static_cast<double>(signal.treatment_reads) / signal.control_reads;
    for (uint32_t window : {d, options.small_window, options.large_window}) {
      raise_to(window_lambda(control, span, d, window), depth_ratio);
    }
  } else {
    raise_to(window_lambda(treatment, span, d, options.large_window), 1.0);
  }
  signal.score.assign(signal.pileup.size(), 0.0f);
  signal.scored = 0;
  return signal;
}

bool score_bases(PeakSignal& signal, size_t max_bases) {
  const size_t end = std::min(signal.pileup.size(), signal.scored + max_bases);
  for (size_t i = signal.scored; i < end; ++i) {
    if (i > 0 && signal.pileup[i] == signal.pileup[i - 1] && signal.lambda[i] == signal.lambda[i - 1]) {
      signal.score[i] = signal.score[i - 1];
    } else {
      signal.score[i] = static_cast<float>(poisson_upper_tail_score(signal.pileup[i], signal.lambda[i]));
    }
  }
  signal.scored = end;
  return signal.scored == signal.pileup.size();
}

Result<PeakSignal> compute_peak_signal(std::span<const BedRecord> treatment, std::span<const BedRecord> control,
                                       const Region& span, const PeakCallOptions& options) {
  EPIBOOK_ASSIGN_OR_RETURN(PeakSignal signal, build_peak_signal(treatment, control, span, options));
  score_bases(signal, signal.pileup.size());
  return signal;
}

std::vector<CalledPeak> call_peaks(const PeakSignal& signal, const PeakCallOptions& options) {
  // Runs above the threshold, as [begin, end) offsets into the span.
  std::vector<std::pair<size_t, size_t>> runs;
  const size_t scored = std::min(signal.scored, signal.score.size());
  for (size_t i = 0; i < scored;) {
    if (signal.score[i] < options.threshold) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < scored && signal.score[end] >= options.threshold) ++end;
    if (!runs.empty() && i - runs.back().second <= options.max_gap) {
      runs.back().second = end;
    } else {
      runs.emplace_back(i, end);
    }
    i = end;
  }
  const uint32_t min_length = options.min_length > 0 ? options.min_length : options.fragment_length;
  std::vector<CalledPeak> peaks;
  for (const auto& [begin, end] : runs) {
    if (end - begin < min_length) continue;
    CalledPeak peak;
    peak.region = {signal.span.chrom, signal.span.start + begin, signal.span.start + end};
    size_t summit = begin;
    for (size_t i = begin; i < end; ++i) {
      if (signal.pileup[i] > signal.pileup[summit]) summit = i;
      peak.max_score = std::max(peak.max_score, static_cast<double>(signal.score[i]));
    }
    peak.summit = signal.span.start + summit;
    peak.summit_pileup = signal.pileup[summit];
    peak.summit_lambda = signal.lambda[summit];
    peaks.push_back(peak);
  }
  return peaks;
}

std::vector<BedRecord> peaks_as_narrowpeak(std::span<const CalledPeak> peaks) {
  std::vector<BedRecord> records;
  records.reserve(peaks.size());
  for (size_t i = 0; i < peaks.size(); ++i) {
    BedRecord record;
    record.region = peaks[i].region;
    record.name = "peak_" + std::to_string(i + 1);
    record.score = std::min(1000.0, std::floor(10.0 * peaks[i].max_score));
    record.signal_value = peaks[i].summit_lambda > 0 ? peaks[i].summit_pileup / peaks[i].summit_lambda : -1;
    record.p_value = peaks[i].max_score;
    record.peak = static_cast<int64_t>(peaks[i].summit - peaks[i].region.start);
    records.push_back(std::move(record));
  }
  return records;
}

size_t count_overlapping(std::span<const Region> a, std::span<const Region> b) {
  std::vector<Region> sorted(b.begin(), b.end());
  std::sort(sorted.begin(), sorted.end(), [](const Region& x, const Region& y) {
    return std::tie(x.chrom, x.start) < std::tie(y.chrom, y.start);
  });
  // reach[j]: the largest end among sorted[first of its chromosome .. j].
  std::vector<uint64_t> reach(sorted.size());
  for (size_t j = 0; j < sorted.size(); ++j) {
    const bool continues = j > 0 && sorted[j - 1].chrom == sorted[j].chrom;
    reach[j] = continues ? std::max(reach[j - 1], sorted[j].end) : sorted[j].end;
  }
  size_t count = 0;
  for (const Region& region : a) {
    // The last b on this chromosome starting before region.end.
    auto after = std::lower_bound(sorted.begin(), sorted.end(), region, [](const Region& x, const Region& key) {
      return std::tie(x.chrom, x.start) < std::tie(key.chrom, key.end);
    });
    if (after == sorted.begin()) continue;
    const size_t j = static_cast<size_t>(after - sorted.begin()) - 1;
    if (sorted[j].chrom == region.chrom && reach[j] > region.start && region.end > region.start) ++count;
  }
  return count;
}

}  // namespace epibook

// A teaching peak caller for ChIP-seq reads, in the manner of MACS2 (Zhang et al.
// 2008): reads -> fragment pileup -> local Poisson background -> -log10 p per base ->
// peaks as merged runs above a threshold. Sits after io (bed.h reads) and feeds the
// peak-calling lab, which recomputes it as the reader moves the threshold.
//
// Sections: options | Poisson tail | pileup and background | peaks | overlaps
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "epibook/bed.h"
#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// Options. Each read is one end of a fragment of `fragment_length` bp (MACS2's d):
// a '+' read covers [start, start + d), a '-' read [end - d, end), a read without a
// strand is taken as '+'.
struct PeakCallOptions {
  uint32_t fragment_length = 200;
  double threshold = 5.0;          // -log10 p a base must reach (MACS2's default p 1e-5)
  uint32_t small_window = 1000;    // MACS2 --slocal
  uint32_t large_window = 10000;   // MACS2 --llocal
  uint64_t genome_size = 0;        // bases the reads could come from; 0: the span's length
  uint32_t max_gap = 50;           // runs closer than this merge into one peak
  uint32_t min_length = 0;         // shorter merged runs are dropped; 0: fragment_length
  // true: lambda is the largest of the rates below (MACS2's local lambda); false: the
  // genome-wide rate alone (MACS2's --nolambda), which calls any locally busy region.
  bool local_lambda = true;
};

// Fails naming the option ("fragment length 0 ...").
Status validate_peak_options(const PeakCallOptions& options);

// ---------------------------------------------------------------------------------
// The upper Poisson tail as a score: -log10 P(X >= k) for X ~ Poisson(lambda), so a base
// with k fragments over an expected lambda scores 5 when such a pile-up has a 1-in-
// 100,000 chance. 0 for k = 0; lambda must be > 0. Summed in log space, so it stays
// finite far into the tail (k = 500 over lambda = 2 scores about 1,000).
double poisson_upper_tail_score(uint64_t k, double lambda);

// ---------------------------------------------------------------------------------
// Pile-up and background over one span of a chromosome.
// Fragments per base of the span, from the reads on span.chrom (others are ignored;
// fragments are clipped to the span).
std::vector<uint32_t> fragment_pileup(std::span<const BedRecord> reads, const Region& span,
                                      uint32_t fragment_length);

// The fragment depth expected at each base from the reads around it: the number of
// fragment centres within `window` bp centred on the base, times fragment_length /
// window. This is the "local lambda" of a 1 kb or 10 kb window.
std::vector<float> window_lambda(std::span<const BedRecord> reads, const Region& span,
                                 uint32_t fragment_length, uint32_t window);

// Everything the peaks are called from, per base of the span.
struct PeakSignal {
  Region span;
  PeakCallOptions options;
  uint64_t treatment_reads = 0;   // reads on the span's chromosome and inside it
  uint64_t control_reads = 0;
  double genome_lambda = 0;       // treatment_reads * d / genome_size
  std::vector<uint32_t> pileup;   // treatment fragments per base
  // max(genome lambda, control at d, 1 kb and 10 kb windows scaled to the treatment's
  // depth); without control reads, max(genome lambda, 10 kb window of the treatment),
  // as MACS2 does (a 1 kb window of the treatment would absorb the peak itself).
  // The genome lambda alone when options.local_lambda is false.
  std::vector<float> lambda;
  std::vector<float> score;       // -log10 p per base, filled by score_bases
  size_t scored = 0;              // bases [0, scored) have their score
};

// Pile-up and lambda (fast, linear in the span), with `score` sized but not yet filled.
// Fails on bad options, an empty span, or when no treatment read falls in the span.
Result<PeakSignal> build_peak_signal(std::span<const BedRecord> treatment, std::span<const BedRecord> control,
                                     const Region& span, const PeakCallOptions& options);

// Scores bases [signal.scored, signal.scored + max_bases); returns true when every base
// is scored. A lab calls this once per frame; bases with the same (pileup, lambda) as
// their left neighbour reuse its score, so the cost follows the read count, not the span.
bool score_bases(PeakSignal& signal, size_t max_bases);

// The whole pipeline at once.
Result<PeakSignal> compute_peak_signal(std::span<const BedRecord> treatment, std::span<const BedRecord> control,
                                       const Region& span, const PeakCallOptions& options);

// ---------------------------------------------------------------------------------
// Peaks: runs of bases scoring >= threshold, merged across gaps shorter than max_gap,
// dropped when shorter than min_length. The summit is the base of highest pile-up
// (the leftmost on ties), as in MACS2's narrowPeak column 10.
struct CalledPeak {
  Region region;
  uint64_t summit = 0;        // genome position
  uint32_t summit_pileup = 0;
  float summit_lambda = 0;
  double max_score = 0;       // the highest -log10 p inside the peak
};

// Needs a fully scored signal; uses threshold, max_gap and min_length from `options`
// (not from signal.options), so a lab can move them without rebuilding the signal.
std::vector<CalledPeak> call_peaks(const PeakSignal& signal, const PeakCallOptions& options);

// As narrowPeak records (name peak_N, score min(1000, 10 * max_score), pValue
// max_score, summit offset), for `epibook` output and comparisons.
std::vector<BedRecord> peaks_as_narrowpeak(std::span<const CalledPeak> peaks);

// ---------------------------------------------------------------------------------
// How many of `a` overlap at least one of `b` (same chromosome, at least one base).
// Both lists in any order.
size_t count_overlapping(std::span<const Region> a, std::span<const Region> b);

}  // namespace epibook

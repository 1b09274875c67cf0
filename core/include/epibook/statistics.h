// Small statistics that region choice (regions.h) and the leakage audit (audit.h) both
// ask: the base composition of a window's sequence, and how far apart two samples'
// distributions are. Here so neither of those headers needs the other.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace epibook {

// GC content. Only A, C, G and T (either case) count; N and other IUPAC letters are
// left out of both numerator and denominator. NaN when the sequence has no A/C/G/T.
double gc_fraction(std::string_view sequence);
// Share of letters that are not A/C/G/T (N runs, assembly gaps); 0 for an empty sequence.
double unknown_base_fraction(std::string_view sequence);

// The two-sample Kolmogorov-Smirnov statistic D (largest gap between the empirical
// CDFs; NaN values left out; 0 when either side is empty), the same D as
// scipy.stats.ks_2samp, and its asymptotic p-value (Kolmogorov's distribution with
// Stephens' small-sample correction).
double ks_statistic(std::span<const double> a, std::span<const double> b);
double ks_p_value(double d, size_t n, size_t m);

}  // namespace epibook

// Library-size normalisation of count tracks: what makes two sequencing depths of one
// experiment comparable in scale (chapter 6). Two runs of one library differ in scale:
// the same bin holds about four times the reads at 1x as at 0.25x. Counts per million
// (CPM) divide every value by the run's library size (its total count) and multiply by
// 10^6, so a bin holds its share of the run's reads: the scale of depth is gone, the
// noise of depth stays. deepTools' bamCoverage --normalizeUsing CPM does the same per
// bin. Applied before any transform (prep.h): CPM then arcsinh, never the reverse.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "epibook/prep.h"  // SignalSource
#include "epibook/status.h"

namespace epibook {

class BigWigReader;

// A count track stores one count per `count_bin` bases (25 for MACS2 and the
// simulator, 1 for per-base coverage), each base carrying its bin's count, so the
// library size is the file-wide sum over bases (the bigWig's total summary) divided
// by count_bin. Fails for a count_bin of 0 or a track with no counts.
Result<double> bigwig_library_size(const BigWigReader& reader, uint32_t count_bin);
// 10^6 / library_size; fails unless the library size is positive and finite.
Result<double> cpm_factor(double library_size);
// values[i] *= factor, computed in double; NaN stays NaN.
void scale_in_place(std::span<float> values, double factor);

enum class SignalNormalization { kNone, kCpm };
// "none", "cpm".
Result<SignalNormalization> parse_signal_normalization(std::string_view name);
const char* signal_normalization_name(SignalNormalization normalization);

// The same source with every value multiplied by `factor` (CPM: cpm_factor of its
// library size), before any transform; it keeps its name, so messages name the file.
SignalSource scaled_signal_source(SignalSource source, double factor);

}  // namespace epibook

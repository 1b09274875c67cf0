// Output resolution (chapter 3, "Base-pair averaging"): what averaging a track over
// larger bins does to the scores read from it. Averaging b bases shrinks independent
// count noise by b while a smooth signal barely changes, so the correlation between two
// replicates (or a model and the data) climbs with b; the shape inside a bin is lost,
// which a coarse track spread back over its bases shows. Sits beside prep.h (bin_mean)
// and metrics.h (pearson): per-base values in, one score per bin size out.
//
// Sections: spreading bins back | correlation by bin size | rows of a model's output
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// Each bin's value over each of its bases: `length` values, bin i covering bases
// [i * bin_size, (i + 1) * bin_size), the last one cut short at `length`. What a model
// predicting at bin_size says about single bases. Fails when bin_size is 0 or the bins
// do not cover `length` exactly (ceil(length / bin_size) of them).
Result<std::vector<float>> spread_bins(std::span<const float> binned, uint32_t bin_size, uint64_t length);

// ---------------------------------------------------------------------------------
// One score per bin size. `bins` counts the pairs that entered the score.
struct BinScore {
  uint32_t bin = 1;
  uint64_t bins = 0;
  double pearson = 0.0;  // NaN when either side is constant
};

// Pearson's r between the b-bp means of two per-base tracks of one span, for each b of
// `bin_sizes`: bins are whole (a trailing partial bin is left out, BinTail::kDrop), and
// a bin where either side has no data (NaN) is skipped. Fails when the lengths differ,
// a bin size is 0 or longer than the tracks, or fewer than 3 bins remain.
Result<std::vector<BinScore>> pearson_by_bin(std::span<const float> a, std::span<const float> b,
                                             std::span<const uint32_t> bin_sizes);

// How much of a per-base track's shape its b-bp means keep: Pearson's r between the
// track and its own means spread back over their bases, for each b. 1 at b = 1; falls as
// bins grow wider than the track's features. Same rules and failures as pearson_by_bin.
Result<std::vector<BinScore>> shape_kept_by_bin(std::span<const float> per_base, std::span<const uint32_t> bin_sizes);

// ---------------------------------------------------------------------------------
// A model's outputs (or targets) as rows of `per_row` values, each row's values averaged
// in groups of `factor`: predictions at 8 bp scored at 128 bp are rows of 64 averaged
// 16 at a time. Fails unless factor > 0 divides per_row and per_row divides the size.
Result<std::vector<float>> average_rows(std::span<const float> values, uint64_t per_row, uint32_t factor);

}  // namespace epibook

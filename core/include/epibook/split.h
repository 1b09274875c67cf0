// Train / validation / test splits of genomic windows, made so that every run, every
// ordering of the windows and every tool (a Python script included) gets the same
// split. Sits after windowing (prep.h) and before the loader and the leakage auditor.
//
// Two ways to split, and the pitfall between them:
//   by chromosome  named chromosomes hold out validation and test; everything else
//                  trains. Nothing near a test window is ever trained on, at the price
//                  of whole-chromosome granularity.
//   by hash        each window goes where the hash of its coordinates sends it. The
//                  key is exactly the region text "chrom:start-end" with plain decimal
//                  digits (no thousands separators), e.g. "chr2L:1024-2048", hashed by
//                  stable_hash(key, seed) (random.h: FNV-1a 64 then SplitMix64) and
//                  mapped to [0, 1) as (hash >> 11) * 2^-53. Below train -> train,
//                  below train + validation -> validation, else test.
// The pitfall: neighbouring windows see almost the same signal (and overlapping ones
// share bases), so a per-window hash puts near-copies of test windows in training and
// the test score flatters the model. The grouped hash (hash_block > 0) hashes the
// block "chrom:B-E" that holds the window's start, B = floor(start / block) * block and
// E = B + block, so all windows starting in one block (say 1 Mb) share a split; only
// the windows at a block's edge still touch another split.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook {

// The values are stored in split.npy (int8); do not renumber.
enum class Split : int8_t { kTrain = 0, kValidation = 1, kTest = 2 };
const char* split_name(Split split);  // "train", "validation", "test"

struct SplitFractions {
  double train = 0.8;
  double validation = 0.1;
  double test = 0.1;
};
// "0.8,0.1,0.1"; fails on anything but three numbers that validate.
Result<SplitFractions> parse_split_fractions(std::string_view text);
// Each fraction must lie in [0, 1] and together they must sum to 1 (within 1e-6).
Status validate_split_fractions(const SplitFractions& fractions);

// The hash key of a window ("chr2L:1024-2048") and of its block when grouped.
std::string split_key(const Region& window);
std::string split_block_key(const Region& window, uint64_t block_size);
// stable_hash(key, seed) mapped to [0, 1) with 53 bits.
double split_unit_value(std::string_view key, uint64_t seed);
// Where a value in [0, 1) falls for these fractions.
Split split_for_unit_value(double unit, const SplitFractions& fractions);

// Named chromosomes to validation and test, the rest to train. A chromosome named in
// both lists, or named but without any window, is an error: the latter is almost
// always a naming slip ("2L" for "chr2L") that would leave a split silently empty.
Result<std::vector<Split>> split_by_chromosome(std::span<const Region> windows,
                                               std::span<const std::string> validation_chroms,
                                               std::span<const std::string> test_chroms);

// Per-window hash split; depends only on each window's coordinates and the seed.
Result<std::vector<Split>> split_by_hash(std::span<const Region> windows, uint64_t seed,
                                         const SplitFractions& fractions);

// Grouped hash split: windows whose starts fall in the same block of `block_size` bp
// share a split. block_size 0 means per window (split_by_hash).
Result<std::vector<Split>> split_by_hash_grouped(std::span<const Region> windows, uint64_t seed,
                                                 const SplitFractions& fractions, uint64_t block_size);

}  // namespace epibook

// Scores by output bin size (resolution.h): the b-bp means of prep's bin_mean, scored by
// metrics.h's pearson, so the numbers match a numpy reshape(-1, b).mean(1) + corrcoef.
#include "epibook/resolution.h"

#include <cmath>
#include <string>

#include "epibook/metrics.h"
#include "epibook/prep.h"

namespace epibook {
namespace {

Status check_bin_size(uint32_t bin, size_t length, const char* what) {
  if (bin == 0) return invalid_argument(std::string(what) + ": a bin size of 0 bp");
  if (bin > length) {
    return invalid_argument(std::string(what) + ": a " + std::to_string(bin) + " bp bin is longer than the " +
                            std::to_string(length) + " bp tracks");
  }
  return Status::ok();
}

// r between the pairs where both are numbers.
Result<BinScore> score_pairs(uint32_t bin, std::span<const float> x, std::span<const float> y, const char* what) {
  std::vector<float> kept_x, kept_y;
  kept_x.reserve(x.size());
  kept_y.reserve(y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) || std::isnan(y[i])) continue;
    kept_x.push_back(x[i]);
    kept_y.push_back(y[i]);
  }
  if (kept_x.size() < 3) {
    return invalid_argument(std::string(what) + ": " + std::to_string(kept_x.size()) + " bins of " +
                            std::to_string(bin) + " bp with data on both sides; at least 3 are needed");
  }
  EPIBOOK_ASSIGN_OR_RETURN(const double r, pearson(kept_x, kept_y));
  return BinScore{bin, kept_x.size(), r};
}

}  // namespace

Result<std::vector<float>> spread_bins(std::span<const float> binned, uint32_t bin_size, uint64_t length) {
  if (bin_size == 0) return invalid_argument("spread_bins: a bin size of 0 bp");
  const uint64_t needed = (length + bin_size - 1) / bin_size;
  if (binned.size() != needed) {
    return invalid_argument("spread_bins: " + std::to_string(binned.size()) + " bins of " + std::to_string(bin_size) +
                            " bp for " + std::to_string(length) + " bp; " + std::to_string(needed) + " cover it");
  }
  std::vector<float> out(length);
  for (uint64_t i = 0; i < length; ++i) out[i] = binned[i / bin_size];
  return out;
}

Result<std::vector<BinScore>> pearson_by_bin(std::span<const float> a, std::span<const float> b,
                                             std::span<const uint32_t> bin_sizes) {
  if (a.size() != b.size()) {
    return invalid_argument("pearson_by_bin: tracks of " + std::to_string(a.size()) + " and " +
                            std::to_string(b.size()) + " bp; they must cover the same span");
  }
  std::vector<BinScore> scores;
  for (const uint32_t bin : bin_sizes) {
    EPIBOOK_RETURN_IF_ERROR(check_bin_size(bin, a.size(), "pearson_by_bin"));
    EPIBOOK_ASSIGN_OR_RETURN(const std::vector<float> mean_a, bin_mean(a, bin, BinTail::kDrop));
    EPIBOOK_ASSIGN_OR_RETURN(const std::vector<float> mean_b, bin_mean(b, bin, BinTail::kDrop));
    EPIBOOK_ASSIGN_OR_RETURN(BinScore score, score_pairs(bin, mean_a, mean_b, "pearson_by_bin"));
    scores.push_back(score);
  }
  return scores;
}

Result<std::vector<BinScore>> shape_kept_by_bin(std::span<const float> per_base, std::span<const uint32_t> bin_sizes) {
  std::vector<BinScore> scores;
  for (const uint32_t bin : bin_sizes) {
    EPIBOOK_RETURN_IF_ERROR(check_bin_size(bin, per_base.size(), "shape_kept_by_bin"));
    const std::span<const float> whole = per_base.first(per_base.size() / bin * bin);
    EPIBOOK_ASSIGN_OR_RETURN(const std::vector<float> means, bin_mean(whole, bin, BinTail::kDrop));
    EPIBOOK_ASSIGN_OR_RETURN(const std::vector<float> spread, spread_bins(means, bin, whole.size()));
    EPIBOOK_ASSIGN_OR_RETURN(BinScore score, score_pairs(bin, whole, spread, "shape_kept_by_bin"));
    score.bins = means.size();
    scores.push_back(score);
  }
  return scores;
}

Result<std::vector<float>> average_rows(std::span<const float> values, uint64_t per_row, uint32_t factor) {
  if (factor == 0 || per_row == 0 || per_row % factor != 0) {
    return invalid_argument("average_rows: rows of " + std::to_string(per_row) + " values cannot be averaged " +
                            std::to_string(factor) + " at a time");
  }
  if (values.size() % per_row != 0) {
    return invalid_argument("average_rows: " + std::to_string(values.size()) + " values are not whole rows of " +
                            std::to_string(per_row));
  }
  // Rows are whole multiples of the factor, so averaging the whole array in groups of
  // `factor` never mixes two rows.
  return bin_mean(values, factor, BinTail::kDrop);
}

}  // namespace epibook

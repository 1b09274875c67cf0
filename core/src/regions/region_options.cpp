// Options of region choice: modes, presets, checks, and the split each window gets
// (regions.h). The split itself is split.h's, so every tool agrees on it.
#include <cmath>

#include "epibook/regions.h"

namespace epibook {

Result<RegionMode> parse_region_mode(std::string_view name) {
  if (name == "peaks") return RegionMode::kPeaksAndGcMatchedNegatives;
  if (name == "tiling") return RegionMode::kTiling;
  return invalid_argument("region mode '" + std::string(name) + "': expected peaks or tiling");
}

const char* region_mode_name(RegionMode mode) {
  return mode == RegionMode::kTiling ? "tiling" : "peaks";
}

std::vector<std::string> region_preset_names() { return {"default", "gc-matched-3x", "tiling"}; }

Result<RegionOptions> region_preset(std::string_view name) {
  RegionOptions options;
  if (name == "default") return options;
  if (name == "gc-matched-3x") {
    options.negatives_per_positive = 3.0;
    return options;
  }
  if (name == "tiling") {
    options.mode = RegionMode::kTiling;
    options.hash_block = 1000000;
    return options;
  }
  std::string names;
  for (const std::string& n : region_preset_names()) names += (names.empty() ? "" : ", ") + n;
  return invalid_argument("region preset '" + std::string(name) + "': expected one of " + names);
}

Status validate_region_options(const RegionOptions& o) {
  if (o.width == 0) return invalid_argument("region options: window width must be at least 1 bp");
  if (!std::isfinite(o.negatives_per_positive) || o.negatives_per_positive < 0) {
    return invalid_argument("region options: negatives per positive must be a number >= 0");
  }
  if (o.gc_bins == 0 || o.gc_bins > 1000) return invalid_argument("region options: GC bins must be 1 to 1,000");
  if (!(o.max_unknown_fraction >= 0 && o.max_unknown_fraction <= 1)) {
    return invalid_argument("region options: the largest share of N per window must lie between 0 and 1");
  }
  if (o.mode == RegionMode::kTiling && o.jitter != 0) {
    return invalid_argument("region options: jitter moves peak windows; tiling has none to move");
  }
  if (o.split == SplitMethod::kHash) return validate_split_fractions(o.fractions);
  if (o.validation_chroms.empty() && o.test_chroms.empty()) {
    return invalid_argument("region options: a chromosome split needs validation or test chromosomes");
  }
  return Status::ok();
}

Result<std::vector<Split>> split_windows(std::span<const Region> windows, const RegionOptions& options) {
  if (options.split == SplitMethod::kChromosome) {
    return split_by_chromosome(windows, options.validation_chroms, options.test_chroms);
  }
  return split_by_hash_grouped(windows, options.seed, options.fractions, options.hash_block);
}

}  // namespace epibook

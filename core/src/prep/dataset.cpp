// Building a dataset from a signal source: windows are read in batches, transformed at
// input resolution, re-binned, thresholded and split (epibook/prep.h). The result is
// what `epibook prep` writes as .npy files and what the loader feeds a model.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "epibook/prep.h"

namespace epibook {
namespace {

// Bases read per batch: bounds the memory of one read (32 MiB of floats).
constexpr uint64_t kBatchBases = 8u << 20;

// The bases read for one window: the window widened to whole input bins of the genome's
// grid (multiples of input_bin from 0), cut at the chromosome's end.
Region input_span(const Region& window, uint32_t input_bin, uint64_t chrom_length) {
  if (input_bin <= 1) return window;
  const uint64_t start = window.start / input_bin * input_bin;
  const uint64_t end = std::min<uint64_t>((window.end + input_bin - 1) / input_bin * input_bin, chrom_length);
  return Region{window.chrom, start, std::max(end, window.end)};
}

Status check_regions(const SignalSource& source, std::span<const Region> regions) {
  for (const Region& region : regions) {
    const std::optional<uint64_t> length = source.chrom_length(region.chrom);
    if (!length) {
      return not_found(format_region(region) + ": chromosome " + region.chrom + " is not in " + source.name);
    }
    if (region.end > *length) {
      return invalid_argument(format_region(region) + ": runs past the end of " + region.chrom + " (" +
                              with_thousands(*length) + " bp in " + source.name + ")");
    }
  }
  return Status::ok();
}

Result<std::vector<Split>> assign_splits(std::span<const Region> windows, const PrepOptions& options) {
  if (options.split == SplitMethod::kChromosome) {
    return split_by_chromosome(windows, options.validation_chroms, options.test_chroms);
  }
  return split_by_hash_grouped(windows, options.seed, options.fractions, options.hash_block);
}

// Targets, bin labels and the label of one window from the per-base values of its span.
Status prepare_window(const Region& window, const Region& span, std::span<const float> span_values,
                      const PrepOptions& options, size_t index, PrepDataset& dataset) {
  std::vector<float> input_values;
  std::vector<float> bins;
  if (options.input_bin <= 1) {
    input_values.assign(span_values.begin(), span_values.end());
    apply_transform(options.transform, input_values);
    EPIBOOK_ASSIGN_OR_RETURN(bins, bin_mean(input_values, options.bin, BinTail::kKeepPartial));
  } else {
    EPIBOOK_ASSIGN_OR_RETURN(input_values, bin_mean(span_values, options.input_bin, BinTail::kKeepPartial));
    apply_transform(options.transform, input_values);
    const BinnedTrack track{span.start, span.end, options.input_bin, input_values};
    EPIBOOK_ASSIGN_OR_RETURN(bins, rebin_mean(track, window.start, window.end, options.bin, BinTail::kKeepPartial));
  }
  const size_t width = dataset.bins_per_window;
  if (bins.size() != width) {
    return invalid_argument(format_region(window) + ": made " + std::to_string(bins.size()) + " bins, expected " +
                            std::to_string(width));
  }
  std::copy(bins.begin(), bins.end(), dataset.targets.begin() + static_cast<std::ptrdiff_t>(index * width));
  for (size_t b = 0; b < width; ++b) dataset.bin_labels[index * width + b] = threshold_label(bins[b], options.threshold);
  dataset.labels[index] = window_label(bins, input_values, options.threshold, options.label_rule);
  return Status::ok();
}

}  // namespace

double SplitSummary::peak_fraction() const {
  const uint64_t with_data = peaks + background;
  if (with_data == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(peaks) / static_cast<double>(with_data);
}

void summarise_dataset(PrepDataset& dataset) {
  dataset.per_split = {};
  dataset.total = {};
  for (size_t i = 0; i < dataset.labels.size() && i < dataset.split.size(); ++i) {
    const int8_t split = dataset.split[i];
    SplitSummary* targets[2] = {&dataset.total, split >= 0 && split < 3 ? &dataset.per_split[split] : nullptr};
    for (SplitSummary* summary : targets) {
      if (summary == nullptr) continue;
      ++summary->windows;
      if (dataset.labels[i] == kPeakLabel) ++summary->peaks;
      else if (dataset.labels[i] == kBackgroundLabel) ++summary->background;
      else ++summary->missing;
    }
  }
}

Result<PrepDataset> prepare_dataset(const SignalSource& source, std::span<const Region> regions,
                                    const PrepOptions& options, const PrepProgress& progress) {
  EPIBOOK_RETURN_IF_ERROR(validate_prep_options(options));
  if (regions.empty()) return invalid_argument("no regions given");
  EPIBOOK_RETURN_IF_ERROR(check_regions(source, regions));

  PrepDataset dataset;
  EPIBOOK_ASSIGN_OR_RETURN(dataset.windows, tile_windows(regions, options.window, options.stride, options.window_tail));
  const size_t n = dataset.windows.size();
  if (n == 0) {
    return invalid_argument("no " + with_thousands(options.window) + " bp window fits in the " +
                            with_thousands(regions.size()) + " region(s) given (all are shorter)");
  }
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<Split> splits, assign_splits(dataset.windows, options));
  dataset.split.resize(n);
  for (size_t i = 0; i < n; ++i) dataset.split[i] = static_cast<int8_t>(splits[i]);

  dataset.bins_per_window = options.window / options.bin;
  dataset.targets.assign(n * dataset.bins_per_window, 0.0f);
  dataset.bin_labels.assign(n * dataset.bins_per_window, kMissingLabel);
  dataset.labels.assign(n, kMissingLabel);

  std::vector<Region> spans;
  std::vector<float> buffer;
  for (size_t first = 0; first < n;) {
    spans.clear();
    uint64_t bases = 0;
    size_t last = first;
    while (last < n && (last == first || bases + options.window <= kBatchBases)) {
      const Region& window = dataset.windows[last];
      spans.push_back(input_span(window, options.input_bin, *source.chrom_length(window.chrom)));
      bases += spans.back().length();
      ++last;
    }
    buffer.assign(bases, 0.0f);
    EPIBOOK_RETURN_IF_ERROR(source.values_batch(spans, buffer));
    uint64_t offset = 0;
    for (size_t i = first; i < last; ++i) {
      const Region& span = spans[i - first];
      const std::span<const float> values(buffer.data() + offset, span.length());
      EPIBOOK_RETURN_IF_ERROR(prepare_window(dataset.windows[i], span, values, options, i, dataset));
      offset += span.length();
    }
    first = last;
    if (progress) progress(first, n);
  }
  summarise_dataset(dataset);
  return dataset;
}

}  // namespace epibook

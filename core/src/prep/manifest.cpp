// The manifest of a prepared dataset: enough to say exactly how it was made and to
// make it again (options, version, input size and content hash, counts per split).
#include <cmath>
#include <nlohmann/json.hpp>

#include "epibook/prep.h"

namespace epibook {
namespace {

nlohmann::ordered_json summary_json(const SplitSummary& summary) {
  nlohmann::ordered_json out;
  out["windows"] = summary.windows;
  out["peaks"] = summary.peaks;
  out["background"] = summary.background;
  out["missing"] = summary.missing;
  const double fraction = summary.peak_fraction();
  out["peak_fraction"] = std::isnan(fraction) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(fraction);
  return out;
}

nlohmann::ordered_json options_json(const PrepOptions& o) {
  nlohmann::ordered_json out;
  out["window"] = o.window;
  out["stride"] = o.stride;
  out["window_tail"] = window_tail_name(o.window_tail);
  out["bin"] = o.bin;
  out["input_bin"] = o.input_bin;
  out["transform"] = signal_transform_name(o.transform);
  out["threshold"] = o.threshold;
  out["threshold_untransformed"] = invert_transform_value(o.transform, o.threshold);
  out["label_rule"] = label_rule_text(o.label_rule);
  out["split"] = split_method_name(o.split);
  if (o.split == SplitMethod::kHash) {
    out["seed"] = o.seed;
    out["fractions"] = {{"train", o.fractions.train}, {"validation", o.fractions.validation}, {"test", o.fractions.test}};
    out["hash_block"] = o.hash_block;
    out["hash_key"] = o.hash_block == 0 ? "chrom:start-end of each window"
                                        : "chrom:B-E of the hash_block-sized block holding the window's start";
  } else {
    out["validation_chroms"] = o.validation_chroms;
    out["test_chroms"] = o.test_chroms;
  }
  return out;
}

}  // namespace

std::string prep_manifest_json(const PrepDataset& dataset, const PrepOptions& options, const PrepInput& input) {
  nlohmann::ordered_json manifest;
  manifest["tool"] = "epibook prep";
  manifest["epibook_version"] = EPIBOOK_VERSION;
  manifest["input"] = {{"path", input.path},
                       {"size", input.size},
                       {"content_hash", hex64(input.content_hash)},
                       {"content_hash_method", "stable_hash (FNV-1a 64 + SplitMix64), seed 0"},
                       {"regions", input.regions}};
  manifest["options"] = options_json(options);
  const uint64_t n = dataset.windows.size();
  const uint64_t bins = dataset.bins_per_window;
  manifest["arrays"] = {
      {"targets.npy", {{"dtype", "float32"}, {"shape", {n, bins}}}},
      {"labels.npy", {{"dtype", "int8"}, {"shape", {n}}}},
      {"bin_labels.npy", {{"dtype", "int8"}, {"shape", {n, bins}}}},
      {"split.npy", {{"dtype", "int8"}, {"shape", {n}}, {"values", {{"0", "train"}, {"1", "validation"}, {"2", "test"}}}}},
      {"windows.bed", {{"columns", "chrom start end split"}}}};
  nlohmann::ordered_json splits;
  for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
    splits[split_name(split)] = summary_json(dataset.per_split[static_cast<size_t>(split)]);
  }
  manifest["splits"] = splits;
  manifest["total"] = summary_json(dataset.total);
  return manifest.dump(2) + "\n";
}

}  // namespace epibook

// PrepOptions: presets and the checks that tie the options together (epibook/prep.h).
// The same struct is filled by `epibook prep` and by a lab's URL.
#include <string>

#include "epibook/prep.h"

namespace epibook {

Result<SplitMethod> parse_split_method(std::string_view name) {
  if (name == "hash") return SplitMethod::kHash;
  if (name == "chrom" || name == "chromosome") return SplitMethod::kChromosome;
  return invalid_argument("split method '" + std::string(name) + "': expected hash or chrom");
}

const char* split_method_name(SplitMethod method) { return method == SplitMethod::kHash ? "hash" : "chrom"; }

std::vector<std::string> prep_preset_names() { return {"default", "tutorial1"}; }

Result<PrepOptions> prep_preset(std::string_view name) {
  PrepOptions options;
  if (name == "default") return options;
  if (name == "tutorial1") {
    // Spelled out, so the preset stays Tutorial 1's even if the defaults move.
    options.window = 1024;
    options.stride = 1024;
    options.window_tail = WindowTail::kDrop;
    options.bin = 32;
    options.input_bin = 25;
    options.transform = SignalTransform::kArcsinh;
    options.threshold = transform_value(SignalTransform::kArcsinh, 2.0);
    options.label_rule = LabelRule{};
    options.split = SplitMethod::kHash;
    options.seed = 1;
    options.fractions = SplitFractions{0.8, 0.1, 0.1};
    options.hash_block = 20000;
    return options;
  }
  std::string known;
  for (const std::string& preset : prep_preset_names()) known += (known.empty() ? "" : ", ") + preset;
  return invalid_argument("preset '" + std::string(name) + "': expected one of " + known);
}

Status validate_prep_options(const PrepOptions& options) {
  if (options.window == 0) return invalid_argument("window must be at least 1 bp");
  if (options.stride == 0) return invalid_argument("stride must be at least 1 bp");
  if (options.bin == 0) return invalid_argument("bin must be at least 1 bp");
  if (options.input_bin == 0) return invalid_argument("input bin must be at least 1 bp (1 = per-base values)");
  if (options.window % options.bin != 0) {
    return invalid_argument("window " + with_thousands(options.window) + " bp is not a multiple of bin " +
                            with_thousands(options.bin) + " bp");
  }
  if (options.threshold != options.threshold) return invalid_argument("threshold must be a number, not NaN");
  if (options.split == SplitMethod::kHash) {
    EPIBOOK_RETURN_IF_ERROR(validate_split_fractions(options.fractions));
    if (!options.validation_chroms.empty() || !options.test_chroms.empty()) {
      return invalid_argument("validation / test chromosomes are named but the split is by hash; "
                              "use the chromosome split to hold chromosomes out");
    }
  } else if (options.validation_chroms.empty() && options.test_chroms.empty()) {
    return invalid_argument("a chromosome split needs validation or test chromosomes");
  }
  return Status::ok();
}

}  // namespace epibook

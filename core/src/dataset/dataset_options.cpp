// The dataset's options (epibook/dataset.h): names of the target kinds and the checks
// that can be made before any window is seen; messages name the [data] key.
#include "epibook/dataset.h"
#include "epibook/normalize.h"

namespace epibook {

Result<TargetKind> parse_target_kind(std::string_view name) {
  if (name == "signal") return TargetKind::kSignal;
  if (name == "label") return TargetKind::kLabel;
  return invalid_argument("data.target '" + std::string(name) + "': expected signal or label");
}

const char* target_kind_name(TargetKind kind) { return kind == TargetKind::kSignal ? "signal" : "label"; }

Status validate_dataset_options(const DatasetOptions& options) {
  if (options.target != TargetKind::kSignal && options.target != TargetKind::kLabel) {
    return invalid_argument("data.target must be signal or label");
  }
  if (options.bin > (uint32_t{1} << 24)) {
    return invalid_argument("data.bin " + with_thousands(options.bin) + " is longer than any window may be (16 Mb)");
  }
  if (options.target == TargetKind::kLabel && options.bin != 0) {
    return invalid_argument("data.bin is for signal targets; a label target has one value per window (leave it 0)");
  }
  if (options.target == TargetKind::kLabel && options.transform != SignalTransform::kNone) {
    return invalid_argument("data.transform is for signal targets; a label target is 0 or 1 (leave it none)");
  }
  return Status::ok();
}

Result<DatasetOptions> dataset_options(const DataOptions& data) {
  DatasetOptions options;
  EPIBOOK_ASSIGN_OR_RETURN(options.target, parse_target_kind(data.target));
  options.bin = data.bin;
  Result<SignalTransform> transform = parse_signal_transform(data.transform);
  if (!transform.is_ok()) return invalid_argument("data." + transform.status().message());
  options.transform = *transform;
  Result<SignalNormalization> normalization = parse_signal_normalization(data.normalize);
  if (!normalization.is_ok()) return invalid_argument("data." + normalization.status().message());
  if (*normalization != SignalNormalization::kNone && options.target == TargetKind::kLabel) {
    return invalid_argument("data.normalize is for signal targets; a label target is 0 or 1 (leave it none)");
  }
  if (data.count_bin == 0) return invalid_argument("data.count_bin must be at least 1 bp");
  Result<UnknownBase> unknown = parse_unknown_base(data.unknown_base);
  if (!unknown.is_ok()) return invalid_argument("data.unknown_base: " + unknown.status().message());
  options.unknown_base = *unknown;
  if (data.missing != "drop" && data.missing != "zero") {
    return invalid_argument("data.missing '" + data.missing + "': expected drop or zero");
  }
  options.missing_as_zero = data.missing == "zero";
  EPIBOOK_RETURN_IF_ERROR(validate_dataset_options(options));
  return options;
}

}  // namespace epibook

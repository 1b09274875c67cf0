// LoaderOptions' names, presets and checks (epibook/loader.h): the same struct is
// filled by `epibook load`, the labs' URLs and the benchmark, so presets live here once.
#include <cmath>

#include "epibook/loader.h"

namespace epibook {

Result<UnknownBase> parse_unknown_base(std::string_view name) {
  if (name == "zeros") return UnknownBase::kZeros;
  if (name == "quarter") return UnknownBase::kQuarter;
  return invalid_argument("unknown base encoding '" + std::string(name) + "' (zeros, quarter)");
}

const char* unknown_base_name(UnknownBase unknown) {
  return unknown == UnknownBase::kQuarter ? "quarter" : "zeros";
}

std::vector<std::string> loader_preset_names() { return {"default", "bpnet", "tutorial1", "benchmark"}; }

Result<LoaderOptions> loader_preset(std::string_view name) {
  LoaderOptions options;
  if (name == "default") return options;
  if (name == "bpnet") {
    options.reverse_complement = true;
    options.max_shift = 100;
    options.sampler.scheme = SamplingScheme::kClassBalanced;
    return options;
  }
  if (name == "tutorial1") {
    options.bin = 32;
    options.transform = SignalTransform::kArcsinh;
    return options;
  }
  if (name == "benchmark") {
#ifndef __EMSCRIPTEN__
    options.threads = 2;
#endif
    return options;
  }
  std::string names;
  for (const std::string& preset : loader_preset_names()) names += (names.empty() ? "" : ", ") + preset;
  return invalid_argument("unknown loader preset '" + std::string(name) + "' (" + names + ")");
}

Status validate_loader_options(const LoaderOptions& options) {
  if (options.batch_size == 0) return invalid_argument("loader: batch size must be at least 1");
  if (options.bin == 0) return invalid_argument("loader: bin must be at least 1 bp");
  if (options.prefetch_batches == 0) return invalid_argument("loader: prefetch must allow at least 1 batch");
  if (options.threads > 256) {
    return invalid_argument("loader: " + std::to_string(options.threads) + " threads is more than 256");
  }
  return validate_sampler_options(options.sampler);
}

}  // namespace epibook

// Parameter parsing shared by the labs (lab.h) and the registry of lab names.
#include <cstdlib>

#include "lab.h"
#include "lab_factories.h"

namespace epibook::labs {

Result<double> json_number(const nlohmann::json& value, const std::string& key) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    std::erase(text, ',');
    char* end = nullptr;
    const double number = std::strtod(text.c_str(), &end);
    if (!text.empty() && end == text.c_str() + text.size()) return number;
  }
  return invalid_argument(key + ": " + value.dump() + " is not a number");
}

Result<std::string> json_text(const nlohmann::json& value, const std::string& key) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return invalid_argument(key + ": " + value.dump() + " is not text");
}

Result<bool> json_flag(const nlohmann::json& value, const std::string& key) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0;
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (text == "true" || text == "on" || text == "1" || text == "yes") return true;
    if (text == "false" || text == "off" || text == "0" || text == "no") return false;
  }
  return invalid_argument(key + ": " + value.dump() + " is not on/off");
}

std::string param_text(const nlohmann::json& params, const std::string& key, const std::string& fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  auto text = json_text(params[key], key);
  return text.is_ok() ? *text : fallback;
}

Result<double> param_number(const nlohmann::json& params, const std::string& key, double fallback) {
  if (!params.is_object() || !params.contains(key)) return fallback;
  return json_number(params[key], key);
}

Status check_range(const std::string& key, double value, double lo, double hi) {
  if (value >= lo && value <= hi) return Status::ok();
  return invalid_argument(key + ": " + std::to_string(value) + " is outside " + std::to_string(lo) + " .. " +
                          std::to_string(hi));
}

bool is_bigwig_name(const std::string& name) {
  auto ends_with = [&](const char* suffix) {
    const std::string s(suffix);
    return name.size() >= s.size() && std::equal(s.rbegin(), s.rend(), name.rbegin(),
                                                  [](char a, char b) { return a == std::tolower(b); });
  };
  return ends_with(".bw") || ends_with(".bigwig");
}

Result<std::unique_ptr<Lab>> make_lab(const std::string& name, const nlohmann::json& params, LabServices& services) {
  if (name == "fastq-quality") return make_fastq_quality_lab(params, services);
  if (name == "peak-calling") return make_peak_calling_lab(params, services);
  if (name == "track-explorer") return make_track_explorer_lab(params, services);
  if (name == "tutorial1-prep") return make_tutorial1_prep_lab(params, services);
  if (name == "class-imbalance") return make_class_imbalance_lab(params, services);
  if (name == "first-model") return make_first_model_lab(params, services);
  if (name == "loss-metrics") return make_loss_metrics_lab(params, services);
  if (name == "bin-averaging") return make_bin_averaging_lab(params, services);
  if (name == "output-bins") return make_output_bins_lab(params, services);
  if (name == "seed-variance") return make_seed_variance_lab(params, services);
  if (name == "depth-compare") return make_depth_compare_lab(params, services);
  if (name == "depth-transfer") return make_depth_transfer_lab(params, services);
  if (name == "gc-shortcut") return make_gc_shortcut_lab(params, services);
  if (name == "region-choice") return make_region_choice_lab(params, services);
  if (name == "pitfalls") return make_pitfalls_lab(params, services);
  if (name == "lr-sweep") return make_lr_sweep_lab(params, services);
  if (name == "test-bench") return make_test_bench_lab(params, services);
  if (name == "bug-curves") return make_bug_curves_lab(params, services);
  if (name == "lr-schedules") return make_lr_schedules_lab(params, services);
  if (name == "batch-size") return make_batch_size_lab(params, services);
  if (name == "early-stopping") return make_early_stopping_lab(params, services);
  if (name == "augmentation") return make_augmentation_lab(params, services);
  if (name == "kipoi-export") return make_kipoi_lab(params, services, false);
  if (name == "kipoi-contract") return make_kipoi_lab(params, services, true);
  if (name == "grelu-workflow" || name == "grelu-export") return make_grelu_workflow_lab(name, params, services);
  return not_found("no lab is called \"" + name +
                   "\" (fastq-quality, peak-calling, track-explorer, tutorial1-prep, class-imbalance, first-model, "
                   "loss-metrics, bin-averaging, output-bins, seed-variance, depth-compare, depth-transfer, gc-shortcut, "
                   "region-choice, pitfalls, lr-sweep, test-bench, bug-curves, lr-schedules, batch-size, early-stopping, "
                   "augmentation, kipoi-export, kipoi-contract, grelu-workflow, grelu-export)");
}

}  // namespace epibook::labs

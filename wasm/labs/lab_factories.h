// One factory per lab file, for make_lab (lab_params.cpp).
#pragma once

#include <memory>
#include <utility>

#include "lab.h"

namespace epibook::labs {

// The body of every factory below: a lab of type L made from `args`, then configured from
// its lab block's params (a param it refuses fails the factory with the lab's message).
template <class L, class... Args>
Result<std::unique_ptr<Lab>> configured_lab(const nlohmann::json& params, Args&&... args) {
  auto lab = std::make_unique<L>(std::forward<Args>(args)...);
  EPIBOOK_RETURN_IF_ERROR(lab->configure(params));
  return std::unique_ptr<Lab>(std::move(lab));
}

Result<std::unique_ptr<Lab>> make_fastq_quality_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_peak_calling_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_track_explorer_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_tutorial1_prep_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_class_imbalance_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_first_model_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_loss_metrics_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_bin_averaging_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_output_bins_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_seed_variance_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_depth_compare_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_depth_transfer_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_gc_shortcut_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_region_choice_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_pitfalls_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_lr_sweep_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_test_bench_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_bug_curves_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_lr_schedules_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_batch_size_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_early_stopping_lab(const nlohmann::json& params, LabServices& services);
Result<std::unique_ptr<Lab>> make_augmentation_lab(const nlohmann::json& params, LabServices& services);
// kipoi_export.cpp: "kipoi-export" (contract false) and "kipoi-contract" (true).
Result<std::unique_ptr<Lab>> make_kipoi_lab(const nlohmann::json& params, LabServices& services, bool contract);
// "grelu-workflow" and "grelu-export": one lab (chapter 9) drawn for the workflow's steps or the handover.
Result<std::unique_ptr<Lab>> make_grelu_workflow_lab(const std::string& name, const nlohmann::json& params,
                                                     LabServices& services);

}  // namespace epibook::labs

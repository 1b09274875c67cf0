// Lab "pitfalls" (chapter 12): one pitfall of machine learning in genomics per lab block
// (pitfall=dependent, preprocessing, validation-balance, confounding, imbalance or
// distribution). The lab makes the same kind of data set twice from chapter 5's simulated
// genome, once with the pitfall and once with its fix (pitfall_cases.cpp), runs the
// leakage auditor on each (audit_splits, as `epibook audit` does) and fits and scores one
// k-mer model on each, so the reader sees the auditor's finding, the score the pitfall
// gives and the score the fix gives side by side. The `fix` switch picks the side shown.
#include <imgui.h>

#include <cmath>
#include <optional>

#include "../app/plot.h"
#include "../train/dataset_build.h"
#include "../train/training_panel.h"
#include "epibook/bed.h"
#include "epibook/fasta.h"
#include "pitfall_cases.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

const char* const kGenome = "assets/regions/sim/genome.fa";
const char* const kPeaks = "assets/regions/sim/celltypeA.narrowPeak";

nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json scores_json(const SplitScores& s) {
  return {{"windows", s.windows},         {"peaks", s.peaks},
          {"peak_fraction", number(s.peak_fraction)}, {"auroc", number(s.auroc)},
          {"auprc", number(s.auprc)},     {"accuracy", number(s.accuracy)},
          {"peak_recall", number(s.peak_recall)},     {"balanced_accuracy", number(s.balanced_accuracy)},
          {"gc_auroc", number(s.gc_auroc)}};
}

nlohmann::json side_json(const PitfallSide& side) {
  nlohmann::json checks = nlohmann::json::array();
  for (const AuditCheck& c : side.report.checks) {
    checks.push_back({{"name", c.name}, {"level", check_level_name(c.level)}, {"summary", c.summary}});
  }
  nlohmann::json per_split;
  for (Split s : {Split::kTrain, Split::kValidation, Split::kTest}) {
    const SplitSummary& summary = side.report.labels.per_split[static_cast<size_t>(s)];
    per_split[split_name(s)] = {{"windows", side.report.windows_per_split[static_cast<size_t>(s)]},
                                {"peak_fraction", number(summary.peak_fraction())}};
  }
  return {{"design", side.design},
          {"check", side.flagged_check},
          {"level", check_level_name(side.level)},
          {"finding", side.finding},
          {"windows", side.report.windows},
          {"splits", per_split},
          {"overlapping_windows", side.report.contacts.overlapping_windows},
          {"checks", checks},
          {"leak", side.report.has_leak()},
          {"validation", scores_json(side.validation)},
          {"test", scores_json(side.test)}};
}

ImVec4 level_colour(CheckLevel level) {
  switch (level) {
    case CheckLevel::kFail: return colours::kError.vec4();
    case CheckLevel::kWarn: return colours::kAccent.vec4();
    case CheckLevel::kPass: return colours::kTrain.vec4();
    case CheckLevel::kSkipped: break;
  }
  return colours::kMutedText.vec4();
}

class PitfallsLab final : public Lab {
 public:
  explicit PitfallsLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    if (!params.contains("pitfall")) return invalid_argument("pitfalls: name a pitfall (pitfall=" + pitfall_names() + ")");
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(params["pitfall"], "pitfall"));
    EPIBOOK_ASSIGN_OR_RETURN(pitfall_, parse_pitfall(name));
    if (params.contains("fix")) EPIBOOK_RETURN_IF_ERROR(set("fix", params["fix"]));
    services_.files.request_whole(kGenome);
    services_.files.request_whole(kPeaks);
    return Status::ok();
  }

  // One piece of work per frame: the files, then the side with the pitfall, then the fix.
  void step() override {
    if (failed_ || (sides_[0] && sides_[1])) return;
    auto loaded = load_genome_and_bed(services_.files, kGenome, kPeaks, files_);
    if (!loaded.is_ok()) return fail(loaded.status().message());
    if (!*loaded) return;
    const int side = sides_[0] ? 1 : 0;
    auto result = run_pitfall_side(PitfallGenome{&files_->genome, files_->records}, pitfall_, side == 1);
    if (!result.is_ok()) return fail(result.status().message());
    sides_[side] = std::move(result).value();
  }

  bool busy() const override { return !failed_ && !(sides_[0] && sides_[1]); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "pitfalls";
    state["pitfall"] = pitfall_name(pitfall_);
    state["fix"] = fix_;
    state["stage"] = failed_ ? "failed" : busy() ? "computing" : "ready";
    state["message"] = message_;
    state["with_pitfall"] = sides_[0] ? side_json(*sides_[0]) : nlohmann::json(nullptr);
    state["with_fix"] = sides_[1] ? side_json(*sides_[1]) : nlohmann::json(nullptr);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key != "fix") return invalid_argument("pitfalls has no parameter \"" + key + "\" (fix; pitfall is the lab block's)");
    EPIBOOK_ASSIGN_OR_RETURN(fix_, json_flag(value, key));
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab reads its simulated genome only (the page shows `epibook audit` for your own files)";
  }

 private:
  void fail(std::string message) {
    failed_ = true;
    message_ = std::move(message);
  }

  LabServices& services_;
  Pitfall pitfall_ = Pitfall::kDependent;
  bool fix_ = false;
  std::optional<GenomeAndBed> files_;  // chapter 5's simulated genome and its peaks
  std::array<std::optional<PitfallSide>, 2> sides_;
  bool failed_ = false;
  std::string message_;
};

void PitfallsLab::draw() {
  if (ImGui::RadioButton("with the pitfall", !fix_)) fix_ = false;
  same_line_if_fits(button_width("with the fix"));
  if (ImGui::RadioButton("with the fix", fix_)) fix_ = true;
  if (!message_.empty()) message_line(message_, failed_);
  if (failed_) return;
  const std::optional<PitfallSide>& shown = sides_[fix_ ? 1 : 0];
  if (!shown) {
    message_line(sides_[0] ? "making the data with the fix" : "making the data with the pitfall", false);
    return;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("simulated genome (open chromatin follows GC): %s", shown->design.c_str());
  ImGui::PopStyleColor();
  // The auditor's verdict on the check that names this pitfall, then every check.
  ImGui::TextColored(level_colour(shown->level), "auditor, %s: %s", shown->flagged_check.c_str(), check_level_name(shown->level));
  ImGui::TextWrapped("%s", shown->finding.c_str());
  // Open at first where the canvas is wide enough to hold every check beside the table.
  const bool narrow = narrow_layout();
  if (!narrow) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
  if (ImGui::TreeNode("every check of the audit")) {
    for (const AuditCheck& c : shown->report.checks) {
      ImGui::TextColored(level_colour(c.level), "%-7s", check_level_name(c.level));
      ImGui::SameLine();
      ImGui::TextWrapped("%s: %s", c.name.c_str(), c.summary.c_str());
    }
    ImGui::TreePop();
  }
  // The k-mer model's scores, this side's and the other side's.
  if (ImGui::BeginTable("scores", narrow ? 5 : 7, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("8-mer model", ImGuiTableColumnFlags_WidthStretch, 2.2f);
    for (const char* column : {"windows", "peaks", "AUROC", "AUPRC", "accuracy", "GC alone"}) {
      const bool wide_only = std::string(column) == "windows" || std::string(column) == "accuracy";
      if (!narrow || !wide_only) ImGui::TableSetupColumn(column, ImGuiTableColumnFlags_WidthStretch, 1.0f);
    }
    ImGui::TableHeadersRow();
    for (int side = 0; side < 2; ++side) {
      if (!sides_[side]) continue;
      for (const SplitScores* s : {&sides_[side]->validation, &sides_[side]->test}) {
        ImGui::TableNextRow();
        if (side == (fix_ ? 1 : 0)) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, colours::with_alpha(colours::kAccent, 40));
        ImGui::TableNextColumn();
        ImGui::Text("%s, %s", side ? "fix" : "pitfall", s == &sides_[side]->validation ? (narrow ? "val." : "validation") : "test");
        if (!narrow) {
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(short_number(static_cast<double>(s->windows)).c_str());
        }
        std::vector<double> shown_values = {s->peak_fraction, s->auroc, s->auprc};
        if (!narrow) shown_values.push_back(s->accuracy);
        shown_values.push_back(s->gc_auroc);
        for (double v : shown_values) {
          ImGui::TableNextColumn();
          ImGui::TextUnformatted(short_number(v).c_str());
        }
      }
    }
    ImGui::EndTable();
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("peaks: share of peak windows; GC alone: the AUROC of the windows' GC content, the confounder's "
                     "own score; accuracy calls a window a peak when its score is above 0");
  ImGui::PopStyleColor();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_pitfalls_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<PitfallsLab>(params, services);
}

}  // namespace epibook::labs

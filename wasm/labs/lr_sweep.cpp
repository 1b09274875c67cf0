// Lab "lr-sweep" (chapter 11): a sweep as an experiment tracker runs one. The first model
// is trained once per learning rate of a grid, one run after the other, every other
// setting fixed; each run's validation curve is drawn over the others, its numbers go in a
// table, and the page keeps each run (manifest.json and metrics.jsonl, as `epibook train`
// writes them) for the run dashboard, which lists, sorts and overlays them. The training
// is the first-model lab's, driven through its own test API as a reader would drive it
// (driven_runs.h, as seed-variance drives it): the same data, panel and run records.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "driven_runs.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr size_t kMinRates = 2;
constexpr size_t kMaxRates = 8;
const char* const kOwnKeys = "rates";

// "0.001, 0.003,0.01" (or [0.001, 0.003, 0.01]) -> the rates, each in the panel's range, no rate twice.
Result<std::vector<double>> parse_rates(const nlohmann::json& value) {
  std::string text;
  if (value.is_array()) {
    for (const nlohmann::json& rate : value) text += (text.empty() ? "" : ",") + rate.dump();
  } else {
    EPIBOOK_ASSIGN_OR_RETURN(text, json_text(value, "rates"));
  }
  std::vector<double> rates;
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    EPIBOOK_ASSIGN_OR_RETURN(const double rate, json_number(item, "rates"));
    EPIBOOK_RETURN_IF_ERROR(check_range("rates", rate, 1e-7, 10));
    if (std::find(rates.begin(), rates.end(), rate) != rates.end()) {
      return invalid_argument("rates: " + item + " is in the list twice");
    }
    rates.push_back(rate);
  }
  if (rates.size() < kMinRates || rates.size() > kMaxRates) {
    return invalid_argument("rates: \"" + text + "\" gives " + std::to_string(rates.size()) + " learning rates; a sweep takes " +
                            std::to_string(kMinRates) + " to " + std::to_string(kMaxRates) + ", separated by commas");
  }
  return rates;
}

// One finished run of the sweep: its curves per epoch and their summaries.
struct SweepRun {
  double rate = NAN;
  std::vector<double> validation_loss;  // per epoch
  std::vector<double> metric;           // the main validation metric per epoch
  uint64_t steps = 0;

  size_t best_epoch() const {  // 1-based epoch of the lowest validation loss (0: none)
    size_t best = 0;
    for (size_t e = 0; e < validation_loss.size(); ++e) {
      if (std::isfinite(validation_loss[e]) && (best == 0 || validation_loss[e] < validation_loss[best - 1])) best = e + 1;
    }
    return best;
  }
  double final_metric() const { return metric.empty() ? NAN : metric.back(); }
};

class LearningRateSweepLab final : public Lab {
 public:
  explicit LearningRateSweepLab(LabServices& services)
      : services_(services), sweep_("lr-sweep", "learning_rate", kOwnKeys, [this] { clear_results(); }) {}

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(sweep_.make_runs(param_text(params, "dataset", "sim-motifs"), false, services_));
    EPIBOOK_ASSIGN_OR_RETURN(rates_, parse_rates(param_text(params, "rates", "0.001,0.003,0.01,0.03")));
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it.key() != "dataset" && it.key() != "caption" && it.key() != "rates") EPIBOOK_RETURN_IF_ERROR(set(it.key(), it.value()));
    }
    clear_results();
    return Status::ok();
  }

  void step() override {
    const std::optional<nlohmann::json> state = sweep_.ready_state();
    if (!state) return;
    if (sweep_.started()) {
      record(*state);
      sweep_.run_recorded();
      if (sweep_.phase() == DrivenSweep::Phase::kFailed) return;
    }
    if (done_.size() >= rates_.size()) return sweep_.finish();
    sweep_.start({{"learning_rate", rates_[done_.size()]}});  // a new rate starts a new run
  }

  bool busy() const override { return sweep_.busy(); }
  bool training() const override { return sweep_.training(); }

  void draw() override;

  nlohmann::json state() const override {
    const nlohmann::json runs = sweep_.runs().state();
    nlohmann::json state = sweep_.state_head(runs);
    state["rates"] = rates_;
    state["runs_done"] = done_.size();
    state["current_rate"] = sweep_.started() ? nlohmann::json(rates_[done_.size()]) : nlohmann::json(nullptr);
    state["metric"] = metric_;
    nlohmann::json list = nlohmann::json::array();
    for (const SweepRun& run : done_) {
      nlohmann::json losses = nlohmann::json::array(), metric = nlohmann::json::array();
      for (double v : run.validation_loss) losses.push_back(number_or_null(v));
      for (double v : run.metric) metric.push_back(number_or_null(v));
      const size_t best = run.best_epoch();
      list.push_back({{"learning_rate", run.rate},
                      {"epochs", run.validation_loss.size()},
                      {"steps", run.steps},
                      {"validation_loss", losses},
                      {metric_, metric},
                      {"final_" + metric_, number_or_null(run.final_metric())},
                      {"final_validation_loss", losses.empty() ? nlohmann::json(nullptr) : losses.back()},
                      {"best_validation_loss", best ? number_or_null(run.validation_loss[best - 1]) : nlohmann::json(nullptr)},
                      {"best_epoch", best}});
    }
    state["runs"] = list;
    const SweepRun* best = best_run();
    state["best_rate"] = best ? nlohmann::json(best->rate) : nlohmann::json(nullptr);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "rates") {
      EPIBOOK_ASSIGN_OR_RETURN(rates_, parse_rates(value));
      clear_results();
      return Status::ok();
    }
    return sweep_.set(key, value);
  }

  void open_file(const std::string& name) override { sweep_.refuse_file(name); }

 private:
  void clear_results() {
    done_.clear();
    sweep_.reset();
  }

  // The run with the best last validation metric (the sweep's pick), or none yet.
  const SweepRun* best_run() const {
    const SweepRun* best = nullptr;
    for (const SweepRun& run : done_) {
      if (std::isfinite(run.final_metric()) && (!best || run.final_metric() > best->final_metric())) best = &run;
    }
    return best;
  }

  // The finished run of the current rate: its validation curves.
  void record(const nlohmann::json& state) {
    const double rate = rates_[done_.size()];
    const nlohmann::json& validation = state.value("validation", nlohmann::json::array());
    if (state.value("phase", "") != "finished" || validation.empty()) {
      const std::string why = state.value("message", "");
      return sweep_.fail("learning rate " + nlohmann::json(rate).dump() + ": the run did not finish" + (why.empty() ? "" : " (" + why + ")"));
    }
    metric_ = validation.back().contains("auroc") ? "auroc" : "pearson";
    SweepRun run;
    run.rate = rate;
    run.steps = state.value("steps", uint64_t{0});
    const auto value = [](const nlohmann::json& epoch, const char* key) {
      return epoch.contains(key) && epoch[key].is_number() ? epoch[key].get<double>() : NAN;
    };
    for (const nlohmann::json& epoch : validation) {
      run.validation_loss.push_back(value(epoch, "loss"));
      run.metric.push_back(value(epoch, metric_.c_str()));
    }
    done_.push_back(std::move(run));
  }

  LabServices& services_;
  DrivenSweep sweep_;  // the first-model lab's run A, trained once per rate
  std::vector<double> rates_;
  std::vector<SweepRun> done_;  // the finished runs, in the order of rates_
  std::string metric_ = "auroc";
  char rates_text_[96] = {};  // the rates box's text
  bool editing_rates_ = false;
};

void LearningRateSweepLab::draw() {
  const float em = ImGui::GetFontSize();
  sweep_.draw_button(static_cast<int>(rates_.size()), "rates");
  if (!editing_rates_) {  // the box shows the sweep's rates unless the reader is typing new ones
    int used = 0;
    rates_text_[0] = '\0';
    for (size_t r = 0; r < rates_.size() && used < static_cast<int>(sizeof rates_text_); ++r) {
      used += std::snprintf(rates_text_ + used, sizeof rates_text_ - used, r ? ",%g" : "%g", rates_[r]);
    }
  }
  same_line_if_fits(em * 17);
  ImGui::SetNextItemWidth(em * 11);
  if (ImGui::InputText("rates", rates_text_, sizeof rates_text_, ImGuiInputTextFlags_EnterReturnsTrue)) {
    const Status status = set("rates", std::string(rates_text_));
    sweep_.set_message(status.is_ok() ? "" : status.message());
  }
  editing_rates_ = ImGui::IsItemActive();
  char summary[160];
  std::snprintf(summary, sizeof summary, "%d of %d runs; each run is kept for the run dashboard",
                static_cast<int>(done_.size()), static_cast<int>(rates_.size()));
  if (!sweep_.draw_summary(summary)) return;

  // Validation loss per epoch, a line per learning rate.
  double lo = INFINITY, hi = -INFINITY;
  size_t epochs = 2;
  for (const SweepRun& run : done_) {
    epochs = std::max(epochs, run.validation_loss.size());
    for (double v : run.validation_loss) {
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    }
  }
  if (!(hi > lo)) lo = 0.3, hi = 0.7;
  const double pad = (hi - lo) * 0.08;
  const bool narrow = narrow_layout();
  const float plot_width = narrow ? ImGui::GetContentRegionAvail().x : std::min(ImGui::GetContentRegionAvail().x * 0.55f, em * 28);
  PlotArea area = begin_plot("sweep", ImVec2(plot_width, em * 12), 1, static_cast<double>(epochs), lo - pad, hi + pad, "epoch",
                             "validation loss");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (size_t r = 0; r < done_.size(); ++r) {
    const std::vector<double>& y = done_[r].validation_loss;
    for (size_t e = 0; e < y.size(); ++e) {
      if (!std::isfinite(y[e])) continue;
      const ImVec2 point(area.px(double(e + 1)), area.py(y[e]));
      if (e > 0 && std::isfinite(y[e - 1])) {
        draw->AddLine(ImVec2(area.px(double(e)), area.py(y[e - 1])), point, colours::series(static_cast<int>(r)), 2.0f);
      }
      draw->AddCircleFilled(point, em * 0.18f, colours::series(static_cast<int>(r)));
    }
  }
  end_plot(area);
  if (!narrow) ImGui::SameLine();

  // The numbers per run, the best last metric marked.
  const SweepRun* best = best_run();
  if (ImGui::BeginTable("per-rate", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    const std::string last = "last " + metric_;
    for (const char* column : {"rate", "best loss", "at epoch", last.c_str()}) ImGui::TableSetupColumn(column);
    ImGui::TableHeadersRow();
    for (size_t r = 0; r < rates_.size(); ++r) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushStyleColor(ImGuiCol_Text, colours::series(static_cast<int>(r)));
      ImGui::Text("%g%s", rates_[r], sweep_.started() && r == done_.size() ? " ..." : "");
      ImGui::PopStyleColor();
      if (r >= done_.size()) continue;
      const SweepRun& run = done_[r];
      const size_t e = run.best_epoch();
      ImGui::TableNextColumn();
      if (e) ImGui::Text("%.4f", run.validation_loss[e - 1]);
      ImGui::TableNextColumn();
      if (e) ImGui::Text("%d", static_cast<int>(e));
      ImGui::TableNextColumn();
      ImGui::Text("%.3f%s", run.final_metric(), &run == best ? " best" : "");
    }
    ImGui::EndTable();
  }
  sweep_.draw_runs("The run being trained");
}

}  // namespace

Result<std::unique_ptr<Lab>> make_lr_sweep_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<LearningRateSweepLab>(params, services);
}

}  // namespace epibook::labs

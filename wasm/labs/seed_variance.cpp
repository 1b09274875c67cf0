// Lab "seed-variance" (chapter 7): the same small model trained with N seeds one after
// another, two settings (runs A and B) side by side for each seed, each run's last
// validation score a point and the mean ± standard deviation over the seeds an error bar,
// so a reader sees how far the seed alone moves a score and whether a difference between
// two settings stands out of that spread. The training is the first-model lab's, driven
// through its own test API as a reader would drive it (dataset, settings, seed, Train):
// the same data, panel and run records, and no second copy of their code.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "driven_runs.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr int kMinSeeds = 2;
constexpr int kMaxSeeds = 20;
// The settings this lab owns; the rest go to the runs (the training panel's keys).
const char* const kOwnKeys = "seeds, first_seed";

// Mean and sample standard deviation (n - 1) of the finite values; NaN when too few.
struct Spread {
  double mean = NAN;
  double sd = NAN;
  int count = 0;
};

Spread spread_of(const std::vector<double>& values) {
  Spread s;
  double sum = 0;
  for (double v : values) {
    if (std::isfinite(v)) sum += v, ++s.count;
  }
  if (s.count == 0) return s;
  s.mean = sum / s.count;
  if (s.count < 2) return s;
  double squares = 0;
  for (double v : values) {
    if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
  }
  s.sd = std::sqrt(squares / (s.count - 1));
  return s;
}

nlohmann::json spread_json(const Spread& s) {
  return {{"mean", number_or_null(s.mean)}, {"sd", number_or_null(s.sd)}, {"count", s.count}};
}

// The last validation epoch's main metric of a run's state: AUROC for labels, Pearson for a signal.
std::optional<double> last_metric(const nlohmann::json& run, const std::string& metric) {
  if (!run.is_object() || run.value("phase", "") != "finished") return std::nullopt;
  const nlohmann::json& validation = run.value("validation", nlohmann::json::array());
  if (validation.empty() || !validation.back().contains(metric) || !validation.back()[metric].is_number()) {
    return std::nullopt;
  }
  return validation.back()[metric].get<double>();
}

class SeedVarianceLab final : public Lab {
 public:
  explicit SeedVarianceLab(LabServices& services)
      : services_(services), sweep_("seed-variance", "seed", kOwnKeys, [this] { clear_results(); }) {}

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(sweep_.make_runs(param_text(params, "dataset", "sim-motifs"), true, services_));
    for (auto it = params.begin(); it != params.end(); ++it) {
      if (it.key() != "dataset" && it.key() != "caption") EPIBOOK_RETURN_IF_ERROR(set(it.key(), it.value()));
    }
    clear_results();
    return Status::ok();
  }

  void step() override {
    const std::optional<nlohmann::json> ready = sweep_.ready_state();
    if (!ready) return;
    const nlohmann::json& state = *ready;
    if (dataset_.empty()) dataset_ = state.value("dataset", "");
    if (state.value("dataset", "") != dataset_) {
      // The reader switched the data under the runs: the seeds start over, still running.
      dataset_ = state.value("dataset", "");
      clear_results();
      const Status restarted = sweep_.set("sweep", 1);
      if (!restarted.is_ok()) return sweep_.fail(restarted.message());
      return;
    }
    if (sweep_.started()) {
      record(state);
      sweep_.run_recorded();
      if (sweep_.phase() == DrivenSweep::Phase::kFailed) return;
    }
    const size_t next = next_seed();
    if (next >= values_[0].size()) return sweep_.finish();
    // Both runs of the seed from their first step: the seed set (which clears them), then Train.
    current_seed_ = first_seed_ + next;
    current_index_ = next;
    sweep_.start({{"seed", current_seed_}, {"b.seed", current_seed_}});
  }

  bool busy() const override { return sweep_.busy(); }
  bool training() const override { return sweep_.training(); }

  void draw() override;

  nlohmann::json state() const override {
    const nlohmann::json runs = sweep_.runs().state();
    nlohmann::json state = sweep_.state_head(runs);
    state["seeds"] = seeds_;
    state["seed_list"] = seed_list();
    state["first_seed"] = first_seed_;
    state["metric"] = metric_;
    state["seed_controls"] = "initialisation and batch order (one seed); the split is fixed by the data";
    state["b_settings"] = runs.contains("b") ? runs["b"].value("settings", nlohmann::json()) : nlohmann::json();
    state["b_cli_config"] = runs.contains("b") ? runs["b"].value("cli_config", "") : "";
    state["runs_done"] = runs_done();
    state["current_seed"] = sweep_.started() ? nlohmann::json(current_seed_) : nlohmann::json(nullptr);
    const char* names[2] = {"a", "b"};
    for (int r = 0; r < 2; ++r) {
      nlohmann::json values = nlohmann::json::array();
      for (double v : values_[r]) values.push_back(number_or_null(v));
      state[names[r]] = {{"values", values}, {"spread", spread_json(spread_of(values_[r]))}};
    }
    std::vector<double> paired = paired_differences();
    nlohmann::json differences = nlohmann::json::array();
    int b_better = 0;
    for (double d : paired) {
      differences.push_back(number_or_null(d));
      if (std::isfinite(d) && d > 0) ++b_better;
    }
    const Spread a = spread_of(values_[0]), b = spread_of(values_[1]);
    state["difference"] = {{"of_means", number_or_null(b.mean - a.mean)},
                           {"paired", differences},
                           {"paired_spread", spread_json(spread_of(paired))},
                           {"b_better", b_better}};
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "seeds" || key == "first_seed") {
      EPIBOOK_ASSIGN_OR_RETURN(const double n, json_number(value, key));
      if (key == "seeds") EPIBOOK_RETURN_IF_ERROR(check_range(key, n, kMinSeeds, kMaxSeeds));
      if (key == "first_seed") EPIBOOK_RETURN_IF_ERROR(check_range(key, n, 1, 1e9));
      if (n != std::floor(n)) return invalid_argument(key + ": " + value.dump() + " is not a whole number");
      (key == "seeds" ? seeds_ : first_seed_) = static_cast<uint64_t>(n);
      clear_results();
      return Status::ok();
    }
    return sweep_.set(key, value);
  }

  void open_file(const std::string& name) override { sweep_.refuse_file(name); }

 private:
  std::vector<uint64_t> seed_list() const {
    std::vector<uint64_t> seeds(seeds_);
    std::iota(seeds.begin(), seeds.end(), first_seed_);
    return seeds;
  }

  void clear_results() {
    for (auto& v : values_) v.assign(seeds_, NAN);
    sweep_.reset();
  }

  size_t next_seed() const {
    size_t i = 0;
    while (i < values_[0].size() && std::isfinite(values_[0][i]) && std::isfinite(values_[1][i])) ++i;
    return i;
  }

  int runs_done() const {
    int done = 0;
    for (const auto& v : values_) done += static_cast<int>(std::count_if(v.begin(), v.end(), [](double x) { return std::isfinite(x); }));
    return done;
  }

  std::vector<double> paired_differences() const {
    std::vector<double> d(values_[0].size(), NAN);
    for (size_t i = 0; i < d.size(); ++i) d[i] = values_[1][i] - values_[0][i];
    return d;
  }

  // Seed `current_index_`'s two finished runs: their last validation scores.
  void record(const nlohmann::json& state) {
    metric_ = state.contains("validation") && !state["validation"].empty() && state["validation"].back().contains("auroc")
                  ? "auroc"
                  : "pearson";
    const std::optional<double> a = last_metric(state, metric_);
    const std::optional<double> b = state.contains("b") ? last_metric(state["b"], metric_) : std::nullopt;
    if (!a || !b || state.value("seed", uint64_t{0}) != current_seed_) {
      const std::string why = state.value("message", "");
      return sweep_.fail("seed " + std::to_string(current_seed_) + ": a run did not finish" + (why.empty() ? "" : " (" + why + ")"));
    }
    values_[0][current_index_] = *a;
    values_[1][current_index_] = *b;
  }

  LabServices& services_;
  DrivenSweep sweep_;  // the first-model lab's runs A and B, trained once per seed
  uint64_t seeds_ = 5;
  uint64_t first_seed_ = 1;
  uint64_t current_seed_ = 0;
  size_t current_index_ = 0;
  std::array<std::vector<double>, 2> values_;  // [A, B][seed index]: last validation score, NaN until run
  std::string dataset_;
  std::string metric_ = "auroc";
};

void SeedVarianceLab::draw() {
  const float em = ImGui::GetFontSize();
  sweep_.draw_button(static_cast<int>(seeds_), "seeds");
  int seeds = static_cast<int>(seeds_);
  same_line_if_fits(em * 9);
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::SliderInt("seeds", &seeds, kMinSeeds, kMaxSeeds)) {
    const Status status = set("seeds", seeds);
    if (!status.is_ok()) sweep_.set_message(status.message());
  }
  int first = static_cast<int>(first_seed_);
  same_line_if_fits(em * 12);
  ImGui::SetNextItemWidth(em * 6);
  if (ImGui::InputInt("first seed", &first) && first >= 1) {
    const Status status = set("first_seed", first);
    if (!status.is_ok()) sweep_.set_message(status.message());
  }
  const Spread a = spread_of(values_[0]), b = spread_of(values_[1]);
  const std::vector<double> paired = paired_differences();
  const Spread d = spread_of(paired);
  char summary[200];
  std::snprintf(summary, sizeof summary, "%d of %d runs; one seed sets initialisation and batch order", runs_done(),
                static_cast<int>(2 * seeds_));
  if (!sweep_.draw_summary(summary)) return;

  // Each seed's last validation score for A and B, a line joining the two runs of one
  // seed, and the mean ± one standard deviation beside each column.
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& v : values_) {
    for (double x : v) {
      if (std::isfinite(x)) lo = std::min(lo, x), hi = std::max(hi, x);
    }
  }
  if (!(hi > lo)) lo = 0.5, hi = 1.0;
  const double pad = (hi - lo) * 0.15 + 1e-3;
  const bool narrow = narrow_layout();
  const float plot_width = narrow ? ImGui::GetContentRegionAvail().x : std::min(ImGui::GetContentRegionAvail().x * 0.5f, em * 26);
  PlotArea area = begin_plot("seeds", ImVec2(plot_width, em * 11), 0, 2, lo - pad, hi + pad, "",
                             "validation " + metric_ + " after the last epoch");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImU32 column_colour[2] = {colours::series(0), colours::series(1)};
  const size_t n = values_[0].size();
  auto x_of = [&](int run, size_t i) { return run + 0.3 + 0.4 * (n > 1 ? double(i) / double(n - 1) : 0.5); };
  for (size_t i = 0; i < n; ++i) {
    if (std::isfinite(values_[0][i]) && std::isfinite(values_[1][i])) {
      draw->AddLine(ImVec2(area.px(x_of(0, i)), area.py(values_[0][i])), ImVec2(area.px(x_of(1, i)), area.py(values_[1][i])),
                    colours::with_alpha(colours::kNeutral, 90), 1.0f);
    }
  }
  for (int r = 0; r < 2; ++r) {
    for (size_t i = 0; i < n; ++i) {
      if (std::isfinite(values_[r][i])) draw->AddCircleFilled(ImVec2(area.px(x_of(r, i)), area.py(values_[r][i])), em * 0.25f, column_colour[r]);
    }
    const Spread& s = r == 0 ? a : b;
    if (std::isfinite(s.sd)) {
      const float x = area.px(r + 0.15);
      const float cap = em * 0.35f;
      draw->AddLine(ImVec2(x, area.py(s.mean - s.sd)), ImVec2(x, area.py(s.mean + s.sd)), column_colour[r], 2.0f);
      draw->AddLine(ImVec2(x - cap, area.py(s.mean - s.sd)), ImVec2(x + cap, area.py(s.mean - s.sd)), column_colour[r], 2.0f);
      draw->AddLine(ImVec2(x - cap, area.py(s.mean + s.sd)), ImVec2(x + cap, area.py(s.mean + s.sd)), column_colour[r], 2.0f);
      draw->AddRectFilled(ImVec2(x - cap * 0.8f, area.py(s.mean) - 2), ImVec2(x + cap * 0.8f, area.py(s.mean) + 2), column_colour[r]);
    }
    const char* name = r == 0 ? "run A" : "run B";
    draw->AddText(ImVec2(area.px(r + 0.5) - ImGui::CalcTextSize(name).x / 2, area.max.y - em * 1.3f), column_colour[r], name);
  }
  end_plot(area);
  if (!narrow) ImGui::SameLine();

  // The numbers: per seed, then mean ± sd.
  if (ImGui::BeginTable("per-seed", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    for (const char* column : {"seed", "A", "B", "B - A"}) ImGui::TableSetupColumn(column);
    ImGui::TableHeadersRow();
    for (size_t i = 0; i < n; ++i) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%llu%s", static_cast<unsigned long long>(first_seed_ + i), sweep_.started() && i == current_index_ ? " ..." : "");
      for (double v : {values_[0][i], values_[1][i], paired[i]}) {
        ImGui::TableNextColumn();
        if (std::isfinite(v)) ImGui::Text("%.3f", v);
      }
    }
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted("mean ± sd");
    for (const Spread* s : {&a, &b, &d}) {
      ImGui::TableNextColumn();
      if (std::isfinite(s->sd)) ImGui::Text("%.3f ± %.3f", s->mean, s->sd);
    }
    ImGui::EndTable();
  }
  sweep_.draw_runs("Runs A and B of this seed");
}

}  // namespace

Result<std::unique_ptr<Lab>> make_seed_variance_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<SeedVarianceLab>(params, services);
}

}  // namespace epibook::labs

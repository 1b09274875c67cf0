// Lab "test-bench" (chapter 8): the tests a genomics ML codebase needs, run against a
// small pipeline with one planted bug at a time (planted_bugs.h): data checks, shapes,
// a finite-difference gradient check per layer, golden values from an independent
// computation, the core's leakage audit and a same-seed rerun. It runs every test on
// every bug (one bug per frame) and shows which test catches which bug, with the
// numbers of the bug the reader picked.
#include <imgui.h>

#include <algorithm>
#include <map>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "lab_factories.h"
#include "planted_bugs.h"

namespace epibook::labs {
namespace {

using bugs::PlantedBug;

class TestBenchLab final : public Lab {
 public:
  Status configure(const nlohmann::json& params) {
    if (params.contains("bug")) EPIBOOK_RETURN_IF_ERROR(set("bug", params["bug"]));
    return Status::ok();
  }

  // One bug's tests per frame, the picked bug first.
  void step() override {
    if (!tracks_) tracks_ = bugs::simulate_tracks(1);
    const std::optional<PlantedBug> next = untested();
    if (next) results_[*next] = bugs::run_tests(*tracks_, *next);
  }

  bool busy() const override { return untested().has_value(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "test-bench";
    state["message"] = message_;
    state["bug"] = bugs::bug_name(bug_);
    state["description"] = bugs::bug_description(bug_);
    state["phase"] = busy() ? "testing" : "done";
    state["bugs_tested"] = results_.size();
    nlohmann::json results = nlohmann::json::object();
    for (const auto& [bug, tests] : results_) {
      nlohmann::json list = nlohmann::json::array();
      for (const bugs::TestResult& test : tests) list.push_back(bugs::test_json(test));
      results[bugs::bug_name(bug)] = {{"tests", list}, {"caught_by", bugs::failed_tests(tests)}};
    }
    state["results"] = results;
    const auto picked = results_.find(bug_);
    state["tests"] = picked == results_.end() ? nlohmann::json(nullptr) : results[bugs::bug_name(bug_)]["tests"];
    state["caught_by"] = picked == results_.end() ? nlohmann::json(nullptr) : results[bugs::bug_name(bug_)]["caught_by"];
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key != "bug") return invalid_argument("test-bench has no parameter \"" + key + "\" (bug)");
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
    EPIBOOK_ASSIGN_OR_RETURN(bug_, bugs::parse_bug(name));
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab tests its own simulated pipeline; the page's Python tests your files";
  }

 private:
  std::optional<PlantedBug> untested() const {
    if (!results_.contains(bug_)) return bug_;
    for (size_t i = 0; i < bugs::bug_names().size(); ++i) {
      if (!results_.contains(static_cast<PlantedBug>(i))) return static_cast<PlantedBug>(i);
    }
    return std::nullopt;
  }

  PlantedBug bug_ = PlantedBug::kNone;
  std::optional<bugs::Tracks> tracks_;
  std::map<PlantedBug, std::vector<bugs::TestResult>> results_;
  std::string message_;
};

void TestBenchLab::draw() {
  bugs::bug_picker(bug_);
  if (!message_.empty()) message_line(message_, true);
  const auto picked = results_.find(bug_);
  if (picked == results_.end()) {
    message_line("running the tests", false);
    return;
  }
  const ImVec4 fail = colours::kError.vec4();
  const bool narrow = narrow_layout();
  if (ImGui::BeginTable("tests", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("test", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("result", ImGuiTableColumnFlags_WidthFixed);
    ImGui::TableSetupColumn("what it measured", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableHeadersRow();
    for (const bugs::TestResult& test : picked->second) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(test.name.c_str());
      ImGui::TableNextColumn();
      if (test.passed) {
        ImGui::TextUnformatted("pass");
      } else {
        ImGui::TextColored(fail, "FAIL");
      }
      ImGui::TableNextColumn();
      // On a phone only a failing test says what it measured, so the matrix below still fits.
      if (!narrow || !test.passed) ImGui::TextWrapped("%s", test.summary.c_str());
    }
    ImGui::EndTable();
  }

  // Every bug against every test: a FAIL is a test that caught the bug.
  ImGui::Spacing();
  ImGui::TextUnformatted("Which test catches which bug (FAIL: caught)");
  const std::vector<std::string>& names = bugs::bug_names();
  const size_t tests = picked->second.size();
  // On a phone the columns take short names and a pass reads "ok", so all seven fit.
  const char* const short_names[] = {"data", "shape", "grad", "gold", "leak", "rerun"};
  const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame;
  if (ImGui::BeginTable("matrix", static_cast<int>(tests + 1), flags)) {
    ImGui::TableSetupColumn("bug", narrow ? ImGuiTableColumnFlags_WidthFixed : ImGuiTableColumnFlags_None);
    for (size_t t = 0; t < tests; ++t) {
      ImGui::TableSetupColumn(narrow && t < std::size(short_names) ? short_names[t] : picked->second[t].name.c_str());
    }
    ImGui::TableHeadersRow();
    for (size_t b = 0; b < names.size(); ++b) {
      const auto row = results_.find(static_cast<PlantedBug>(b));
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      if (static_cast<PlantedBug>(b) == bug_) {
        ImGui::TextColored(colours::kAccent.vec4(), "%s", names[b].c_str());
      } else {
        ImGui::TextUnformatted(names[b].c_str());
      }
      for (size_t t = 0; t < tests; ++t) {
        ImGui::TableNextColumn();
        if (row == results_.end() || t >= row->second.size()) {
          ImGui::TextDisabled("...");
        } else if (row->second[t].passed) {
          ImGui::TextDisabled(narrow ? "ok" : "pass");
        } else {
          ImGui::TextColored(fail, "FAIL");
        }
      }
    }
    ImGui::EndTable();
  }
}

}  // namespace

Result<std::unique_ptr<Lab>> make_test_bench_lab(const nlohmann::json& params, LabServices&) {
  return configured_lab<TestBenchLab>(params);
}

}  // namespace epibook::labs

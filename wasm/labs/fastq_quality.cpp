// Lab "fastq-quality": FASTQ records with their Phred scores decoded (offset +33 or
// +64, detected or chosen) and summarised per read position as FastQC does (mean and
// quartiles), with the records listed and each base coloured by its quality.
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "epibook/fastq.h"
#include "epibook/phred_offset.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr int kMaxRecords = 200000;

// Colour of a base by its score: red below Q20, amber to Q28, green above (FastQC's bands).
ImU32 quality_colour(int score) {
  if (score < 20) return colours::kPeak;
  if (score < 28) return colours::kValidation;
  return colours::kTruth;
}

class FastqQualityLab final : public Lab {
 public:
  explicit FastqQualityLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    for (const char* key : {"records", "offset"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    const std::string file = param_text(params, "file", param_text(params, "fastq", ""));
    if (!file.empty()) open_file(file);
    return Status::ok();
  }

  void step() override {
    if (!pending_file_.empty()) {
      if (const std::string* failed = services_.files.failure(pending_file_)) {
        message_ = pending_file_ + ": " + *failed;
        pending_file_.clear();
      } else if (const std::string* bytes = services_.files.whole(pending_file_)) {
        std::string name = pending_file_;
        pending_file_.clear();
        read_records(name, *bytes);
      }
      return;
    }
    if (dirty_ && !file_.empty()) {
      if (const std::string* bytes = services_.files.whole(file_)) read_records(file_, *bytes);
      dirty_ = false;
    }
  }

  bool busy() const override { return !pending_file_.empty() || dirty_; }
  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "fastq-quality";
    state["file"] = file_;
    state["records"] = max_records_;
    state["records_read"] = records_.size();
    state["offset"] = offset_choice_ == 0 ? nlohmann::json("auto") : nlohmann::json(offset_choice_);
    state["offset_detected"] = detected_offset_;
    state["offset_used"] = used_offset_;
    state["message"] = message_;
    size_t read_length = 0;
    for (const FastqRecord& record : records_) read_length = std::max(read_length, record.quality.size());
    state["read_length"] = read_length;
    nlohmann::json mean = nlohmann::json::array(), q1 = mean, median = mean, q3 = mean;
    double total = 0;
    uint64_t bases = 0;
    for (const PositionQuality& position : summary_.positions) {
      mean.push_back(position.mean);
      q1.push_back(position.q1);
      median.push_back(position.median);
      q3.push_back(position.q3);
      total += position.mean * static_cast<double>(position.reads);
      bases += position.reads;
    }
    state["positions"] = {{"mean", mean}, {"q1", q1}, {"median", median}, {"q3", q3}};
    state["mean_quality"] = bases ? total / static_cast<double>(bases) : 0.0;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "records") {
      EPIBOOK_ASSIGN_OR_RETURN(double number, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, 1, kMaxRecords));
      max_records_ = static_cast<int>(std::lround(number));
    } else if (key == "offset") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      if (text == "auto") {
        offset_choice_ = 0;
      } else if (text == "33" || text == "64") {
        offset_choice_ = std::stoi(text);
      } else {
        return invalid_argument("offset: \"" + text + "\" is not auto, 33 or 64");
      }
    } else {
      return invalid_argument("fastq-quality has no parameter \"" + key + "\" (records, offset)");
    }
    dirty_ = true;
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    pending_file_ = name;
    services_.files.request_whole(name);
  }

  bool wants_wheel() const override { return list_hovered_; }

 private:
  // Reads up to max_records_ records; a file that breaks after some records keeps them
  // and says where it broke. A file with no good record leaves the lab as it was.
  void read_records(const std::string& name, const std::string& bytes) {
    FastqReader reader = FastqReader::from_memory(bytes, name);
    std::vector<FastqRecord> records;
    std::string problem;
    FastqRecord record;
    while (static_cast<int>(records.size()) < max_records_) {
      auto more = reader.next(record);
      if (!more.is_ok()) {
        problem = more.status().message();
        break;
      }
      if (!*more) break;
      records.push_back(record);
    }
    if (records.empty()) {
      message_ = problem.empty() ? name + ": no FASTQ record in the file" : problem;
      return;
    }
    message_ = problem.empty() ? "" : problem + " (showing the " + std::to_string(records.size()) + " records before it)";
    file_ = name;
    detected_offset_ = detect_phred_offset(records);
    used_offset_ = offset_choice_ == 0 ? detected_offset_ : offset_choice_;
    apply_phred_offset(records, used_offset_);
    records_ = std::move(records);
    summary_ = summarize_quality(records_);
  }

  void draw_summary(float height);
  void draw_records();

  LabServices& services_;
  std::string file_;
  std::string pending_file_;
  int max_records_ = 10000;
  int offset_choice_ = 0;  // 0 = detect
  int detected_offset_ = 33;
  int used_offset_ = 33;
  bool dirty_ = false;
  std::vector<FastqRecord> records_;
  QualitySummary summary_;
  std::string message_;
  bool list_hovered_ = false;
};

void FastqQualityLab::draw() {
  const float em = ImGui::GetFontSize();
  int choice = offset_choice_ == 0 ? 0 : offset_choice_ == 33 ? 1 : 2;
  ImGui::SetNextItemWidth(em * 10);
  if (ImGui::Combo("quality offset", &choice, "auto-detect\0Phred+33\0Phred+64\0")) {
    (void)set("offset", choice == 0 ? "auto" : choice == 1 ? "33" : "64");
  }
  const auto labelled = [](float item, const char* label) {  // a control and its label, for same_line_if_fits
    return item + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
  };
  int records = max_records_;
  same_line_if_fits(labelled(em * 8, "records"));
  ImGui::SetNextItemWidth(em * 8);
  if (ImGui::InputInt("records", &records, 1, 100, ImGuiInputTextFlags_EnterReturnsTrue)) {
    (void)set("records", std::clamp(records, 1, kMaxRecords));
  }
  same_line_if_fits(button_width("Open FASTQ..."));
  if (ImGui::Button("Open FASTQ...")) services_.pick_file(".fastq,.fq,.fastq.gz,.fq.gz");
  if (!file_.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s: %zu records, Phred+%d (detected +%d)", file_.c_str(), records_.size(), used_offset_,
                       detected_offset_);
    ImGui::PopStyleColor();
  }
  message_line(message_, true);
  if (records_.empty()) {
    if (busy()) message_line("reading...", false);
    return;
  }
  const float avail = ImGui::GetContentRegionAvail().y;
  draw_summary(avail * 0.55f);
  draw_records();
}

void FastqQualityLab::draw_summary(float height) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const size_t positions = summary_.positions.size();
  double top = 41;
  for (const PositionQuality& p : summary_.positions) top = std::max(top, static_cast<double>(p.max) + 1);
  PlotArea area = begin_plot("quality", ImVec2(avail.x, height), 0.5, positions + 0.5, 0, top, "position in read (bp)",
                             "Phred score: quartile box, median (dark), mean (blue)");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  // FastQC's background bands: poor, reasonable, good.
  draw->AddRectFilled(ImVec2(area.min.x, area.py(20)), ImVec2(area.max.x, area.py(0)), colours::mix(colours::kPlotBackground, colours::kPeak, 0.14f));
  draw->AddRectFilled(ImVec2(area.min.x, area.py(28)), ImVec2(area.max.x, area.py(20)), colours::mix(colours::kPlotBackground, colours::kValidation, 0.16f));
  draw->AddRectFilled(ImVec2(area.min.x, area.py(top)), ImVec2(area.max.x, area.py(28)), colours::mix(colours::kPlotBackground, colours::kTruth, 0.13f));
  const float half = std::max(1.0f, area.width() / static_cast<float>(positions) * 0.35f);
  for (size_t i = 0; i < positions; ++i) {
    const PositionQuality& p = summary_.positions[i];
    const float x = area.px(static_cast<double>(i + 1));
    draw->AddRectFilled(ImVec2(x - half, area.py(p.q3)), ImVec2(x + half, area.py(p.q1)), colours::mix(colours::kPlotBackground, colours::kValidation, 0.6f));
    draw->AddRect(ImVec2(x - half, area.py(p.q3)), ImVec2(x + half, area.py(p.q1)), colours::mix(colours::kAxisText, colours::kValidation, 0.35f));
    draw->AddLine(ImVec2(x - half, area.py(p.median)), ImVec2(x + half, area.py(p.median)), colours::mix(colours::kAxisText, colours::kPeak, 0.6f), 2);
  }
  for (size_t i = 1; i < positions; ++i) {
    draw->AddLine(ImVec2(area.px(static_cast<double>(i)), area.py(summary_.positions[i - 1].mean)),
                  ImVec2(area.px(static_cast<double>(i + 1)), area.py(summary_.positions[i].mean)), colours::kSignal, 2);
  }
  end_plot(area);
  if (ImGui::IsItemHovered()) {
    const double at = area.data_x(ImGui::GetIO().MousePos.x);
    const size_t i = static_cast<size_t>(std::clamp(std::lround(at), 1L, static_cast<long>(positions))) - 1;
    const PositionQuality& p = summary_.positions[i];
    ImGui::SetTooltip("position %zu: mean %.1f, quartiles %.1f / %.1f / %.1f, %llu reads", i + 1, p.mean, p.q1, p.median,
                      p.q3, static_cast<unsigned long long>(p.reads));
  }
}

void FastqQualityLab::draw_records() {
  ImGui::BeginChild("records", ImVec2(0, 0), true);
  list_hovered_ = ImGui::IsWindowHovered();
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(records_.size()) * 2);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float char_width = ImGui::CalcTextSize("A").x;
  while (clipper.Step()) {
    for (int row = clipper.DisplayStart; row < clipper.DisplayEnd; ++row) {
      const FastqRecord& record = records_[static_cast<size_t>(row / 2)];
      if (row % 2 == 0) {
        ImGui::TextDisabled("@%s", record.name.c_str());
        continue;
      }
      // Each base in its quality's colour; the score shows on hover.
      const ImVec2 origin = ImGui::GetCursorScreenPos();
      ImGui::Dummy(ImVec2(char_width * static_cast<float>(record.sequence.size()), ImGui::GetTextLineHeight()));
      for (size_t i = 0; i < record.sequence.size(); ++i) {
        const int score = i < record.quality.size() ? record.quality[i] : 0;
        const char base[2] = {record.sequence[i], 0};
        draw->AddText(ImVec2(origin.x + char_width * static_cast<float>(i), origin.y), quality_colour(score), base);
      }
      if (ImGui::IsItemHovered()) {
        const size_t i = static_cast<size_t>((ImGui::GetIO().MousePos.x - origin.x) / char_width);
        if (i < record.quality.size()) {
          ImGui::SetTooltip("base %zu: %c, Q%d (error probability %.2g)", i + 1, record.sequence[i], record.quality[i],
                            phred_error_probability(record.quality[i]));
        }
      }
    }
  }
  ImGui::EndChild();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_fastq_quality_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<FastqQualityLab>(params, services);
}

}  // namespace epibook::labs

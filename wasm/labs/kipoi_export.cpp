// Labs "kipoi-export" and "kipoi-contract" (chapter 10): a model trained in the page and
// described as Kipoi describes models, by the same core code as `epibook export`
// (kipoi_export.h builds the folder as bytes). The data are the planted CTCF-like sites of
// the simulated genome with one replicate's counts per base (chapter 3's output-bins data),
// cut to the window the reader picks around each window's centre and averaged to the
// reader's output bin; the model is chapter 3's dilated CNN with a per-bin head.
// kipoi-export shows model.yaml and dataloader.yaml of run A as it stands and checks the
// shapes they declare against what the model really takes and returns on the test
// example. kipoi-contract feeds the same model inputs prepared wrongly (channels in
// another order, a channels-last array reshaped, one not reshaped) and reports, for each,
// whether the model runs, what it predicts on the test windows, and which part of the
// description catches the mistake: the declared shape, the one-hot DNA check of
// `special_type: DNASeq`, or the test example at its 4 decimals.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../train/count_profiles.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/kipoi_export.h"
#include "epibook/metrics.h"
#include "epibook/split.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr std::array<uint32_t, 3> kWindows = {128, 256, 512};
constexpr std::array<uint32_t, 8> kBins = {1, 2, 4, 8, 16, 32, 64, 128};
constexpr size_t kExampleRows = 4;  // the test example: the first test rows, as `epibook export --examples 4`

nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

// Run A's model as `epibook export` would write it, and the shapes checked.
struct ExportView {
  uint64_t steps = 0;
  std::string model_yaml, dataloader_yaml;
  std::vector<std::string> files;
  std::string declared_input, declared_output;  // schema.inputs.shape, schema.targets.shape
  std::string measured_input, measured_output;  // the test example's rows, the model's outputs for them
  int64_t window_length = 0;                    // dataloader.yaml's args.window_length
  std::string output_transform;                 // what turns an output into `epibook predict`'s number
  std::string targets_doc;
  uint64_t parameters = 0;
  bool shapes_agree = false;
};

// A way of preparing the inputs wrongly.
enum class Mistake { kNone, kChannelOrder, kReshaped, kChannelsLast };
constexpr std::array<Mistake, 4> kMistakes = {Mistake::kNone, Mistake::kChannelOrder, Mistake::kReshaped,
                                              Mistake::kChannelsLast};
const char* mistake_name(Mistake m) {
  switch (m) {
    case Mistake::kNone: return "none";
    case Mistake::kChannelOrder: return "channel_order";
    case Mistake::kReshaped: return "reshaped";
    case Mistake::kChannelsLast: return "channels_last";
  }
  return "none";
}
const char* mistake_text(Mistake m) {
  switch (m) {
    case Mistake::kNone: return "as described: (4, L), A C G T";
    case Mistake::kChannelOrder: return "channels T G C A";
    case Mistake::kReshaped: return "(L, 4) array reshaped to (4, L)";
    case Mistake::kChannelsLast: return "(L, 4) array as it is";
  }
  return "";
}

// [n, 4, L] one-hot rows prepared as the mistake does.
nn::Tensor prepare(const nn::Tensor& rows, Mistake mistake) {
  const int64_t n = rows.dim(0), length = rows.dim(2);
  nn::Tensor out(mistake == Mistake::kChannelsLast ? nn::Shape({n, length, 4}) : rows.shape());
  for (int64_t r = 0; r < n; ++r) {
    const float* in = rows.data() + r * 4 * length;
    float* to = out.data() + r * 4 * length;
    for (int64_t c = 0; c < 4; ++c) {
      for (int64_t p = 0; p < length; ++p) {
        const float v = in[c * length + p];
        if (mistake == Mistake::kNone) to[c * length + p] = v;
        if (mistake == Mistake::kChannelOrder) to[(3 - c) * length + p] = v;
        // Channels last is [L, 4] in memory; "reshaped" reads the same memory as [4, L].
        if (mistake == Mistake::kReshaped || mistake == Mistake::kChannelsLast) to[p * 4 + c] = v;
      }
    }
  }
  return out;
}

struct MistakeResult {
  Mistake mistake = Mistake::kNone;
  std::string batch_shape;       // a row's shape as fed, "(4, 256)"
  bool runs = false;             // the model returned outputs
  std::string refusal;           // the model's error when it did not
  bool shape_fits = false;       // batch shape == schema.inputs.shape
  bool one_hot = false;          // what special_type DNASeq promises
  double test_difference = NAN;  // largest |output - expected| on the test example
  bool test_passes = false;      // below 1.5 * 10^-4 (4 decimals)
  double pearson = NAN;          // predictions against the counts over the test rows
};

class KipoiLab final : public Lab {
 public:
  KipoiLab(LabServices& services, bool contract)
      : services_(services), contract_(contract), panel_(count_model_options()), window_(contract ? 128 : 256) {
    panel_.set_link_prefix(contract ? "#kipoi-contract" : "#kipoi-export");
    panel_.set_run_recorder(services_.record_run);
  }

  Status configure(const nlohmann::json& params) {
    for (const char* key : {"window", "bin", "mistake"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set_own(key, params[key]));
    }
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    for (const char* file : {kCountGenome, kCountTrack, kCountWindows}) services_.files.request_whole(file);
    restart_loading();
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (!build_.ready()) return;
    panel_.step(std::max(1.0, deadline - now_ms()));
    if (stale() && !panel_.busy()) describe();
  }

  bool busy() const override {
    if (build_.in_progress() || panel_.busy()) return true;
    return build_.ready() && stale();
  }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = contract_ ? "kipoi-contract" : "kipoi-export";
    state["window"] = window_;
    state["bin"] = bin_;
    state["mistake"] = mistake_name(mistake_);
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    state["test_rows"] = test_rows_.size();
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    if (view_) {
      const ExportView& v = *view_;
      state["export"] = {{"steps", v.steps},
                         {"files", v.files},
                         {"model_yaml", v.model_yaml},
                         {"dataloader_yaml", v.dataloader_yaml},
                         {"declared_input", v.declared_input},
                         {"declared_output", v.declared_output},
                         {"measured_input", v.measured_input},
                         {"measured_output", v.measured_output},
                         {"window_length", v.window_length},
                         {"output_transform", v.output_transform},
                         {"targets_doc", v.targets_doc},
                         {"parameters", v.parameters},
                         {"shapes_agree", v.shapes_agree}};
    } else {
      state["export"] = nullptr;
    }
    nlohmann::json mistakes = nlohmann::json::object();
    for (const MistakeResult& m : mistakes_) {
      mistakes[mistake_name(m.mistake)] = {{"batch_shape", m.batch_shape},
                                           {"runs", m.runs},
                                           {"refusal", m.refusal},
                                           {"shape_fits", m.shape_fits},
                                           {"one_hot", m.one_hot},
                                           {"test_difference", number(m.test_difference)},
                                           {"test_passes", m.test_passes},
                                           {"caught", caught_by(m)},
                                           {"pearson", number(m.pearson)}};
    }
    state["mistakes"] = mistakes;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "window" || key == "bin" || key == "mistake") return set_own(key, value);
    return set_training_key(panel_, build_, contract_ ? "kipoi-contract" : "kipoi-export", "window, bin, mistake", key,
                            value);
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated data only (the page shows `epibook export` for your own runs)";
  }

 private:
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }
  const TrainingData& data() const { return build_.data(); }

  // Which part of the description stops the mistake first, or "nothing".
  static std::string caught_by(const MistakeResult& m) {
    if (m.mistake == Mistake::kNone) return m.shape_fits && m.one_hot && m.test_passes ? "passes" : "fails";
    if (!m.shape_fits) return "schema shape";
    if (!m.one_hot) return "DNASeq one-hot";
    if (!m.test_passes) return "test example";
    return "nothing";
  }

  Status set_own(const std::string& key, const nlohmann::json& value) {
    if (key == "mistake") {
      if (!value.is_string()) return invalid_argument("mistake: give one of none, channel_order, reshaped, channels_last");
      for (Mistake m : kMistakes) {
        if (value.get<std::string>() == mistake_name(m)) return mistake_ = m, Status::ok();
      }
      return invalid_argument("mistake: \"" + value.get<std::string>() +
                              "\" is not one of none, channel_order, reshaped, channels_last");
    }
    EPIBOOK_ASSIGN_OR_RETURN(const double number, json_number(value, key));
    const auto chosen = static_cast<uint32_t>(std::lround(number));
    const bool window = key == "window";
    const bool known = window ? std::find(kWindows.begin(), kWindows.end(), chosen) != kWindows.end()
                              : std::find(kBins.begin(), kBins.end(), chosen) != kBins.end();
    if (!known) {
      return invalid_argument(key + ": " + value.dump() +
                              (window ? " is not one of 128, 256, 512 (bp)" : " is not one of 1, 2, 4, 8, 16, 32, 64, 128 (bp)"));
    }
    if ((window ? bin_ : chosen) > (window ? chosen : window_)) {
      return invalid_argument(key + ": an output bin of " + std::to_string(window ? bin_ : chosen) +
                              " bp does not fit a window of " + std::to_string(window ? chosen : window_) + " bp");
    }
    uint32_t& target = window ? window_ : bin_;
    if (target != chosen) {
      target = chosen;
      restart_loading();
    }
    return Status::ok();
  }

  // Described after run A's last step, or never yet.
  bool stale() const { return run_ahead_of(panel_, 0, view_); }

  void restart_loading() {
    message_.clear();
    build_.restart();
    test_rows_.clear();
    view_.reset();
    mistakes_.clear();
    panel_.set_data(PanelData{});
  }

  // The windows of the file, each cut to window_ bp around its centre.
  GenomeWindows cut_windows(GenomeWindows windows) const {
    for (Region& r : windows.regions) {
      const uint64_t centre = (r.start + r.end) / 2;
      r.start = centre - window_ / 2;
      r.end = r.start + window_;
    }
    return windows;
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome = build_.whole(services_.files, kCountGenome);
      const std::string* track = build_.failed() ? nullptr : build_.whole(services_.files, kCountTrack);
      const std::string* windows = build_.failed() ? nullptr : build_.whole(services_.files, kCountWindows);
      if (!genome || !track || !windows) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kCountGenome);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      if (!track_) {
        auto reader = BigWigReader::open(memory_source(*track, kCountTrack));
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        track_.emplace(std::move(reader).value());
      }
      auto parsed = parse_genome_windows(*windows, kCountWindows);
      if (!parsed.is_ok()) return build_.fail(parsed.status().message());
      auto dataset = count_dataset(*genome_, *track_, cut_windows(std::move(parsed).value()), bin_);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), kCountWindows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  // The windows a run of this lab trains on, as its CLI config names them: chapter 3's
  // 512 bp windows as they are, or cut as cut_windows() cuts them, in the file the
  // chapter's awk line writes from them (windows-256.bed, windows-128.bed; found under
  // --data-root like the shipped files).
  std::string windows_file() const {
    return window_ == kWindows.back() ? std::string(kCountWindows) : "windows-" + std::to_string(window_) + ".bed";
  }

  void finish_loading() {
    test_rows_ = data().rows_of(static_cast<int8_t>(Split::kTest));
    const char* lab = contract_ ? "kipoi-contract" : "kipoi-export";
    PanelData panel = count_panel_data(build_, "sim-profiles-" + std::to_string(window_), lab, bin_, {"mse", "poisson"},
                                       {{"window", window_}, {"windows", windows_file()}});
    panel.data_options.windows = windows_file();
    panel_.set_data(std::move(panel));
  }

  // The test example's rows: the first kExampleRows test rows, as `epibook export` picks them.
  std::vector<uint32_t> example_rows() const {
    return {test_rows_.begin(), test_rows_.begin() + static_cast<int64_t>(std::min(kExampleRows, test_rows_.size()))};
  }

  nn::Tensor inputs_of(const std::vector<uint32_t>& rows) const {
    const int64_t per_row = data().inputs.size() / std::max<int64_t>(1, data().inputs.dim(0));
    nn::Tensor out(nn::Shape({static_cast<int64_t>(rows.size()), 4, per_row / 4}));
    for (size_t i = 0; i < rows.size(); ++i) {
      std::copy_n(data().inputs.data() + static_cast<int64_t>(rows[i]) * per_row, per_row,
                  out.data() + static_cast<int64_t>(i) * per_row);
    }
    return out;
  }

  void describe() {
    TrainingRun& run = panel_.run(0);
    ExportView v;
    v.steps = run.steps();
    view_ = v;  // described at this step, whatever follows
    auto bytes = run.checkpoint();
    if (!bytes.is_ok()) return void(message_ = bytes.status().message());
    auto loaded = parse_checkpoint(*bytes, "run A");
    if (!loaded.is_ok()) return void(message_ = loaded.status().message());
    LoadedCheckpoint checkpoint = std::move(loaded).value();
    KipoiExportSource source;
    source.checkpoint_name = "run A (this page, step " + std::to_string(v.steps) + ")";
    const std::vector<uint32_t> rows = example_rows();
    source.example_inputs = inputs_of(rows);
    for (uint32_t r : rows) {
      source.example_regions.push_back(build_.dataset().regions()[build_.dataset().window_of_row(r)]);
      source.example_rows.push_back(r);
    }
    auto files = kipoi_export_files(checkpoint, source);
    if (!files.is_ok()) return void(message_ = files.status().message());
    for (const ExportedFile& f : *files) {
      v.files.push_back(f.path);
      if (f.path == "model.yaml") v.model_yaml = f.bytes;
      if (f.path == "dataloader.yaml") v.dataloader_yaml = f.bytes;
    }
    const nlohmann::ordered_json model = kipoi_model_description(checkpoint, source, true);
    const nlohmann::ordered_json loader = kipoi_dataloader_description(checkpoint, source, true);
    v.declared_input = model["schema"]["inputs"]["shape"].get<std::string>();
    v.declared_output = model["schema"]["targets"]["shape"].get<std::string>();
    v.targets_doc = model["schema"]["targets"]["doc"].get<std::string>();
    v.window_length = loader["args"]["window_length"]["default"].get<int64_t>();
    v.output_transform = output_transform(checkpoint.options.loss);
    for (nn::Parameter* p : checkpoint.model->parameters()) v.parameters += static_cast<uint64_t>(p->value.size());
    // What the model really takes and returns: the example's rows through it.
    auto expected = predict(*checkpoint.model, source.example_inputs, checkpoint.options.batch_size);
    if (!expected.is_ok()) return void(message_ = expected.status().message());
    v.measured_input = kipoi_shape(source.example_inputs.shape());
    v.measured_output = kipoi_shape(expected->shape());
    v.shapes_agree = v.declared_input == v.measured_input && v.declared_output == v.measured_output;
    view_ = v;
    check_mistakes(checkpoint, *expected);
  }

  // Every mistake on the test example (against the outputs of the inputs as described)
  // and on all test rows (against the counts).
  void check_mistakes(LoadedCheckpoint& checkpoint, const nn::Tensor& expected) {
    mistakes_.clear();
    const nn::Tensor example = inputs_of(example_rows());
    const nn::Tensor all = inputs_of(test_rows_);
    std::vector<float> observed;
    const int64_t per_row = data().targets.size() / std::max<int64_t>(1, data().targets.dim(0));
    for (uint32_t r : test_rows_) {
      const float* from = data().targets.data() + static_cast<int64_t>(r) * per_row;
      observed.insert(observed.end(), from, from + per_row);
    }
    for (Mistake mistake : kMistakes) {
      MistakeResult m;
      m.mistake = mistake;
      const nn::Tensor fed = prepare(example, mistake);
      m.batch_shape = kipoi_shape(fed.shape());
      m.shape_fits = m.batch_shape == view_->declared_input;
      m.one_hot = fed.rank() == 3 && fed.dim(1) == 4 && inputs_are_one_hot_dna(fed);
      auto outputs = predict(*checkpoint.model, fed, checkpoint.options.batch_size);
      m.runs = outputs.is_ok();
      if (!m.runs) m.refusal = outputs.status().message();
      if (m.runs && outputs->size() == expected.size()) {
        double largest = 0;
        for (int64_t i = 0; i < expected.size(); ++i) {
          largest = std::max(largest, std::fabs(double(outputs->data()[i]) - double(expected.data()[i])));
        }
        m.test_difference = largest;
        m.test_passes = largest < 1.5e-4;
      }
      if (m.runs) {
        auto predicted = predict(*checkpoint.model, prepare(all, mistake), checkpoint.options.batch_size);
        if (predicted.is_ok() && static_cast<size_t>(predicted->size()) == observed.size()) {
          const std::string transform = output_transform(checkpoint.options.loss);
          std::vector<float> values(predicted->data(), predicted->data() + predicted->size());
          if (transform == "exp") {
            for (float& x : values) x = std::exp(x);
          }
          const Result<double> r = pearson(values, observed);
          if (r.is_ok()) m.pearson = *r;
        }
      }
      mistakes_.push_back(m);
    }
  }

  void draw_export();
  void draw_contract();

  LabServices& services_;
  bool contract_;
  TrainingPanel panel_;
  uint32_t window_;  // 256 bp to describe, 128 bp (quicker steps) to check
  uint32_t bin_ = 16;
  Mistake mistake_ = Mistake::kChannelOrder;
  DatasetBuild build_{64};
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> track_;
  std::vector<uint32_t> test_rows_;
  std::optional<ExportView> view_;
  std::vector<MistakeResult> mistakes_;
  std::string message_;
};

// A setting as a slider over its choices.
template <size_t N>
void choice_slider(KipoiLab& lab, const char* id, const char* label, const std::array<uint32_t, N>& choices,
                   uint32_t value, std::string& message) {
  const float em = ImGui::GetFontSize();
  int index = static_cast<int>(std::find(choices.begin(), choices.end(), value) - choices.begin());
  char text[40];
  std::snprintf(text, sizeof text, "%s %u bp", label, value);
  ImGui::SetNextItemWidth(em * 8);
  if (ImGui::SliderInt(id, &index, 0, static_cast<int>(N) - 1, text)) {
    const Status status = lab.set(id + 2, choices[static_cast<size_t>(index)]);
    message = status.is_ok() ? "" : status.message();
  }
}

void KipoiLab::draw() {
  const float em = ImGui::GetFontSize();
  choice_slider(*this, "##window", "window", kWindows, window_, message_);
  same_line_if_fits(em * 9);
  choice_slider(*this, "##bin", "output bin", kBins, bin_, message_);
  const char* provenance = "simulated: planted CTCF-like sites, one replicate's counts per base";
  same_line_if_fits(ImGui::CalcTextSize(provenance).x);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", provenance);
  ImGui::PopStyleColor();
  if (!message().empty()) message_line(message(), build_.failed());
  if (build_.failed()) return;
  if (!build_.ready()) return message_line(build_.progress_text(), false);
  if (!view_) {
    message_line("train run A (a few steps are enough): its Kipoi description appears here", false);
  } else if (contract_) {
    draw_contract();
  } else {
    draw_export();
  }
  panel_.draw();
}

void KipoiLab::draw_export() {
  const ExportView& v = *view_;
  if (ImGui::BeginTable("shapes", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    for (const char* column : {"", "model.yaml declares", "the model at step"}) ImGui::TableSetupColumn(column);
    ImGui::TableHeadersRow();
    auto row = [](const char* name, const std::string& declared, const std::string& measured) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(declared.c_str());
      ImGui::TableNextColumn();
      const ImVec4 colour = declared == measured ? colours::kTruth.vec4() : colours::kError.vec4();
      ImGui::TextColored(colour, "%s", measured.c_str());
    };
    row("inputs", v.declared_input, v.measured_input);
    row("outputs", v.declared_output, v.measured_output);
    ImGui::EndTable();
  }
  ImGui::TextWrapped("step %llu, %llu parameters; outputs are %s; dataloader window_length %lld",
                     static_cast<unsigned long long>(v.steps), static_cast<unsigned long long>(v.parameters),
                     v.output_transform == "exp" ? "log-rates (exp gives the signal)" : "on the counts' scale",
                     static_cast<long long>(v.window_length));
  if (ImGui::CollapsingHeader("model.yaml", ImGuiTreeNodeFlags_DefaultOpen)) {
    ImGui::BeginChild("model_yaml", ImVec2(0, ImGui::GetFontSize() * 14), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextUnformatted(v.model_yaml.c_str());
    ImGui::EndChild();
  }
  if (ImGui::CollapsingHeader("dataloader.yaml")) {
    ImGui::BeginChild("dataloader_yaml", ImVec2(0, ImGui::GetFontSize() * 14), true, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::TextUnformatted(v.dataloader_yaml.c_str());
    ImGui::EndChild();
  }
}

void KipoiLab::draw_contract() {
  ImGui::TextWrapped("model.yaml: inputs %s, one-hot DNA (DNASeq); test example of %zu windows at 4 decimals",
                     view_->declared_input.c_str(), example_rows().size());
  if (ImGui::BeginTable("mistakes", 5, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    for (const char* column : {"inputs prepared", "runs", "r (test)", "test off by", "caught by"}) {
      ImGui::TableSetupColumn(column);
    }
    ImGui::TableHeadersRow();
    for (const MistakeResult& m : mistakes_) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool chosen = m.mistake == mistake_;
      if (ImGui::Selectable(mistake_text(m.mistake), chosen, ImGuiSelectableFlags_SpanAllColumns)) mistake_ = m.mistake;
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(m.runs ? "yes" : "refuses");
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(short_number(m.pearson).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(short_number(m.test_difference).c_str());
      ImGui::TableNextColumn();
      const std::string caught = caught_by(m);
      ImGui::TextColored(caught == "nothing" ? colours::kError.vec4() : colours::kTruth.vec4(), "%s", caught.c_str());
    }
    ImGui::EndTable();
  }
  for (const MistakeResult& m : mistakes_) {
    if (m.mistake == mistake_ && !m.refusal.empty()) message_line("the model: " + m.refusal, true);
  }
}

}  // namespace

Result<std::unique_ptr<Lab>> make_kipoi_lab(const nlohmann::json& params, LabServices& services, bool contract) {
  return configured_lab<KipoiLab>(params, services, contract);
}

}  // namespace epibook::labs

// Lab "grelu-workflow" (chapter 9): the steps of gReLU's training workflow (intervals,
// sequences, dataset, model, train, evaluate, interpret, design) done in the page by the
// epibook core on the planted-motif genome of first-model, each step's output shown, and
// the trained model handed over to PyTorch: the Kipoi-style export folder (model.npz, a
// PyTorch state dict, with the loader script) as a download, and the raw outputs the
// page computed for its example rows, which PyTorch must reproduce. Interpretation is
// in-silico mutagenesis of the test peak the model ranks highest; design writes the
// motif's consensus into the middle of every test background window and predicts again.
// The same lab is placed twice: "grelu-workflow" draws the steps, "grelu-export" the
// handover (the state is the same).
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../train/dataset_build.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/kipoi_export.h"
#include "epibook/metrics.h"
#include "epibook/run_record.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr uint32_t kExampleRows = 4;
const char* const kGenome = "assets/first-model/sim/genome.fa";
const char* const kWindows = "assets/first-model/sim-windows.bed";
const char* const kTruth = "assets/first-model/sim/truth.json";
// The CTCF-like motif's most likely base at each of its 14 positions
// (assets/motifs/ctcf_like.txt): what the design step writes into a window.
const char* const kConsensus = "CCACCAGGGGGCGC";
constexpr const char* kBases = "ACGT";

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

// The window's bases back from its one-hot columns ("N" for a column that is not one base).
std::string bases_of(const nn::Tensor& inputs, int64_t row) {
  const int64_t length = inputs.dim(2);
  std::string text(static_cast<size_t>(length), 'N');
  for (int64_t p = 0; p < length; ++p) {
    for (int b = 0; b < 4; ++b) {
      if (inputs.at(row, b, p) == 1.0f) text[static_cast<size_t>(p)] = kBases[b];
    }
  }
  return text;
}

// Everything computed from run A's model once it has trained (steps > 0, panel idle).
struct Analysis {
  uint64_t steps = 0;
  // evaluate: the test split, as `epibook eval --split test` scores it
  uint64_t test_rows = 0, test_peaks = 0;
  double test_auroc = NAN, test_auprc = NAN;
  // interpret: in-silico mutagenesis of one window
  uint32_t ism_row = 0;
  Region ism_window;
  std::string ism_sequence;
  double ism_logit = NAN;
  std::vector<float> ism_delta;       // [4, L]: logit(mutant) - logit(reference), 0 at the reference base
  std::vector<float> ism_importance;  // [L]: the largest |delta| at each position
  int64_t site_start = -1, site_end = -1;  // the planted site inside the window (window coordinates)
  int64_t top_position = -1;
  double share_in_site = NAN;
  // design: the consensus written into each test background window
  uint64_t design_windows = 0;
  uint32_t design_offset = 0;
  double before_mean = NAN, after_mean = NAN, before_above_half = NAN, after_above_half = NAN;
  // handover
  std::vector<ExportedFile> files;
  std::vector<uint32_t> example_rows;
  std::vector<float> example_outputs;  // raw outputs (logits), the model in eval mode
  nlohmann::json state_dict = nlohmann::json::array();  // [{name, shape}] as model.npz holds them
  uint64_t parameters = 0;
  std::string failure;
};

class GreluWorkflowLab final : public Lab {
 public:
  GreluWorkflowLab(LabServices& services, std::string name)
      : services_(services), name_(std::move(name)), panel_(first_model_train_options()) {
    panel_.set_link_prefix("#" + name_);
    panel_.set_run_recorder(services_.record_run);
  }

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    for (const char* file : {kGenome, kWindows, kTruth}) services_.files.request_whole(file);
    build_.restart();
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (!build_.ready()) return;
    panel_.step(std::max(1.0, deadline - now_ms()));
    if (unanalysed() && !panel_.busy()) analyse();
  }

  bool busy() const override { return build_.in_progress() || panel_.busy() || (build_.ready() && unanalysed()); }
  bool training() const override { return build_.ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = name_;
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    if (build_.ready()) state["workflow"] = workflow_state();
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    state["evaluation"] = nullptr;
    state["interpretation"] = nullptr;
    state["design"] = nullptr;
    state["export"] = nullptr;
    if (analysis_) add_analysis(state, *analysis_);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "download_export") {
      if (!analysis_ || analysis_->files.empty()) return invalid_argument("download_export: train the model first");
      std::vector<std::pair<std::string, std::string>> entries;
      for (const ExportedFile& f : analysis_->files) entries.emplace_back("grelu-workflow-export/" + f.path, f.bytes);
      if (services_.save_file) services_.save_file("grelu-workflow-export.tar", tar_archive(entries));
      return Status::ok();
    }
    Status status = set_training_key(panel_, build_, name_, "download_export", key, value);
    if (status.is_ok() && key.rfind("b.", 0) != 0) analysis_.reset();
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated genome only (the page shows the CLI run for your own files)";
  }

 private:
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }
  const TrainingData& data() const { return build_.data(); }

  bool unanalysed() const { return run_ahead_of(panel_, 0, analysis_); }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome = build_.whole(services_.files, kGenome);
      const std::string* windows = build_.failed() ? nullptr : build_.whole(services_.files, kWindows);
      const std::string* truth = build_.failed() ? nullptr : build_.whole(services_.files, kTruth);
      if (!genome || !windows || !truth) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kGenome);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      auto sites = planted_sites(*truth);
      if (!sites.is_ok()) return build_.fail(sites.status().message());
      sites_ = std::move(sites).value();
      auto parsed = parse_genome_windows(*windows, kWindows);
      if (!parsed.is_ok()) return build_.fail(parsed.status().message());
      DatasetOptions options;
      options.target = TargetKind::kLabel;
      auto dataset = WindowDataset::create(&*genome_, {}, std::move(parsed).value(), options);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), kWindows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  // The planted sites of the active motif, from the simulation's truth file.
  static Result<std::vector<Region>> planted_sites(const std::string& text) {
    const nlohmann::json truth = nlohmann::json::parse(text, nullptr, false);
    if (truth.is_discarded() || !truth.is_object() || !truth.contains("planted_motifs")) {
      return corrupt(std::string(kTruth) + ": not the simulation's truth (no planted_motifs list)");
    }
    std::vector<Region> sites;
    for (const nlohmann::json& s : truth["planted_motifs"]) {
      if (!s.is_object() || !s.contains("chrom") || !s.contains("start") || !s.contains("end")) {
        return corrupt(std::string(kTruth) + ": a planted motif without chrom, start and end");
      }
      sites.push_back({s["chrom"].get<std::string>(), s["start"].get<uint64_t>(), s["end"].get<uint64_t>()});
    }
    return sites;
  }

  void finish_loading() {
    PanelData panel;
    panel.data = &data();
    panel.name = "sim-motifs";
    panel.fingerprint = data_fingerprint(data());
    panel.losses = {"bce"};
    panel.data_options.genome = kGenome;
    panel.data_options.windows = kWindows;
    panel.data_options.target = "label";
    panel.description_json =
        nlohmann::json{{"lab", name_}, {"genome", kGenome}, {"windows", kWindows}, {"target", "label"}}.dump();
    set_validation_stretch(panel, build_.dataset(), data(), 40);
    panel_.set_data(std::move(panel));
  }

  // Steps 1 to 3 of the workflow, read off the built data: the intervals (windows and
  // their labels per split), the sequences (one window's first bases, GC of peak and
  // background windows) and the dataset's arrays.
  nlohmann::json workflow_state() const {
    const WindowDataset& dataset = build_.dataset();
    const nn::Tensor& inputs = data().inputs;
    const int64_t length = inputs.dim(2);
    nlohmann::json per_split;
    double gc_sum[2] = {0, 0};
    uint64_t gc_count[2] = {0, 0};
    for (int8_t split : {0, 1, 2}) {
      uint64_t windows = 0, peaks = 0;
      for (uint32_t row : data().rows_of(split)) {
        const int label = data().targets[row] > 0.5f ? 1 : 0;
        ++windows;
        peaks += static_cast<uint64_t>(label);
        double gc = 0;
        for (int64_t p = 0; p < length; ++p) gc += inputs.at(row, 1, p) + inputs.at(row, 2, p);
        gc_sum[label] += gc / static_cast<double>(length);
        ++gc_count[label];
      }
      per_split[split_name(static_cast<Split>(split))] = {{"windows", windows}, {"peaks", peaks}};
    }
    const Region& first = dataset.regions()[dataset.window_of_row(0)];
    return {{"intervals", {{"file", kWindows}, {"windows", dataset.rows()}, {"width", length}, {"per_split", per_split}}},
            {"sequences",
             {{"genome", kGenome},
              {"first_window", first.chrom + ":" + std::to_string(first.start) + "-" + std::to_string(first.end)},
              {"first_bases", bases_of(inputs, 0).substr(0, 30)},
              {"gc_peaks", gc_count[1] ? gc_sum[1] / static_cast<double>(gc_count[1]) : 0.0},
              {"gc_background", gc_count[0] ? gc_sum[0] / static_cast<double>(gc_count[0]) : 0.0}}},
            {"dataset", {{"input_shape", inputs.shape().text()}, {"target_shape", data().targets.shape().text()}}}};
  }

  static void add_analysis(nlohmann::json& state, const Analysis& a) {
    if (!a.failure.empty()) {
      state["message"] = a.failure;
      return;
    }
    state["evaluation"] = {{"steps", a.steps},
                           {"test_rows", a.test_rows},
                           {"test_peaks", a.test_peaks},
                           {"auroc", number_or_null(a.test_auroc)},
                           {"auprc", number_or_null(a.test_auprc)}};
    state["interpretation"] = {{"row", a.ism_row},
                               {"window", a.ism_window.chrom + ":" + std::to_string(a.ism_window.start) + "-" +
                                              std::to_string(a.ism_window.end)},
                               {"sequence", a.ism_sequence},
                               {"logit", a.ism_logit},
                               {"probability", sigmoid(a.ism_logit)},
                               {"delta", a.ism_delta},
                               {"importance", a.ism_importance},
                               {"site_start", a.site_start},
                               {"site_end", a.site_end},
                               {"top_position", a.top_position},
                               {"top_in_site", a.top_position >= a.site_start && a.top_position < a.site_end},
                               {"share_in_site", number_or_null(a.share_in_site)},
                               // the share an even spread of importance would put in the site
                               {"even_share", a.site_start >= 0 ? static_cast<double>(a.site_end - a.site_start) /
                                                                      static_cast<double>(a.ism_importance.size())
                                                                : 0.0}};
    state["design"] = {{"motif", kConsensus},
                       {"offset", a.design_offset},
                       {"windows", a.design_windows},
                       {"mean_before", a.before_mean},
                       {"mean_after", a.after_mean},
                       {"above_half_before", a.before_above_half},
                       {"above_half_after", a.after_above_half}};
    nlohmann::json files = nlohmann::json::array();
    for (const ExportedFile& f : a.files) files.push_back({{"path", f.path}, {"bytes", f.bytes.size()}});
    state["export"] = {{"files", files},
                       {"example_rows", a.example_rows},
                       {"example_outputs", a.example_outputs},
                       {"state_dict", a.state_dict},
                       {"parameters", a.parameters}};
  }

  // Run A's model as a checkpoint (the bytes `epibook train` would write), then every
  // step after training on it: evaluate, interpret, design, export.
  void analyse() {
    Analysis a;
    a.steps = panel_.run(0).steps();
    const Status status = analyse_into(a);
    if (!status.is_ok()) a.failure = status.message();
    analysis_ = std::move(a);
  }

  Status analyse_into(Analysis& a) {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string bytes, panel_.run(0).checkpoint());
    EPIBOOK_ASSIGN_OR_RETURN(LoadedCheckpoint checkpoint, parse_checkpoint(bytes, name_ + " run A"));
    nn::Layer& model = *checkpoint.model;
    const nn::Tensor& inputs = data().inputs;
    const int64_t length = inputs.dim(2);
    const uint32_t batch = 64;

    // Evaluate on the test split.
    const std::vector<uint32_t> test = data().rows_of(static_cast<int8_t>(Split::kTest));
    if (test.empty()) return invalid_argument(std::string(kWindows) + ": no test windows");
    nn::Tensor test_inputs;
    gather_rows(inputs, test, test_inputs);
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor test_logits, predict(model, test_inputs, batch));
    std::vector<float> scores(test.size()), labels(test.size());
    for (size_t i = 0; i < test.size(); ++i) {
      scores[i] = test_logits[static_cast<int64_t>(i)];
      labels[i] = data().targets[test[i]] > 0.5f ? 1.0f : 0.0f;
      a.test_peaks += labels[i] > 0 ? 1 : 0;
    }
    a.test_rows = test.size();
    const Result<double> test_auroc = auroc(scores, labels), test_auprc = auprc(scores, labels);
    a.test_auroc = test_auroc.is_ok() ? *test_auroc : NAN;
    a.test_auprc = test_auprc.is_ok() ? *test_auprc : NAN;

    // Interpret: the test peak window the model ranks highest, every base changed to
    // each of the other three, all 3L mutants predicted in one pass.
    size_t best = test.size();
    for (size_t i = 0; i < test.size(); ++i) {
      if (labels[i] > 0 && (best == test.size() || scores[i] > scores[best])) best = i;
    }
    if (best == test.size()) return invalid_argument(std::string(kWindows) + ": no peak among the test windows");
    a.ism_row = test[best];
    a.ism_window = build_.dataset().regions()[build_.dataset().window_of_row(a.ism_row)];
    a.ism_sequence = bases_of(inputs, a.ism_row);
    a.ism_logit = scores[best];
    nn::Tensor mutants(nn::Shape({3 * length, 4, length}));
    std::vector<std::pair<int64_t, int>> changed;  // (position, base) of each mutant
    for (int64_t p = 0; p < length; ++p) {
      const char ref = a.ism_sequence[static_cast<size_t>(p)];
      for (int b = 0; b < 4; ++b) {
        if (kBases[b] == ref) continue;
        if (changed.size() == static_cast<size_t>(3 * length)) break;  // an N column has four alternatives
        const int64_t m = static_cast<int64_t>(changed.size());
        for (int c = 0; c < 4; ++c) {
          for (int64_t q = 0; q < length; ++q) mutants.at(m, c, q) = inputs.at(a.ism_row, c, q);
        }
        for (int c = 0; c < 4; ++c) mutants.at(m, c, p) = c == b ? 1.0f : 0.0f;
        changed.emplace_back(p, b);
      }
    }
    mutants.resize(nn::Shape({static_cast<int64_t>(changed.size()), 4, length}));
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor mutant_logits, predict(model, mutants, batch));
    a.ism_delta.assign(static_cast<size_t>(4 * length), 0.0f);
    a.ism_importance.assign(static_cast<size_t>(length), 0.0f);
    for (size_t m = 0; m < changed.size(); ++m) {
      const auto [p, b] = changed[m];
      const float delta = mutant_logits[static_cast<int64_t>(m)] - static_cast<float>(a.ism_logit);
      a.ism_delta[static_cast<size_t>(b * length + p)] = delta;
      float& importance = a.ism_importance[static_cast<size_t>(p)];
      importance = std::max(importance, std::fabs(delta));
    }
    a.top_position = std::max_element(a.ism_importance.begin(), a.ism_importance.end()) - a.ism_importance.begin();
    for (const Region& site : sites_) {
      if (site.chrom == a.ism_window.chrom && site.start >= a.ism_window.start && site.end <= a.ism_window.end) {
        a.site_start = static_cast<int64_t>(site.start - a.ism_window.start);
        a.site_end = static_cast<int64_t>(site.end - a.ism_window.start);
        break;
      }
    }
    double inside = 0, total = 0;
    for (int64_t p = 0; p < length; ++p) {
      total += a.ism_importance[static_cast<size_t>(p)];
      if (p >= a.site_start && p < a.site_end) inside += a.ism_importance[static_cast<size_t>(p)];
    }
    a.share_in_site = a.site_start >= 0 && total > 0 ? inside / total : NAN;

    // Design: the consensus written into the middle of every test background window.
    std::vector<uint32_t> background;
    for (size_t i = 0; i < test.size(); ++i) {
      if (labels[i] == 0) background.push_back(test[i]);
    }
    const auto motif_length = static_cast<int64_t>(std::char_traits<char>::length(kConsensus));
    a.design_offset = static_cast<uint32_t>((length - motif_length) / 2);
    nn::Tensor designed;
    gather_rows(inputs, background, designed);
    nn::Tensor original = designed;
    for (int64_t r = 0; r < designed.dim(0); ++r) {
      for (int64_t k = 0; k < motif_length; ++k) {
        const int base = static_cast<int>(std::string_view(kBases).find(kConsensus[k]));
        for (int c = 0; c < 4; ++c) designed.at(r, c, a.design_offset + k) = c == base ? 1.0f : 0.0f;
      }
    }
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor before, predict(model, original, batch));
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor after, predict(model, designed, batch));
    a.design_windows = background.size();
    double sum_before = 0, sum_after = 0, above_before = 0, above_after = 0;
    for (int64_t r = 0; r < before.size(); ++r) {
      const double p0 = sigmoid(before[r]), p1 = sigmoid(after[r]);
      sum_before += p0, sum_after += p1;
      above_before += p0 > 0.5 ? 1 : 0, above_after += p1 > 0.5 ? 1 : 0;
    }
    const auto n = static_cast<double>(std::max<int64_t>(1, before.size()));
    a.before_mean = sum_before / n, a.after_mean = sum_after / n;
    a.before_above_half = above_before / n, a.after_above_half = above_after / n;

    // Hand over: the export folder, with the first test rows as its example.
    KipoiExportSource source;
    source.checkpoint_name = name_ + " run A (" + std::to_string(a.steps) + " steps)";
    a.example_rows.assign(test.begin(), test.begin() + std::min<size_t>(kExampleRows, test.size()));
    gather_rows(inputs, a.example_rows, source.example_inputs);
    for (uint32_t row : a.example_rows) {
      source.example_regions.push_back(build_.dataset().regions()[build_.dataset().window_of_row(row)]);
      source.example_rows.push_back(row);
    }
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Tensor example_logits, predict(model, source.example_inputs, batch));
    a.example_outputs.assign(example_logits.values().begin(), example_logits.values().end());
    EPIBOOK_ASSIGN_OR_RETURN(a.files, kipoi_export_files(checkpoint, source));
    for (nn::Parameter* parameter : model.parameters()) {
      a.parameters += static_cast<uint64_t>(parameter->value.size());
      a.state_dict.push_back({{"name", parameter->name}, {"shape", parameter->value.shape().text()}});
    }
    return Status::ok();
  }

  LabServices& services_;
  std::string name_;
  TrainingPanel panel_;
  DatasetBuild build_{64};
  std::optional<FastaReader> genome_;
  std::vector<Region> sites_;
  std::optional<Analysis> analysis_;
  std::string message_;
};

// The steps as a table: what gReLU calls it, what the page did, what came out.
void draw_step(const char* step, const char* grelu, const std::string& output) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(step);
  ImGui::TableNextColumn();
  ImGui::TextDisabled("%s", grelu);
  ImGui::TableNextColumn();
  ImGui::TextWrapped("%s", output.c_str());
}

void GreluWorkflowLab::draw() {
  const float em = ImGui::GetFontSize();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("simulated: CTCF-like motifs planted in a 2 Mb genome; peaks where a site lies in open chromatin");
  ImGui::PopStyleColor();
  if (!message().empty()) message_line(message(), true);
  if (build_.failed()) return;
  if (!build_.ready()) {
    message_line(build_.progress_text(), false);
    return;
  }
  const nlohmann::json w = workflow_state();
  const bool narrow = narrow_layout();
  char text[200];
  if (name_ == "grelu-workflow" &&
      ImGui::BeginTable("steps", narrow ? 2 : 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchProp)) {
    ImGui::TableSetupColumn("step", ImGuiTableColumnFlags_WidthFixed, em * 6);
    if (!narrow) ImGui::TableSetupColumn("in gReLU", ImGuiTableColumnFlags_WidthFixed, em * 13);
    ImGui::TableSetupColumn("output here");
    ImGui::TableHeadersRow();
    auto row = [&](const char* step, const char* grelu, const std::string& output) {
      if (narrow) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(step);
        ImGui::TableNextColumn();
        ImGui::TextWrapped("%s", output.c_str());
      } else {
        draw_step(step, grelu, output);
      }
    };
    const nlohmann::json& splits = w["intervals"]["per_split"];
    std::snprintf(text, sizeof text, "%llu windows of 200 bp; train %llu (%llu peaks), validation %llu, test %llu",
                  static_cast<unsigned long long>(build_.rows()), splits["train"]["windows"].get<unsigned long long>(),
                  splits["train"]["peaks"].get<unsigned long long>(), splits["validation"]["windows"].get<unsigned long long>(),
                  splits["test"]["windows"].get<unsigned long long>());
    row("intervals", "data.preprocess", text);
    std::snprintf(text, sizeof text, "%s...; GC %.3f in peaks, %.3f in background",
                  w["sequences"]["first_bases"].get<std::string>().c_str(), w["sequences"]["gc_peaks"].get<double>(),
                  w["sequences"]["gc_background"].get<double>());
    row("sequences", "sequence.format", text);
    row("dataset", "data.dataset", w["dataset"]["input_shape"].get<std::string>() + " -> " +
                                       w["dataset"]["target_shape"].get<std::string>());
    std::snprintf(text, sizeof text, "%llu steps done", static_cast<unsigned long long>(panel_.run(0).steps()));
    row("train", "train_on_dataset", text);
    if (analysis_ && analysis_->failure.empty()) {
      const Analysis& a = *analysis_;
      std::snprintf(text, sizeof text, "test AUROC %.3f, AUPRC %.3f (%llu windows)", a.test_auroc, a.test_auprc,
                    static_cast<unsigned long long>(a.test_rows));
      row("evaluate", "test_on_dataset", text);
      std::snprintf(text, sizeof text, "top base at %lld; planted site %lld-%lld holds %.3f of the importance (%.2f if even)",
                    static_cast<long long>(a.top_position), static_cast<long long>(a.site_start),
                    static_cast<long long>(a.site_end), a.share_in_site,
                    static_cast<double>(a.site_end - a.site_start) / static_cast<double>(a.ism_importance.size()));
      row("interpret", "interpret.score (ISM)", text);
      std::snprintf(text, sizeof text, "consensus into %llu background windows: mean p %.3f -> %.3f",
                    static_cast<unsigned long long>(a.design_windows), a.before_mean, a.after_mean);
      row("design", "interpret.simulate", text);
    }
    ImGui::EndTable();
  }
  if (analysis_ && analysis_->failure.empty()) {
    const Analysis& a = *analysis_;
    if (name_ == "grelu-workflow") {
      // The importance of each base of the interpreted window, the planted site boxed.
      const auto length = static_cast<int>(a.ism_importance.size());
      const double top = std::max(0.1, static_cast<double>(*std::max_element(a.ism_importance.begin(), a.ism_importance.end())));
      PlotArea area = begin_plot("ism", ImVec2(ImGui::GetContentRegionAvail().x, em * 6), 0, length, 0, top * 1.1,
                                 "bp along " + std::string(a.ism_window.chrom) + ":" + std::to_string(a.ism_window.start),
                                 "max |change|");
      if (a.site_start >= 0) {
        plot_interval_box(area, static_cast<double>(a.site_start), static_cast<double>(a.site_end), area.min.y,
                          area.max.y, colours::with_alpha(colours::kTruth, 50));
      }
      plot_filled_steps(area, a.ism_importance.data(), length, 0, 1, colours::kSignal, colours::kSignalFill);
      end_plot(area);
    } else {
      std::snprintf(text, sizeof text, "run A after %llu steps: %llu parameters in %zu tensors; %zu files",
                    static_cast<unsigned long long>(a.steps), static_cast<unsigned long long>(a.parameters),
                    a.state_dict.size(), a.files.size());
      ImGui::TextWrapped("%s", text);
      for (const nlohmann::json& entry : a.state_dict) {
        ImGui::BulletText("%s  %s", entry["name"].get<std::string>().c_str(), entry["shape"].get<std::string>().c_str());
      }
      for (size_t i = 0; i < a.example_rows.size(); ++i) {
        std::snprintf(text, sizeof text, "row %u: logit %.5f (p %.4f)", a.example_rows[i], a.example_outputs[i],
                      sigmoid(a.example_outputs[i]));
        ImGui::BulletText("%s", text);
      }
      if (ImGui::Button("Export to PyTorch (.tar)")) {
        const Status status = set("download_export", 0);
        message_ = status.is_ok() ? "" : status.message();
      }
    }
  } else if (name_ == "grelu-export") {
    ImGui::TextWrapped("Train a few steps: the model is then exported and its example predictions listed here.");
  }
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_grelu_workflow_lab(const std::string& name, const nlohmann::json& params,
                                                     LabServices& services) {
  return configured_lab<GreluWorkflowLab>(params, services, name);
}

}  // namespace epibook::labs

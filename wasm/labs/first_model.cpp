// Lab "first-model": a small CNN learns sequence -> signal in the page. Three data sets,
// each the same arrays `epibook dataset` writes from the same files: planted motifs in
// the simulated genome (where the best possible score is known from the truth file),
// real insulator sites against GC-matched background in dm3 chr2R:7-8 Mb, and real
// RNA-seq coverage of that slice. The data are built in memory a chunk per frame by the
// core's WindowDataset; the training panel (wasm/train/) trains and plots.
#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../train/dataset_build.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/metrics.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

// A reader's own genome above this is refused: a lab trains on slices, the CLI on genomes.
constexpr uint64_t kMaxGenomeBytes = uint64_t{32} << 20;
constexpr double kFrameBudgetMs = 8.0;
constexpr uint64_t kStretchRows = 40;

struct DataSetSpec {
  const char* name;
  const char* title;
  const char* provenance;  // real or simulated, shown under the title
  const char* genome;
  const char* track;       // "" for a label target
  const char* windows;
  TargetKind target;
  SignalTransform transform;
  std::vector<std::string> losses;
  const char* truth;       // "" when there is no planted truth
};

const std::vector<DataSetSpec>& data_sets() {
  static const std::vector<DataSetSpec> sets = {
      {"sim-motifs", "planted CTCF-like motifs in open chromatin vs GC-matched background",
       "simulated (first-model/sim, 2 Mb): the truth is known", "assets/first-model/sim/genome.fa", "",
       "assets/first-model/sim-windows.bed", TargetKind::kLabel, SignalTransform::kNone, {"bce"},
       "assets/first-model/sim/truth.json"},
      {"dm3-insulators", "insulator sites (CTCF, BEAF-32, Su(Hw), CP190) vs GC-matched background",
       "real: dm3 chr2R:7-8 Mb, Bushey et al. 2009 binding sites", "assets/dm3-chr2R-7-8Mb.fa", "",
       "assets/first-model/dm3-insulator-windows.bed", TargetKind::kLabel, SignalTransform::kNone, {"bce"}, ""},
      {"dm3-rnaseq", "RNA-seq coverage, log1p of the mean per window",
       "real: dm3 chr2R:7-8 Mb RNA-seq coverage (augustus-doc)", "assets/dm3-chr2R-7-8Mb.fa",
       "assets/dm3-slice-rnaseq.bw", "assets/first-model/dm3-rnaseq-windows.bed", TargetKind::kSignal,
       SignalTransform::kLog1p, {"mse", "poisson"}, ""},
  };
  return sets;
}

const DataSetSpec* find_data_set(const std::string& name) {
  for (const DataSetSpec& spec : data_sets()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

std::string data_set_names() {
  std::string names;
  for (const DataSetSpec& spec : data_sets()) names += (names.empty() ? "" : ", ") + std::string(spec.name);
  return names;
}

// The lab's defaults: the first model (dataset_build.h), small enough that a step takes a
// few milliseconds in wasm.
TrainOptions lab_defaults() { return first_model_train_options(); }

// The best AUROC any model of the sequence could reach on the validation rows of a
// planted-motif set: a window's peak label follows from a planted site of a motif active
// in the cell type (visible in the sequence) lying in an open domain (not visible), so
// the ideal score is 1 for windows holding such a site and 0 for the rest.
Result<double> planted_ceiling(const std::string& truth_text, const std::string& truth_name,
                               const WindowDataset& dataset, const TrainingData& data) {
  const nlohmann::json truth = nlohmann::json::parse(truth_text, nullptr, false);
  if (truth.is_discarded() || !truth.is_object()) return corrupt(truth_name + ": not JSON");
  const nlohmann::json& cells = truth.value("cell_types", nlohmann::json());
  const nlohmann::json& sites = truth.value("planted_motifs", nlohmann::json());
  if (!cells.is_array() || cells.empty() || !sites.is_array()) {
    return corrupt(truth_name + ": no cell_types or planted_motifs list");
  }
  std::vector<std::string> active;
  for (const nlohmann::json& m : cells.front().value("active_motifs", nlohmann::json::array())) {
    if (m.is_string()) active.push_back(m.get<std::string>());
  }
  std::vector<Region> planted;
  for (const nlohmann::json& s : sites) {
    if (!s.is_object() || !s.contains("chrom") || !s.contains("start") || !s.contains("end")) continue;
    const std::string motif = s.value("motif", "");
    if (std::find(active.begin(), active.end(), motif) == active.end()) continue;
    planted.push_back({s["chrom"].get<std::string>(), s["start"].get<uint64_t>(), s["end"].get<uint64_t>()});
  }
  std::vector<float> ideal, labels;
  for (uint64_t row = 0; row < dataset.rows(); ++row) {
    if (data.split[row] != static_cast<int8_t>(Split::kValidation)) continue;
    const Region& window = dataset.regions()[dataset.window_of_row(row)];
    bool holds = false;
    for (const Region& site : planted) {
      holds = holds || (site.chrom == window.chrom && site.start >= window.start && site.end <= window.end);
    }
    ideal.push_back(holds ? 1.0f : 0.0f);
    labels.push_back(data.targets[static_cast<int64_t>(row)]);
  }
  return auroc(ideal, labels);
}

class FirstModelLab final : public Lab {
 public:
  explicit FirstModelLab(LabServices& services) : services_(services), panel_(lab_defaults()) {
    panel_.set_link_prefix("#first-model");
    panel_.set_run_recorder(services_.record_run);
  }

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(choose(param_text(params, "dataset", "sim-motifs")));
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params, true));  // run A's settings, then B's ("b.<setting>")
    pending_link_ = param_text(params, "run", "");
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (build_.ready()) {
      if (!pending_link_.empty()) {
        const std::string link = std::exchange(pending_link_, "");
        const Status status = panel_.replay_link(link);
        if (!status.is_ok()) message_ = status.message();
      }
      open_pending_checkpoint();
      panel_.step(std::max(1.0, deadline - now_ms()));
    }
  }

  // A checkpoint whose bytes have arrived but which is not opened yet counts as work:
  // whenIdle() must not report the lab quiet between the file's arrival and its scoring.
  bool busy() const override {
    return build_.in_progress() || !pending_link_.empty() || (!pending_checkpoint_.empty() && build_.ready()) || panel_.busy();
  }
  bool training() const override { return build_.ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "first-model";
    state["dataset"] = spec_->name;
    state["stage"] = build_.stage_name();
    state["genome"] = genome_name_;
    state["track"] = track_name_;
    state["windows"] = spec_->windows;
    state["rows"] = build_.rows();
    const TrainingData& data = build_.data();
    if (build_.ready()) {
      state["rows_per_split"] = rows_per_split(data);
      state["input_shape"] = data.inputs.shape().text();
      state["target_shape"] = data.targets.shape().text();
    }
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "dataset") {
      EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
      return choose(name);
    }
    if (key == "run") {
      EPIBOOK_ASSIGN_OR_RETURN(pending_link_, json_text(value, key));
      const size_t equals = pending_link_.find('=');
      if (equals != std::string::npos) pending_link_ = pending_link_.substr(equals + 1);
      return Status::ok();
    }
    if (key == "download_run") {
      EPIBOOK_ASSIGN_OR_RETURN(const double run, json_number(value, key));
      return download(run >= 1 ? 1 : 0);
    }
    if (key == "download_config") {
      EPIBOOK_ASSIGN_OR_RETURN(const double run, json_number(value, key));
      return download_config(run >= 1 ? 1 : 0);
    }
    return set_training_key(panel_, build_, "first-model", "dataset, run, download_run, download_config", key, value);
  }

  // A FASTA replaces the genome, a bigWig the track, a .ckpt is a trained model.
  void open_file(const std::string& name) override {
    message_.clear();
    if (name.size() > 5 && name.substr(name.size() - 5) == ".ckpt") {
      pending_checkpoint_ = name;
      services_.files.request_whole(name);
      return;
    }
    if (is_bigwig_name(name)) {
      if (spec_->target != TargetKind::kSignal) {
        message_ = name + ": " + spec_->name + " trains on labels, not a signal track; choose dm3-rnaseq first";
        return;
      }
      track_name_ = name;
    } else {
      genome_name_ = name;
    }
    restart_loading();
  }

 private:
  // A failure of the data's build, else the lab's last note.
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }

  Status choose(const std::string& name) {
    const DataSetSpec* spec = find_data_set(name);
    if (spec == nullptr) return invalid_argument("dataset: no data set \"" + name + "\" (" + data_set_names() + ")");
    spec_ = spec;
    genome_name_ = spec->genome;
    track_name_ = spec->track;
    restart_loading();
    return Status::ok();
  }

  void restart_loading() {
    message_.clear();
    build_.restart();
    bigwig_.reset();
    genome_.reset();
    panel_.set_data(PanelData{});
    services_.files.request_whole(genome_name_);
    services_.files.request_whole(spec_->windows);
    if (*spec_->truth) services_.files.request_whole(spec_->truth);
    if (!track_name_.empty() && spec_->target == TargetKind::kSignal) services_.files.request_whole(track_name_);
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome_bytes = build_.whole(services_.files, genome_name_);
      const std::string* windows_bytes = build_.failed() ? nullptr : build_.whole(services_.files, spec_->windows);
      if (build_.failed() || genome_bytes == nullptr || windows_bytes == nullptr) return;
      if (*spec_->truth && build_.whole(services_.files, spec_->truth) == nullptr) return;
      if (!genome_) {
        if (genome_bytes->size() > kMaxGenomeBytes) {
          return build_.fail(genome_name_ + ": " + std::to_string(genome_bytes->size() >> 20) +
                             " MB is more than the 32 MB a lab takes; cut the region you need (samtools faidx) or "
                             "train with the epibook CLI");
        }
        auto reader = genome_from_bytes(*genome_bytes, genome_name_);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      std::vector<SignalSource> tracks;
      if (!track_name_.empty() && spec_->target == TargetKind::kSignal) {
        // A lab's track is small: read whole, so the scan never waits on a byte range.
        const std::string* track_bytes = build_.whole(services_.files, track_name_);
        if (track_bytes == nullptr) return;
        if (!bigwig_) {
          auto reader = BigWigReader::open(memory_source(*track_bytes, track_name_));
          if (!reader.is_ok()) return build_.fail(reader.status().message());
          bigwig_.emplace(std::move(reader).value());
        }
        tracks.push_back(bigwig_signal_source(*bigwig_));
        tracks.back().name = track_name_;
      }
      auto windows = parse_genome_windows(*windows_bytes, spec_->windows);
      if (!windows.is_ok()) return build_.fail(windows.status().message());
      DatasetOptions options;
      options.target = spec_->target;
      options.transform = spec_->transform;
      auto dataset = WindowDataset::create(&*genome_, std::move(tracks), std::move(windows).value(), options);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), spec_->windows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  void finish_loading() {
    const TrainingData& data = build_.data();
    PanelData panel;
    panel.data = &data;
    panel.name = spec_->name;
    panel.fingerprint = data_fingerprint(data);
    panel.losses = spec_->losses;
    // The same data for `epibook train` (paths relative to the site root: --data-root).
    panel.data_options.genome = genome_name_;
    panel.data_options.windows = spec_->windows;
    if (!track_name_.empty()) panel.data_options.tracks = {track_name_};
    panel.data_options.target = target_kind_name(spec_->target);
    panel.data_options.transform = signal_transform_name(spec_->transform);
    nlohmann::json description = {{"lab", "first-model"},
                                  {"dataset", spec_->name},
                                  {"genome", genome_name_},
                                  {"windows", spec_->windows},
                                  {"target", target_kind_name(spec_->target)},
                                  {"transform", signal_transform_name(spec_->transform)}};
    if (!track_name_.empty()) description["tracks"] = {track_name_};
    panel.description_json = description.dump();
    set_validation_stretch(panel, build_.dataset(), data, kStretchRows);
    if (*spec_->truth) {
      auto ceiling = planted_ceiling(*services_.files.whole(spec_->truth), spec_->truth, build_.dataset(), data);
      if (ceiling.is_ok()) {
        panel.ceiling = *ceiling;
        panel.ceiling_metric = "auroc";
        panel.ceiling_note = "a model that knew every planted site of an active motif; open chromatin is not in "
                             "the sequence";
      } else {
        message_ = ceiling.status().message();
      }
    }
    panel_.set_data(std::move(panel));
  }

  Status download(int run) {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string archive, panel_.run_archive(run));
    if (services_.save_file) services_.save_file(std::string("first-model-run-") + (run ? "B" : "A") + ".tar", archive);
    return Status::ok();
  }

  // Run A's (or B's) settings as `epibook train`'s config, with the command that runs it.
  Status download_config(int run) {
    if (!build_.ready()) return invalid_argument("download_config: the data are not ready yet");
    const std::string name = std::string("first-model-run-") + (run ? "B" : "A");
    const std::string text = "# The lab's run " + std::string(run ? "B" : "A") + " on the command line, from the book's folder:\n" +
                             "#   epibook train --config " + name + ".toml --data-root . -o " + name + "\n" +
                             panel_.cli_config(run);
    if (services_.save_file) services_.save_file(name + ".toml", text);
    return Status::ok();
  }

  void open_pending_checkpoint() {
    if (pending_checkpoint_.empty() || !build_.ready()) return;
    if (const std::string* failure = services_.files.failure(pending_checkpoint_)) {
      message_ = pending_checkpoint_ + ": " + *failure;
    } else if (const std::string* bytes = services_.files.whole(pending_checkpoint_)) {
      const Status status = panel_.open_checkpoint(*bytes, pending_checkpoint_);
      message_ = status.is_ok() ? "" : status.message();
    } else {
      return;
    }
    pending_checkpoint_.clear();
  }

  LabServices& services_;
  TrainingPanel panel_;
  const DataSetSpec* spec_ = nullptr;
  DatasetBuild build_;
  std::string genome_name_, track_name_;
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> bigwig_;
  std::string pending_link_;
  std::string pending_checkpoint_;
  std::string message_;
};

void FirstModelLab::draw() {
  const float em = ImGui::GetFontSize();
  const bool narrow = narrow_layout();
  ImGui::SetNextItemWidth(em * 11);
  if (ImGui::BeginCombo("data", spec_->name)) {
    for (const DataSetSpec& spec : data_sets()) {
      if (ImGui::Selectable(spec.name, &spec == spec_)) {
        const Status status = choose(spec.name);
        if (!status.is_ok()) message_ = status.message();
      }
    }
    ImGui::EndCombo();
  }
  if (narrow) {
    // A phone: the page's text describes the data sets; say only where these come from.
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", spec_->provenance);
    ImGui::PopStyleColor();
  } else {
    ImGui::SameLine();
    ImGui::TextWrapped("%s (%s)", spec_->title, spec_->provenance);
  }
  const char* open_label = narrow ? "Open..." : "Open FASTA, bigWig or checkpoint...";
  if (ImGui::Button(open_label)) services_.pick_file(".fa,.fasta,.fna,.bw,.bigWig,.bigwig,.ckpt");
  if (build_.ready()) {
    same_line_if_fits(button_width("Download run"));
    if (ImGui::Button("Download run")) {
      const Status status = download(0);
      message_ = status.is_ok() ? "" : status.message();
    }
    same_line_if_fits(button_width("Link to this run"));
    if (ImGui::Button("Link to this run") && services_.set_link) services_.set_link(panel_.run_link());
    same_line_if_fits(button_width("CLI config"));
    if (ImGui::Button("CLI config")) {
      const Status status = download_config(0);
      message_ = status.is_ok() ? "" : status.message();
    }
    if (!narrow) {
      char shape[160];
      std::snprintf(shape, sizeof shape, "%llu windows of %u bp: %s -> %s",
                    static_cast<unsigned long long>(build_.rows()), build_.dataset().window_length(),
                    build_.data().inputs.shape().text().c_str(), build_.data().targets.shape().text().c_str());
      same_line_if_fits(ImGui::CalcTextSize(shape).x);
      ImGui::TextDisabled("%s", shape);
    }
  }
  if (!draw_build_status(build_, message())) return;
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_first_model_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<FirstModelLab>(params, services);
}

}  // namespace epibook::labs

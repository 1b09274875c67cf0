// Chapter 3's count data and model for the labs that train on them (count_profiles.h).
#include "count_profiles.h"

#include "epibook/prep.h"

namespace epibook::labs {

TrainOptions count_model_options() {
  TrainOptions options = lab_train_options();
  options.model.conv_layers = 3;
  options.model.channels = 16;
  options.model.kernel_size = 9;
  options.model.dilation_growth = 4;
  options.model.pool = 0;
  options.model.head = "conv";
  options.loss = "mse";
  options.schedule.base = 3e-3;
  return options;
}

Result<WindowDataset> count_dataset(const FastaReader& genome, const BigWigReader& track, GenomeWindows windows,
                                    uint32_t bin) {
  std::vector<SignalSource> tracks = {bigwig_signal_source(track)};
  tracks.back().name = kCountTrack;
  DatasetOptions options;
  options.target = TargetKind::kSignal;
  options.bin = bin;
  options.transform = SignalTransform::kNone;
  return WindowDataset::create(&genome, std::move(tracks), std::move(windows), options);
}

PanelData count_panel_data(const DatasetBuild& build, const std::string& name, const std::string& lab, uint32_t bin,
                           std::vector<std::string> losses, const nlohmann::json& extra) {
  PanelData panel;
  panel.data = &build.data();
  panel.name = name;
  panel.fingerprint = data_fingerprint(build.data());
  panel.losses = std::move(losses);
  panel.data_options.genome = kCountGenome;
  panel.data_options.windows = kCountWindows;
  panel.data_options.tracks = {kCountTrack};
  panel.data_options.target = "signal";
  panel.data_options.bin = bin;
  nlohmann::json description = {{"lab", lab}, {"genome", kCountGenome}, {"windows", kCountWindows},
                                {"tracks", {kCountTrack}}, {"target", "signal"}, {"bin", bin}};
  description.update(extra);
  panel.description_json = description.dump();
  set_validation_stretch(panel, build.dataset(), build.data(), 40);
  return panel;
}

}  // namespace epibook::labs

// Chapter 3's count data and model, shared by the labs that train on them (output-bins,
// kipoi-export, kipoi-contract): the planted CTCF-like sites of the simulated genome with
// one replicate's counts per base as the target, averaged to an output bin by the core's
// WindowDataset, and a dilated CNN with a per-bin head that fits any window and any bin.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "dataset_build.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"

namespace epibook::labs {

inline constexpr const char* kCountGenome = "assets/first-model/sim/genome.fa";
inline constexpr const char* kCountTrack = "assets/output-bins/sim/celltypeA.rep1.bw";
inline constexpr const char* kCountWindows = "assets/output-bins/windows.bed";

// Three dilated conv layers (9 bp kernels, dilation 1, 4, 16: each output base sees 169 bp
// around it, enough for a peak's flanks), no pooling, a kernel-1 head per base averaged
// to the output bin. MSE on counts: the best prediction of a bin is its expected mean count.
TrainOptions count_model_options();

// The track's mean count per `bin` bp over `windows` (no transform). The genome and the
// track must outlive the dataset.
Result<WindowDataset> count_dataset(const FastaReader& genome, const BigWigReader& track, GenomeWindows windows,
                                    uint32_t bin);

// What the panel needs of that dataset once `build` is ready: its arrays, `name`, the
// `losses` that fit counts, where `epibook train` finds the same data, and the data's
// description (`lab`, the files, the bin, and `extra`'s keys).
PanelData count_panel_data(const DatasetBuild& build, const std::string& name, const std::string& lab, uint32_t bin,
                           std::vector<std::string> losses, const nlohmann::json& extra = nlohmann::json::object());

}  // namespace epibook::labs

// How a lab that builds its data with DatasetBuild hands the training panel's keys on
// (set(key, value) from the page's test API): shared by every lab that builds its own
// training data, so that each says the same thing for the same mistake.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "dataset_build.h"
#include "training_panel.h"

namespace epibook::labs {

// Sets the panel's `key` (a TrainingPanel::keys() name, or "b.<setting>" for run B).
// Starting or stepping a run before the data are ready fails with the build's stage; a
// key that neither the lab nor the panel takes fails with the lab's name and every key it
// takes: `own_keys` ("bin, score_bin"), the panel's, then b.<setting>.
Status set_training_key(TrainingPanel& panel, const DatasetBuild& build, const std::string& lab,
                        const std::string& own_keys, const std::string& key, const nlohmann::json& value);

}  // namespace epibook::labs

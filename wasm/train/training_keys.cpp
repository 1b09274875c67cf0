// The training panel's keys as a DatasetBuild lab takes them (training_keys.h).
#include "training_keys.h"

namespace epibook::labs {

Status set_training_key(TrainingPanel& panel, const DatasetBuild& build, const std::string& lab,
                        const std::string& own_keys, const std::string& key, const nlohmann::json& value) {
  if (!build.ready() && (key == "train_steps" || key == "start" || key == "step")) {
    return invalid_argument(key + ": the data are not ready yet (" + build.stage_name() + ")");
  }
  Status status = panel.set(key, value);
  if (status.code() == ErrorCode::kNotFound && status.message() == key) {
    std::string keys = own_keys;
    for (const std::string& k : TrainingPanel::keys()) keys += ", " + k;
    return invalid_argument(lab + " has no parameter \"" + key + "\" (" + keys + ", b.<setting>)");
  }
  return status;
}

}  // namespace epibook::labs

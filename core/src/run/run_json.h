// Private to core/src/run: TrainOptions to and from JSON, shared by manifest.json and
// checkpoints (a checkpoint carries the options that rebuild its model).
#pragma once

#include <nlohmann/json.hpp>

#include "epibook/train.h"

namespace epibook {

nlohmann::ordered_json options_to_json(const TrainOptions& options);
// nlohmann's value() throws on a wrong type, so callers check types first (see
// checkpoint.cpp, which parses with exceptions off and validates).
Result<TrainOptions> options_from_json(const nlohmann::json& json);

}  // namespace epibook

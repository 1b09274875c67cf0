// A model's tensors under PyTorch's state_dict names ("0.weight", "3.running_mean",
// "3.num_batches_tracked"), exported to and loaded from .npz: numpy.load reads the
// file, torch's load_state_dict takes it (scripts/load_epibook_weights.py shows how),
// and weights trained in PyTorch load into epibook the same way.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "epibook/nn/layer.h"
#include "epibook/nn/model.h"

namespace epibook::nn {

// The tensors of a model, whatever its class.
struct ModelState {
  std::vector<Parameter*> parameters;
  std::vector<Buffer*> buffers;
  std::vector<Counter*> counters;

  static ModelState of(Layer& model);
  static ModelState of(MultiHead& model);
  static ModelState of(Siamese& model);
};

// The member of the .npz that holds describe()'s JSON (uint8 bytes), so a reader can
// rebuild the architecture; not part of the state_dict.
inline constexpr const char* kArchitectureMember = "epibook_architecture";

// Parameters and buffers as float32, state_dict counters as int64 scalars, and
// `architecture` (when not null) as JSON bytes. Written atomically.
Status save_state_dict_npz(const std::string& path, const ModelState& state, const nlohmann::json* architecture);
// save_state_dict_npz with the model's own description.
Status save_state_dict_npz(const std::string& path, Layer& model);
// In-memory form, for the browser (no file system) and for tests.
Result<std::string> state_dict_npz_bytes(const ModelState& state, const nlohmann::json* architecture);

// Sets every parameter, buffer and state_dict counter from the archive. Every name
// must be present with the right shape; extra members fail too (as PyTorch's strict
// loading), except the architecture. Nothing changes unless all of it fits.
Status load_state_dict_npz(const std::string& path, const ModelState& state);
Status load_state_dict_npz_bytes(const std::string& bytes, const std::string& source, const ModelState& state);
// The architecture JSON stored in an archive, or an error when it has none.
Result<nlohmann::json> read_npz_architecture(const std::string& path);

}  // namespace epibook::nn

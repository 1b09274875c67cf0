// Training checkpoints: one file holding the options that rebuild the model, the
// model's parameters, buffers and counters, the optimiser's moments and step counts
// and the trainer's position, so a resumed run repeats an uninterrupted one to the bit.
// Layout: the line "epibook-checkpoint 1", an 8-byte little-endian header length, a
// JSON header (names, shapes, element offsets), then every tensor's float32 values.
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epibook/model_limits.h"
#include "epibook/npy.h"
#include "epibook/train.h"
#include "run_json.h"

namespace epibook {
namespace {

constexpr std::string_view kMagic = "epibook-checkpoint 1\n";

nlohmann::json shape_json(const nn::Shape& shape) {
  nlohmann::json dims = nlohmann::json::array();
  for (int64_t d : shape.dims()) dims.push_back(d);
  return dims;
}

// Appends a tensor's values to `payload` and describes it in `entries`.
void add_tensor(const std::string& role, const std::string& name, const nn::Tensor& tensor, nlohmann::json& entries,
                std::string& payload) {
  entries.push_back({{"role", role}, {"name", name}, {"shape", shape_json(tensor.shape())},
                     {"offset", payload.size() / sizeof(float)}});
  payload.append(reinterpret_cast<const char*>(tensor.data()), static_cast<size_t>(tensor.size()) * sizeof(float));
}

Result<nn::Shape> shape_from_json(const nlohmann::json& dims, const std::string& what) {
  if (!dims.is_array() || dims.size() > static_cast<size_t>(nn::Shape::kMaxRank)) {
    return corrupt(what + ": shape is not a list of at most 4 sizes");
  }
  std::vector<int64_t> values;
  int64_t elements = 1;
  for (const nlohmann::json& d : dims) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0 || d.get<int64_t>() > (int64_t{1} << 40)) {
      return corrupt(what + ": shape holds an impossible size");
    }
    values.push_back(d.get<int64_t>());
    // Shape::elements() multiplies in 64 bits: a product past them is no shape.
    if (__builtin_mul_overflow(elements, values.back(), &elements)) {
      return corrupt(what + ": shape " + dims.dump() + " holds more elements than 64 bits count");
    }
  }
  return nn::Shape(std::span<const int64_t>(values));
}

struct TensorEntry {
  std::string role;
  std::string name;
  nn::Tensor value;
};

Result<std::vector<TensorEntry>> read_tensors(const nlohmann::json& entries, std::string_view payload,
                                              const std::string& path) {
  if (!entries.is_array()) return corrupt(path + ": header has no tensor list");
  std::vector<TensorEntry> out;
  const uint64_t available = payload.size() / sizeof(float);
  for (const nlohmann::json& e : entries) {
    if (!e.is_object() || !e.contains("role") || !e["role"].is_string() || !e.contains("name") ||
        !e["name"].is_string() || !e.contains("offset") || !e["offset"].is_number_unsigned() || !e.contains("shape")) {
      return corrupt(path + ": a tensor entry lacks role, name, offset or shape");
    }
    const std::string name = e["name"].get<std::string>();
    EPIBOOK_ASSIGN_OR_RETURN(const nn::Shape shape, shape_from_json(e["shape"], path + ": tensor " + name));
    const uint64_t offset = e["offset"].get<uint64_t>();
    const auto count = static_cast<uint64_t>(shape.elements());
    if (offset > available || count > available - offset) {
      return corrupt(path + ": tensor " + name + " runs past the end of the file");
    }
    nn::Tensor value(shape);
    // An empty tensor has no storage (data() is null), and memcpy may not be handed null
    // even for no bytes (found by the fuzz target: corpus/checkpoint/empty-tensor.ckpt).
    if (count > 0) std::memcpy(value.data(), payload.data() + offset * sizeof(float), count * sizeof(float));
    out.push_back({e["role"].get<std::string>(), name, std::move(value)});
  }
  return out;
}

nlohmann::json trainer_json(const TrainerState& t) {
  return {{"next_epoch", t.next_epoch},         {"steps", t.steps},
          {"best_monitored", t.best_monitored}, {"has_best", t.has_best},
          {"epochs_since_best", t.epochs_since_best}, {"step_losses", t.step_losses}};
}

Result<TrainerState> trainer_from_json(const nlohmann::json& j, const std::string& path) {
  TrainerState t;
  const bool ok = j.is_object() && j.contains("next_epoch") && j["next_epoch"].is_number_unsigned() &&
                  j.contains("steps") && j["steps"].is_number_unsigned() && j.contains("best_monitored") &&
                  j["best_monitored"].is_number() && j.contains("has_best") && j["has_best"].is_boolean() &&
                  j.contains("epochs_since_best") && j["epochs_since_best"].is_number_unsigned() &&
                  j.contains("step_losses") && j["step_losses"].is_array();
  if (!ok) return corrupt(path + ": trainer state is incomplete");
  t.next_epoch = j["next_epoch"].get<uint32_t>();
  t.steps = j["steps"].get<uint64_t>();
  t.best_monitored = j["best_monitored"].get<double>();
  t.has_best = j["has_best"].get<bool>();
  t.epochs_since_best = j["epochs_since_best"].get<uint32_t>();
  for (const nlohmann::json& loss : j["step_losses"]) {
    if (!loss.is_number()) return corrupt(path + ": a step loss is not a number");
    t.step_losses.push_back(loss.get<double>());
  }
  return t;
}

// Copies the saved values into the model's parameters and buffers, by name and shape.
Status load_into_model(nn::Layer& model, const std::vector<TensorEntry>& tensors, const nlohmann::json& counters,
                       const std::string& path) {
  auto find = [&](const std::string& role, const std::string& name) -> const TensorEntry* {
    for (const TensorEntry& t : tensors) {
      if (t.role == role && t.name == name) return &t;
    }
    return nullptr;
  };
  auto copy_into = [&](const std::string& role, const std::string& name, nn::Tensor& into) -> Status {
    const TensorEntry* saved = find(role, name);
    if (saved == nullptr) return corrupt(path + ": no saved " + role + " " + name);
    if (saved->value.shape() != into.shape()) {
      return corrupt(path + ": " + role + " " + name + " has shape " + saved->value.shape().text() + ", the model's " +
                     into.shape().text());
    }
    into = saved->value;
    return Status::ok();
  };
  for (nn::Parameter* p : model.parameters()) EPIBOOK_RETURN_IF_ERROR(copy_into("parameter", p->name, p->value));
  for (nn::Buffer* b : model.buffers()) EPIBOOK_RETURN_IF_ERROR(copy_into("buffer", b->name, b->value));
  for (nn::Counter* c : model.counters()) {
    if (!counters.is_object() || !counters.contains(c->name) || !counters[c->name].is_number_unsigned()) {
      return corrupt(path + ": no saved counter " + c->name);
    }
    c->value = counters[c->name].get<uint64_t>();
  }
  return Status::ok();
}

}  // namespace

std::string checkpoint_bytes(const TrainOptions& options, nn::Layer& model, const nn::Shape& input_shape,
                             const nn::Shape& target_shape, const TrainerState& trainer,
                             const nn::OptimizerState& optimizer) {
  nlohmann::json entries = nlohmann::json::array();
  std::string payload;
  for (nn::Parameter* p : model.parameters()) add_tensor("parameter", p->name, p->value, entries, payload);
  for (nn::Buffer* b : model.buffers()) add_tensor("buffer", b->name, b->value, entries, payload);
  for (const nn::OptimizerState::Slot& slot : optimizer.tensors) add_tensor("optimizer", slot.name, slot.value, entries, payload);
  nlohmann::json counters = nlohmann::json::object();
  for (nn::Counter* c : model.counters()) counters[c->name] = c->value;
  nlohmann::json steps = nlohmann::json::object();
  for (const nn::OptimizerState::Steps& s : optimizer.steps) steps[s.parameter] = s.steps;
  nlohmann::json header = {{"options", options_to_json(options)},
                           {"input_shape", shape_json(input_shape)},
                           {"target_shape", shape_json(target_shape)},
                           {"trainer", trainer_json(trainer)},
                           {"optimizer", {{"kind", optimizer.kind}, {"steps", steps}}},
                           {"counters", counters},
                           {"tensors", entries},
                           {"epibook_version", EPIBOOK_VERSION}};
  const std::string header_text = header.dump();
  std::string bytes(kMagic);
  const uint64_t length = header_text.size();
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  bytes += header_text;
  bytes += payload;
  return bytes;
}

Status save_checkpoint(const std::string& path, const TrainOptions& options, nn::Layer& model,
                       const nn::Shape& input_shape, const nn::Shape& target_shape, const TrainerState& trainer,
                       const nn::OptimizerState& optimizer) {
  return write_file_atomically(path,
                               checkpoint_bytes(options, model, input_shape, target_shape, trainer, optimizer));
}

Result<LoadedCheckpoint> load_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open the checkpoint");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_checkpoint(buffer.str(), path);
}

Result<LoadedCheckpoint> parse_checkpoint(std::string_view bytes, const std::string& path) {
  if (bytes.size() < kMagic.size() + 8 || bytes.compare(0, kMagic.size(), kMagic) != 0) {
    return corrupt(path + ": not an epibook checkpoint (no \"epibook-checkpoint 1\" line)");
  }
  uint64_t length = 0;
  for (int i = 0; i < 8; ++i) length |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[kMagic.size() + i])) << (8 * i);
  const size_t header_start = kMagic.size() + 8;
  if (length > bytes.size() - header_start) return corrupt(path + ": header runs past the end of the file");
  const nlohmann::json header = nlohmann::json::parse(bytes.substr(header_start, length), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return corrupt(path + ": header is not valid JSON");
  const std::string_view payload = bytes.substr(header_start + length);

  LoadedCheckpoint loaded;
  if (!header.contains("options")) return corrupt(path + ": header has no options");
  Result<TrainOptions> options = options_from_json(header["options"]);
  if (!options.is_ok()) return options.status().with_context(path);
  loaded.options = *options;
  EPIBOOK_ASSIGN_OR_RETURN(loaded.input_shape, shape_from_json(header.value("input_shape", nlohmann::json()), path + ": input"));
  EPIBOOK_ASSIGN_OR_RETURN(loaded.target_shape, shape_from_json(header.value("target_shape", nlohmann::json()), path + ": target"));
  if (loaded.input_shape.rank() < 2 || loaded.target_shape.rank() < 1) return corrupt(path + ": impossible data shapes");
  EPIBOOK_ASSIGN_OR_RETURN(loaded.trainer, trainer_from_json(header.value("trainer", nlohmann::json()), path));
  EPIBOOK_ASSIGN_OR_RETURN(const std::vector<TensorEntry> tensors,
                           read_tensors(header.value("tensors", nlohmann::json()), payload, path));
  // Every parameter is among the values stored, so the header cannot describe a model
  // larger than the payload: it is refused before its layers allocate.
  const auto stored = static_cast<int64_t>(payload.size() / sizeof(float));
  ModelLimits limits;
  limits.max_parameters = stored;
  Result<nn::LayerPtr> model = build_model_within(loaded.options.model, loaded.input_shape, loaded.target_shape, 0, limits);
  if (!model.is_ok()) return model.status().with_context(path + " (which stores " + std::to_string(stored) + " values)");
  loaded.model = std::move(model).value();
  EPIBOOK_RETURN_IF_ERROR(load_into_model(*loaded.model, tensors, header.value("counters", nlohmann::json()), path));
  const nlohmann::json optimizer = header.value("optimizer", nlohmann::json());
  if (!optimizer.is_object() || !optimizer.contains("kind") || !optimizer["kind"].is_string() ||
      !optimizer.contains("steps") || !optimizer["steps"].is_object()) {
    return corrupt(path + ": optimiser state is incomplete");
  }
  loaded.optimizer.kind = optimizer["kind"].get<std::string>();
  for (const auto& [name, steps] : optimizer["steps"].items()) {
    if (!steps.is_number_unsigned()) return corrupt(path + ": optimiser step count of " + name + " is not a count");
    loaded.optimizer.steps.push_back({name, steps.get<uint64_t>()});
  }
  for (const TensorEntry& t : tensors) {
    if (t.role == "optimizer") loaded.optimizer.tensors.push_back({t.name, t.value});
  }
  return loaded;
}

}  // namespace epibook

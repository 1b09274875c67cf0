// state_dict export and import over .npz (see state_dict.h). Loading checks every name
// and shape before it writes anything, so a mismatched file leaves the model as it was.
#include "epibook/nn/state_dict.h"

#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epibook/npy.h"
#include "nn/npz_archive.h"

namespace epibook::nn {
namespace {

NpzMember float_member(const std::string& name, const Tensor& tensor) {
  const std::vector<uint64_t> shape = tensor.shape().as_npy_shape();
  return {name, npy_bytes(NpyDtype::kFloat32, shape, tensor.data(), static_cast<size_t>(tensor.size()))};
}

Result<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A float32 tensor member must have exactly the destination's shape.
Status check_float_member(const NpyArray& array, const Tensor& destination, const std::string& where) {
  if (array.dtype != NpyDtype::kFloat32 && array.dtype != NpyDtype::kFloat64) {
    return invalid_argument(where + ": must be float32 or float64");
  }
  const std::vector<uint64_t> expected = destination.shape().as_npy_shape();
  if (array.shape != expected) {
    std::string got = "[";
    for (size_t i = 0; i < array.shape.size(); ++i) got += (i ? ", " : "") + std::to_string(array.shape[i]);
    return invalid_argument(where + ": shape " + got + "] does not match the model's " + destination.shape().text());
  }
  return Status::ok();
}

Result<uint64_t> counter_value(const NpyArray& array, const std::string& where) {
  if (array.elements() != 1 || array.bytes.size() != 8 || array.dtype != NpyDtype::kInt64) {
    return invalid_argument(where + ": must be one int64 value");
  }
  int64_t value = 0;
  std::memcpy(&value, array.bytes.data(), sizeof(value));
  if (value < 0) return invalid_argument(where + ": negative count");
  return static_cast<uint64_t>(value);
}

}  // namespace

ModelState ModelState::of(Layer& model) { return {model.parameters(), model.buffers(), model.counters()}; }
ModelState ModelState::of(MultiHead& model) { return {model.parameters(), model.buffers(), model.counters()}; }
ModelState ModelState::of(Siamese& model) { return {model.parameters(), model.buffers(), model.counters()}; }

Result<std::string> state_dict_npz_bytes(const ModelState& state, const nlohmann::json* architecture) {
  std::vector<NpzMember> members;
  for (const Parameter* parameter : state.parameters) members.push_back(float_member(parameter->name, parameter->value));
  for (const Buffer* buffer : state.buffers) members.push_back(float_member(buffer->name, buffer->value));
  for (const Counter* counter : state.counters) {
    if (!counter->in_state_dict) continue;
    const int64_t value = static_cast<int64_t>(counter->value);
    members.push_back({counter->name, npy_bytes(NpyDtype::kInt64, {}, &value, 1)});
  }
  if (architecture != nullptr) {
    const std::string text = architecture->dump();
    const std::vector<uint64_t> shape = {text.size()};
    members.push_back({kArchitectureMember, npy_bytes(NpyDtype::kUint8, shape, text.data(), text.size())});
  }
  return npz_archive_bytes(members);
}

Status save_state_dict_npz(const std::string& path, const ModelState& state, const nlohmann::json* architecture) {
  Result<std::string> bytes = state_dict_npz_bytes(state, architecture);
  if (!bytes.is_ok()) return bytes.status().with_context(path);
  return write_file_atomically(path, *bytes);
}

Status save_state_dict_npz(const std::string& path, Layer& model) {
  const nlohmann::json architecture = model.describe();
  return save_state_dict_npz(path, ModelState::of(model), &architecture);
}

Status load_state_dict_npz_bytes(const std::string& bytes, const std::string& source, const ModelState& state) {
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<NpzMember> members, parse_npz_archive(bytes, source));
  std::map<std::string, NpyArray> arrays;
  for (NpzMember& member : members) {
    if (member.name == kArchitectureMember) continue;
    const std::string where = source + ": " + member.name;
    EPIBOOK_ASSIGN_OR_RETURN(NpyArray array, parse_npy(member.bytes, where));
    arrays.emplace(member.name, std::move(array));
  }
  // Check everything first.
  size_t expected = 0;
  auto find = [&](const std::string& name) -> Result<const NpyArray*> {
    const auto found = arrays.find(name);
    if (found == arrays.end()) return not_found(source + ": no '" + name + "' in the archive");
    ++expected;
    return &found->second;
  };
  for (const Parameter* parameter : state.parameters) {
    EPIBOOK_ASSIGN_OR_RETURN(const NpyArray* array, find(parameter->name));
    EPIBOOK_RETURN_IF_ERROR(check_float_member(*array, parameter->value, source + ": " + parameter->name));
  }
  for (const Buffer* buffer : state.buffers) {
    EPIBOOK_ASSIGN_OR_RETURN(const NpyArray* array, find(buffer->name));
    EPIBOOK_RETURN_IF_ERROR(check_float_member(*array, buffer->value, source + ": " + buffer->name));
  }
  for (const Counter* counter : state.counters) {
    if (!counter->in_state_dict) continue;
    EPIBOOK_ASSIGN_OR_RETURN(const NpyArray* array, find(counter->name));
    EPIBOOK_RETURN_IF_ERROR(counter_value(*array, source + ": " + counter->name).status());
  }
  if (expected != arrays.size()) {
    for (const auto& [name, array] : arrays) {
      bool known = false;
      for (const Parameter* p : state.parameters) known = known || p->name == name;
      for (const Buffer* b : state.buffers) known = known || b->name == name;
      for (const Counter* c : state.counters) known = known || (c->in_state_dict && c->name == name);
      if (!known) return invalid_argument(source + ": '" + name + "' is not a tensor of this model");
    }
  }
  // Then write.
  auto assign = [&](Tensor& destination, const NpyArray& array) {
    const std::vector<float> values = array.as_float32();
    std::copy(values.begin(), values.end(), destination.values().begin());
  };
  for (Parameter* parameter : state.parameters) assign(parameter->value, arrays.at(parameter->name));
  for (Buffer* buffer : state.buffers) assign(buffer->value, arrays.at(buffer->name));
  for (Counter* counter : state.counters) {
    if (counter->in_state_dict) counter->value = *counter_value(arrays.at(counter->name), counter->name);
  }
  return Status::ok();
}

Status load_state_dict_npz(const std::string& path, const ModelState& state) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::string bytes, read_whole_file(path));
  return load_state_dict_npz_bytes(bytes, path, state);
}

Result<nlohmann::json> read_npz_architecture(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::string bytes, read_whole_file(path));
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<NpzMember> members, parse_npz_archive(bytes, path));
  for (const NpzMember& member : members) {
    if (member.name != kArchitectureMember) continue;
    EPIBOOK_ASSIGN_OR_RETURN(const NpyArray array, parse_npy(member.bytes, path + ": " + member.name));
    nlohmann::json architecture = nlohmann::json::parse(array.bytes, nullptr, false);
    if (architecture.is_discarded()) return corrupt(path + ": the stored architecture is not valid JSON");
    return architecture;
  }
  return not_found(path + ": no architecture stored (not written by epibook?)");
}

}  // namespace epibook::nn

// Fuzz target: .npy arrays and .npz archives (zip, stored or deflated), as datasets
// and exported weights are read back; the first byte picks npy, npz, or an npz loaded
// into a small fixed model as `load_state_dict_npz` does.
#include "epibook/nn.h"
#include "epibook/nn/state_dict.h"
#include "epibook/npy.h"
#include "fuzz_input.h"
#include "nn/npz_archive.h"

using namespace epibook;

namespace {

nn::Sequential& fixed_model() {
  static nn::Sequential* model = [] {
    auto* m = new nn::Sequential(1);
    nn::Conv1DOptions conv;
    conv.in_channels = 4;
    conv.out_channels = 3;
    conv.kernel_size = 5;
    m->add(nn::Conv1D::create(conv)).add(nn::BatchNorm1D::create(3)).add(nn::LayerPtr(new nn::Flatten()));
    m->add(nn::Dense::create(3 * 6, 2));
    return m;
  }();
  return *model;
}

void read_array(const std::string& bytes, const std::string& name) {
  Result<NpyArray> array = parse_npy(bytes, name);
  if (!array.is_ok()) {
    fuzz::check_message(array.status());
    return;
  }
  // The shape an accepted array claims must count, without wrapping, the bytes it holds
  // (corpus/npy/npy-shape-count-overflows.npy once passed with 2^32 x 2^32 and no bytes).
  uint64_t count = 1;
  for (uint64_t extent : array->shape) {
    if (__builtin_mul_overflow(count, extent, &count)) {
      std::fprintf(stderr, "fuzz: %s: accepted a shape whose element count overflows\n", name.c_str());
      std::abort();
    }
  }
  if (count < (uint64_t{1} << 24)) (void)array->as_float32();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string bytes = fuzz::as_string(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      read_array(bytes, "fuzz.npy");
      break;
    case 1: {
      Result<std::vector<nn::NpzMember>> members = nn::parse_npz_archive(bytes, "fuzz.npz");
      if (!members.is_ok()) fuzz::check_message(members.status());
      else for (const nn::NpzMember& member : *members) read_array(member.bytes, member.name);
      break;
    }
    default:
      fuzz::check_message(nn::load_state_dict_npz_bytes(bytes, "fuzz.npz", nn::ModelState::of(fixed_model())));
  }
  return 0;
}

// Fuzz target: training checkpoints (JSON header + tensors), which a lab opens from a
// reader's download and `epibook train --resume` / `epibook eval` read from disk.
#include "epibook/train.h"
#include "fuzz_input.h"

using namespace epibook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Result<LoadedCheckpoint> checkpoint = parse_checkpoint(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.ckpt");
  if (!checkpoint.is_ok()) fuzz::check_message(checkpoint.status());
  return 0;
}

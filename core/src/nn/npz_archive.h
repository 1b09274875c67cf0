// .npz files (numpy.savez): a zip archive of .npy members. Written uncompressed
// ("stored"), read stored or deflated (numpy.savez_compressed), with zlib, natively
// and in wasm. How epibook's weights reach numpy and PyTorch users without epibook.
#pragma once

#include <string>
#include <vector>

#include "epibook/status.h"

namespace epibook::nn {

struct NpzMember {
  std::string name;   // without the ".npy" suffix, as numpy.load shows it
  std::string bytes;  // the .npy file
};

// Fails when a member or the whole archive passes the 4 GiB a plain zip can hold.
Result<std::string> npz_archive_bytes(const std::vector<NpzMember>& members);
// `source` names the archive in error messages.
Result<std::vector<NpzMember>> parse_npz_archive(const std::string& bytes, const std::string& source);

}  // namespace epibook::nn

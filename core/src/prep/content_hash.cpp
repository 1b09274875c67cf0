// Content hashes of input files for manifests: the same FNV-1a + SplitMix64 as
// stable_hash (random.h), fed in pieces so a multi-gigabyte bigWig streams through.
#include <cstdio>
#include <fstream>

#include "epibook/prep.h"
#include "epibook/random.h"

namespace epibook {

void ContentHash::update(std::string_view bytes) {
  uint64_t h = state_;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  state_ = h;
}

uint64_t ContentHash::finish(uint64_t seed) const { return mix64(state_ ^ mix64(seed)); }

Result<uint64_t> file_content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open to hash its contents");
  ContentHash hash;
  std::string chunk(1u << 20, '\0');
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const std::streamsize got = in.gcount();
    if (got > 0) hash.update(std::string_view(chunk.data(), static_cast<size_t>(got)));
  }
  if (in.bad()) return io_error(path + ": read failed while hashing its contents");
  return hash.finish();
}

std::string hex64(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace epibook

// The one source of randomness in epibook: a seeded, counter-based generator and a
// stable hash. Native (libstdc++) and wasm (libc++) give the same numbers, because
// nothing here uses std::*_distribution; the n-th draw of a stream depends only on
// (seed, stream, n), so work split over threads draws the same numbers in any order.
#pragma once

#include <cstdint>
#include <string_view>

namespace epibook {

// SplitMix64's finaliser: a bijective 64-bit mixer with good avalanche.
constexpr uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// FNV-1a over bytes, then mixed with the seed: stable across runs, platforms and tools
// (scripts reimplementing it in Python get the same value, see tests/golden).
constexpr uint64_t stable_hash(std::string_view bytes, uint64_t seed = 0) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h ^ mix64(seed));
}

// Counter-based generator: draw(n) is a pure function of (seed, stream, n).
class CounterRng {
 public:
  constexpr CounterRng(uint64_t seed, uint64_t stream = 0) : key_(mix64(seed) ^ mix64(stream + 0x632be59bd9b4e019ULL)) {}

  constexpr uint64_t at(uint64_t counter) const { return mix64(key_ ^ mix64(counter)); }
  uint64_t next_u64() { return at(counter_++); }
  // Uniform in [0, 1) with 53 random bits.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n) (n > 0), by Lemire's multiply-shift; negligible bias for n << 2^64.
  uint64_t next_below(uint64_t n) {
    __extension__ using u128 = unsigned __int128;  // GCC and clang, natively and in wasm
    return static_cast<uint64_t>((static_cast<u128>(next_u64()) * n) >> 64);
  }
  uint64_t position() const { return counter_; }
  void seek(uint64_t counter) { counter_ = counter; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

}  // namespace epibook

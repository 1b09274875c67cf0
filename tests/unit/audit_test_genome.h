// Small genomes made inside a test for the region-choice and leakage-audit tests:
// seeded random sequence with a chosen GC content, written as FASTA in a scratch dir.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook::testing {

// `length` random bases, each G or C with probability `gc`.
inline std::string random_bases(CounterRng& rng, size_t length, double gc) {
  std::string bases(length, 'A');
  for (char& base : bases) {
    const bool strong = rng.next_double() < gc;
    const bool second = (rng.next_u64() & 1) != 0;
    base = strong ? (second ? 'C' : 'G') : (second ? 'T' : 'A');
  }
  return bases;
}

inline std::string reverse_complement(const std::string& sequence) {
  std::string out(sequence.rbegin(), sequence.rend());
  for (char& base : out) {
    switch (base) {
      case 'A': base = 'T'; break;
      case 'C': base = 'G'; break;
      case 'G': base = 'C'; break;
      case 'T': base = 'A'; break;
      default: break;
    }
  }
  return out;
}

// Writes (name, sequence) records as FASTA with 60-base lines; returns the path.
inline std::string write_genome(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& chroms) {
  std::string text;
  for (const auto& [name, sequence] : chroms) {
    text += ">" + name + "\n";
    for (size_t i = 0; i < sequence.size(); i += 60) text += sequence.substr(i, 60) + "\n";
  }
  const std::string path = dir + "/genome.fa";
  write_file(path, text);
  return path;
}

}  // namespace epibook::testing

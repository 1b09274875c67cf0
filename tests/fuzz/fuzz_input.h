// What every fuzz target shares: the bytes libFuzzer hands over as a string, and a
// rule the targets enforce. A reader given any bytes must return a Status (ok or an
// error with a message); a crash, a sanitizer report, an exception or an abort is a bug.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "epibook/region.h"
#include "epibook/status.h"

namespace epibook::fuzz {

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// An error must say what is wrong: an empty message is a bug in the reader.
inline void check_message(const Status& status) {
  if (!status.is_ok() && status.message().empty()) {
    std::fprintf(stderr, "fuzz: an error Status without a message\n");
    std::abort();
  }
}

// A sequence name a reader accepted must hold no control character (region.h): one
// trimmed or kept would name a sequence no other file has.
inline void check_sequence_name(std::string_view name) {
  const std::string problem = sequence_name_problem(name);
  if (!problem.empty()) {
    std::fprintf(stderr, "fuzz: a reader accepted a sequence name it should refuse: %s\n", problem.c_str());
    std::abort();
  }
}

}  // namespace epibook::fuzz

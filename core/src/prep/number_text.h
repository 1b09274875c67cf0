// Reading a decimal number from option text ("0.8", "fraction:0.25") without locale
// surprises or exceptions; private to prep (std::from_chars for double is missing in
// the libc++ that emscripten 3.1.6 ships).
#pragma once

#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

namespace epibook::prep_internal {

// The number when the whole text is one finite decimal number, else nullopt.
inline std::optional<double> parse_finite_double(std::string_view text) {
  const std::string copy(text);
  if (copy.empty() || copy.find_first_of(" \t\n") != std::string::npos) return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace epibook::prep_internal

// Train / validation / test assignment by chromosome or by a seeded hash of each
// window's coordinates (see epibook/split.h for the key and the grouping pitfall).
#include "epibook/split.h"

#include <cmath>
#include <set>

#include "epibook/random.h"
#include "prep/number_text.h"

namespace epibook {
namespace {

std::string fractions_text(const SplitFractions& f) {
  return std::to_string(f.train) + ", " + std::to_string(f.validation) + ", " + std::to_string(f.test);
}

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

}  // namespace

const char* split_name(Split split) {
  switch (split) {
    case Split::kTrain: return "train";
    case Split::kValidation: return "validation";
    case Split::kTest: return "test";
  }
  return "train";
}

Status validate_split_fractions(const SplitFractions& f) {
  const double parts[3] = {f.train, f.validation, f.test};
  const char* names[3] = {"train", "validation", "test"};
  for (int i = 0; i < 3; ++i) {
    if (!std::isfinite(parts[i]) || parts[i] < 0 || parts[i] > 1) {
      return invalid_argument("split fractions (" + fractions_text(f) + "): the " + names[i] +
                              " fraction must lie between 0 and 1");
    }
  }
  const double sum = f.train + f.validation + f.test;
  if (std::fabs(sum - 1.0) > 1e-6) {
    return invalid_argument("split fractions (" + fractions_text(f) + ") sum to " + std::to_string(sum) +
                            ", not 1");
  }
  return Status::ok();
}

Result<SplitFractions> parse_split_fractions(std::string_view text) {
  double parts[3];
  size_t begin = 0;
  for (int i = 0; i < 3; ++i) {
    const size_t comma = text.find(',', begin);
    const bool last = i == 2;
    if (last != (comma == std::string_view::npos)) {
      return invalid_argument("split fractions '" + std::string(text) +
                              "': expected three numbers train,validation,test such as 0.8,0.1,0.1");
    }
    const std::string_view piece = text.substr(begin, last ? std::string_view::npos : comma - begin);
    const auto value = prep_internal::parse_finite_double(piece);
    if (!value) {
      return invalid_argument("split fractions '" + std::string(text) + "': '" + std::string(piece) +
                              "' is not a number");
    }
    parts[i] = *value;
    begin = comma + 1;
  }
  SplitFractions fractions{parts[0], parts[1], parts[2]};
  EPIBOOK_RETURN_IF_ERROR(validate_split_fractions(fractions));
  return fractions;
}

std::string split_key(const Region& window) {
  return window.chrom + ":" + std::to_string(window.start) + "-" + std::to_string(window.end);
}

std::string split_block_key(const Region& window, uint64_t block_size) {
  const uint64_t block_start = window.start / block_size * block_size;
  return window.chrom + ":" + std::to_string(block_start) + "-" + std::to_string(block_start + block_size);
}

double split_unit_value(std::string_view key, uint64_t seed) {
  return static_cast<double>(stable_hash(key, seed) >> 11) * 0x1.0p-53;
}

Split split_for_unit_value(double unit, const SplitFractions& fractions) {
  if (unit < fractions.train) return Split::kTrain;
  if (unit < fractions.train + fractions.validation) return Split::kValidation;
  return Split::kTest;
}

Result<std::vector<Split>> split_by_chromosome(std::span<const Region> windows,
                                               std::span<const std::string> validation_chroms,
                                               std::span<const std::string> test_chroms) {
  const std::set<std::string> validation(validation_chroms.begin(), validation_chroms.end());
  const std::set<std::string> test(test_chroms.begin(), test_chroms.end());
  for (const std::string& chrom : validation) {
    if (test.count(chrom) != 0) {
      return invalid_argument("chromosome " + chrom + " is named for both validation and test");
    }
  }
  std::set<std::string> present;
  std::vector<Split> splits(windows.size(), Split::kTrain);
  for (size_t i = 0; i < windows.size(); ++i) {
    present.insert(windows[i].chrom);
    if (validation.count(windows[i].chrom) != 0) splits[i] = Split::kValidation;
    if (test.count(windows[i].chrom) != 0) splits[i] = Split::kTest;
  }
  for (const auto* named : {&validation, &test}) {
    for (const std::string& chrom : *named) {
      if (present.count(chrom) == 0) {
        return invalid_argument(std::string(named == &validation ? "validation" : "test") + " chromosome " +
                                chrom + " has no windows (windows are on " + joined(present) + ")");
      }
    }
  }
  return splits;
}

Result<std::vector<Split>> split_by_hash_grouped(std::span<const Region> windows, uint64_t seed,
                                                 const SplitFractions& fractions, uint64_t block_size) {
  EPIBOOK_RETURN_IF_ERROR(validate_split_fractions(fractions));
  std::vector<Split> splits(windows.size());
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string key = block_size == 0 ? split_key(windows[i]) : split_block_key(windows[i], block_size);
    splits[i] = split_for_unit_value(split_unit_value(key, seed), fractions);
  }
  return splits;
}

Result<std::vector<Split>> split_by_hash(std::span<const Region> windows, uint64_t seed,
                                         const SplitFractions& fractions) {
  return split_by_hash_grouped(windows, seed, fractions, 0);
}

}  // namespace epibook

// The peak caller's Poisson tail scores (peaks.h) against scipy.stats.poisson, run by
// Debian's python3 on a grid of pile-ups and lambdas that covers what a lab meets:
// background (k near lambda), peaks (k >> lambda) and the far tail scipy's sf loses.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "epibook/peaks.h"
#include "support/test_support.h"

namespace epibook {
namespace {

TEST(PeaksPoissonGolden, TailScoresEqualScipyWithin1e9Relative) {
  std::vector<std::pair<uint64_t, double>> grid;
  for (double lambda : {0.004, 0.05, 0.3, 1.0, 2.5, 7.0, 19.5, 60.0, 250.0}) {
    for (uint64_t k : {0, 1, 2, 3, 5, 8, 13, 21, 40, 75, 150, 300, 600, 1200}) grid.emplace_back(k, lambda);
  }
  std::ostringstream input;
  input.precision(17);
  for (const auto& [k, lambda] : grid) input << k << ' ' << lambda << '\n';
  const std::string dir = testing::scratch_dir("peaks-poisson");
  testing::write_file(dir + "/grid.txt", input.str());
  const auto reference = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_GOLDEN_DIR +
                                              "/peaks_poisson_reference.py < " + dir + "/grid.txt");
  ASSERT_EQ(reference.exit_code, 0) << reference.output;
  std::istringstream lines(reference.output);
  testing::Mismatches mismatches;
  for (const auto& [k, lambda] : grid) {
    double expected = 0;
    ASSERT_TRUE(lines >> expected) << "scipy printed fewer scores than asked";
    const double ours = poisson_upper_tail_score(k, lambda);
    const double tolerance = 1e-9 * std::max(1.0, std::abs(expected));
    if (!(std::abs(ours - expected) <= tolerance)) {
      std::ostringstream what;
      what.precision(17);
      what << "k " << k << " lambda " << lambda << ": ours " << ours << ", scipy " << expected;
      mismatches.add(what.str());
    }
  }
}

}  // namespace
}  // namespace epibook

// Chapter 2's window scores: a replicate scored against itself reaches every score's
// best value, shapes with nothing in common are 1 bit apart, the AUROC and AUPRC are
// those of the window totals, floors sit near chance, and bad input is refused by name.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "epibook/random.h"
#include "epibook/window_scores.h"

namespace epibook {
namespace {

using Values = std::vector<float>;

// 200 windows of 8 positions: peaks (every fourth window) hold a bump of random height.
void random_windows(Values& counts, Values& labels) {
  CounterRng rng(7);
  for (int w = 0; w < 200; ++w) {
    const bool peak = w % 4 == 0;
    labels.push_back(peak ? 1.0f : 0.0f);
    const double height = peak ? 5 + 40 * rng.next_double() : 0;
    const int summit = static_cast<int>(rng.next_below(8));
    for (int i = 0; i < 8; ++i) {
      const double bump = height * std::exp(-0.5 * (i - summit) * (i - summit));
      counts.push_back(static_cast<float>(std::floor(2 * rng.next_double() * 2 + bump)));
    }
  }
}

TEST(WindowScores, AWindowSetAgainstItself_ReachesEveryBestValue_AndFloorsSitNearChance) {
  Values counts, labels;
  random_windows(counts, labels);
  Result<WindowScores> s = score_windows(counts, counts, 8, labels, 1, 20);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_EQ(s->windows, 200u);
  EXPECT_EQ(s->peak_windows, 50u);
  EXPECT_NEAR(s->find("pearson")->value, 1.0, 1e-12);
  EXPECT_NEAR(s->find("spearman")->value, 1.0, 1e-12);
  EXPECT_NEAR(s->find("jsd")->value, 0.0, 1e-6);
  Values totals;
  for (int w = 0; w < 200; ++w) {
    double t = 0;
    for (int i = 0; i < 8; ++i) t += counts[static_cast<size_t>(w * 8 + i)];
    totals.push_back(static_cast<float>(t));
  }
  EXPECT_DOUBLE_EQ(s->find("auroc")->value, *auroc(totals, labels));
  EXPECT_DOUBLE_EQ(s->find("auprc")->value, *auprc(totals, labels));
  EXPECT_NEAR(s->find("pearson")->floor.mean, 0.0, 0.1);
  EXPECT_NEAR(s->find("auroc")->floor.mean, 0.5, 0.05);
  EXPECT_NEAR(s->find("auprc")->floor.mean, 0.25, 0.05);  // the positive fraction
  EXPECT_GT(s->find("jsd")->floor.mean, 0.3);              // other windows' summits lie elsewhere
}

TEST(WindowScores, ShapesWithNothingInCommonAreOneBitApart_AndNegativePredictionsCountAsZero) {
  const Values predicted{4, -3, 0, 2, 1, 1};
  const Values observed{0, 5, 7, 0, 1, 1};
  Result<WindowScores> s = score_windows(predicted, observed, 2, Values{1, 1, 0}, 1, 2);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_NEAR(s->find("jsd")->value, 1.0, 1e-3);
}

TEST(WindowScores, RefusesMismatchedSizesAndLabelsThatAreNotBinary) {
  auto bad = score_windows(Values{1, 2, 3, 4}, Values{1, 2, 3}, 2, Values{1, 0}, 1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(), "window scores: 4 predictions for 3 observed values");
  auto labels = score_windows(Values{1, 2, 3, 4}, Values{1, 2, 3, 4}, 2, Values{1, 0.5f}, 1);
  ASSERT_FALSE(labels.is_ok());
  EXPECT_NE(labels.status().message().find("peak labels"), std::string::npos) << labels.status().message();
}

}  // namespace
}  // namespace epibook

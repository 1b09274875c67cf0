// PWMs for the simulator: the text format, the shipped default matrices in
// assets/motifs/ (which must equal the built-in ones) and the match score that sets a
// planted site's peak height.
#include <gtest/gtest.h>

#include "epibook/sim.h"
#include "support/test_support.h"

namespace epibook {
namespace {

const std::string kMotifDir = std::string(EPIBOOK_TEST_SOURCE_DIR) + "/../assets/motifs/";

TEST(SimMotif, ShippedMotifFiles_EqualTheBuiltInDefaults) {
  const std::vector<Pwm> defaults = default_motifs();
  ASSERT_EQ(defaults.size(), 3u);
  const char* files[] = {"ctcf_like.txt", "gata_like.txt", "ap1_like.txt"};
  for (size_t i = 0; i < defaults.size(); ++i) {
    Result<Pwm> shipped = read_pwm(kMotifDir + files[i]);
    ASSERT_TRUE(shipped.is_ok()) << shipped.status().message();
    EXPECT_EQ(*shipped, defaults[i]) << files[i];
  }
  EXPECT_EQ(defaults[0].name, "CTCF-like");
  EXPECT_EQ(defaults[0].length(), 14u);
  EXPECT_EQ(defaults[1].name, "GATA-like");
  EXPECT_EQ(defaults[2].name, "AP-1-like");
}

TEST(SimMotif, ParsePwm_ColumnNotSummingToOne_NamesTheLine) {
  Result<Pwm> pwm = parse_pwm("name X\n0.25 0.25 0.25 0.25\n0.5 0.5 0.5 0.5\n", "x.txt");
  ASSERT_FALSE(pwm.is_ok());
  EXPECT_EQ(pwm.status().message(), "x.txt: line 3: probabilities sum to 2.0000, not 1");
}

TEST(SimMotif, ParsePwm_BadRows_AreRefusedWithTheirLine) {
  EXPECT_EQ(parse_pwm("name X\n0.5 0.5 0\n", "m.txt").status().message(),
            "m.txt: line 2: expected four probabilities (A C G T)");
  EXPECT_EQ(parse_pwm("name X\n0.5 0.5 0 0 0\n", "m.txt").status().message(),
            "m.txt: line 2: more than four numbers (A C G T)");
  EXPECT_EQ(parse_pwm("0.25 0.25 0.25 0.25\n", "m.txt").status().message(), "m.txt: no 'name NAME' line");
  EXPECT_EQ(parse_pwm("name X\n# nothing\n", "m.txt").status().message(), "m.txt: motif 'X' has no positions");
  EXPECT_FALSE(parse_pwm("name X\n-0.5 0.5 0.5 0.5\n", "m.txt").is_ok());
}

TEST(SimMotif, FormatPwm_ReadsBackToTheSameMatrix) {
  for (const Pwm& pwm : default_motifs()) {
    Result<Pwm> again = parse_pwm(format_pwm(pwm), "formatted");
    ASSERT_TRUE(again.is_ok()) << again.status().message();
    EXPECT_EQ(*again, pwm);
  }
}

TEST(SimMotif, MatchScore_ConsensusScoresOne_WorstScoresZero_OthersBetween) {
  const Pwm gata = default_motifs()[1];
  EXPECT_DOUBLE_EQ(pwm_match_score(gata, "AGATAAGA"), 1.0);
  // The least likely letter of each column.
  EXPECT_DOUBLE_EQ(pwm_match_score(gata, "CACGCCCC"), 0.0);
  const double one_change = pwm_match_score(gata, "AGATCAGA");
  EXPECT_GT(one_change, 0.5);
  EXPECT_LT(one_change, 1.0);
  EXPECT_DOUBLE_EQ(pwm_match_score(gata, "NNNNNNNN"), 0.0);
}

}  // namespace
}  // namespace epibook

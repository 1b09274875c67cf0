// `epibook prep` against Tutorial 1 written again in numpy + pyBigWig (prep_reference.py)
// on a MACS2-like 25 bp track that pyBigWig wrote: targets within 1e-6 relative, labels,
// bin labels, split and windows exactly. Same split in two tools = a stable split.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>

#include "epibook/npy.h"
#include "support/test_support.h"

namespace epibook {
namespace {

// The CLI next to this test binary (build/tests/.. -> build/cli/epibook) unless the
// build names it.
std::string cli_path() {
#ifdef EPIBOOK_CLI
  return EPIBOOK_CLI;
#else
  char self[PATH_MAX] = {0};
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return "epibook";
  return (std::filesystem::path(std::string(self, static_cast<size_t>(n))).parent_path().parent_path() / "cli" /
          "epibook")
      .string();
#endif
}

std::string reference_script() { return std::string(EPIBOOK_GOLDEN_DIR) + "/prep_reference.py"; }

class PrepGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::scratch_dir("prep-golden-track"));
    const auto made = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + reference_script() + " make-bigwig " +
                                           *dir_ + "/signal.bw");
    ASSERT_EQ(made.exit_code, 0) << made.output;
    // Whole chromosomes (ending inside a 25 bp bin) and one region off the 25 bp grid.
    testing::write_file(*dir_ + "/regions.bed", "chr2L\t0\t250007\nchr2R\t1013\t180020\nchr3L\t0\t120513\n");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  // Runs both tools with the same options and compares every output.
  void expect_same_dataset(const std::string& options) {
    const std::string work = testing::scratch_dir("run");
    const std::string inputs = " --bigwig " + *dir_ + "/signal.bw --regions " + *dir_ + "/regions.bed ";
    const auto ours = testing::run_command(cli_path() + " prep -q" + inputs + "-o " + work + "/epibook " + options);
    ASSERT_EQ(ours.exit_code, 0) << ours.output;
    const auto theirs = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + reference_script() + " prepare" +
                                             inputs + "--out " + work + "/numpy " + options);
    ASSERT_EQ(theirs.exit_code, 0) << theirs.output;

    auto our_targets = read_npy(work + "/epibook/targets.npy");
    auto their_targets = read_npy(work + "/numpy/targets.npy");
    ASSERT_TRUE(our_targets.is_ok() && their_targets.is_ok());
    ASSERT_EQ(our_targets->shape, their_targets->shape);
    ASSERT_EQ(our_targets->dtype, NpyDtype::kFloat32);
    ASSERT_GT(our_targets->elements(), 1000u);
    const std::vector<float> a = our_targets->as_float32(), b = their_targets->as_float32();
    size_t mismatches = 0, missing = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::isnan(b[i])) {
        ++missing;
        if (!std::isnan(a[i]) && mismatches++ < 5) ADD_FAILURE() << "target " << i << ": " << a[i] << " vs NaN";
        continue;
      }
      const float tolerance = 1e-6f * std::max(1.0f, std::fabs(b[i]));
      if (!(std::fabs(a[i] - b[i]) <= tolerance) && mismatches++ < 5) {
        ADD_FAILURE() << "target " << i << ": " << a[i] << " vs " << b[i];
      }
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_GT(missing, 0u) << "the track has gaps; some bins must be missing";

    for (const char* name : {"labels.npy", "bin_labels.npy", "split.npy"}) {
      auto ours_array = read_npy(work + "/epibook/" + name);
      auto theirs_array = read_npy(work + "/numpy/" + name);
      ASSERT_TRUE(ours_array.is_ok() && theirs_array.is_ok()) << name;
      EXPECT_EQ(ours_array->dtype, NpyDtype::kInt8) << name;
      EXPECT_EQ(ours_array->shape, theirs_array->shape) << name;
      EXPECT_TRUE(ours_array->bytes == theirs_array->bytes) << name << " differs";
    }
    const std::string our_bed = testing::read_file(work + "/epibook/windows.bed");
    EXPECT_FALSE(our_bed.empty());
    EXPECT_EQ(our_bed, testing::read_file(work + "/numpy/windows.bed"));
    labels_ = read_npy(work + "/epibook/labels.npy")->as_float32();
    splits_ = read_npy(work + "/epibook/split.npy")->as_float32();
  }

  // Each value appears at least once, so the comparison covered every case.
  static void expect_all_present(const std::vector<float>& values, std::initializer_list<float> expected) {
    for (float v : expected) EXPECT_NE(std::find(values.begin(), values.end(), v), values.end()) << "no " << v;
  }

  static std::string* dir_;
  std::vector<float> labels_, splits_;
};

std::string* PrepGolden::dir_ = nullptr;

TEST_F(PrepGolden, Tutorial1PresetMatchesNumpyPipeline) {
  expect_same_dataset("--preset tutorial1");
  if (HasFatalFailure()) return;
  expect_all_present(labels_, {0, 1});
  expect_all_present(splits_, {0, 1, 2});
}

TEST_F(PrepGolden, ChromosomeSplitPerBaseLog1pFractionRuleMatches) {
  expect_same_dataset(
      "--input-bin 1 --transform log1p --threshold 1.0 --label-rule fraction:0.25 --window 1024 --stride 512 "
      "--window-tail align-end --split chrom --val-chroms chr2R --test-chroms chr3L");
  if (HasFatalFailure()) return;
  expect_all_present(labels_, {-1, 0, 1});
  expect_all_present(splits_, {0, 1, 2});
}

TEST_F(PrepGolden, GroupedHashSplitMaxRuleWiderBinsMatch) {
  expect_same_dataset(
      "--window 2048 --bin 64 --label-rule max --threshold 2.5 --seed 7 --fractions 0.6,0.2,0.2 "
      "--hash-block 50000");
  if (HasFatalFailure()) return;
  expect_all_present(labels_, {0, 1});
  expect_all_present(splits_, {0, 1, 2});
}

}  // namespace
}  // namespace epibook

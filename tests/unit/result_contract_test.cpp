// Result<T> used against its contract stops the program loudly in every build type
// (Release included, where assert is compiled out): value() on an error, and a Result
// made from an OK Status. Death tests fork, so they run natively only (not under Node).
#include <gtest/gtest.h>

#include <string>

#include "epibook/status.h"

namespace epibook {
namespace {

Result<int> parse_count(const std::string& text) {
  if (text.empty()) return invalid_argument("counts.txt: line 3: empty count");
  return static_cast<int>(text.size());
}

TEST(ResultContract, ValueOfAResultWithAValue_IsThatValue) {
  Result<int> count = parse_count("abc");
  ASSERT_TRUE(count.is_ok());
  EXPECT_EQ(count.value(), 3);
  EXPECT_EQ(*count, 3);
  EXPECT_TRUE(count.status().is_ok());
}

#if GTEST_HAS_DEATH_TEST
TEST(ResultContractDeathTest, ValueOfAnError_AbortsWithTheErrorsMessage) {
  EXPECT_DEATH(
      {
        Result<int> count = parse_count("");
        const int n = count.value();
        std::printf("went on with %d\n", n);
      },
      "Result::value\\(\\) called on an error: counts.txt: line 3: empty count");
  EXPECT_DEATH(
      {
        const Result<std::string> name = invalid_argument("no name");
        std::printf("went on with %zu\n", name->size());
      },
      "called on an error: no name");
  EXPECT_DEATH(
      {
        std::string moved = Result<std::string>(not_found("gone")).value();
        std::printf("went on with %s\n", moved.c_str());
      },
      "called on an error: gone");
}

TEST(ResultContractDeathTest, ResultMadeFromAnOkStatus_Aborts) {
  EXPECT_DEATH(
      {
        Result<int> nothing(Status::ok());
        std::printf("went on with %d\n", nothing.is_ok() ? 1 : 0);
      },
      "a Result was made from an OK Status");
}
#endif

}  // namespace
}  // namespace epibook

// .npy round trips: the files numpy users load must hold exactly what we wrote.
#include <gtest/gtest.h>

#include "epibook/npy.h"
#include "support/test_support.h"

namespace epibook {
namespace {

TEST(Npy, Float32RoundTripKeepsShapeAndValues) {
  const std::string dir = testing::scratch_dir("npy");
  std::vector<float> values = {0.5f, -1.25f, 3.0f, 4.0f, 5.0f, 6.0f};
  std::vector<uint64_t> shape = {2, 3};
  ASSERT_TRUE(write_npy(dir + "/a.npy", values, shape).is_ok());
  auto back = read_npy(dir + "/a.npy");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_EQ(back->shape, shape);
  EXPECT_EQ(back->as_float32(), values);
  const std::string bytes = testing::read_file(dir + "/a.npy");
  EXPECT_EQ((bytes.size() - 6 * 4) % 64, 0u) << "header must be padded to 64 bytes";
}

TEST(Npy, OneDimensionalShapeHasTrailingComma) {
  std::vector<int8_t> labels = {0, 1, 1};
  std::vector<uint64_t> shape = {3};
  const std::string bytes = npy_bytes(NpyDtype::kInt8, shape, labels.data(), labels.size());
  EXPECT_NE(bytes.find("'shape': (3, )"), std::string::npos);
}

TEST(Npy, ShapeMismatchIsAnError) {
  const std::string dir = testing::scratch_dir("npy");
  std::vector<float> values = {1, 2, 3};
  std::vector<uint64_t> shape = {2, 2};
  Status status = write_npy(dir + "/b.npy", values, shape);
  EXPECT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("4 elements"), std::string::npos);
}

TEST(Npy, GarbageFileNamesTheProblem) {
  const std::string dir = testing::scratch_dir("npy");
  testing::write_file(dir + "/c.npy", "hello");
  auto back = read_npy(dir + "/c.npy");
  ASSERT_FALSE(back.is_ok());
  EXPECT_NE(back.status().message().find("bad magic"), std::string::npos);
}

}  // namespace
}  // namespace epibook

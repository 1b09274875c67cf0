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

// A shape whose element count wraps around 64 bits (2^32 x 2^32 wraps to 0) once passed
// the size check with no data bytes at all, and every caller then trusted the shape.
TEST(Npy, ShapeWhoseCountOverflowsIsRefused) {
  std::string bytes = npy_header(NpyDtype::kFloat32, std::vector<uint64_t>{1, 1});
  const size_t open = bytes.find("(1, 1)");
  ASSERT_NE(open, std::string::npos);
  bytes.replace(open, 6, "(4294967296, 4294967296)");
  bytes[8] = static_cast<char>(bytes.size() - 10);  // the header length, still under 256
  auto back = parse_npy(bytes, "wrapped.npy");
  ASSERT_FALSE(back.is_ok());
  EXPECT_NE(back.status().message().find("wrapped.npy: shape in header"), std::string::npos) << back.status().message();
  EXPECT_NE(back.status().message().find("overflows 64 bits"), std::string::npos) << back.status().message();
}

}  // namespace
}  // namespace epibook

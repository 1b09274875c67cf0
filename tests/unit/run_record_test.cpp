// Run records as bytes (epibook/run_record.h): base64url against RFC 4648's test
// vectors, and the tar archive against the ustar layout of POSIX.1-2001 (field offsets,
// octal sizes, the checksum as the spec defines it, 512-byte padding, two zero blocks).
#include <gtest/gtest.h>

#include <cstdlib>

#include "epibook/run_record.h"

namespace epibook {
namespace {

TEST(Base64Url, Rfc4648Vectors_EncodeAndDecode) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64url_encode(plain), encoded);
    EXPECT_EQ(*base64url_decode(encoded), plain);
  }
}

TEST(Base64Url, UrlAlphabet_ReplacesPlusAndSlash) {
  const std::string bytes = "\xfb\xff\xbf";  // standard base64 "+/+/"
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(*base64url_decode("-_-_"), bytes);
  EXPECT_EQ(*base64url_decode("+/+/"), bytes);
}

TEST(Base64Url, EveryByteValue_RoundTrips) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t cut = 0; cut < 4; ++cut) {
    const std::string part = bytes.substr(cut);
    EXPECT_EQ(*base64url_decode(base64url_encode(part)), part);
  }
}

TEST(Base64Url, ForeignCharacter_IsRefusedNamingTheLink) {
  const Result<std::string> decoded = base64url_decode("Zm9v!");
  ASSERT_FALSE(decoded.is_ok());
  EXPECT_NE(decoded.status().message().find("run link"), std::string::npos);
}

uint64_t octal_field(const std::string& block, size_t offset, size_t width) {
  return std::strtoull(block.substr(offset, width).c_str(), nullptr, 8);
}

TEST(TarArchive, UstarHeaders_SizesChecksumsAndPadding) {
  const std::string big(700, 'x');
  const std::string archive = tar_archive({{"run/manifest.json", "{}\n"}, {"run/last.ckpt", big}});
  // Header, 1 data block; header, 2 data blocks; two zero blocks.
  ASSERT_EQ(archive.size(), 512u * (1 + 1 + 1 + 2 + 2));
  const std::string first = archive.substr(0, 512);
  EXPECT_EQ(first.substr(0, 17), "run/manifest.json");
  EXPECT_EQ(first[17], '\0');
  EXPECT_EQ(octal_field(first, 124, 12), 3u);
  EXPECT_EQ(first[156], '0');
  EXPECT_EQ(first.substr(257, 6), std::string("ustar\0", 6));
  EXPECT_EQ(first.substr(263, 2), "00");
  // The checksum: the sum of the header's bytes with the checksum field as 8 spaces.
  std::string blanked = first;
  blanked.replace(148, 8, "        ");
  uint64_t sum = 0;
  for (unsigned char c : blanked) sum += c;
  EXPECT_EQ(octal_field(first, 148, 8), sum);
  EXPECT_EQ(archive.substr(512, 3), "{}\n");
  EXPECT_EQ(archive.substr(515, 512 - 3), std::string(509, '\0'));
  const std::string second = archive.substr(1024, 512);
  EXPECT_EQ(octal_field(second, 124, 12), 700u);
  EXPECT_EQ(archive.substr(1536, 700), big);
  EXPECT_EQ(archive.substr(archive.size() - 1024), std::string(1024, '\0'));
}

TEST(TarArchive, SameFiles_SameBytes) {
  const std::vector<std::pair<std::string, std::string>> files = {{"a", "1"}, {"b", ""}};
  EXPECT_EQ(tar_archive(files), tar_archive(files));
}

}  // namespace
}  // namespace epibook

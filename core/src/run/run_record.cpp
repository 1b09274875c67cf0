// Run records as bytes: a tar archive of a run directory (what a lab offers for
// download, and `tar xf` unpacks for the CLI) and base64url text (what a run link carries).
// Nothing here touches a file system, so the browser and the CLI share it.
#include "epibook/run_record.h"

#include <algorithm>
#include <cstdio>

namespace epibook {
namespace {

void append_octal(std::string& header, size_t offset, size_t width, uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(value));
  header.replace(offset, width - 1, text, width - 1);
}

}  // namespace

std::string tar_archive(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [path, bytes] : files) {
    std::string header(512, '\0');
    header.replace(0, std::min<size_t>(path.size(), 99), path.substr(0, 99));
    append_octal(header, 100, 8, 0644);
    append_octal(header, 108, 8, 0);
    append_octal(header, 116, 8, 0);
    append_octal(header, 124, 12, bytes.size());
    append_octal(header, 136, 12, 0);
    header[156] = '0';
    header.replace(257, 6, std::string("ustar\0", 6));
    header.replace(263, 2, "00");
    header.replace(148, 8, "        ");
    unsigned checksum = 0;
    for (char c : header) checksum += static_cast<unsigned char>(c);
    char text[8];
    std::snprintf(text, sizeof text, "%06o", checksum);
    header.replace(148, 7, std::string(text, 6) + '\0');
    out += header;
    out += bytes;
    out.append((512 - bytes.size() % 512) % 512, '\0');
  }
  out.append(1024, '\0');
  return out;
}

std::string base64url_encode(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

Result<std::string> base64url_decode(const std::string& text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = -1;
    if (c >= 'A' && c <= 'Z') value = c - 'A';
    if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
    if (c >= '0' && c <= '9') value = c - '0' + 52;
    if (c == '-' || c == '+') value = 62;
    if (c == '_' || c == '/') value = 63;
    if (c == '=') break;
    if (value < 0) return invalid_argument("the run link is damaged (a character that is not base64url)");
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace epibook

// A minimal zip writer and reader for .npz (see npz_archive.h): local headers, the
// central directory and its end record; no zip64, no encryption, no data descriptors.
#include "nn/npz_archive.h"

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <limits>

namespace epibook::nn {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfDirectory = 0x06054b50;
constexpr uint16_t kVersion = 20;
constexpr uint16_t kDosDate = 0x21;  // 1980-01-01: a fixed date keeps the bytes reproducible
constexpr uint16_t kStored = 0;
constexpr uint16_t kDeflated = 8;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;

void put16(std::string& out, uint32_t value) {
  out.push_back(static_cast<char>(value & 0xff));
  out.push_back(static_cast<char>((value >> 8) & 0xff));
}

void put32(std::string& out, uint32_t value) {
  put16(out, value & 0xffff);
  put16(out, value >> 16);
}

uint32_t get16(const std::string& in, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(in[at])) | (static_cast<uint32_t>(static_cast<uint8_t>(in[at + 1])) << 8);
}

uint32_t get32(const std::string& in, size_t at) { return get16(in, at) | (get16(in, at + 2) << 16); }

uint32_t crc_of(const std::string& bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  size_t done = 0;
  while (done < bytes.size()) {
    const size_t piece = std::min<size_t>(bytes.size() - done, std::numeric_limits<uInt>::max());
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), static_cast<uInt>(piece));
    done += piece;
  }
  return static_cast<uint32_t>(crc);
}

// The fields shared by a local header and a central-directory entry, from "version
// needed" to the extra-field length.
void put_common_fields(std::string& out, uint32_t crc, uint32_t size, size_t name_length) {
  put16(out, kVersion);
  put16(out, 0);  // flags
  put16(out, kStored);
  put16(out, 0);  // time
  put16(out, kDosDate);
  put32(out, crc);
  put32(out, size);  // compressed
  put32(out, size);  // uncompressed
  put16(out, static_cast<uint32_t>(name_length));
  put16(out, 0);  // extra length
}

Result<std::string> inflate_raw(const std::string& compressed, size_t expected, const std::string& where) {
  std::string out(expected, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK) return io_error(where + ": cannot start zlib");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  const size_t produced = stream.total_out;
  inflateEnd(&stream);
  if (result != Z_STREAM_END || produced != expected) return corrupt(where + ": deflated data is damaged");
  return out;
}

}  // namespace

Result<std::string> npz_archive_bytes(const std::vector<NpzMember>& members) {
  std::string archive;
  std::string directory;
  for (const NpzMember& member : members) {
    const std::string name = member.name + ".npy";
    if (member.bytes.size() >= std::numeric_limits<uint32_t>::max() || archive.size() >= std::numeric_limits<uint32_t>::max()) {
      return unsupported(name + ": an .npz over 4 GiB needs zip64, which epibook does not write");
    }
    const uint32_t crc = crc_of(member.bytes);
    const auto size = static_cast<uint32_t>(member.bytes.size());
    put32(directory, kCentralHeader);
    put16(directory, kVersion);  // made by
    put_common_fields(directory, crc, size, name.size());
    put16(directory, 0);  // comment length
    put16(directory, 0);  // disk
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, static_cast<uint32_t>(archive.size()));
    directory += name;

    put32(archive, kLocalHeader);
    put_common_fields(archive, crc, size, name.size());
    archive += name;
    archive += member.bytes;
  }
  const auto directory_offset = static_cast<uint32_t>(archive.size());
  archive += directory;
  put32(archive, kEndOfDirectory);
  put16(archive, 0);
  put16(archive, 0);
  put16(archive, static_cast<uint32_t>(members.size()));
  put16(archive, static_cast<uint32_t>(members.size()));
  put32(archive, static_cast<uint32_t>(directory.size()));
  put32(archive, directory_offset);
  put16(archive, 0);
  return archive;
}

Result<std::vector<NpzMember>> parse_npz_archive(const std::string& bytes, const std::string& source) {
  if (bytes.size() < kEndSize) return corrupt(source + ": too short for a zip archive");
  // The end record sits in the last 22 bytes plus up to 64 KiB of comment.
  size_t end = std::string::npos;
  const size_t lowest = bytes.size() > kEndSize + 0xffff ? bytes.size() - kEndSize - 0xffff : 0;
  for (size_t at = bytes.size() - kEndSize + 1; at-- > lowest;) {
    if (get32(bytes, at) == kEndOfDirectory) {
      end = at;
      break;
    }
  }
  if (end == std::string::npos) return corrupt(source + ": no zip end-of-directory record (not an .npz?)");
  const size_t count = get16(bytes, end + 10);
  size_t at = get32(bytes, end + 16);
  std::vector<NpzMember> members;
  for (size_t i = 0; i < count; ++i) {
    const std::string where = source + ": zip directory entry " + std::to_string(i);
    if (at > end || end - at < kCentralHeaderSize || get32(bytes, at) != kCentralHeader) {
      return corrupt(where + " at byte " + std::to_string(at) + " is damaged");
    }
    const uint32_t method = get16(bytes, at + 10);
    const size_t compressed = get32(bytes, at + 20);
    const size_t size = get32(bytes, at + 24);
    const size_t name_length = get16(bytes, at + 28);
    const size_t skip = name_length + get16(bytes, at + 30) + get16(bytes, at + 32);
    const size_t local = get32(bytes, at + 42);
    if (end - at - kCentralHeaderSize < skip) return corrupt(where + ": name runs past the directory");
    std::string name = bytes.substr(at + kCentralHeaderSize, name_length);
    at += kCentralHeaderSize + skip;
    if (local > bytes.size() || bytes.size() - local < kLocalHeaderSize || get32(bytes, local) != kLocalHeader) {
      return corrupt(source + ": " + name + ": local header at byte " + std::to_string(local) + " is damaged");
    }
    const size_t data = local + kLocalHeaderSize + get16(bytes, local + 26) + get16(bytes, local + 28);
    if (data > bytes.size() || bytes.size() - data < compressed) {
      return corrupt(source + ": " + name + ": data runs past the end of the file");
    }
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    NpzMember member{name, bytes.substr(data, compressed)};
    // Deflate never expands more than about 1032 times: a larger claim is a damaged header.
    if (method == kDeflated && size / 1032 > compressed + 1) {
      return corrupt(source + ": " + name + ": claims " + std::to_string(size) + " bytes from " +
                     std::to_string(compressed) + " compressed");
    }
    if (method == kDeflated) {
      EPIBOOK_ASSIGN_OR_RETURN(member.bytes, inflate_raw(member.bytes, size, source + ": " + name));
    } else if (method != kStored || compressed != size) {
      return unsupported(source + ": " + name + ": zip compression method " + std::to_string(method) +
                         " (only stored and deflated are read)");
    }
    if (crc_of(member.bytes) != get32(bytes, at - skip - kCentralHeaderSize + 16)) {
      return corrupt(source + ": " + name + ": CRC mismatch (damaged file)");
    }
    members.push_back(std::move(member));
  }
  return members;
}

}  // namespace epibook::nn

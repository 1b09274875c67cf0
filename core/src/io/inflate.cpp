// zlib-stream inflation for bigWig blocks (see inflate.h). Decompressor state is kept
// per thread and reused, because setting it up costs as much as inflating a small block.
#include "io/inflate.h"

#include <string>

#ifdef EPIBOOK_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

namespace epibook::io {

#ifdef EPIBOOK_HAVE_LIBDEFLATE

namespace {
struct ThreadDecompressor {
  libdeflate_decompressor* state = libdeflate_alloc_decompressor();
  ~ThreadDecompressor() { libdeflate_free_decompressor(state); }
};
}  // namespace

Result<size_t> inflate_zlib(std::span<const uint8_t> compressed, std::span<uint8_t> out) {
  thread_local ThreadDecompressor decompressor;
  if (decompressor.state == nullptr) return io_error("out of memory for a decompressor");
  size_t produced = 0;
  const libdeflate_result result = libdeflate_zlib_decompress(decompressor.state, compressed.data(), compressed.size(),
                                                              out.data(), out.size(), &produced);
  switch (result) {
    case LIBDEFLATE_SUCCESS: return produced;
    case LIBDEFLATE_INSUFFICIENT_SPACE:
      return corrupt("compressed block inflates to more than the " + std::to_string(out.size()) +
                     " bytes the header allows");
    default: return corrupt("compressed block is not a valid zlib stream");
  }
}

#else

namespace {
struct ThreadInflater {
  z_stream stream{};
  bool ready = inflateInit(&stream) == Z_OK;
  ~ThreadInflater() {
    if (ready) inflateEnd(&stream);
  }
};
}  // namespace

Result<size_t> inflate_zlib(std::span<const uint8_t> compressed, std::span<uint8_t> out) {
  thread_local ThreadInflater inflater;
  if (!inflater.ready) return io_error("out of memory for a decompressor");
  z_stream& stream = inflater.stream;
  inflateReset(&stream);
  // zlib counts in uInt; bigWig blocks are far below 4 GiB, so one call suffices.
  stream.next_in = const_cast<Bytef*>(compressed.data());
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&stream, Z_FINISH);
  if (rc == Z_STREAM_END) return static_cast<size_t>(stream.total_out);
  if (stream.avail_out == 0 && (rc == Z_OK || rc == Z_BUF_ERROR)) {
    return corrupt("compressed block inflates to more than the " + std::to_string(out.size()) +
                   " bytes the header allows");
  }
  return corrupt("compressed block is not a valid zlib stream");
}

#endif

}  // namespace epibook::io

// Inflating zlib streams: every compressed bigWig data and zoom block is one. Private to
// core/src/io: natively libdeflate does the work (about 1.6x faster than zlib on 32 KB
// blocks), in WebAssembly zlib does. Both give the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "epibook/status.h"

namespace epibook::io {

// Inflates one complete zlib stream into `out`, whose size is the most it may produce.
// Returns the number of bytes written. The message says what is wrong (no file name:
// the caller knows which file and which byte offset the stream came from).
Result<size_t> inflate_zlib(std::span<const uint8_t> compressed, std::span<uint8_t> out);

}  // namespace epibook::io

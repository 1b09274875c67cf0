// Private to core/src/sim: a file written in pieces that appears under its name only
// when complete (bytes go to "<path>.partial", renamed by commit(), removed if the
// writer is destroyed first), optionally gzip-compressed as it streams (FASTQ.gz).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "epibook/status.h"

namespace epibook::sim {

class OutputFile {
 public:
  static Result<OutputFile> create(const std::string& path, bool gzip = false);

  OutputFile(OutputFile&&) noexcept;
  OutputFile& operator=(OutputFile&&) noexcept;
  ~OutputFile();

  Status write(std::string_view bytes);
  // Flushes, closes and moves the file into place.
  Status commit();
  uint64_t bytes_written() const;  // before compression

 private:
  struct Impl;
  explicit OutputFile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace epibook::sim

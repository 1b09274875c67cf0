// Fuzz target: wig (fixedStep / variableStep) and bedGraph text, the formats
// `epibook bw write` turns into bigWig; the first byte picks the format. Items must
// come out 0-based half-open with start < end.
#include "epibook/signal_text.h"
#include "fuzz_input.h"

using namespace epibook;

namespace {

Status check_chroms(const Result<std::vector<BigWigChrom>>& chroms) {
  if (!chroms.is_ok()) return chroms.status();
  for (const BigWigChrom& chrom : *chroms) fuzz::check_sequence_name(chrom.name);
  return Status::ok();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text = fuzz::as_string(data + 1, size - 1);
  auto check_item = [](const SignalItem& item) {
    if (item.end <= item.start) std::abort();
    fuzz::check_sequence_name(item.chrom);
    return Status::ok();
  };
  const Status status = data[0] % 3 == 0   ? parse_wig(text, "fuzz.wig", check_item)
                        : data[0] % 3 == 1 ? parse_bedgraph(text, "fuzz.bedGraph", check_item)
                                           : check_chroms(parse_chrom_sizes(text, "fuzz.chrom.sizes"));
  fuzz::check_message(status);
  return 0;
}

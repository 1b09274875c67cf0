// JavaScript bindings (embind) of the core for the book's pages. A page hands the
// module the bytes of a bigWig (a file the reader opened, or one the site ships) and
// asks for its header, values and statistics; every error comes back as a message.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "epibook/bigwig.h"
#include "epibook/region.h"

namespace {

using emscripten::val;

// Copies a JS Uint8Array into a std::string without going element by element.
std::string bytes_from_js(const val& array) {
  const size_t length = array["length"].as<size_t>();
  std::string bytes(length, '\0');
  val view(emscripten::typed_memory_view(length, reinterpret_cast<uint8_t*>(bytes.data())));
  view.call<void>("set", array);
  return bytes;
}

val error_object(const std::string& message) {
  val out = val::object();
  out.set("error", message);
  return out;
}

// A bigWig opened in the page: `new Module.BigWigTrack(name, bytes)`, then check
// error() ("" when it opened). JS owns it and must call delete() when done.
class BigWigTrack {
 public:
  BigWigTrack(const std::string& name, const val& array) {
    auto reader = epibook::BigWigReader::open(epibook::memory_source(bytes_from_js(array), name));
    if (reader.is_ok()) {
      reader_.emplace(std::move(reader).value());
    } else {
      error_ = reader.status().message();
    }
  }

  const std::string& error() const { return error_; }

  // Header, zoom levels and chromosomes as a JSON string (the same shape as `epibook bw info`).
  std::string info_json() const {
    if (!reader_) return "{}";
    nlohmann::json info;
    const auto& header = reader_->header();
    info["version"] = header.version;
    info["zoom_levels"] = nlohmann::json::array();
    for (const auto& zoom : reader_->zoom_levels()) info["zoom_levels"].push_back(zoom.reduction_level);
    info["chroms"] = nlohmann::json::array();
    for (const auto& chrom : reader_->chroms()) info["chroms"].push_back({{"name", chrom.name}, {"length", chrom.length}});
    info["bases_covered"] = header.summary.bases_covered;
    info["min"] = header.summary.min;
    info["max"] = header.summary.max;
    return info.dump();
  }

  // {values: Float32Array} with NaN where there is no data, or {error}.
  val values(const std::string& region_text) const {
    if (!reader_) return error_object(error_);
    auto region = epibook::parse_region(region_text);
    if (!region.is_ok()) return error_object(region.status().message());
    auto values = reader_->values(*region);
    if (!values.is_ok()) return error_object(values.status().message());
    val out = val::object();
    val copy = val::global("Float32Array").new_(values->size());
    copy.call<void>("set", val(emscripten::typed_memory_view(values->size(), values->data())));
    out.set("values", copy);
    return out;
  }

  // {values: Float64Array} of a statistic over `bins` equal bins, or {error}.
  val stats(const std::string& region_text, const std::string& stat_name, uint32_t bins, bool exact) const {
    if (!reader_) return error_object(error_);
    auto region = epibook::parse_region(region_text);
    if (!region.is_ok()) return error_object(region.status().message());
    auto stat = epibook::parse_summary_stat(stat_name);
    if (!stat.is_ok()) return error_object(stat.status().message());
    auto result = reader_->stats(*region, *stat, bins, exact);
    if (!result.is_ok()) return error_object(result.status().message());
    val out = val::object();
    val copy = val::global("Float64Array").new_(result->size());
    copy.call<void>("set", val(emscripten::typed_memory_view(result->size(), result->data())));
    out.set("values", copy);
    return out;
  }

 private:
  std::optional<epibook::BigWigReader> reader_;
  std::string error_;
};


std::string version() { return EPIBOOK_VERSION; }

}  // namespace

EMSCRIPTEN_BINDINGS(epibook) {
  emscripten::class_<BigWigTrack>("BigWigTrack")
      .constructor<std::string, val>()
      .function("error", &BigWigTrack::error)
      .function("infoJson", &BigWigTrack::info_json)
      .function("values", &BigWigTrack::values)
      .function("stats", &BigWigTrack::stats);
  emscripten::function("version", &version);
}

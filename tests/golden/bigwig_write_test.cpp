// Golden tests of the bigWig writer: randomized tracks (several chromosomes, gaps, all
// three section types, with and without zoom levels, compressed or not) written by
// epibook, then read back by pyBigWig (write_pybigwig_reference.py) and by libBigWig in
// this process. Values, intervals and exact statistics must come back exactly as
// written; zoom-level statistics must bound the exact ones and, bin for bin, equal
// pyBigWig's answers on the file pyBigWig's own writer makes from the same items.
#include <bigWig.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "epibook/bigwig_writer.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------
// The track: what was written, as intervals per chromosome in file order.
struct Track {
  std::vector<BigWigChrom> chroms;            // as given to the writer
  std::vector<std::string> data_order;        // chromosomes with data, in the order written
  std::map<std::string, std::vector<BigWigInterval>> intervals;
  uint64_t bases = 0;
  double min = INFINITY, max = -INFINITY, sum = 0, sum_squares = 0;
};

float random_value(CounterRng& rng) {
  const double kind = rng.next_double();
  if (kind < 0.1) return 0.0f;
  if (kind < 0.3) return static_cast<float>(static_cast<int>(rng.next_below(26)) - 5);
  return static_cast<float>(-3.0 + 43.0 * rng.next_double());
}

// Writes runs of random layouts along `chrom`, through the writer's three calls, and
// records every item in `track`.
Status write_chromosome(BigWigWriter& writer, CounterRng& rng, const std::string& chrom, uint32_t length,
                        Track& track) {
  std::vector<BigWigInterval>& truth = track.intervals[chrom];
  uint64_t position = rng.next_below(3000);
  while (position + 2000 < length) {
    const uint64_t kind = rng.next_below(3);
    if (kind == 0) {  // bedGraph
      std::vector<BigWigInterval> items;
      for (uint64_t n = 1 + rng.next_below(800); n > 0 && position + 400 < length; --n) {
        const uint64_t start = position + (rng.next_double() < 0.6 ? 0 : 1 + rng.next_below(120));
        const uint64_t end = start + 1 + rng.next_below(40);
        items.push_back({static_cast<uint32_t>(start), static_cast<uint32_t>(end), random_value(rng)});
        position = end;
      }
      EPIBOOK_RETURN_IF_ERROR(writer.add_intervals(chrom, items));
      truth.insert(truth.end(), items.begin(), items.end());
    } else if (kind == 1) {  // variableStep
      const uint32_t span = static_cast<uint32_t>(1 + rng.next_below(30));
      std::vector<uint32_t> starts;
      std::vector<float> values;
      for (uint64_t n = 1 + rng.next_below(600); n > 0 && position + 400 < length; --n) {
        starts.push_back(static_cast<uint32_t>(position + rng.next_below(60)));
        values.push_back(random_value(rng));
        position = starts.back() + span;
        truth.push_back({starts.back(), starts.back() + span, values.back()});
      }
      EPIBOOK_RETURN_IF_ERROR(writer.add_variable_step(chrom, span, starts, values));
    } else {  // fixedStep
      const uint32_t span = static_cast<uint32_t>(1 + rng.next_below(30));
      const uint32_t step = span + static_cast<uint32_t>(rng.next_below(3) == 0 ? 0 : rng.next_below(20));
      const uint32_t start = static_cast<uint32_t>(position);
      std::vector<float> values;
      for (uint64_t n = 1 + rng.next_below(1500); n > 0 && position + step + 400 < length; --n) {
        values.push_back(random_value(rng));
        const uint32_t item = start + step * static_cast<uint32_t>(values.size() - 1);
        truth.push_back({item, item + span, values.back()});
        position = item + span;
      }
      EPIBOOK_RETURN_IF_ERROR(writer.add_fixed_step(chrom, start, step, span, values));
    }
    position += rng.next_double() < 0.3 ? rng.next_below(5000) : 0;
  }
  track.data_order.push_back(chrom);
  return Status::ok();
}

Result<Track> write_track(const std::string& path, uint64_t seed, const BigWigWriteOptions& options) {
  Track track;
  // Listed in an order unlike the data's, with one chromosome (chrX) left empty.
  track.chroms = {{"chrM", 0, 16'569}, {"chr1", 0, 2'000'000}, {"chr10", 0, 400'000},
                  {"chr2", 0, 900'000}, {"chrX", 0, 300'000},  {"chrY", 0, 120'000}};
  EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create(path, track.chroms, options));
  CounterRng rng(seed);
  for (const char* chrom : {"chr1", "chr2", "chr10", "chrY", "chrM"}) {
    const auto it = std::find_if(track.chroms.begin(), track.chroms.end(),
                                 [&](const BigWigChrom& c) { return c.name == chrom; });
    EPIBOOK_RETURN_IF_ERROR(write_chromosome(writer, rng, chrom, it->length, track));
  }
  EPIBOOK_RETURN_IF_ERROR(writer.finish());
  for (const std::string& chrom : track.data_order) {
    for (const BigWigInterval& item : track.intervals[chrom]) {
      const double bases = item.end - item.start;
      track.bases += item.end - item.start;
      track.min = std::min<double>(track.min, item.value);
      track.max = std::max<double>(track.max, item.value);
      track.sum += bases * item.value;
      track.sum_squares += bases * item.value * item.value;
    }
  }
  return track;
}

// ---------------------------------------------------------------------------------
// What the track says about a region, computed the way libBigWig's exact stats are.
std::vector<BigWigInterval> overlapping(const Track& track, const std::string& chrom, uint32_t start, uint32_t end) {
  std::vector<BigWigInterval> out;
  const auto it = track.intervals.find(chrom);
  if (it == track.intervals.end()) return out;
  const auto& items = it->second;
  auto first = std::upper_bound(items.begin(), items.end(), start,
                                [](uint32_t position, const BigWigInterval& item) { return position < item.end; });
  for (; first != items.end() && first->start < end; ++first) out.push_back(*first);
  return out;
}

std::vector<float> expected_values(const Track& track, const std::string& chrom, uint32_t start, uint32_t end) {
  std::vector<float> values(end - start, std::nanf(""));
  for (const BigWigInterval& item : overlapping(track, chrom, start, end)) {
    for (uint32_t p = std::max(item.start, start); p < std::min(item.end, end); ++p) values[p - start] = item.value;
  }
  return values;
}

struct BinStats {
  double mean = NAN, min = NAN, max = NAN, std = NAN, coverage = NAN, sum = NAN;
  double get(const std::string& type) const {
    if (type == "mean") return mean;
    if (type == "min") return min;
    if (type == "max") return max;
    if (type == "std") return std;
    if (type == "coverage") return coverage;
    return sum;
  }
};

std::vector<std::pair<uint32_t, uint32_t>> bin_edges(uint32_t start, uint32_t end, uint32_t bins) {
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  uint32_t position = start;
  for (uint32_t i = 0; i < bins; ++i) {
    const auto stop = static_cast<uint32_t>(start + (static_cast<double>(end - start) * (i + 1)) / bins);
    edges.emplace_back(position, stop);
    position = stop;
  }
  return edges;
}

BinStats exact_stats(const Track& track, const std::string& chrom, uint32_t start, uint32_t end) {
  BinStats stats;
  const std::vector<BigWigInterval> items = overlapping(track, chrom, start, end);
  if (items.empty()) return stats;
  double bases = 0, weighted = 0;
  stats.min = INFINITY;
  stats.max = -INFINITY;
  for (const BigWigInterval& item : items) {
    const double overlap = std::min(item.end, end) - std::max(item.start, start);
    bases += overlap;
    weighted += overlap * item.value;
    stats.min = std::min<double>(stats.min, item.value);
    stats.max = std::max<double>(stats.max, item.value);
  }
  stats.mean = weighted / bases;
  stats.sum = weighted;
  stats.coverage = bases / (end - start);
  double squares = 0;
  for (const BigWigInterval& item : items) {
    const double overlap = std::min(item.end, end) - std::max(item.start, start);
    squares += overlap * std::pow(item.value - stats.mean, 2.0);
  }
  stats.std = bases >= 2 ? std::sqrt(squares / (bases - 1)) : std::sqrt(squares);
  return stats;
}

// ---------------------------------------------------------------------------------
struct Query {
  std::string chrom;
  uint32_t start, end, bins;
};

std::vector<Query> random_queries(const Track& track, uint64_t seed) {
  std::vector<Query> queries;
  for (const BigWigChrom& chrom : track.chroms) {
    queries.push_back({chrom.name, 0, chrom.length, 1});
    queries.push_back({chrom.name, 0, chrom.length, 10});
    queries.push_back({chrom.name, chrom.length - 3000, chrom.length, 3});
  }
  CounterRng rng(seed, 1);
  for (int i = 0; i < 100; ++i) {
    const BigWigChrom& chrom = track.chroms[rng.next_below(track.chroms.size())];
    const uint32_t sizes[] = {10, 1'000, 20'000, 150'000};
    const uint32_t size = std::min(chrom.length, static_cast<uint32_t>(1 + rng.next_below(sizes[i % 4])));
    const auto start = static_cast<uint32_t>(rng.next_below(chrom.length - size + 1));
    const uint32_t bins = std::min<uint32_t>(size, static_cast<uint32_t>(1 + rng.next_below(i % 2 == 0 ? 1 : 40)));
    queries.push_back({chrom.name, start, start + size, bins});
  }
  return queries;
}

std::string write_queries(const std::string& dir, const std::vector<Query>& queries) {
  const std::string path = dir + "/regions.txt";
  std::ofstream out(path);
  for (const Query& q : queries) out << q.chrom << ' ' << q.start << ' ' << q.end << ' ' << q.bins << '\n';
  return path;
}

Result<json> run_reference(const std::string& arguments) {
  const std::string script = std::string(EPIBOOK_GOLDEN_DIR) + "/write_pybigwig_reference.py";
  const testing::CommandResult result = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + script + " " + arguments);
  if (result.exit_code != 0) return io_error("reference script failed: " + result.output);
  json parsed = json::parse(result.output, nullptr, false);
  if (parsed.is_discarded()) return io_error("reference script printed no JSON: " + result.output.substr(0, 500));
  return parsed;
}

double number_from(const json& value) { return value.is_null() ? NAN : value.get<double>(); }
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }
bool close(double a, double b, double relative) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::fabs(a - b) <= relative * std::max(1.0, std::max(std::fabs(a), std::fabs(b)));
}

using testing::Mismatches;

std::string where(const Query& q) { return q.chrom + ":" + std::to_string(q.start) + "-" + std::to_string(q.end); }

// ---------------------------------------------------------------------------------
struct Variant {
  const char* name;
  BigWigWriteOptions options;
};

std::vector<Variant> variants() {
  std::vector<Variant> out;
  out.push_back({"defaults", {}});
  BigWigWriteOptions plain;
  plain.compress = false;
  plain.max_zoom_levels = 0;
  out.push_back({"uncompressed_no_zoom", plain});
  BigWigWriteOptions deep;
  deep.items_per_slot = 64;
  deep.block_size = 4;  // several R-tree levels over data and zoom blocks
  out.push_back({"small_slots_deep_trees", deep});
  BigWigWriteOptions few;
  few.compress = false;
  few.items_per_slot = 100;
  few.block_size = 7;
  few.max_zoom_levels = 2;
  out.push_back({"uncompressed_two_zooms", few});
  return out;
}

class BigWigWriteGolden : public ::testing::TestWithParam<Variant> {};

TEST_P(BigWigWriteGolden, PyBigWigReadsBackExactlyWhatWasWritten) {
  const Variant& variant = GetParam();
  const std::string dir = testing::scratch_dir(variant.name);
  const std::string path = dir + "/ours.bw";
  auto track = write_track(path, 20261125, variant.options);
  ASSERT_TRUE(track.is_ok()) << track.status().message();
  const std::vector<Query> queries = random_queries(*track, 7);
  auto dumped = run_reference("dump " + path + " " + write_queries(dir, queries));
  ASSERT_TRUE(dumped.is_ok()) << dumped.status().message();
  const json& answer = *dumped;

  const json& header = answer["header"];
  EXPECT_EQ(header["version"], 4);
  EXPECT_EQ(header["nLevels"].get<size_t>(), answer["zoom_reductions"].size());
  EXPECT_LE(header["nLevels"].get<uint32_t>(), variant.options.max_zoom_levels);
  if (variant.options.max_zoom_levels > 0) {
    EXPECT_GE(header["nLevels"].get<uint32_t>(), 1u);
  }
  EXPECT_EQ(header["nBasesCovered"].get<uint64_t>(), track->bases);
  // pyBigWig's header() hands these out truncated to integers.
  EXPECT_EQ(header["minVal"].get<int64_t>(), static_cast<int64_t>(track->min));
  EXPECT_EQ(header["maxVal"].get<int64_t>(), static_cast<int64_t>(track->max));
  EXPECT_EQ(header["sumData"].get<int64_t>(), static_cast<int64_t>(track->sum));
  EXPECT_EQ(header["sumSquared"].get<int64_t>(), static_cast<int64_t>(track->sum_squares));

  // Chromosomes come back in id order: those with data as written, then the rest.
  std::vector<std::string> names;
  for (const json& chrom : answer["chroms"]) names.push_back(chrom[0]);
  EXPECT_EQ(names, (std::vector<std::string>{"chr1", "chr2", "chr10", "chrY", "chrM", "chrX"}));

  Mismatches mismatches;
  size_t values_checked = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    const Query& q = queries[i];
    const json& region = answer["regions"][i];
    if (region.contains("values")) {
      const std::vector<float> expected = expected_values(*track, q.chrom, q.start, q.end);
      for (size_t p = 0; p < expected.size(); ++p) {
        ++values_checked;
        if (!same(number_from(region["values"][p]), expected[p])) {
          mismatches.add(where(q) + " value at +" + std::to_string(p));
          break;
        }
      }
    }
    const std::vector<BigWigInterval> expected_intervals = overlapping(*track, q.chrom, q.start, q.end);
    std::vector<BigWigInterval> got;
    for (const json& item : region["intervals"]) got.push_back({item[0], item[1], item[2].get<float>()});
    if (got != expected_intervals) mismatches.add(where(q) + " intervals differ");

    const auto edges = bin_edges(q.start, q.end, q.bins);
    for (const char* type : {"mean", "min", "max", "std", "coverage", "sum"}) {
      const json& exact = region["stats"][std::string(type) + "_exact"];
      const json& zoom = region["stats"][std::string(type) + "_zoom"];
      for (size_t b = 0; b < edges.size(); ++b) {
        const BinStats truth = exact_stats(*track, q.chrom, edges[b].first, edges[b].second);
        const double want = truth.get(type);
        const double got_exact = number_from(exact[b]);
        // libBigWig multiplies bases by value in float before adding in double: sums
        // and means can differ from ours in the 8th digit, never more.
        if (!close(got_exact, want, 1e-6)) {
          mismatches.add(where(q) + " bin " + std::to_string(b) + " exact " + type + ": " +
                         std::to_string(got_exact) + " != " + std::to_string(want));
        }
        const double got_zoom = number_from(zoom[b]);
        // Zoom records cover whole windows, so over a bin they see at least its data.
        if (std::string(type) == "max" && !std::isnan(want) && !(got_zoom >= want)) {
          mismatches.add(where(q) + " bin " + std::to_string(b) + " zoom max below the exact max");
        }
        if (std::string(type) == "min" && !std::isnan(want) && !(got_zoom <= want)) {
          mismatches.add(where(q) + " bin " + std::to_string(b) + " zoom min above the exact min");
        }
        // (libBigWig reports a zero zoom sum as missing, and a one-base std as missing.)
        const bool may_be_missing = std::string(type) == "std" || std::string(type) == "sum";
        if (!std::isnan(want) && std::isnan(got_zoom) && !may_be_missing) {
          mismatches.add(where(q) + " bin " + std::to_string(b) + " zoom " + type + " missed data");
        }
      }
    }
    // Over a whole chromosome every zoom record counts in full: the zoom answer is exact.
    const bool whole_chrom =
        q.start == 0 && q.bins == 1 &&
        std::any_of(track->chroms.begin(), track->chroms.end(),
                    [&](const BigWigChrom& c) { return c.name == q.chrom && c.length == q.end; });
    if (whole_chrom) {
      const BinStats truth = exact_stats(*track, q.chrom, q.start, q.end);
      for (const char* type : {"mean", "coverage", "min", "max"}) {
        if (!close(number_from(region["stats"][std::string(type) + "_zoom"][0]), truth.get(type), 1e-6)) {
          mismatches.add(where(q) + " whole-chromosome zoom " + type);
        }
      }
    }
  }
  EXPECT_GT(values_checked, 50'000u);
}

TEST_P(BigWigWriteGolden, LibBigWigReadsBackExactlyWhatWasWritten) {
  const Variant& variant = GetParam();
  const std::string dir = testing::scratch_dir(variant.name);
  const std::string path = dir + "/ours.bw";
  auto track = write_track(path, 99 + variant.options.items_per_slot, variant.options);
  ASSERT_TRUE(track.is_ok()) << track.status().message();
  ASSERT_EQ(bwInit(1 << 17), 0);
  bigWigFile_t* file = bwOpen(path.c_str(), nullptr, "r");
  ASSERT_NE(file, nullptr);

  EXPECT_EQ(file->hdr->version, 4);
  EXPECT_LE(file->hdr->nLevels, variant.options.max_zoom_levels);
  EXPECT_EQ(file->hdr->nBasesCovered, track->bases);
  EXPECT_EQ(file->hdr->minVal, track->min);
  EXPECT_EQ(file->hdr->maxVal, track->max);
  EXPECT_EQ(file->hdr->sumData, track->sum);
  EXPECT_EQ(file->hdr->bufSize == 0, !variant.options.compress);
  for (uint16_t level = 1; level < file->hdr->nLevels; ++level) {
    EXPECT_EQ(file->hdr->zoomHdrs->level[level], 4 * file->hdr->zoomHdrs->level[level - 1]);
  }
  ASSERT_EQ(file->cl->nKeys, static_cast<int64_t>(track->chroms.size()));
  for (const BigWigChrom& chrom : track->chroms) {
    bool found = false;
    for (int64_t k = 0; k < file->cl->nKeys; ++k) {
      if (chrom.name == file->cl->chrom[k]) found = file->cl->len[k] == chrom.length;
    }
    EXPECT_TRUE(found) << chrom.name;
  }

  Mismatches mismatches;
  for (const Query& q : random_queries(*track, 11)) {
    if (q.end - q.start <= 20'000) {
      bwOverlappingIntervals_t* values = bwGetValues(file, q.chrom.c_str(), q.start, q.end, 1);
      if (values == nullptr) {
        mismatches.add(where(q) + " bwGetValues failed");
        continue;
      }
      const std::vector<float> expected = expected_values(*track, q.chrom, q.start, q.end);
      for (size_t p = 0; p < expected.size(); ++p) {
        if (!same(values->value[p], expected[p])) {
          mismatches.add(where(q) + " value at +" + std::to_string(p));
          break;
        }
      }
      bwDestroyOverlappingIntervals(values);
    }
    std::vector<BigWigInterval> got;
    bwOverlappingIntervals_t* intervals = bwGetOverlappingIntervals(file, q.chrom.c_str(), q.start, q.end);
    if (intervals != nullptr) {
      for (uint32_t k = 0; k < intervals->l; ++k) got.push_back({intervals->start[k], intervals->end[k], intervals->value[k]});
      bwDestroyOverlappingIntervals(intervals);
    }
    if (got != overlapping(*track, q.chrom, q.start, q.end)) mismatches.add(where(q) + " intervals differ");

    const auto edges = bin_edges(q.start, q.end, q.bins);
    const std::pair<bwStatsType, const char*> types[] = {{mean, "mean"}, {min, "min"},  {max, "max"},
                                                         {stdev, "std"}, {cov, "coverage"}, {sum, "sum"}};
    for (const auto& [type, name] : types) {
      double* exact = bwStatsFromFull(file, q.chrom.c_str(), q.start, q.end, q.bins, type);
      double* zoom = bwStats(file, q.chrom.c_str(), q.start, q.end, q.bins, type);
      if (exact == nullptr || zoom == nullptr) {
        mismatches.add(where(q) + " bwStats failed");
      } else {
        for (size_t b = 0; b < edges.size(); ++b) {
          const double want = exact_stats(*track, q.chrom, edges[b].first, edges[b].second).get(name);
          if (!close(exact[b], want, 1e-6)) mismatches.add(where(q) + " exact " + name);
          if (std::string(name) == "max" && !std::isnan(want) && !(zoom[b] >= want)) mismatches.add(where(q) + " zoom max");
          if (std::string(name) == "min" && !std::isnan(want) && !(zoom[b] <= want)) mismatches.add(where(q) + " zoom min");
        }
      }
      std::free(exact);
      std::free(zoom);
    }
  }
  bwClose(file);
}

INSTANTIATE_TEST_SUITE_P(Variants, BigWigWriteGolden, ::testing::ValuesIn(variants()),
                         [](const ::testing::TestParamInfo<Variant>& param_info) { return std::string(param_info.param.name); });

// ---------------------------------------------------------------------------------
// The stronger check: pyBigWig's own writer, given the same items, makes zoom levels
// that answer pyBigWig's stats() exactly as ours do (bins that touch the zoom records
// libBigWig's writer gets wrong aside; see the script).
TEST(BigWigWriteAgainstPyBigWigWriter, ZoomStatsEqualThoseOfPyBigWigsOwnFile) {
  const std::string dir = testing::scratch_dir("against_pybigwig");
  // First ours with default options, to learn the items; then pyBigWig's file from them.
  auto track = write_track(dir + "/probe.bw", 424242, {});
  ASSERT_TRUE(track.is_ok()) << track.status().message();
  {
    std::ofstream items(dir + "/items.bedGraph");
    char line[128];
    for (const std::string& chrom : track->data_order) {
      for (const BigWigInterval& item : track->intervals.at(chrom)) {
        std::snprintf(line, sizeof line, "%s\t%u\t%u\t%.9g\n", chrom.c_str(), item.start, item.end, item.value);
        items << line;
      }
    }
    std::ofstream sizes(dir + "/sizes.txt");
    for (const char* chrom : {"chr1", "chr2", "chr10", "chrY", "chrM", "chrX"}) {
      for (const BigWigChrom& c : track->chroms) {
        if (c.name == chrom) sizes << c.name << '\t' << c.length << '\n';
      }
    }
  }
  auto theirs = run_reference("write " + dir + "/items.bedGraph " + dir + "/sizes.txt " + dir + "/theirs.bw");
  ASSERT_TRUE(theirs.is_ok()) << theirs.status().message();
  const std::vector<uint32_t> their_reductions = (*theirs)["zoom_reductions"];
  ASSERT_GE(their_reductions.size(), 2u) << "the track should be large enough for two zoom levels";

  // Ours, allowed as many levels as libBigWig kept.
  BigWigWriteOptions options;
  options.max_zoom_levels = static_cast<uint32_t>(their_reductions.size());
  auto again = write_track(dir + "/ours.bw", 424242, options);
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(bigwig_zoom_reductions(again->bases, [&] {
              uint64_t n = 0;
              for (const auto& [chrom, items] : again->intervals) n += items.size();
              return n;
            }(), 2'000'000, options.max_zoom_levels),
            their_reductions);

  std::vector<Query> queries = random_queries(*again, 3);
  for (int i = 0; i < 40; ++i) queries.push_back({"chr1", static_cast<uint32_t>(i * 40'000), static_cast<uint32_t>(i * 40'000 + 50'000), 5});
  auto compared = run_reference("compare " + dir + "/ours.bw " + dir + "/theirs.bw " + write_queries(dir, queries));
  ASSERT_TRUE(compared.is_ok()) << compared.status().message();

  // Both writers lay out the same zoom records, but for libBigWig's block-boundary slip.
  for (const json& level : (*compared)["levels"]) {
    EXPECT_GE(level["alike"].get<double>(), 0.9 * level["records"].get<double>()) << level.dump();
  }
  Mismatches mismatches;
  size_t compared_bins = 0, zoom_bins = 0;
  for (const json& row : (*compared)["rows"]) {
    for (size_t b = 0; b < row["ours"].size(); ++b) {
      if (!row["comparable"][b].get<bool>()) continue;
      ++compared_bins;
      if (!row["level"].is_null()) ++zoom_bins;
      const double ours = number_from(row["ours"][b]);
      const double theirs_value = number_from(row["theirs"][b]);
      // libBigWig sums a record's products in float before widening; we sum in double.
      if (!close(ours, theirs_value, 2e-5)) {
        mismatches.add(row["chrom"].get<std::string>() + ":" + std::to_string(row["start"].get<uint64_t>()) + "-" +
                       std::to_string(row["end"].get<uint64_t>()) + " bin " + std::to_string(b) + " " +
                       row["type"].get<std::string>() + ": ours " + std::to_string(ours) + ", pyBigWig's " +
                       std::to_string(theirs_value));
      }
    }
  }
  EXPECT_GT(zoom_bins, 2'000u) << "too few bins answered from zoom levels to mean anything";
  EXPECT_GT(compared_bins, zoom_bins);
}

}  // namespace
}  // namespace epibook

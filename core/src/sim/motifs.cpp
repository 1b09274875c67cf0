// Position weight matrices for the simulator: the text format of assets/motifs/*.txt,
// the default motifs (the same matrices, built in so the wasm labs need no files) and
// the match score that sets a planted site's peak height.
#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "epibook/sim.h"
#include "io/text_stream.h"

namespace epibook {
namespace {

// The text of assets/motifs/{ctcf,gata,ap1}_like.txt (a unit test checks they agree).
constexpr const char* kDefaultMotifTexts[] = {
    R"(# CTCF-like insulator motif, written for epibook from the consensus CCACCAGGGGGCGC
# (not copied from a database). One line per position: probabilities of A C G T.
name CTCF-like
0.10 0.70 0.10 0.10
0.05 0.80 0.10 0.05
0.60 0.10 0.20 0.10
0.05 0.85 0.05 0.05
0.05 0.75 0.05 0.15
0.55 0.05 0.35 0.05
0.05 0.05 0.85 0.05
0.10 0.05 0.80 0.05
0.05 0.05 0.85 0.05
0.15 0.05 0.75 0.05
0.05 0.05 0.85 0.05
0.05 0.70 0.05 0.20
0.10 0.05 0.80 0.05
0.10 0.60 0.15 0.15)",
    R"(# GATA-like motif, written for epibook from the consensus WGATAR, extended to
# AGATAAGA (not copied from a database). One line per position: probabilities of A C G T.
name GATA-like
0.50 0.10 0.10 0.30
0.02 0.03 0.90 0.05
0.92 0.02 0.03 0.03
0.03 0.03 0.02 0.92
0.90 0.03 0.04 0.03
0.70 0.05 0.20 0.05
0.25 0.15 0.45 0.15
0.40 0.20 0.20 0.20)",
    R"(# AP-1-like motif (the TPA response element), written for epibook from the consensus
# TGASTCA (not copied from a database). One line per position: probabilities of A C G T.
name AP-1-like
0.05 0.05 0.05 0.85
0.05 0.05 0.85 0.05
0.88 0.04 0.04 0.04
0.05 0.55 0.35 0.05
0.04 0.04 0.04 0.88
0.05 0.85 0.05 0.05
0.85 0.05 0.05 0.05)",
};

// Probabilities below this are treated as this in log-odds, so a zero in a matrix
// gives a strong but finite penalty.
constexpr double kProbabilityFloor = 1e-3;

int base_index(char base) {
  switch (base) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return -1;
  }
}

double log_odds(double probability) { return std::log2(std::max(probability, kProbabilityFloor) / 0.25); }

Status parse_column(std::string_view text, const std::string& where, std::array<double, 4>& column) {
  std::string copy(text);
  const char* cursor = copy.c_str();
  double sum = 0;
  for (double& p : column) {
    char* end = nullptr;
    p = std::strtod(cursor, &end);
    if (end == cursor) return corrupt(where + ": expected four probabilities (A C G T)");
    if (!(p >= 0 && p <= 1)) return corrupt(where + ": probability " + std::to_string(p) + " is outside [0, 1]");
    sum += p;
    cursor = end;
  }
  while (*cursor == ' ' || *cursor == '\t' || *cursor == '\r') ++cursor;
  if (*cursor != '\0') return corrupt(where + ": more than four numbers (A C G T)");
  if (std::fabs(sum - 1.0) > 0.01) {
    char message[96];
    std::snprintf(message, sizeof message, ": probabilities sum to %.4f, not 1", sum);
    return corrupt(where + message);
  }
  for (double& p : column) p /= sum;
  return Status::ok();
}

}  // namespace

Result<Pwm> parse_pwm(const std::string& text, const std::string& source_name) {
  Pwm pwm;
  LineReader lines(ByteStream::from_memory(text, source_name));
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    std::string_view line = lines.text();
    const std::string where = source_name + ": line " + std::to_string(lines.number());
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.substr(0, 5) == "name ") {
      if (!pwm.name.empty()) return corrupt(where + ": a second 'name' line; one motif per file");
      pwm.name = std::string(line.substr(5));
      continue;
    }
    std::array<double, 4> column{};
    EPIBOOK_RETURN_IF_ERROR(parse_column(line, where, column));
    pwm.columns.push_back(column);
  }
  if (pwm.name.empty()) return corrupt(source_name + ": no 'name NAME' line");
  if (pwm.columns.empty()) return corrupt(source_name + ": motif '" + pwm.name + "' has no positions");
  if (pwm.columns.size() > 64) return corrupt(source_name + ": motif '" + pwm.name + "' is longer than 64 positions");
  return pwm;
}

Result<Pwm> read_pwm(const std::string& path) {
  EPIBOOK_ASSIGN_OR_RETURN(ByteStream stream, ByteStream::open_file(path));
  LineReader lines(std::move(stream));
  std::string text;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, lines.next());
    if (!more) break;
    text.append(lines.text());
    text.push_back('\n');
  }
  return parse_pwm(text, path);
}

std::string format_pwm(const Pwm& pwm) {
  std::string out = "name " + pwm.name + "\n";
  char line[96];
  for (const auto& column : pwm.columns) {
    std::snprintf(line, sizeof line, "%.4f %.4f %.4f %.4f\n", column[0], column[1], column[2], column[3]);
    out += line;
  }
  return out;
}

std::vector<Pwm> default_motifs() {
  std::vector<Pwm> motifs;
  for (const char* text : kDefaultMotifTexts) {
    Result<Pwm> pwm = parse_pwm(text, "built-in motif");
    assert(pwm.is_ok() && "the built-in motif texts parse");
    motifs.push_back(std::move(pwm).value());
  }
  return motifs;
}

double pwm_match_score(const Pwm& pwm, std::string_view bases) {
  double worst = 0, best = 0, score = 0;
  for (size_t i = 0; i < pwm.columns.size(); ++i) {
    double column_worst = log_odds(pwm.columns[i][0]), column_best = column_worst;
    for (double p : pwm.columns[i]) {
      column_worst = std::min(column_worst, log_odds(p));
      column_best = std::max(column_best, log_odds(p));
    }
    worst += column_worst;
    best += column_best;
    const int b = i < bases.size() ? base_index(bases[i]) : -1;
    score += b < 0 ? column_worst : log_odds(pwm.columns[i][static_cast<size_t>(b)]);
  }
  return best > worst ? (score - worst) / (best - worst) : 1.0;
}

}  // namespace epibook

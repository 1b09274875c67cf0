// FASTA and .fai: the index we build is the one samtools faidx writes, regions are
// fetched by random access with the right bases, and broken files are reported where
// samtools reports them. ex1.fa and its .fai are samtools' own example files.
#include <gtest/gtest.h>

#include "epibook/fasta.h"
#include "support/test_support.h"

namespace epibook {
namespace {

std::string formats(const std::string& name) { return testing::data_path("formats/" + name); }
std::string malformed(const std::string& name) { return testing::data_path("malformed/" + name); }

std::string build_error_of(const std::string& path) {
  auto index = build_fai(path);
  EXPECT_FALSE(index.is_ok()) << path << " should not index";
  return index.is_ok() ? std::string() : index.status().message();
}

// The layout worked out by hand for layouts.fa (each sequence tests one rule):
//  chrM: header ">chrM mitochondrion, first bases\n" is 33 bytes, so the bases start
//        at byte 33; 3 lines of 10 bases + "CACG" = 34 bases; lines are 11 bytes.
//  chr_soft: starts after chrM's 3 * 11 + 5 bytes and its own 38-byte header:
//        33 + 38 + 38 = 109; 20 bases, lower case counts as bases.
//  chr_crlf: "\r\n" endings make a line 12 bytes for 10 bases; header ">chr_crlf\r\n"
//        is 11 bytes after chr_soft's 22: 109 + 22 + 11 = 142.
//  chr_last_line_without_newline: after chr_crlf's 12 + 10 bytes and a 31-byte header:
//        142 + 22 + 31 = 195; 8 bases per line; the final "AC" has no newline.
// samtools faidx 1.16 writes exactly these lines for this file.
constexpr const char* kLayoutsFai =
    "chrM\t34\t33\t10\t11\n"
    "chr_soft\t20\t109\t10\t11\n"
    "chr_crlf\t18\t142\t10\t12\n"
    "chr_last_line_without_newline\t10\t195\t8\t9\n";

TEST(Fai, BuiltIndexMatchesSamtoolsLayout) {
  auto index = build_fai(formats("layouts.fa"));
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  EXPECT_EQ(format_fai(*index), kLayoutsFai);
}

TEST(Fai, BuiltIndexOfSamtoolsExampleEqualsTheFaiSamtoolsWrote) {
  auto index = build_fai(formats("ex1.fa"));
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  EXPECT_EQ(format_fai(*index), testing::read_file(formats("ex1.fa.fai")));
}

TEST(Fai, ReadAndWrite_RoundTrip) {
  auto index = read_fai(formats("ex1.fa.fai"));
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  ASSERT_EQ(index->entries.size(), 2u);
  EXPECT_EQ(index->entries[1], (FaiEntry{"seq2", 1584, 1614, 60, 61}));
  const std::string dir = testing::scratch_dir("fai");
  ASSERT_TRUE(write_fai(dir + "/copy.fai", *index).is_ok());
  EXPECT_EQ(testing::read_file(dir + "/copy.fai"), testing::read_file(formats("ex1.fa.fai")));
}

TEST(Fai, SequencesWithoutBases_AreLeftOutAsSamtoolsDoes) {
  auto index = build_fai_from_memory(">empty\n>a\nACGT\nAC\n>also_empty\n>b\nTT\n", "gaps.fa");
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  EXPECT_EQ(format_fai(*index), "a\t6\t10\t4\t5\nb\t2\t33\t2\t3\n");
}

TEST(Fai, BlankLinesAfterASequence_AreAllowed) {
  auto index = build_fai_from_memory("\n>a\nACGTA\nCCGTA\n\n>b\nAC\n\n\n", "blank.fa");
  ASSERT_TRUE(index.is_ok()) << index.status().message();
  EXPECT_EQ(format_fai(*index), "a\t10\t4\t5\t6\nb\t2\t20\t2\t3\n");
}

TEST(Fai, LongerLineInSequence_IsReportedAsSamtoolsDoes) {
  const std::string message = build_error_of(malformed("longer_line_in_sequence.fa"));
  EXPECT_NE(message.find("longer_line_in_sequence.fa: line 3: different line length in sequence 'chrA'"),
            std::string::npos)
      << message;
}

TEST(Fai, SequenceAfterShortLine_IsReportedAtTheOffendingLine) {
  const std::string message = build_error_of(malformed("sequence_after_short_line.fa"));
  EXPECT_NE(message.find("sequence_after_short_line.fa: line 4: sequence 'chrA' continues after a shorter line (line 3)"),
            std::string::npos)
      << message;
}

TEST(Fai, BlankLineInsideSequence_IsReported) {
  const std::string message = build_error_of(malformed("blank_line_inside_sequence.fa"));
  EXPECT_NE(message.find("line 4: sequence 'chrA' continues after a blank line (line 3)"), std::string::npos)
      << message;
}

TEST(Fai, SequenceBeforeHeader_IsReported) {
  const std::string message = build_error_of(malformed("sequence_before_header.fa"));
  EXPECT_NE(message.find("sequence_before_header.fa: line 1: sequence before the first '>' header"),
            std::string::npos)
      << message;
}

TEST(Fai, MixedLineEndingsInOneSequence_AreReported) {
  auto index = build_fai_from_memory(">a\nACGT\r\nACGT\nAC\n", "mixed.fa");
  ASSERT_FALSE(index.is_ok());
  EXPECT_NE(index.status().message().find("mixed.fa: line 4: sequence 'a' continues after a shorter line (line 3)"),
            std::string::npos)
      << index.status().message();
}

TEST(Fai, DuplicateName_IsReported) {
  auto index = build_fai_from_memory(">a\nAC\n>a\nGG\n", "dup.fa");
  ASSERT_FALSE(index.is_ok());
  EXPECT_NE(index.status().message().find("dup.fa: line 3: sequence name 'a' was used before"), std::string::npos);
}

// A sequence name holding a control character other than the whitespace that ends a
// name (samtools' rule) is refused by the index builder, the whole-file reader and the
// .fai reader alike, naming the file, the line and the byte.
TEST(Fai, SequenceNameWithControlCharacter_IsRefusedByEveryReader) {
  const std::string fasta = std::string(">a\nAC\n>chr\x01" "1 described\nGG\n");
  const std::string problem = "line 3: sequence name 'chr\\x011' holds a control character (byte 4)";
  auto index = build_fai_from_memory(fasta, "control.fa");
  ASSERT_FALSE(index.is_ok());
  EXPECT_NE(index.status().message().find("control.fa: " + problem), std::string::npos) << index.status().message();
  auto records = parse_fasta(fasta, "control.fa");
  ASSERT_FALSE(records.is_ok());
  EXPECT_NE(records.status().message().find("control.fa: " + problem), std::string::npos) << records.status().message();
  auto fai = parse_fai("a\t2\t3\t2\t3\nchr1\v\t2\t9\t2\t3\n", "control.fai");
  ASSERT_FALSE(fai.is_ok());
  EXPECT_NE(fai.status().message().find("control.fai: line 2: column 1 (name): name 'chr1\\x0b' holds a control "
                                        "character (byte 5)"),
            std::string::npos)
      << fai.status().message();
  // A vertical tab after the name ends it, as isspace() does for samtools faidx.
  auto ended = build_fai_from_memory(">chr1\vnote\nAC\n", "ended.fa");
  ASSERT_TRUE(ended.is_ok()) << ended.status().message();
  EXPECT_EQ(ended->entries.at(0).name, "chr1");
}

TEST(Fai, BadColumn_NamesFileAndLine) {
  auto index = read_fai(malformed("bad_columns.fai"));
  ASSERT_FALSE(index.is_ok());
  EXPECT_NE(index.status().message().find("bad_columns.fai: line 2: line bases 'sixty' is not a whole number"),
            std::string::npos)
      << index.status().message();
}

TEST(Fai, GzipFasta_IsRefusedForIndexing) {
  const std::string dir = testing::scratch_dir("fai");
  // reads.fq.gz is gzip: the refusal is about the bytes, not the content.
  testing::write_file(dir + "/genome.fa", testing::read_file(formats("reads.fq.gz")));
  auto index = build_fai(dir + "/genome.fa");
  ASSERT_FALSE(index.is_ok());
  EXPECT_EQ(index.status().code(), ErrorCode::kUnsupported);
}

// ---------------------------------------------------------------------------------

std::string whole_sequence(const std::string& name) {
  auto records = read_fasta(formats("ex1.fa"));
  EXPECT_TRUE(records.is_ok());
  for (const FastaRecord& record : *records) {
    if (record.name == name) return record.sequence;
  }
  return {};
}

TEST(FastaReader, FetchAcrossLineBreaks_EqualsTheWholeSequenceSlice) {
  auto reader = FastaReader::open(formats("ex1.fa"));
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();
  const std::string seq2 = whole_sequence("seq2");
  ASSERT_EQ(seq2.size(), 1584u);
  // Starts and ends on, before and after line breaks (60 bases per line).
  for (uint64_t start : {0, 1, 59, 60, 61, 119, 500, 1523}) {
    for (uint64_t length : {1, 2, 59, 60, 61, 121}) {
      if (start + length > seq2.size()) continue;
      auto bases = reader->fetch(Region{"seq2", start, start + length});
      ASSERT_TRUE(bases.is_ok()) << bases.status().message();
      EXPECT_EQ(*bases, seq2.substr(start, length)) << "seq2:" << start << "-" << start + length;
    }
  }
}

TEST(FastaReader, FetchOfTheLastBases_WorksUpToTheEnd) {
  auto reader = FastaReader::open(formats("ex1.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto bases = reader->fetch(Region{"seq1", 1570, 1575});
  ASSERT_TRUE(bases.is_ok()) << bases.status().message();
  EXPECT_EQ(*bases, whole_sequence("seq1").substr(1570));
}

TEST(FastaReader, WithoutFai_BuildsTheIndexInMemory) {
  const std::string dir = testing::scratch_dir("fasta");
  testing::write_file(dir + "/layouts.fa", testing::read_file(formats("layouts.fa")));
  auto reader = FastaReader::open(dir + "/layouts.fa");
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();
  EXPECT_EQ(format_fai(reader->index()), kLayoutsFai);
  EXPECT_TRUE(testing::read_file(dir + "/layouts.fa.fai").empty()) << "nothing is written beside the FASTA";
}

TEST(FastaReader, WindowsLineEndings_AreNotBases) {
  auto reader = FastaReader::open(formats("layouts.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto bases = reader->fetch(Region{"chr_crlf", 6, 14});
  ASSERT_TRUE(bases.is_ok()) << bases.status().message();
  EXPECT_EQ(*bases, "TTAGGGTT");
}

TEST(FastaReader, Uppercase_UnmasksSoftMaskedBases) {
  auto reader = FastaReader::open(formats("layouts.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto stored = reader->fetch(Region{"chr_soft", 2, 14});
  auto upper = reader->fetch(Region{"chr_soft", 2, 14}, LetterCase::kUpper);
  ASSERT_TRUE(stored.is_ok() && upper.is_ok());
  EXPECT_EQ(*stored, "GTacgtacgtAC");
  EXPECT_EQ(*upper, "GTACGTACGTAC");
}

TEST(FastaReader, LastLineWithoutNewline_IsFetched) {
  auto reader = FastaReader::open(formats("layouts.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto bases = reader->fetch(Region{"chr_last_line_without_newline", 6, 10});
  ASSERT_TRUE(bases.is_ok()) << bases.status().message();
  EXPECT_EQ(*bases, "TTAC");
}

TEST(FastaReader, UnknownSequence_IsNotFoundAndListsNames) {
  auto reader = FastaReader::open(formats("ex1.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto bases = reader->fetch(Region{"chr1", 0, 10});
  ASSERT_FALSE(bases.is_ok());
  EXPECT_EQ(bases.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(bases.status().message().find("no sequence 'chr1'"), std::string::npos);
  EXPECT_NE(bases.status().message().find("seq1, seq2"), std::string::npos);
}

TEST(FastaReader, RegionPastTheEnd_IsAnError) {
  auto reader = FastaReader::open(formats("ex1.fa"));
  ASSERT_TRUE(reader.is_ok());
  auto bases = reader->fetch(Region{"seq1", 1500, 1576});
  ASSERT_FALSE(bases.is_ok());
  EXPECT_NE(bases.status().message().find("seq1:1,500-1,576: runs past the end of 'seq1' (length 1,575)"),
            std::string::npos)
      << bases.status().message();
}

TEST(FastaReader, StaleIndex_IsReportedWhenOpening) {
  auto reader = FastaReader::open(malformed("stale_index.fa"));
  ASSERT_FALSE(reader.is_ok());
  EXPECT_NE(reader.status().message().find("the index puts the end of 'chrA' at byte"), std::string::npos)
      << reader.status().message();
}

TEST(FastaReader, FromMemorySource_FetchesLikeAFile) {
  const std::string bytes = testing::read_file(formats("layouts.fa"));
  auto index = build_fai_from_memory(bytes, "layouts.fa");
  ASSERT_TRUE(index.is_ok());
  auto reader = FastaReader::open(memory_source(bytes, "layouts.fa"), *index);
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();
  EXPECT_EQ(reader->sequence_length("chrM"), 34u);
  EXPECT_FALSE(reader->sequence_length("chrZ").has_value());
  auto bases = reader->fetch(Region{"chrM", 8, 22});
  ASSERT_TRUE(bases.is_ok()) << bases.status().message();
  EXPECT_EQ(*bases, "GTCTATCACCCTAT");
}

// ---------------------------------------------------------------------------------

TEST(Fasta, WholeFile_ReadsNamesDescriptionsAndSequences) {
  auto records = read_fasta(formats("layouts.fa"));
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  ASSERT_EQ(records->size(), 4u);
  EXPECT_EQ((*records)[0].name, "chrM");
  EXPECT_EQ((*records)[0].description, "mitochondrion, first bases");
  EXPECT_EQ((*records)[0].sequence, "GATCACAGGTCTATCACCCTATTAACCACTCACG");
  EXPECT_EQ((*records)[2].sequence, "TTAGGGTTAGGGTTAGGG");
  EXPECT_EQ((*records)[3].description, "");
}

TEST(Fasta, SequenceBeforeHeader_IsAnErrorInTheWholeFileReaderToo) {
  auto records = parse_fasta("ACGT\n>a\nAC\n", "headless.fa");
  ASSERT_FALSE(records.is_ok());
  EXPECT_NE(records.status().message().find("headless.fa: line 1"), std::string::npos);
}

// ---------------------------------------------------------------------------------
// Whatever bytes a FASTA holds, an index we build must lead to the bases the
// whole-file reader sees: fetching each whole sequence through the index gives the
// sequence read_fasta gives, or the build refuses the file. Never a crash.
TEST(Fai, ChangedBytes_IndexAgreesWithWholeFileReaderOrBuildRefuses) {
  const std::string original = testing::read_file(formats("layouts.fa"));
  size_t built = 0, refused = 0;
  for (const char replacement : {'\n', '\r', '>', ' ', 'A', '\0'}) {
    for (size_t at = 0; at < original.size(); ++at) {
      std::string changed = original;
      changed[at] = replacement;
      auto index = build_fai_from_memory(changed, "changed.fa");
      if (!index.is_ok()) {
        ++refused;
        continue;
      }
      ++built;
      auto records = parse_fasta(changed, "changed.fa");
      ASSERT_TRUE(records.is_ok()) << "indexed but not readable, byte " << at;
      auto reader = FastaReader::open(memory_source(changed, "changed.fa"), *index);
      ASSERT_TRUE(reader.is_ok()) << reader.status().message();
      for (const FaiEntry& entry : index->entries) {
        auto bases = reader->fetch(Region{entry.name, 0, entry.length});
        ASSERT_TRUE(bases.is_ok()) << bases.status().message() << " (byte " << at << ")";
        const std::string* whole = nullptr;
        for (const FastaRecord& record : *records) {
          if (record.name == entry.name) whole = &record.sequence;
        }
        ASSERT_NE(whole, nullptr);
        EXPECT_EQ(*bases, *whole) << entry.name << ", byte " << at << " set to " << int(replacement);
      }
    }
  }
  EXPECT_GT(built, 0u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace epibook

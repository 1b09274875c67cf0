// FASTQ reading: records, Phred+33 scores, gzip by magic bytes, and the messages a
// reader sees for each kind of broken file (tests/data/malformed/README.md).
// Fixture reads are real Illumina reads from samtools' ex1 example (see
// tests/data/formats/README.md); expected summaries come from numpy.percentile.
#include <gtest/gtest.h>

#include <cmath>

#include "epibook/fastq.h"
#include "support/test_support.h"

namespace epibook {
namespace {

std::string formats(const std::string& name) { return testing::data_path("formats/" + name); }
std::string malformed(const std::string& name) { return testing::data_path("malformed/" + name); }

std::string error_of(const std::string& path) {
  auto records = read_fastq(path);
  EXPECT_FALSE(records.is_ok()) << path << " should not parse";
  return records.is_ok() ? std::string() : records.status().message();
}

TEST(Fastq, PlainFile_ReadsEveryRecordWithNameSequenceAndScores) {
  auto records = read_fastq(formats("reads.fq"));
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  ASSERT_EQ(records->size(), 12u);
  const FastqRecord& first = records->front();
  EXPECT_EQ(first.name, "B7_591:4:96:693:509/1");
  EXPECT_EQ(first.sequence, "CACTAGTGGCTCATTGTAAATGTGTGGTTTAACTCG");
  ASSERT_EQ(first.quality.size(), first.sequence.size());
  // '<' is 60 in ASCII: Q = 60 - 33 = 27; ';' -> 26, '5' -> 20, '7' -> 22.
  EXPECT_EQ(first.quality[0], 27);
  EXPECT_EQ(first.quality[15], 26);
  EXPECT_EQ(first.quality[25], 20);
  EXPECT_EQ(first.quality.back(), 22);
}

TEST(Fastq, Phred33_DecodesEveryCharacterAsOrdMinus33) {
  std::string quality;
  for (char c = '!'; c <= '~'; ++c) quality.push_back(c);
  const std::string sequence(quality.size(), 'N');
  FastqReader reader = FastqReader::from_memory("@all_scores\n" + sequence + "\n+\n" + quality + "\n", "all.fq");
  FastqRecord record;
  auto more = reader.next(record);
  ASSERT_TRUE(more.is_ok()) << more.status().message();
  ASSERT_TRUE(*more);
  ASSERT_EQ(record.quality.size(), 94u);
  for (size_t i = 0; i < record.quality.size(); ++i) EXPECT_EQ(record.quality[i], static_cast<int>(i));
  EXPECT_EQ(record.quality.back(), kMaxPhredScore);
}

TEST(Fastq, ErrorProbability_Q20IsOnePercentAndQ30OnePerMille) {
  EXPECT_DOUBLE_EQ(phred_error_probability(0), 1.0);
  EXPECT_NEAR(phred_error_probability(20), 0.01, 1e-15);
  EXPECT_NEAR(phred_error_probability(30), 0.001, 1e-15);
  EXPECT_NEAR(phred_error_probability(27), std::pow(10.0, -2.7), 1e-15);
}

TEST(Fastq, GzipFile_IsRecognisedByMagicBytesAndMatchesPlain) {
  auto plain = read_fastq(formats("reads.fq"));
  auto gz = read_fastq(formats("reads.fq.gz"));
  ASSERT_TRUE(plain.is_ok() && gz.is_ok()) << gz.status().message();
  ASSERT_EQ(gz->size(), plain->size());
  for (size_t i = 0; i < gz->size(); ++i) {
    EXPECT_EQ((*gz)[i].name, (*plain)[i].name);
    EXPECT_EQ((*gz)[i].sequence, (*plain)[i].sequence);
    EXPECT_EQ((*gz)[i].quality, (*plain)[i].quality);
  }
}

TEST(Fastq, GzipUnderAPlainName_IsStillInflated) {
  const std::string dir = testing::scratch_dir("fastq");
  testing::write_file(dir + "/reads_no_suffix.txt", testing::read_file(formats("reads.fq.gz")));
  auto records = read_fastq(dir + "/reads_no_suffix.txt");
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  EXPECT_EQ(records->size(), 12u);
}

TEST(Fastq, ConcatenatedGzipMembers_ReadAsOneFile) {
  const std::string dir = testing::scratch_dir("fastq");
  const std::string member = testing::read_file(formats("reads.fq.gz"));
  testing::write_file(dir + "/twice.fq.gz", member + member);
  auto records = read_fastq(dir + "/twice.fq.gz");
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  ASSERT_EQ(records->size(), 24u);
  EXPECT_EQ((*records)[12].name, (*records)[0].name);
}

TEST(Fastq, WindowsLineEndings_AreNotPartOfSequenceOrQuality) {
  FastqReader reader = FastqReader::from_memory("@r1 desc\r\nACGT\r\n+\r\nII#!\r\n", "crlf.fq");
  FastqRecord record;
  auto more = reader.next(record);
  ASSERT_TRUE(more.is_ok()) << more.status().message();
  EXPECT_EQ(record.name, "r1 desc");
  EXPECT_EQ(fastq_read_id(record), "r1");
  EXPECT_EQ(record.sequence, "ACGT");
  EXPECT_EQ(record.quality, (std::vector<uint8_t>{40, 40, 2, 0}));
}

TEST(Fastq, LastRecordWithoutFinalNewline_IsComplete) {
  FastqReader reader = FastqReader::from_memory("@r1\nACGT\n+r1\nIIII", "no_newline.fq");
  FastqRecord record;
  auto first = reader.next(record);
  ASSERT_TRUE(first.is_ok() && *first) << first.status().message();
  auto second = reader.next(record);
  ASSERT_TRUE(second.is_ok());
  EXPECT_FALSE(*second);
  EXPECT_EQ(reader.records_read(), 1u);
}

TEST(Fastq, MaxRecords_StopsEarly) {
  auto records = read_fastq(formats("reads.fq"), 3);
  ASSERT_TRUE(records.is_ok());
  EXPECT_EQ(records->size(), 3u);
}

TEST(Fastq, QualityShorterThanSequence_NamesLineAndRecord) {
  const std::string message = error_of(malformed("quality_shorter_than_sequence.fq"));
  EXPECT_NE(message.find("quality_shorter_than_sequence.fq: line 8 (record 2): quality has 35 characters, sequence has 36"),
            std::string::npos)
      << message;
}

TEST(Fastq, HeaderWithoutAt_NamesLineAndRecord) {
  const std::string message = error_of(malformed("header_without_at.fq"));
  EXPECT_NE(message.find("header_without_at.fq: line 5 (record 2): a record must start with '@'"), std::string::npos)
      << message;
}

TEST(Fastq, SeparatorNotPlus_NamesLineAndRecord) {
  const std::string message = error_of(malformed("separator_not_plus.fq"));
  EXPECT_NE(message.find("line 11 (record 3): the third line of a record must start with '+', found '-'"),
            std::string::npos)
      << message;
}

TEST(Fastq, QualityCharacterOutsidePhred33_NamesPositionAndByte) {
  const std::string message = error_of(malformed("quality_outside_phred33.fq"));
  EXPECT_NE(message.find("line 8 (record 2): quality has byte 0x20 at position 11, outside '!'..'~'"),
            std::string::npos)
      << message;
}

TEST(Fastq, TruncatedLastRecord_SaysTheFileEndsInsideTheRecord) {
  const std::string message = error_of(malformed("truncated_record.fq"));
  EXPECT_NE(message.find("line 15 (record 4): the file ends before the '+' separator line"), std::string::npos)
      << message;
}

TEST(Fastq, TruncatedGzip_IsReportedNotSilentlyShort) {
  const std::string message = error_of(malformed("truncated.fq.gz"));
  EXPECT_NE(message.find("truncated.fq.gz: gzip data ends early"), std::string::npos) << message;
}

TEST(Fastq, BadDeflateData_IsReportedWithItsOffset) {
  const std::string message = error_of(malformed("bad_deflate_data.fq.gz"));
  EXPECT_NE(message.find("bad_deflate_data.fq.gz: bad gzip data at compressed byte"), std::string::npos) << message;
}

TEST(Fastq, DigitInSequence_IsRejected) {
  FastqReader reader = FastqReader::from_memory("@r1\nAC1T\n+\nIIII\n", "digit.fq");
  FastqRecord record;
  auto more = reader.next(record);
  ASSERT_FALSE(more.is_ok());
  EXPECT_NE(more.status().message().find("digit.fq: line 2 (record 1): sequence has '1' at position 3"),
            std::string::npos)
      << more.status().message();
}

TEST(Fastq, MissingFile_IsNotFound) {
  auto records = read_fastq(formats("no_such_reads.fq"));
  ASSERT_FALSE(records.is_ok());
  EXPECT_EQ(records.status().code(), ErrorCode::kNotFound);
}

TEST(Fastq, EmptyFile_HasNoRecords) {
  FastqReader reader = FastqReader::from_memory("", "empty.fq");
  FastqRecord record;
  auto more = reader.next(record);
  ASSERT_TRUE(more.is_ok());
  EXPECT_FALSE(*more);
}

// Expected values: numpy.percentile(scores at the position, [25, 50, 75]) over the
// 12 reads of reads.fq (8 of 35 bases, 4 of 36).
TEST(Fastq, QualitySummary_MatchesNumpyPercentilesPerPosition) {
  auto summary = summarize_fastq_quality(formats("reads.fq"), 100);
  ASSERT_TRUE(summary.is_ok()) << summary.status().message();
  EXPECT_EQ(summary->records, 12u);
  ASSERT_EQ(summary->positions.size(), 36u);
  const PositionQuality& first = summary->positions[0];
  EXPECT_EQ(first.reads, 12u);
  EXPECT_NEAR(first.mean, 25.333333333333332, 1e-12);
  EXPECT_EQ(first.median, 27.0);
  EXPECT_EQ(first.min, 7);
  EXPECT_EQ(first.max, 27);
  const PositionQuality& p35 = summary->positions[34];
  EXPECT_NEAR(p35.mean, 20.5, 1e-12);
  EXPECT_NEAR(p35.q1, 18.75, 1e-12);
  EXPECT_NEAR(p35.median, 23.0, 1e-12);
  EXPECT_NEAR(p35.q3, 26.0, 1e-12);
  const PositionQuality& p36 = summary->positions[35];
  EXPECT_EQ(p36.reads, 4u);
  EXPECT_NEAR(p36.mean, 19.5, 1e-12);
  EXPECT_NEAR(p36.q1, 17.0, 1e-12);
  EXPECT_NEAR(p36.median, 20.5, 1e-12);
  EXPECT_NEAR(p36.q3, 23.0, 1e-12);
}

TEST(Fastq, QualitySummary_OfRecordsInMemoryEqualsStreamedSummary) {
  auto records = read_fastq(formats("reads.fq.gz"), 5);
  auto streamed = summarize_fastq_quality(formats("reads.fq.gz"), 5);
  ASSERT_TRUE(records.is_ok() && streamed.is_ok());
  const QualitySummary in_memory = summarize_quality(*records);
  ASSERT_EQ(in_memory.positions.size(), streamed->positions.size());
  EXPECT_EQ(in_memory.records, 5u);
  for (size_t i = 0; i < in_memory.positions.size(); ++i) {
    EXPECT_EQ(in_memory.positions[i].mean, streamed->positions[i].mean);
    EXPECT_EQ(in_memory.positions[i].q3, streamed->positions[i].q3);
  }
}

// A read longer than the 64 KiB stream chunk must come out whole (long-read FASTQ).
TEST(Fastq, ReadLongerThanTheStreamChunk_IsReadWhole) {
  const std::string sequence(200000, 'G');
  const std::string quality(200000, '5');
  FastqReader reader = FastqReader::from_memory("@long\n" + sequence + "\n+\n" + quality + "\n@short\nA\n+\n!\n", "long.fq");
  FastqRecord record;
  auto more = reader.next(record);
  ASSERT_TRUE(more.is_ok() && *more) << more.status().message();
  EXPECT_EQ(record.sequence.size(), 200000u);
  EXPECT_EQ(record.quality.back(), 20);
  more = reader.next(record);
  ASSERT_TRUE(more.is_ok() && *more);
  EXPECT_EQ(record.name, "short");
}

// ---------------------------------------------------------------------------------
// Broken input of every shape: cut files and changed bytes must give records or an
// error, never a crash (the asan preset runs these under AddressSanitizer).

Result<std::vector<FastqRecord>> read_all(std::string bytes) {
  FastqReader reader = FastqReader::from_memory(std::move(bytes), "cut.fq");
  std::vector<FastqRecord> records;
  FastqRecord record;
  while (true) {
    EPIBOOK_ASSIGN_OR_RETURN(const bool more, reader.next(record));
    if (!more) break;
    records.push_back(record);
  }
  return records;
}

TEST(Fastq, EveryProperPrefixOfAGzipFile_IsAnError) {
  const std::string gz = testing::read_file(formats("reads.fq.gz"));
  ASSERT_GT(gz.size(), 100u);
  for (size_t length = 1; length < gz.size(); ++length) {
    auto records = read_all(gz.substr(0, length));
    EXPECT_FALSE(records.is_ok()) << "a gzip file cut to " << length << " bytes read without complaint";
  }
  auto whole = read_all(gz);
  ASSERT_TRUE(whole.is_ok()) << whole.status().message();
  EXPECT_EQ(whole->size(), 12u);
}

TEST(Fastq, EveryPrefixOfAPlainFile_GivesLeadingRecordsOrAnError) {
  const std::string text = testing::read_file(formats("reads.fq"));
  auto all = read_fastq(formats("reads.fq"));
  ASSERT_TRUE(all.is_ok());
  for (size_t length = 0; length <= text.size(); ++length) {
    auto records = read_all(text.substr(0, length));
    if (!records.is_ok()) continue;
    ASSERT_LE(records->size(), all->size());
    for (size_t i = 0; i < records->size(); ++i) {
      EXPECT_EQ((*records)[i].name, (*all)[i].name) << "prefix of " << length << " bytes";
      EXPECT_EQ((*records)[i].quality, (*all)[i].quality) << "prefix of " << length << " bytes";
    }
  }
}

TEST(Fastq, ChangedBytes_GiveRecordsOrAnErrorNeverACrash) {
  const std::string text = testing::read_file(formats("reads.fq")).substr(0, 300);
  const std::string gz = testing::read_file(formats("reads.fq.gz"));
  size_t errors = 0;
  for (const char replacement : {'\0', '\n', '@', '+', ' ', '\x7f', '\xff'}) {
    for (size_t at = 0; at < text.size(); ++at) {
      std::string changed = text;
      changed[at] = replacement;
      errors += read_all(changed).is_ok() ? 0 : 1;
    }
    for (size_t at = 0; at < gz.size(); ++at) {
      std::string changed = gz;
      changed[at] = static_cast<char>(changed[at] ^ replacement);
      if (changed == gz) continue;
      errors += read_all(changed).is_ok() ? 0 : 1;
    }
  }
  EXPECT_GT(errors, 0u);
}

}  // namespace
}  // namespace epibook

// The hints a first-time user's mistakes are answered with (issue #21 item 7), and `dsfill
// infer` proposing only what the reference server accepts (item 3): `dsfill` as a process
// against the in-process reference server.
#include <gtest/gtest.h>

#include "codec/columns.h"
#include "loader/input_reader.h"
#include "loader/schema.h"
#include "server/validation.h"
#include "tests/loader/e2e_support.h"
#include "tests/loader/process_run.h"

namespace dsfill::testing {
namespace {

// Returns `ascii_or_euro` (ASCII and the euro sign's UTF-8 only) as UTF-16 with its BOM.
std::string utf16(const std::string& text, bool big_endian) {
  std::string out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (std::size_t i = 0; i < text.size(); ++i) {
    unsigned unit = static_cast<unsigned char>(text[i]);
    if (text.compare(i, 3, "\xE2\x82\xAC") == 0) {
      unit = 0x20AC;
      i += 2;
    }
    const char hi = static_cast<char>(unit >> 8), lo = static_cast<char>(unit & 0xFF);
    out += big_endian ? std::string{hi, lo} : std::string{lo, hi};
  }
  return out;
}

class Hints : public ::testing::Test {
 protected:
  ProcessRun load(const std::string& file, const std::string& flags = "",
                  const std::string& dataset = "d1") {
    return dsfill(dir_, "load " + file + " --url " + server_.url() +
                            " --user-code u1 --dataset-code " + dataset + " " + flags);
  }
  std::string file(const std::string& name, const std::string& text) {
    const std::string path = dir_.file(name);
    write_file(path, text);
    return path;
  }
  TempDir dir_;
  ReferenceServer server_{dir_.file("store.db")};
};

// --- The delimiter sniffer --------------------------------------------------------------------

TEST_F(Hints, ASemicolonFileLoadsWithDefaultFlags) {
  const std::string checkpoint = dir_.file("semi.checkpoint");
  const ProcessRun r = load(file("semi.csv", "id;product;price\n1;\"a;b\";2,5\n2;c;3\n"),
                            "--checkpoint " + checkpoint);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The checkpoint's identity holds the delimiter picked, so a resume cuts the file alike.
  EXPECT_NE(slurp(checkpoint).find("delimiter=59"), std::string::npos) << slurp(checkpoint);
  EXPECT_NE(r.err.find("delimiter: ';' (sniffed; --delimiter to choose)"), std::string::npos)
      << r.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"), (Rows{{"1", "a;b", "2,5"}, {"2", "c", "3"}}));
}

TEST_F(Hints, TabAndPipeFilesAreSniffedAndCompressedHeadsToo) {
  const ProcessRun tab = load(file("t.tsv", "a\tb\tc\n1\t2\t3\n"), "", "tab");
  ASSERT_EQ(tab.exit_code, 0) << tab.err;
  EXPECT_NE(tab.err.find("delimiter: tab"), std::string::npos) << tab.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "tab"), (Rows{{"1", "2", "3"}}));
  const ProcessRun pipe = load(file("p.csv", "a|b\n1|2\n"), "", "pipe");
  ASSERT_EQ(pipe.exit_code, 0) << pipe.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "pipe"), (Rows{{"1", "2"}}));
  const std::string gz = file("s.csv", "a;b\n1;2\n3;4\n");
  ASSERT_EQ(std::system(("gzip -f " + gz).c_str()), 0);
  const ProcessRun zipped = load(gz + ".gz", "", "gz");
  ASSERT_EQ(zipped.exit_code, 0) << zipped.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "gz"), (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST_F(Hints, InferAndCheckSniffToo) {
  const std::string csv = file("semi.csv", "id;name;price\n1;a;2.5\n2;b;3\n");
  const ProcessRun inferred = dsfill(dir_, "infer " + csv + " -o " + dir_.file("spec.json"));
  ASSERT_EQ(inferred.exit_code, 0) << inferred.err;
  auto columns = loader::load_columns_file(dir_.file("spec.json"));
  ASSERT_TRUE(columns);
  EXPECT_EQ(columns->size(), 3u);
  const ProcessRun checked = dsfill(dir_, "check " + csv + " --columns " + dir_.file("spec.json"));
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
}

TEST_F(Hints, QuotedDelimitersOfOtherCandidatesDoNotFoolIt) {
  const ProcessRun r = load(file("c.csv", "a,b\n\"x;y;z\",2\n\"p;q;r\",3\n"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("delimiter:"), std::string::npos) << r.err;  // ',' is not announced
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"), (Rows{{"x;y;z", "2"}, {"p;q;r", "3"}}));
}

TEST_F(Hints, AnExplicitDelimiterIsKept) {
  const ProcessRun r = load(file("semi.csv", "a;b\n1;2\n"), "--delimiter ,");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"), (Rows{{"1;2"}}));
}

// --- Flags ------------------------------------------------------------------------------------

TEST_F(Hints, AMistypedFlagGetsTheClosestOne) {
  const ProcessRun r =
      dsfill(dir_, "load x.csv --url " + server_.url() + " --user-code u1 --dataset-cod d1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("did you mean --dataset-code?"), std::string::npos) << r.err;
}

TEST_F(Hints, ATokenOnTheCommandLineIsRefusedAndNeverEchoed) {
  const std::string csv = file("in.csv", "a\n1\n");
  for (const std::string flag : {"--token secret123", "--token=secret123"}) {
    const ProcessRun r = load(csv, flag);
    EXPECT_EQ(r.exit_code, 2) << flag;
    EXPECT_NE(r.err.find("DSFILL_TOKEN"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--token-file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("secret123"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("secret123"), std::string::npos) << r.out;
  }
  EXPECT_TRUE(stored_rows(server_.db(), "u1", "d1").empty());
}

TEST_F(Hints, TheMissingOptionAndTheMissingSchemeAreNamed) {
  const std::string csv = file("in.csv", "a\n1\n");
  const ProcessRun user =
      dsfill(dir_, "load " + csv + " --url " + server_.url() + " --dataset-code d1");
  EXPECT_EQ(user.exit_code, 2);
  EXPECT_NE(user.err.find("--user-code is required"), std::string::npos) << user.err;
  const ProcessRun dataset =
      dsfill(dir_, "load " + csv + " --url " + server_.url() + " --user-code u1");
  EXPECT_EQ(dataset.exit_code, 2);
  EXPECT_NE(dataset.err.find("--dataset-code is required"), std::string::npos) << dataset.err;
  const ProcessRun url =
      dsfill(dir_, "load " + csv + " --url localhost:1 --user-code u1 --dataset-code d1");
  EXPECT_EQ(url.exit_code, 2);
  EXPECT_NE(url.err.find("did you mean 'http://localhost:1'"), std::string::npos) << url.err;
  const ProcessRun header = load(csv, "-H foo");
  EXPECT_EQ(header.exit_code, 2);
  EXPECT_NE(header.err.find("without ':'"), std::string::npos) << header.err;
  EXPECT_EQ(header.err.find("''"), std::string::npos) << header.err;
}

TEST_F(Hints, A401SaysWhetherATokenWasSentAndWhereOneGoes) {
  server::TokenTable tokens;
  tokens.add("u1", "the-right-token");
  ReferenceServer guarded(dir_.file("guarded.db"), std::move(tokens));
  const std::string args = "load " + file("in.csv", "a\n1\n") + " --url " + guarded.url() +
                           " --user-code u1 --dataset-code d1 --retries 0";
  const ProcessRun none = dsfill(dir_, args);
  EXPECT_EQ(none.exit_code, 4) << none.err;
  EXPECT_NE(none.err.find("no token was sent"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("DSFILL_TOKEN"), std::string::npos) << none.err;
  const ProcessRun wrong = dsfill(dir_, args, "DSFILL_TOKEN=not-it");
  EXPECT_EQ(wrong.exit_code, 4) << wrong.err;
  EXPECT_NE(wrong.err.find("a token was sent and refused"), std::string::npos) << wrong.err;
  EXPECT_EQ(wrong.err.find("not-it"), std::string::npos) << wrong.err;
}

// --- Encodings --------------------------------------------------------------------------------

TEST_F(Hints, InvalidUtf8NamesTheEncodingsToTry) {
  const ProcessRun r = load(file("w.csv", "name\ncaf\xE9\n"));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("try --encoding cp1252"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--encoding latin1"), std::string::npos) << r.err;
}

TEST_F(Hints, Cp1252TurnsTheEuroSignIntoU20ac) {
  const ProcessRun r =
      load(file("w.csv", "name,price\n\x80 caf\xE9,\x93x\x94\n"), "--encoding cp1252");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"),
            (Rows{{"\xE2\x82\xAC caf\xC3\xA9", "\xE2\x80\x9Cx\xE2\x80\x9D"}}));
  const ProcessRun hole = load(file("h.csv", "name\nx\x81y\n"), "--encoding cp1252", "d2");
  EXPECT_EQ(hole.exit_code, 3);
  EXPECT_NE(hole.err.find("Windows-1252 leaves undefined"), std::string::npos) << hole.err;
  EXPECT_NE(hole.err.find("row 2, byte 6"), std::string::npos) << hole.err;
}

TEST_F(Hints, Latin1WarnsOnceOnTheWindowsRange) {
  const ProcessRun r = load(file("w.csv", "name\n\x80 a\n\x93 b\n"), "--encoding latin1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::size_t at = r.err.find("try --encoding cp1252");
  EXPECT_NE(at, std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("try --encoding cp1252", at + 1), std::string::npos) << r.err;
  EXPECT_EQ(stored_rows(server_.db(), "u1", "d1"), (Rows{{"\xC2\x80 a"}, {"\xC2\x93 b"}}));
  const ProcessRun plain = load(file("l.csv", "name\ncaf\xE9\n"), "--encoding latin1", "d2");
  EXPECT_EQ(plain.err.find("cp1252"), std::string::npos) << plain.err;
}

TEST_F(Hints, Utf16FilesWithAByteOrderMarkLoad) {
  const std::string text =
      "id;price\n1;\xE2\x82\xAC"
      "5\n2;7\n";
  for (const bool big : {false, true}) {
    const std::string dataset = big ? "be" : "le";
    const ProcessRun r =
        load(file(dataset + ".csv", utf16(text, big)), "--encoding utf-16", dataset);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(stored_rows(server_.db(), "u1", dataset), (Rows{{"1",
                                                               "\xE2\x82\xAC"
                                                               "5"},
                                                              {"2", "7"}}));
  }
  const ProcessRun no_bom = load(file("n.csv", "a\n1\n"), "--encoding utf-16", "nobom");
  EXPECT_EQ(no_bom.exit_code, 2);
  EXPECT_NE(no_bom.err.find("byte order mark"), std::string::npos) << no_bom.err;
}

TEST_F(Hints, Utf16IsReadAsUtf8ByteForByteFromAnyOffsetAndInAnyReadSize) {
  // Offsets are of the UTF-8 stream (a resume skips to one); one may fall inside a character.
  const std::string text =
      "a\xE2\x82\xAC"
      "b\xF0\x9F\x98\x80"
      "c\n";
  using namespace std::string_literals;  // the units hold NUL bytes
  const std::string units =
      "\xFF\xFE"
      "a\x00\xAC\x20"
      "b\x00\x3D\xD8\x00\xDE"
      "c\x00\n\x00"s;
  const std::string path = file("u.csv", units);
  for (std::int64_t offset = 0; offset <= static_cast<std::int64_t>(text.size()); ++offset) {
    for (const std::size_t step : {std::size_t{1}, std::size_t{2}, std::size_t{64}}) {
      auto reader = loader::InputReader::open(path, offset);
      ASSERT_TRUE(reader);
      std::string got;
      char buf[64];
      for (;;) {
        auto n = reader->read(buf, step);
        ASSERT_TRUE(n) << n.error().message;
        if (*n == 0) break;
        got.append(buf, *n);
      }
      EXPECT_EQ(got, text.substr(static_cast<std::size_t>(offset))) << offset << " " << step;
    }
  }
  write_file(path, units + "\x00\xD8"s);  // a high surrogate with nothing after it
  auto reader = loader::InputReader::open(path);
  ASSERT_TRUE(reader);
  char buf[64];
  Result<std::size_t> n = std::size_t{1};
  while (n && *n != 0) n = reader->read(buf, sizeof buf);
  ASSERT_FALSE(n);
  EXPECT_NE(n.error().message.find("surrogate"), std::string::npos) << n.error().message;
}

// --- infer ------------------------------------------------------------------------------------

TEST_F(Hints, InferOnBadHeadersGivesASpecTheServerAccepts) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"duplicate", "id,name,name\n1,a,b\n"},
      {"case-clash", "id,Id,ID\n1,2,3\n"},
      {"pandas-index", ",a,b\n0,x,1\n1,y,2\n"},
      {"trailing-delimiter", "a,b,\n1,2,\n"},
      {"long-name", "id," + std::string(200, 'n') + "\n1,2\n"},
  };
  for (const auto& [what, csv] : files) {
    const std::string path = file(what + ".csv", csv);
    const std::string spec = dir_.file(what + ".json");
    const ProcessRun inferred = dsfill(dir_, "infer " + path + " -o " + spec);
    ASSERT_EQ(inferred.exit_code, 0) << what << inferred.err;
    EXPECT_NE(inferred.err.find("column "), std::string::npos)
        << what << inferred.err;  // the change said
    auto columns = loader::load_columns_file(spec);
    ASSERT_TRUE(columns) << what;
    auto accepted = server::check_columns(*columns);
    EXPECT_TRUE(accepted) << what << ": " << accepted.error().message;
    // Loading with that header (--infer) creates the dataset with the same fixed names.
    const ProcessRun loaded = load(path, "--infer", what);
    ASSERT_EQ(loaded.exit_code, 0) << what << loaded.err;
    EXPECT_EQ(stored_rows(server_.db(), "u1", what).size(), what == "pandas-index" ? 2u : 1u);
    // And so does a load without --columns: one rule for both.
    const ProcessRun plain = load(path, "", what + "-plain");
    ASSERT_EQ(plain.exit_code, 0) << what << plain.err;
  }
}

TEST_F(Hints, InferOnAZeroByteFileIsAnEmptyFileError) {
  const ProcessRun r = dsfill(dir_, "infer " + file("empty.csv", ""));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("empty file"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("[]"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dsfill::testing

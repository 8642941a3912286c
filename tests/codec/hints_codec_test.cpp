// The rules behind the first-time user's hints: the delimiter sniffer, the Windows-1252 table,
// and header names made into names the reference server accepts.
#include <gtest/gtest.h>

#include "codec/column_names.h"
#include "codec/delimiter_sniff.h"
#include "codec/single_byte.h"

namespace dsfill::codec {
namespace {

TEST(SniffDelimiter, PicksTheCandidateWithOneFieldCountAboveOne) {
  EXPECT_EQ(sniff_delimiter("id;product;price\n1;a;2,5\n2;b;3,0\n", '"', true), ';');
  EXPECT_EQ(sniff_delimiter("a\tb\tc\n1\t2\t3\n", '"', true), '\t');
  EXPECT_EQ(sniff_delimiter("a|b\n1|2\n", '"', true), '|');
  EXPECT_EQ(sniff_delimiter("a,b,c\n1,2,3\n", '"', true), ',');
}

TEST(SniffDelimiter, QuotedFieldsHoldingOtherCandidatesDoNotFoolIt) {
  // Read without the grammar, ';' would give 3 fields in every record.
  EXPECT_EQ(sniff_delimiter("a,b\n\"x;y;z\",2\n\"p;q;r\",3\n", '"', true), ',');
  EXPECT_EQ(sniff_delimiter("a;b\n\"1,5\";\"x|y\"\n\"2,5\";z\n", '"', true), ';');
}

TEST(SniffDelimiter, DoubtGoesToComma) {
  EXPECT_EQ(sniff_delimiter("", '"', true), ',');
  EXPECT_EQ(sniff_delimiter("one column\nx\n", '"', true), ',');
  EXPECT_EQ(sniff_delimiter("a;b,c\n1;2,3\n", '"', true), ',');  // a tie
  EXPECT_EQ(sniff_delimiter("a;b\n1;2;3\n", '"', true), ',');    // ragged: not consistent
}

TEST(SniffDelimiter, ACutLastLineIsLeftOut) {
  EXPECT_EQ(sniff_delimiter("a;b;c\n1;2;3\n4;5", '"', false), ';');
}

TEST(Cp1252, TheTableMapsTheWindowsRangeAndRefusesItsHoles) {
  const HighByteTable& t = *high_byte_table(InputEncoding::kCp1252);
  const auto utf8 = [&](unsigned char b) {
    const HighByte& h = t[b - 0x80];
    return std::string(h.utf8, h.size);
  };
  EXPECT_EQ(utf8(0x80), "\xE2\x82\xAC");  // U+20AC EURO SIGN
  EXPECT_EQ(utf8(0x93), "\xE2\x80\x9C");  // U+201C
  EXPECT_EQ(utf8(0x9F), "\xC5\xB8");      // U+0178
  EXPECT_EQ(utf8(0xE9), "\xC3\xA9");      // as Latin-1 above 0x9F
  for (unsigned char hole : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) EXPECT_EQ(t[hole - 0x80].size, 0);
  const HighByteTable& l = *high_byte_table(InputEncoding::kLatin1);
  EXPECT_EQ(std::string(l[0].utf8, l[0].size), "\xC2\x80");  // U+0080
  EXPECT_EQ(high_byte_table(InputEncoding::kUtf8), nullptr);
}

TEST(UsableColumnNames, BadHeadersBecomeValidDistinctNames) {
  const std::string long_name(200, 'x');
  const UsableNames u =
      usable_column_names({"", "id", "Id", "a", "a ", long_name, "ok", "z\xE2\x80\x8B", ""});
  ASSERT_EQ(u.names.size(), 9u);
  EXPECT_EQ(u.names[0], "column_1");
  EXPECT_EQ(u.names[1], "id");
  EXPECT_EQ(u.names[2], "Id_2");
  EXPECT_EQ(u.names[3], "a");
  EXPECT_EQ(u.names[4], "a _2");
  EXPECT_EQ(u.names[5], std::string(kMaxColumnNameBytes, 'x'));
  EXPECT_EQ(u.names[6], "ok");
  EXPECT_EQ(u.names[7], "z");  // the zero-width space dropped
  EXPECT_EQ(u.names[8], "column_9");
  EXPECT_EQ(u.notes.size(), 6u);
  for (std::size_t i = 0; i < u.names.size(); ++i) {
    EXPECT_FALSE(first_hidden_character(u.names[i])) << i;
    for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(same_column_name(u.names[i], u.names[j]));
  }
}

TEST(UsableColumnNames, ALongNameIsCutOnACharacterBoundaryAndItsRepeatFitsTheSuffix) {
  std::string name;
  while (name.size() < 140) name += "\xC3\xA9";  // é, 2 bytes
  const UsableNames u = usable_column_names({name, name});
  EXPECT_EQ(u.names[0].size(), 128u);
  EXPECT_LE(u.names[1].size(), 128u);
  EXPECT_TRUE(u.names[1].ends_with("_2"));
  EXPECT_EQ(u.names[1].size() % 2, 0u);  // 126 bytes of é and "_2"
}

TEST(UsableColumnNames, AUsableHeaderIsKeptAsItIs) {
  const UsableNames u = usable_column_names({"id", "name", "Unit Price"});
  EXPECT_EQ(u.names, (std::vector<std::string>{"id", "name", "Unit Price"}));
  EXPECT_TRUE(u.notes.empty());
}

}  // namespace
}  // namespace dsfill::codec

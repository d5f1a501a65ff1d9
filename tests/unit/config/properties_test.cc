// java.util.Properties.load syntax. Expected values were checked against JDK 17's
// Properties.load on the same text.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/zoo_cfg.h"

namespace zk::config {
namespace {

using ::testing::HasSubstr;

std::vector<Property> Parse(const std::string& text) {
  std::vector<Property> out;
  Status s = ParseProperties(text, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

MATCHER_P3(Prop, key, value, line, "") {
  *result_listener << "{" << arg.key << "=" << arg.value << " @" << arg.line << "}";
  return arg.key == key && arg.value == value && arg.line == line;
}

TEST(PropertiesTest, Separators) {
  EXPECT_THAT(Parse("a=1\nb:2\nc 3\nd\t4\ne\f5\n"),
              testing::ElementsAre(Prop("a", "1", 1), Prop("b", "2", 2), Prop("c", "3", 3),
                                   Prop("d", "4", 4), Prop("e", "5", 5)));
}

TEST(PropertiesTest, WhitespaceAroundTheSeparatorIsSkippedButNotAtTheEnd) {
  EXPECT_THAT(Parse("  key  =  value  \n"), testing::ElementsAre(Prop("key", "value  ", 1)));
  // Whitespace then one '=' or ':' is a single separator; a second one is value.
  EXPECT_THAT(Parse("k = = v\nj : :w\nl  :=x\n"),
              testing::ElementsAre(Prop("k", "= v", 1), Prop("j", ":w", 2), Prop("l", "=x", 3)));
  // The first '=' ends the key; later ones are value.
  EXPECT_THAT(Parse("a=b=c\n"), testing::ElementsAre(Prop("a", "b=c", 1)));
}

TEST(PropertiesTest, KeyWithoutValue) {
  EXPECT_THAT(
      Parse("alone\nempty=\nspaced   \n"),
      testing::ElementsAre(Prop("alone", "", 1), Prop("empty", "", 2), Prop("spaced", "", 3)));
}

TEST(PropertiesTest, CommentsAndBlankLines) {
  EXPECT_THAT(Parse("# comment\n! bang\n   # indented\n\n \t \nk=v # not a comment\n"),
              testing::ElementsAre(Prop("k", "v # not a comment", 6)));
  // A comment line ending in a backslash does not continue.
  EXPECT_THAT(Parse("# c \\\nk=v\n"), testing::ElementsAre(Prop("k", "v", 2)));
}

TEST(PropertiesTest, ContinuationDropsLeadingWhitespaceOfTheNextLine) {
  EXPECT_THAT(Parse("k=a,\\\n    b,\\\n\tc\nnext=1\n"),
              testing::ElementsAre(Prop("k", "a,b,c", 1), Prop("next", "1", 4)));
  // A continued line's '#' is content, not a comment.
  EXPECT_THAT(Parse("k=a\\\n  #b\n"), testing::ElementsAre(Prop("k", "a#b", 1)));
  // Continuation inside the key.
  EXPECT_THAT(Parse("ti\\\n  ckTime=1\n"), testing::ElementsAre(Prop("tickTime", "1", 1)));
}

TEST(PropertiesTest, EvenBackslashesDoNotContinue) {
  EXPECT_THAT(Parse("k=a\\\\\nj=b\n"),
              testing::ElementsAre(Prop("k", "a\\", 1), Prop("j", "b", 2)));
}

TEST(PropertiesTest, ContinuationIntoAnEmptyLineEndsTheEntry) {
  EXPECT_THAT(Parse("k=a\\\n\nj=b\n"), testing::ElementsAre(Prop("k", "a", 1), Prop("j", "b", 3)));
}

TEST(PropertiesTest, BackslashAtEndOfFileIsDropped) {
  EXPECT_THAT(Parse("k=a\\"), testing::ElementsAre(Prop("k", "a", 1)));
}

TEST(PropertiesTest, LineEndings) {
  EXPECT_THAT(Parse("a=1\r\nb=2\rc=3\n\r\nd=4\\\r\n  5"),
              testing::ElementsAre(Prop("a", "1", 1), Prop("b", "2", 2), Prop("c", "3", 3),
                                   Prop("d", "45", 5)));
}

TEST(PropertiesTest, Escapes) {
  EXPECT_THAT(Parse("k=\\t\\n\\r\\f|\\q\\=\\:\\\\|\\u0041\\u00e9\\u20AC\n"),
              testing::ElementsAre(Prop("k", "\t\n\r\f|q=:\\|A\xC3\xA9\xE2\x82\xAC", 1)));
  // Escaped separators and spaces stay in the key.
  EXPECT_THAT(Parse("a\\=b\\:c\\ d=v\n"), testing::ElementsAre(Prop("a=b:c d", "v", 1)));
  // An escaped surrogate pair is one character: U+1F600 in UTF-8.
  EXPECT_THAT(Parse("k=\\uD83D\\uDE00\n"), testing::ElementsAre(Prop("k", "\xF0\x9F\x98\x80", 1)));
  // Raw UTF-8 passes through.
  EXPECT_THAT(Parse("dataDir=/tmp/caf\xC3\xA9\n"),
              testing::ElementsAre(Prop("dataDir", "/tmp/caf\xC3\xA9", 1)));
}

TEST(PropertiesTest, MalformedUnicodeEscapeIsAnErrorWithTheLine) {
  std::vector<Property> out;
  Status s = ParseProperties("a=1\nk=\\u12G4\n", "/etc/zoo.cfg", &out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("/etc/zoo.cfg:2: malformed \\uxxxx escape"));
  s = ParseProperties("k=\\u12", &out);
  EXPECT_THAT(s.message(), HasSubstr("line 1: malformed"));
}

TEST(PropertiesTest, DuplicatesAreAllReturnedInOrder) {
  EXPECT_THAT(Parse("a=1\nb=2\na=3\n"),
              testing::ElementsAre(Prop("a", "1", 1), Prop("b", "2", 2), Prop("a", "3", 3)));
}

TEST(PropertiesTest, LineNumbersCountPhysicalLines) {
  EXPECT_THAT(Parse("\n\n# c\n   \nk=a\\\n b\\\n c\n\nz=1"),
              testing::ElementsAre(Prop("k", "abc", 5), Prop("z", "1", 9)));
}

TEST(PropertiesTest, EmptyText) {
  EXPECT_TRUE(Parse("").empty());
  EXPECT_TRUE(Parse("\n\n  \n# only comments\n").empty());
}

}  // namespace
}  // namespace zk::config

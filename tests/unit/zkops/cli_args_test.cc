// cli/args: zkCli's line splitting (ZooKeeperMain.MyCommandOptions) and commons-cli
// DefaultParser option handling, with the exception texts zkCli prints.
#include <gtest/gtest.h>

#include "cli/args.h"

namespace zkops::cli {
namespace {

using Words = std::vector<std::string>;

TEST(CliSplit, WordsAndQuotes) {
  EXPECT_EQ(SplitCommandLine("ls /"), (Words{"ls", "/"}));
  EXPECT_EQ(SplitCommandLine("  create   /a\tb  "), (Words{"create", "/a", "b"}));
  EXPECT_EQ(SplitCommandLine("create /empty \"\""), (Words{"create", "/empty", ""}));
  EXPECT_EQ(SplitCommandLine("set /a \"x y\" 'p q'"), (Words{"set", "/a", "x y", "p q"}));
  // A quote inside a word is kept; an unterminated quote is skipped.
  EXPECT_EQ(SplitCommandLine("set /a x\"y"), (Words{"set", "/a", "x\"y"}));
  EXPECT_EQ(SplitCommandLine("set /a \"xy"), (Words{"set", "/a", "xy"}));
  EXPECT_TRUE(SplitCommandLine("   ").empty());
}

const std::vector<OptionSpec> kCreate = {{'e', false}, {'s', false}, {'c', false}, {'t', true}};

TEST(CliOptions, FlagsValuesAndPositionals) {
  ParsedArgs p;
  std::string err;
  ASSERT_TRUE(ParseOptions({"create", "-s", "-e", "/a", "data"}, kCreate, &p, &err));
  EXPECT_EQ(p.args, (Words{"create", "/a", "data"}));
  EXPECT_TRUE(p.Has('s') && p.Has('e') && !p.Has('c'));
  ASSERT_TRUE(ParseOptions({"create", "-t", "3600000", "/ttl", "t"}, kCreate, &p, &err));
  EXPECT_EQ(p.Value('t'), "3600000");
  EXPECT_EQ(p.args, (Words{"create", "/ttl", "t"}));
  // Concatenated flags, an attached value, options after positionals, "--".
  ASSERT_TRUE(ParseOptions({"create", "-se", "/q"}, kCreate, &p, &err));
  EXPECT_TRUE(p.Has('s') && p.Has('e'));
  ASSERT_TRUE(ParseOptions({"create", "-t5", "/q"}, kCreate, &p, &err));
  EXPECT_EQ(p.Value('t'), "5");
  ASSERT_TRUE(ParseOptions({"create", "/q", "x", "-s"}, kCreate, &p, &err));
  EXPECT_TRUE(p.Has('s'));
  EXPECT_EQ(p.args, (Words{"create", "/q", "x"}));
  ASSERT_TRUE(ParseOptions({"create", "--", "/q", "-s"}, kCreate, &p, &err));
  EXPECT_EQ(p.args, (Words{"create", "/q", "-s"}));
  // A negative number is a value, not an option.
  ASSERT_TRUE(ParseOptions({"set", "-v", "-1", "/a", "d"}, {{'s', false}, {'v', true}}, &p, &err));
  EXPECT_EQ(p.Value('v'), "-1");
}

TEST(CliOptions, ErrorsReadLikeCommonsCli) {
  ParsedArgs p;
  std::string err;
  EXPECT_FALSE(ParseOptions({"ls", "-x", "/"}, {{'s', false}}, &p, &err));
  EXPECT_EQ(err, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x");
  EXPECT_FALSE(ParseOptions({"create", "-t"}, kCreate, &p, &err));
  EXPECT_EQ(err, "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t");
  EXPECT_FALSE(ParseOptions({"create", "-t", "-s", "/a"}, kCreate, &p, &err));
  EXPECT_EQ(err, "org.apache.commons.cli.MissingArgumentException: Missing argument for option: t");
  EXPECT_FALSE(ParseOptions({"create", "-sx", "/a"}, kCreate, &p, &err));
  EXPECT_EQ(err, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -sx");
  EXPECT_FALSE(ParseOptions({"set", "/a", "-1"}, {{'v', true}}, &p, &err));
  EXPECT_EQ(err, "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -1");
}

TEST(CliOptions, JavaNumbers) {
  int32_t i = 0;
  int64_t l = 0;
  EXPECT_TRUE(ParseJavaInt("-1", &i));
  EXPECT_EQ(i, -1);
  EXPECT_TRUE(ParseJavaInt("+7", &i));
  EXPECT_EQ(i, 7);
  EXPECT_FALSE(ParseJavaInt("2147483648", &i));
  EXPECT_FALSE(ParseJavaInt("1x", &i));
  EXPECT_FALSE(ParseJavaInt("", &i));
  EXPECT_TRUE(ParseJavaLong("1099511627775", &l));
  EXPECT_EQ(l, 1099511627775LL);
}

}  // namespace
}  // namespace zkops::cli

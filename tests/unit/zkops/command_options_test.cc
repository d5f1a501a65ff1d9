// The option splitter every zkops command shares (commands/options.h), and the usage errors
// the commands build on it print (they return before doing anything).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"

namespace zkops {
namespace {

using Args = std::vector<std::string>;

TEST(SplitWordsTest, InlineAndNextWordValues) {
  const std::vector<Word> w =
      SplitWords({"--timeout=5", "-i", "inv.yaml", "--env", "--json", "cfg", "-", ""},
                 {"--timeout", "-i", "--env"});
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[0].name, "--timeout");
  EXPECT_EQ(w[0].value, "5");
  EXPECT_TRUE(w[0].has_value && w[0].inline_value && w[0].option);
  EXPECT_EQ(w[0].text, "--timeout=5");
  EXPECT_EQ(w[1].name, "-i");
  EXPECT_EQ(w[1].value, "inv.yaml");
  EXPECT_TRUE(w[1].has_value);
  EXPECT_FALSE(w[1].inline_value);
  // A valued option takes the next word whatever it looks like.
  EXPECT_EQ(w[2].name, "--env");
  EXPECT_EQ(w[2].value, "--json");
  EXPECT_FALSE(w[3].option);
  EXPECT_EQ(w[3].text, "cfg");
  EXPECT_FALSE(w[4].option);  // "-" is a word (stdin), not an option
  EXPECT_FALSE(w[5].option);
}

TEST(SplitWordsTest, MissingValueUnknownNamesAndSingleDashEquals) {
  const std::vector<Word> w = SplitWords({"--bogus", "x", "-i=f", "--timeout"}, {"--timeout"});
  ASSERT_EQ(w.size(), 4u);
  EXPECT_TRUE(w[0].option);
  EXPECT_FALSE(w[0].has_value);  // unknown: the next word stays a word
  EXPECT_FALSE(w[1].option);
  EXPECT_EQ(w[2].name, "-i=f");  // only --name=value is split
  EXPECT_EQ(w[3].name, "--timeout");
  EXPECT_FALSE(w[3].has_value);
}

TEST(SplitWordsTest, OptionalValueOnlyWhenAccepted) {
  const OptionalValues watch = {{"--watch", [](const std::string& s) { return s == "5"; }}};
  std::vector<Word> w = SplitWords({"--watch", "5", "--watch", "--json"}, {}, watch);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_TRUE(w[0].has_value);
  EXPECT_EQ(w[0].value, "5");
  EXPECT_FALSE(w[1].has_value);
  EXPECT_EQ(w[2].name, "--json");
}

TEST(ParseCommandLineTest, CommonOptionsFlagsAndValues) {
  CommandLine cl;
  ASSERT_TRUE(ParseCommandLine({"-i", "a.yaml", "--env=prod", "--server", "2", "--dry-run",
                                "--format=nft", "extra"},
                               {"--dry-run"}, {"--format"}, &cl)
                  .ok());
  EXPECT_EQ(cl.inventory, "a.yaml");
  EXPECT_EQ(cl.env, "prod");
  ASSERT_TRUE(cl.server.has_value());
  EXPECT_EQ(*cl.server, 2u);
  EXPECT_TRUE(cl.Has("--dry-run"));
  EXPECT_EQ(cl.Value("--format"), "nft");
  EXPECT_EQ(cl.Value("--deny", "reject"), "reject");
  EXPECT_EQ(cl.positional, Args{"extra"});
  EXPECT_FALSE(cl.help);

  ASSERT_TRUE(ParseCommandLine({"help"}, {}, {}, &cl).ok());
  EXPECT_TRUE(cl.help);
}

TEST(ParseCommandLineTest, InventoryDefaultsToTheEnvironmentThenZkopsYaml) {
  CommandLine cl;
  ::setenv("ZKOPS_INVENTORY", "/etc/zk.yaml", 1);
  ASSERT_TRUE(ParseCommandLine({}, {}, {}, &cl).ok());
  EXPECT_EQ(cl.inventory, "/etc/zk.yaml");
  ::unsetenv("ZKOPS_INVENTORY");
  ASSERT_TRUE(ParseCommandLine({}, {}, {}, &cl).ok());
  EXPECT_EQ(cl.inventory, "zkops.yaml");
}

TEST(ParseCommandLineTest, Errors) {
  CommandLine cl;
  EXPECT_EQ(ParseCommandLine({"--bogus=1"}, {}, {}, &cl).message(), "unknown option --bogus");
  EXPECT_EQ(ParseCommandLine({"--dry-run=yes"}, {"--dry-run"}, {}, &cl).message(),
            "unknown option --dry-run");
  EXPECT_EQ(ParseCommandLine({"--format"}, {}, {"--format"}, &cl).message(),
            "--format needs a value");
  EXPECT_EQ(ParseCommandLine({"-i"}, {}, {}, &cl).message(), "-i needs a value");
  EXPECT_EQ(ParseCommandLine({"--server", "x1"}, {}, {}, &cl).message(),
            "--server needs a server id (0..255), got 'x1'");
}

// The command's exit code and what it wrote on stderr.
std::pair<int, std::string> RunCaptured(int (*command)(const Args&), const Args& args) {
  ::testing::internal::CaptureStderr();
  const int rc = command(args);
  return {rc, ::testing::internal::GetCapturedStderr()};
}

std::string StatusUsage(const std::string& why) {
  return "zkops status: " + why + "\nTry `zkops status --help`.\n";
}

TEST(StatusCommandLineTest, UsageErrors) {
  const std::pair<Args, std::string> cases[] = {
      {{"--servers"}, "--servers needs host:port[:adminport],..."},
      {{"--env="}, "--env needs an environment name"},
      {{"--inventory"}, "--inventory needs an inventory file"},
      {{"--json=1"}, "--json takes no value"},
      {{"--watch=soon"}, "--watch needs seconds"},
      {{"--timeout", "0"}, "--timeout needs milliseconds (1..3600000)"},
      {{"--foo=bar"}, "unknown option --foo=bar"},
      {{"stray"}, "unknown option stray"},
      // --watch takes a number after it, and only a number.
      {{"--watch", "5", "x"}, "unknown option x"},
      {{"--watch", "--bogus"}, "unknown option --bogus"},
      {{"--servers", "h:1", "--env", "e"}, "give --servers or --env/-i, not both"},
      {{"--env", "e"}, "--env needs an inventory: -i FILE"},
      {{}, "which servers? give --servers host:port,..."},
  };
  for (const auto& [args, why] : cases) {
    auto [rc, err] = RunCaptured(RunStatusCommand, args);
    EXPECT_EQ(rc, kExitUsage) << why;
    EXPECT_EQ(err, StatusUsage(why));
  }
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(RunStatusCommand({"--help=x"}), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("Usage:"), std::string::npos);
}

TEST(ServerCommandLineTest, UsageErrors) {
  const std::pair<Args, std::string> cases[] = {
      {{}, "missing subcommand (start|start-foreground|stop|restart|status|transfer)"},
      {{"status", "--zknode="}, "--zknode needs a path"},
      {{"status", "--to", "x"}, "--to needs a server id or 'any', not 'x'"},
      {{"status", "--to"}, "--to needs a server id or 'any'"},
      {{"status", "--timeout=-1"}, "--timeout needs seconds"},
      {{"status", "--wait-serving"}, "--wait-serving needs seconds"},
      {{"status", "--bogus=1"}, "unknown option --bogus"},
      {{"status", "a.cfg", "-b.cfg"}, "more than one CONFIG given"},
      {{"status", "--timeout", "1", "a.cfg", "b.cfg"}, "more than one CONFIG given"},
      {{"launch", "--timeout=1", "a.cfg"}, "unknown subcommand 'launch'"},
  };
  for (const auto& [args, why] : cases) {
    auto [rc, err] = RunCaptured(RunServerCommand, args);
    EXPECT_EQ(rc, kExitUsage) << why;
    EXPECT_EQ(err, "zkops server: " + why + "\nTry `zkops server --help`.\n");
  }
}

TEST(InventoryCommandLineTest, UsageErrorsKeepTheirWording) {
  auto [rc, err] = RunCaptured(RunCheckCommand, {"--no-disk=1"});
  EXPECT_EQ(rc, kExitUsage);
  EXPECT_EQ(err, "zkops check: unknown option --no-disk\nTry `zkops check --help`.\n");
  std::tie(rc, err) = RunCaptured(RunDeployCommand, {"--firewall"});
  EXPECT_EQ(rc, kExitUsage);
  EXPECT_EQ(err, "zkops deploy: --firewall needs a value\nTry `zkops deploy --help`.\n");
  std::tie(rc, err) = RunCaptured(RunFirewallCommand, {"--format", "pf"});
  EXPECT_EQ(rc, kExitUsage);
  EXPECT_EQ(err, "zkops firewall: unknown --format 'pf'\nTry `zkops firewall --help`.\n");
}

}  // namespace
}  // namespace zkops

// Command-line handling as zkCli does it: a shell line split into words
// (ZooKeeperMain.MyCommandOptions.parseCommand), then each command's options parsed the way
// Apache commons-cli's DefaultParser does (options anywhere, "-se" = "-s -e", "-v3" = "-v 3",
// "--" ends options), with the same error texts.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace zkops::cli {

// Splits a line like ARGS_PATTERN `\s*([^"']\S*|"[^"]*"|'[^']*')\s*` does; a word that is
// wholly quoted ('...' or "...") loses its quotes. `create /a "x y"` → {create, /a, x y}.
std::vector<std::string> SplitCommandLine(const std::string& line);

struct OptionSpec {
  char name;
  bool has_arg;
};

struct ParsedArgs {
  std::vector<std::string> args;       // non-option words; args[0] is the command name
  std::map<char, std::string> values;  // options seen (value "" for flags)
  bool Has(char c) const { return values.count(c) != 0; }
  const std::string& Value(char c) const { return values.at(c); }
};

// Parses cmd_args (cmd_args[0] = the command). On a bad option returns false with *error set
// to the text zkCli prints, e.g.
// "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x".
bool ParseOptions(const std::vector<std::string>& cmd_args, const std::vector<OptionSpec>& specs,
                  ParsedArgs* out, std::string* error);

// Integer.parseInt / Long.parseLong: optional sign, decimal digits, in range.
bool ParseJavaInt(const std::string& s, int32_t* out);
bool ParseJavaLong(const std::string& s, int64_t* out);

}  // namespace zkops::cli

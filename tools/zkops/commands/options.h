// Command-line splitting shared by every zkops command: `--opt value` and `--opt=value` are
// one option, words not starting with '-' are positional. SplitWords only splits; each command
// walks the words in order and says in its own words what is wrong. ParseCommandLine is that
// walk for the commands that start from an inventory (check, provision, firewall, deploy).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "zk/status.h"

namespace zkops {

// One option (with its value, if any) or one positional word.
struct Word {
  std::string text;           // as typed: "--timeout=5", "-i", "zoo.cfg"
  std::string name;           // an option's name ("--timeout"); for a positional word, the word
  std::string value;          // the option's value when has_value
  bool option = false;        // starts with '-' and is not "-" (nor empty)
  bool has_value = false;     // --name=value, or a valued option followed by a word
  bool inline_value = false;  // given as --name=value
};

// Options whose value may follow as the next word, but only when accepts(next) holds:
// "--watch 5" takes 5, "--watch --json" takes nothing.
using OptionalValues = std::map<std::string, std::function<bool(const std::string&)>>;

// Splits `args` in order. Only "--name=value" is split at '=' ("-i=x" stays one unknown name).
// An option named in `valued` (or in `optional`, when it accepts the word) without an inline
// value takes the next word as its value, whatever it looks like; a valued option that ends
// the line has has_value false. Nothing is validated: unknown names come out as options too.
std::vector<Word> SplitWords(const std::vector<std::string>& args,
                             const std::vector<std::string>& valued,
                             const OptionalValues& optional = {});

// What ParseCommandLine found: the inventory options every such command takes, plus the
// command's own flags and valued options.
struct CommandLine {
  std::string inventory;           // -i/--inventory, else $ZKOPS_INVENTORY, else ./zkops.yaml
  std::string env;                 // --env; "" = the inventory's default
  std::optional<uint64_t> server;  // --server N
  std::set<std::string> flags;     // e.g. "--dry-run"
  std::map<std::string, std::string> values;  // e.g. "--format" -> "nftables"
  std::vector<std::string> positional;
  bool help = false;  // -h/--help/help seen

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string Value(const std::string& option, const std::string& fallback = "") const {
    auto it = values.find(option);
    return it == values.end() ? fallback : it->second;
  }
};

// Parses `args` with `-i/--inventory FILE`, `--env E`, `--server N` and the command's own
// `flags` and `valued` options (with their dashes). InvalidArgument with a sentence for an
// unknown option ("unknown option --x"; also a flag given a value), a missing value
// ("--format needs a value") or a --server that is no id.
zk::Status ParseCommandLine(const std::vector<std::string>& args,
                            const std::vector<std::string>& flags,
                            const std::vector<std::string>& valued, CommandLine* out);

}  // namespace zkops

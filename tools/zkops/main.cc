// zkops: the operator's tool for zknode ensembles (DESIGN §1). This file only dispatches to
// the command table in commands/registry.cc.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/command.h"

namespace {

void PrintUsage(std::FILE* to) {
  std::fprintf(to, "Usage: zkops <command> [options] [args]\n\nCommands:\n");
  for (const zkops::Command& c : zkops::Commands()) {
    std::fprintf(to, "  %-10s %s\n", c.name, c.summary);
  }
  std::fprintf(to,
               "\n`zkops <command> --help` describes a command, its options and exit codes.\n"
               "Options: --help, --version\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    PrintUsage(stderr);
    return zkops::kExitUsage;
  }
  const std::string& name = args[0];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return 0;
  }
  if (name == "--version") {
    std::printf("zkops %s\n", ZK_VERSION);
    return 0;
  }
  const zkops::Command* command = zkops::FindCommand(name);
  if (command == nullptr) {
    std::fprintf(stderr, "zkops: unknown command '%s'\n\n", name.c_str());
    PrintUsage(stderr);
    return zkops::kExitUsage;
  }
  return command->run(std::vector<std::string>(args.begin() + 1, args.end()));
}

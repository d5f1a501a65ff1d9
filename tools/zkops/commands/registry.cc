#include "commands/command.h"

namespace zkops {

const std::vector<Command>& Commands() {
  // Later commands (provision, deploy, firewall, status, cli) join this list.
  static const std::vector<Command> kCommands = {
      {"server", "start, stop, restart or query one local zknode (zkServer.sh done right)",
       &RunServerCommand},
  };
  return kCommands;
}

const Command* FindCommand(const std::string& name) {
  for (const Command& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

}  // namespace zkops

#include "commands/command.h"

namespace zkops {

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"check", "validate an inventory and the zoo.cfg it renders", &RunCheckCommand},
      {"provision", "dataDir, myid, zoo.cfg, systemd unit per server", &RunProvisionCommand},
      {"firewall", "iptables/nftables rules from an inventory: peers-only peer ports",
       &RunFirewallCommand},
      {"server", "start, stop, restart or query one local zknode (zkServer.sh done right)",
       &RunServerCommand},
      {"status", "whole-ensemble health: roles, lag, quorum verdict", &RunStatusCommand},
      {"deploy", "install the build on every server, provision, start, rolling restart",
       &RunDeployCommand},
      {"cli", "a zkCli.sh work-alike shell: same commands, output and exit codes", &RunCliCommand},
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

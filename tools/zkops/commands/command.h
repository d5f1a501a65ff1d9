// The zkops command table: `zkops <command> [args...]`. Each command is one entry in
// Commands() (registry.cc); a command with subcommands (server start|stop|...) dispatches
// them itself. An explicit table, not self-registration, because zkops_lib is a static
// library and the linker would drop unreferenced registrars.
#pragma once

#include <string>
#include <vector>

namespace zkops {

struct Command {
  const char* name;     // "server"
  const char* summary;  // one line for `zkops --help`
  // Runs the command with the arguments after its name; returns the process exit code.
  // Prints its own help for --help / -h.
  int (*run)(const std::vector<std::string>& args);
};

// Every command, in the order `zkops --help` lists them. Static storage; never null.
const std::vector<Command>& Commands();

// Looks a command up by name; nullptr if there is none.
const Command* FindCommand(const std::string& name);

// Exit code for a command line zkops cannot parse (unknown command, bad option). Shared by
// every command so scripts can tell "you called me wrong" from an operational failure.
inline constexpr int kExitUsage = 2;

// One command per file in commands/.
int RunServerCommand(const std::vector<std::string>& args);  // server.cc
int RunCheckCommand(const std::vector<std::string>& args);  // check.cc
int RunProvisionCommand(const std::vector<std::string>& args);  // provision.cc
int RunFirewallCommand(const std::vector<std::string>& args);  // firewall.cc
int RunStatusCommand(const std::vector<std::string>& args);  // status.cc
int RunCliCommand(const std::vector<std::string>& args);  // cli.cc
int RunDeployCommand(const std::vector<std::string>& args);  // deploy.cc

}  // namespace zkops

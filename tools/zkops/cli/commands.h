// zkCli's server commands (CommandFactory's table: ls, create, get, set, ...), each parsed and
// run as its `cli/*Command.java` counterpart does, printing the same text. The shell
// (shell.h) handles connect/history/redo/printwatches/quit and the "Not connected" check.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/console.h"
#include "client/zk_client.h"

namespace zkops::cli {

// A CliException: the message zkCli prints on stderr and the exit code it sets.
struct CliFailure {
  std::string message;
  int exit_code = 1;
};
using CommandResult = std::optional<CliFailure>;  // nothing: success

struct CliCommandDef {
  const char* name;     // "create"
  const char* options;  // "[-s] [-e] [-c] [-t ttl] path [data] [acl]"
  // Parses and runs; args[0] is the command name. zk is connected or connecting.
  CommandResult (*run)(client::ZkClient& zk, std::vector<std::string> args, Console& con);
};

// Every command CommandFactory knows, unordered. Static storage.
const std::vector<CliCommandDef>& CliCommands();
const CliCommandDef* FindCliCommand(const std::string& name);

// Text of `version` (VersionCommand prints "ZooKeeper CLI version: " + this).
std::string CliVersion();

}  // namespace zkops::cli

// Helpers shared by the command files (commands_read.cc, commands_write.cc): the exception
// shapes of zkCli (CliParseException, MalformedPathException, CliWrapperException) and typed
// calls on the client. Internal to cli/.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "client/zk_client.h"

namespace zkops::cli::internal {

using zk::proto::ErrorCode;
using zk::proto::OpCode;

// CliParseException(usage) / MalformedCommandException / MalformedPathException: exit 1.
inline CommandResult Fail(std::string message) { return CliFailure{std::move(message), 1}; }
// CliWrapperException around a KeeperException for `path`.
inline CommandResult Wrap(ErrorCode err, const std::optional<std::string>& path) {
  return Fail(CliErrorMessage(err, path));
}
// CliCommand.getUsageStr(): "<name> <options>" from the command table.
std::string UsageOf(const std::string& name);

// Parses options; on error *result holds the CliParseException.
inline bool Parse(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                  ParsedArgs* out, CommandResult* result) {
  std::string error;
  if (!ParseOptions(args, specs, out, &error)) {
    *result = Fail(error);
    return false;
  }
  return true;
}

// The "'get path [watch]' has been deprecated" compatibility of get/ls/stat: a third word
// turns into -w (the raw third token is replaced, then everything is parsed again).
bool RetainWatchCompatibility(std::vector<std::string>* raw, const std::vector<OptionSpec>& specs,
                              const char* old_form, const char* new_form, Console& con,
                              ParsedArgs* parsed, CommandResult* result);

// getChildren (or getChildren2 with a stat); children unsorted as the server sent them.
client::Result GetChildren(client::ZkClient& zk, const std::string& path, bool watch,
                           bool with_stat);
// The child names of a getChildren/getChildren2 result.
std::vector<std::string> Children(const client::Result& r);

// ZKUtil.visitSubTreeDFS: getData(path) first, then each level's sorted children before
// descending; calls visit(path) for each node. A vanished child is skipped. Returns the
// error of the first getData, or Ok.
ErrorCode VisitSubTreeDfs(client::ZkClient& zk, const std::string& path, bool watch,
                          const std::function<void(const std::string&)>& visit);

// One function per command (commands_read.cc, commands_write.cc).
#define ZK_CLI_COMMAND(fn) \
  CommandResult fn(client::ZkClient& zk, std::vector<std::string> args, Console& con)
ZK_CLI_COMMAND(RunLs);
ZK_CLI_COMMAND(RunGet);
ZK_CLI_COMMAND(RunStat);
ZK_CLI_COMMAND(RunGetAcl);
ZK_CLI_COMMAND(RunGetEphemerals);
ZK_CLI_COMMAND(RunGetAllChildrenNumber);
ZK_CLI_COMMAND(RunConfig);
ZK_CLI_COMMAND(RunWhoAmI);
ZK_CLI_COMMAND(RunSync);
ZK_CLI_COMMAND(RunVersion);
ZK_CLI_COMMAND(RunCreate);
ZK_CLI_COMMAND(RunSet);
ZK_CLI_COMMAND(RunDelete);
ZK_CLI_COMMAND(RunDeleteAll);
ZK_CLI_COMMAND(RunSetAcl);
ZK_CLI_COMMAND(RunAddAuth);
ZK_CLI_COMMAND(RunAddWatch);
ZK_CLI_COMMAND(RunRemoveWatches);
ZK_CLI_COMMAND(RunClose);
ZK_CLI_COMMAND(RunUnsupported);
#undef ZK_CLI_COMMAND

}  // namespace zkops::cli::internal

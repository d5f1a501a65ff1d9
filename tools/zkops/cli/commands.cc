// The command table and the helpers every command uses.
#include "cli/commands.h"

#include <algorithm>

#include "cli/command_util.h"

namespace zkops::cli {

namespace internal {

std::string UsageOf(const std::string& name) {
  const CliCommandDef* d = FindCliCommand(name);
  return d == nullptr ? name : name + " " + d->options;
}

bool RetainWatchCompatibility(std::vector<std::string>* raw, const std::vector<OptionSpec>& specs,
                              const char* old_form, const char* new_form, Console& con,
                              ParsedArgs* parsed, CommandResult* result) {
  if (parsed->args.size() <= 2) return true;
  if (raw->size() > 2) (*raw)[2] = "-w";
  con.ErrLine(std::string("'") + old_form + "' has been deprecated. Please use '" + new_form +
              "' instead.");
  return Parse(*raw, specs, parsed, result);
}

client::Result GetChildren(client::ZkClient& zk, const std::string& path, bool watch,
                           bool with_stat) {
  return zk.Call(with_stat ? OpCode::kGetChildren2 : OpCode::kGetChildren,
                 zk::proto::PathWatchRequest{zk.ServerPath(path), watch},
                 watch ? client::WatchKind::kChild : client::WatchKind::kNone, path);
}

std::vector<std::string> Children(const client::Result& r) {
  if (auto* c = std::get_if<zk::proto::GetChildrenResponse>(&r.body)) return c->children;
  if (auto* c = std::get_if<zk::proto::GetChildren2Response>(&r.body)) return c->children;
  return {};
}

namespace {
void VisitHelper(client::ZkClient& zk, const std::string& path, bool watch,
                 const std::function<void(const std::string&)>& visit) {
  client::Result r = GetChildren(zk, path, watch, false);
  if (r.err != ErrorCode::kOk) return;  // NoNode: deleted meanwhile (others: as Java, dropped)
  std::vector<std::string> children = Children(r);
  std::sort(children.begin(), children.end());
  const bool root = path == "/";
  for (const std::string& c : children) visit((root ? path : path + "/") + c);
  for (const std::string& c : children)
    VisitHelper(zk, (root ? path : path + "/") + c, watch, visit);
}
}  // namespace

ErrorCode VisitSubTreeDfs(client::ZkClient& zk, const std::string& path, bool watch,
                          const std::function<void(const std::string&)>& visit) {
  client::Result r =
      zk.Call(OpCode::kGetData, zk::proto::PathWatchRequest{zk.ServerPath(path), watch},
              watch ? client::WatchKind::kData : client::WatchKind::kNone, path);
  if (r.err != ErrorCode::kOk) return r.err;
  visit(path);
  VisitHelper(zk, path, watch, visit);
  return ErrorCode::kOk;
}

CommandResult RunUnsupported(client::ZkClient&, std::vector<std::string> args, Console&) {
  return Fail(args[0] + " is not supported by zkops cli (use zkCli.sh)");
}

}  // namespace internal

const std::vector<CliCommandDef>& CliCommands() {
  using namespace internal;  // NOLINT(build/namespaces): the Run* functions
  // Options texts are CliCommand's optionStr, printed by usage() and parse errors.
  static const std::vector<CliCommandDef> kCommands = {
      {"close", "", &RunClose},
      {"create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]", &RunCreate},
      {"delete", "[-v version] path", &RunDelete},
      {"deleteall", "path [-b batch size]", &RunDeleteAll},
      {"set", "[-s] [-v version] path data", &RunSet},
      {"get", "[-s] [-w] path", &RunGet},
      {"ls", "[-s] [-w] [-R] path", &RunLs},
      {"getAcl", "[-s] path", &RunGetAcl},
      {"setAcl", "[-s] [-v version] [-R] path acl", &RunSetAcl},
      {"stat", "[-w] path", &RunStat},
      {"sync", "path", &RunSync},
      {"setquota", "-n|-b|-N|-B val path", &RunUnsupported},
      {"listquota", "path", &RunUnsupported},
      {"delquota", "[-n|-b|-N|-B] path", &RunUnsupported},
      {"addauth", "scheme auth", &RunAddAuth},
      {"reconfig",
       "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | "
       "[-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]",
       &RunUnsupported},
      {"config", "[-c] [-w] [-s]", &RunConfig},
      {"removewatches", "path [-c|-d|-a] [-l]", &RunRemoveWatches},
      {"getEphemerals", "path", &RunGetEphemerals},
      {"getAllChildrenNumber", "path", &RunGetAllChildrenNumber},
      {"version", "", &RunVersion},
      {"addWatch",
       "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default "
       "is PERSISTENT_RECURSIVE",
       &RunAddWatch},
      {"whoami", "", &RunWhoAmI},
  };
  return kCommands;
}

const CliCommandDef* FindCliCommand(const std::string& name) {
  for (const CliCommandDef& d : CliCommands()) {
    if (name == d.name) return &d;
  }
  return nullptr;
}

std::string CliVersion() {
  return std::string("zkops ") + ZK_VERSION + " (ZooKeeper 3.8 protocol)";
}

}  // namespace zkops::cli

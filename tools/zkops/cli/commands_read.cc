// zkCli's read-only commands: ls, get, stat, getAcl, getEphemerals, getAllChildrenNumber,
// config, whoami, sync, version (LsCommand.java, GetCommand.java, ... in 3.8).
#include <algorithm>

#include "cli/command_util.h"

namespace zkops::cli::internal {

using client::Result;
using client::WatchKind;
namespace proto = zk::proto;

CommandResult RunLs(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {
      {'?', false}, {'s', false}, {'w', false}, {'R', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.Has('?'))
    con.OutLine("usage: ls [options] path\n -?   help\n -R   recurse\n -s   stat\n -w   watch");
  if (!RetainWatchCompatibility(&args, kSpecs, "ls path [watch]", "ls [-w] path", con, &p, &res)) {
    return res;
  }
  if (p.args.size() < 2) return Fail(UsageOf("ls"));
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  const bool watch = p.Has('w');
  if (p.Has('R')) {
    ErrorCode err = VisitSubTreeDfs(zk, path, watch, [&](const std::string& n) { con.OutLine(n); });
    if (err != ErrorCode::kOk) return Wrap(err, path);
    return std::nullopt;
  }
  Result r = GetChildren(zk, path, watch, p.Has('s'));
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  std::vector<std::string> children = Children(r);
  std::sort(children.begin(), children.end());
  std::string out = JavaList(children) + "\n";
  if (auto* c2 = std::get_if<proto::GetChildren2Response>(&r.body)) out += FormatStat(c2->stat);
  con.Out(out);
  return std::nullopt;
}

CommandResult RunGet(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'s', false}, {'w', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("get"));
  if (!RetainWatchCompatibility(&args, kSpecs, "get path [watch]", "get [-s] [-w] path", con, &p,
                                &res)) {
    return res;
  }
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  const bool watch = p.Has('w');
  Result r = zk.Call(OpCode::kGetData, proto::PathWatchRequest{zk.ServerPath(path), watch},
                     watch ? WatchKind::kData : WatchKind::kNone, path);
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  const auto& d = std::get<proto::GetDataResponse>(r.body);
  std::string out = (d.data_null ? std::string("null") : d.data) + "\n";
  if (p.Has('s')) out += FormatStat(d.stat);
  con.Out(out);
  return std::nullopt;
}

CommandResult RunStat(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'w', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("stat"));
  if (!RetainWatchCompatibility(&args, kSpecs, "stat path [watch]", "stat [-w] path", con, &p,
                                &res)) {
    return res;
  }
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  const bool watch = p.Has('w');
  Result r = zk.Call(OpCode::kExists, proto::PathWatchRequest{zk.ServerPath(path), watch},
                     watch ? WatchKind::kExists : WatchKind::kNone, path);
  // exists answers NoNode with a null stat; StatCommand turns that into NoNodeException.
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  con.Out(FormatStat(std::get<proto::StatResponse>(r.body).stat));
  return std::nullopt;
}

CommandResult RunGetAcl(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'s', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("getAcl"));
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(OpCode::kGetAcl, proto::PathRequest{zk.ServerPath(path)});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  const auto& a = std::get<proto::GetAclResponse>(r.body);
  std::string out;
  for (const proto::Acl& acl : a.acl) out += FormatAclEntry(acl);
  if (p.Has('s')) out += FormatStat(a.stat);
  con.Out(out);
  return std::nullopt;
}

CommandResult RunGetEphemerals(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, {}, &p, &res)) return res;
  const std::string path = p.args.size() < 2 ? "/" : p.args[1];  // zk.getEphemerals() = "/"
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(OpCode::kGetEphemerals, proto::PathRequest{zk.ServerPath(path)});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  std::vector<std::string> items = std::get<proto::StringListResponse>(r.body).items;
  for (std::string& s : items) s = zk.ClientPath(s);
  con.OutLine(JavaList(items));  // server order, as zkCli prints it
  return std::nullopt;
}

CommandResult RunGetAllChildrenNumber(client::ZkClient& zk, std::vector<std::string> args,
                                      Console& con) {
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, {}, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("getAllChildrenNumber"));
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(OpCode::kGetAllChildrenNumber, proto::PathRequest{zk.ServerPath(path)});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  con.OutLine(std::to_string(std::get<proto::CountResponse>(r.body).total));
  return std::nullopt;
}

CommandResult RunConfig(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'s', false}, {'w', false}, {'c', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  // ZooKeeperAdmin.getConfig reads /zookeeper/config without the chroot.
  const std::string kConfigNode = "/zookeeper/config";
  const bool watch = p.Has('w');
  Result r = zk.Call(OpCode::kGetData, proto::PathWatchRequest{kConfigNode, watch},
                     watch ? WatchKind::kData : WatchKind::kNone, kConfigNode);
  if (r.err != ErrorCode::kOk) return Wrap(r.err, kConfigNode);
  const auto& d = std::get<proto::GetDataResponse>(r.body);
  std::string data = d.data_null ? std::string("null") : d.data;
  std::string out = (p.Has('c') ? ClientConfigString(data) : data) + "\n";
  if (p.Has('s')) out += FormatStat(d.stat);
  con.Out(out);
  return std::nullopt;
}

CommandResult RunWhoAmI(client::ZkClient& zk, std::vector<std::string>, Console& con) {
  Result r = zk.Call(OpCode::kWhoAmI, proto::EmptyRequest{});
  if (r.err != ErrorCode::kOk) return Fail(KeeperMessage(r.err, std::nullopt));
  std::string out = "Auth scheme: User\n";
  for (const auto& ci : std::get<proto::WhoAmIResponse>(r.body).client_info) {
    out += ci.auth_scheme + ": " + ci.user + "\n";
  }
  con.Out(out);
  return std::nullopt;
}

CommandResult RunSync(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, {}, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("sync"));
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(OpCode::kSync, proto::PathRequest{zk.ServerPath(path)});
  if (r.err == ErrorCode::kOk) {
    con.OutLine("Sync is OK");
  } else {
    con.OutLine("Sync has failed. rc=" + std::to_string(static_cast<int32_t>(r.err)));
  }
  return std::nullopt;
}

CommandResult RunVersion(client::ZkClient&, std::vector<std::string> args, Console& con) {
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, {}, &p, &res)) return res;
  if (p.args.size() > 1) return Fail(UsageOf("version"));
  con.OutLine("ZooKeeper CLI version: " + CliVersion());
  return std::nullopt;
}

}  // namespace zkops::cli::internal

// zkCli's commands that change state: create, set, delete, deleteall, setAcl, addauth,
// addWatch, removewatches, close (CreateCommand.java, SetCommand.java, ... in 3.8).
#include <algorithm>
#include <deque>

#include "cli/command_util.h"

namespace zkops::cli::internal {

using client::Result;
using client::WatchKind;
namespace proto = zk::proto;

namespace {

// EphemeralType.MAX_TTL (ttl bits of a TTL node's ephemeralOwner).
constexpr int64_t kMaxTtl = 0xFFFFFFFFFFLL;

const std::vector<proto::Acl>& OpenAclUnsafe() {
  static const std::vector<proto::Acl> kAcl = {{proto::kPermAll, {"world", "anyone"}}};
  return kAcl;
}

std::vector<proto::Acl> ParseAclArg(const std::string& text, Console& con) {
  std::vector<std::string> warnings;
  std::vector<proto::Acl> acl = ParseAcl(text, &warnings);
  for (const std::string& w : warnings) con.ErrLine(w);
  return acl;
}

bool ParseVersion(const ParsedArgs& p, int32_t* version, CommandResult* res) {
  *version = -1;
  if (!p.Has('v')) return true;
  if (ParseJavaInt(p.Value('v'), version)) return true;
  // Java dies here with a NumberFormatException; a message is kinder.
  *res = Fail("-v argument must be an int value");
  return false;
}

}  // namespace

CommandResult RunCreate(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {
      {'e', false}, {'s', false}, {'c', false}, {'t', true}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("create"));
  const bool e = p.Has('e'), s = p.Has('s'), c = p.Has('c'), t = p.Has('t');
  if (c && (e || s)) {
    return Fail(
        "-c cannot be combined with -s or -e. Containers cannot be ephemeral or "
        "sequential.");
  }
  int64_t ttl = 0;
  if (t && !ParseJavaLong(p.Value('t'), &ttl)) return Fail("-t argument must be a long value");
  if (t && e) return Fail("TTLs cannot be used with Ephemeral znodes");
  if (t && c) return Fail("TTLs cannot be used with Container znodes");
  proto::CreateMode mode = proto::CreateMode::kPersistent;
  if (e && s) {
    mode = proto::CreateMode::kEphemeralSequential;
  } else if (e) {
    mode = proto::CreateMode::kEphemeral;
  } else if (s) {
    mode = t ? proto::CreateMode::kPersistentSequentialWithTtl
             : proto::CreateMode::kPersistentSequential;
  } else if (c) {
    mode = proto::CreateMode::kContainer;
  } else if (t) {
    mode = proto::CreateMode::kPersistentWithTtl;
  }
  if (t && (ttl <= 0 || ttl > kMaxTtl)) {
    return Fail("ttl must be positive and cannot be larger than: " + std::to_string(kMaxTtl));
  }
  const std::string& path = p.args[1];
  proto::CreateRequest req;
  req.path = zk.ServerPath(path);
  req.data_null = p.args.size() <= 2;
  if (!req.data_null) req.data = p.args[2];
  req.acl = p.args.size() > 3 ? ParseAclArg(p.args[3], con) : OpenAclUnsafe();
  req.flags = static_cast<int32_t>(mode);
  if (t) req.ttl = ttl;
  // ZooKeeper.create checks the path (with a sequence suffix) and the ACL before sending.
  if (auto bad = ValidatePath(path, s)) return Fail(*bad);
  if (req.acl.empty()) {
    con.ErrLine(KeeperMessage(ErrorCode::kInvalidAcl, std::nullopt));
    return Wrap(ErrorCode::kInvalidAcl, std::nullopt);
  }
  OpCode op = t ? OpCode::kCreateTtl : (c ? OpCode::kCreateContainer : OpCode::kCreate);
  Result r = zk.Call(op, std::move(req));
  if (r.err == ErrorCode::kInvalidAcl) {
    con.ErrLine(KeeperMessage(r.err, path));
  } else if (r.err == ErrorCode::kEphemeralOnLocalSession) {
    con.ErrLine("Unable to create ephemeral node on a local session");
  }
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  std::string created;
  if (auto* c1 = std::get_if<proto::CreateResponse>(&r.body)) created = c1->path;
  if (auto* c2 = std::get_if<proto::Create2Response>(&r.body)) created = c2->path;
  con.ErrLine("Created " + zk.ClientPath(created));
  return std::nullopt;
}

CommandResult RunSet(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'s', false}, {'v', true}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 3) return Fail(UsageOf("set"));
  int32_t version;
  if (!ParseVersion(p, &version, &res)) return res;
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(OpCode::kSetData,
                     proto::SetDataRequest{zk.ServerPath(path), p.args[2], version, false});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  if (p.Has('s')) con.Out(FormatStat(std::get<proto::StatResponse>(r.body).stat));
  return std::nullopt;
}

CommandResult RunDelete(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'v', true}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("delete"));
  if (p.args.size() > 2) {
    con.ErrLine(
        "'delete path [version]' has been deprecated. Please use 'delete [-v version] "
        "path' instead.");
  }
  int32_t version;
  if (!ParseVersion(p, &version, &res)) return res;
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  // ZooKeeper.delete never prepends the chroot to "/": deleting the root always fails.
  Result r = zk.Call(OpCode::kDelete,
                     proto::DeleteRequest{path == "/" ? path : zk.ServerPath(path), version});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  return std::nullopt;
}

CommandResult RunDeleteAll(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'b', true}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("deleteall"));
  int32_t batch = 1000;
  if (p.Has('b') && !ParseJavaInt(p.Value('b'), &batch)) {
    return Fail("-b argument must be an int value");
  }
  const std::string& root = p.args[1];
  if (auto bad = ValidatePath(root)) return Fail(*bad);
  // ZKUtil.listSubTreeBFS, then deleteInBatch: leaves first, `batch` deletes per multi.
  std::vector<std::string> tree = {root};
  std::deque<std::string> queue = {root};
  while (!queue.empty()) {
    std::string node = queue.front();
    queue.pop_front();
    Result r = GetChildren(zk, node, false, false);
    if (r.err != ErrorCode::kOk) return Wrap(r.err, node);
    for (const std::string& c : Children(r)) {
      std::string child = (node == "/" ? "" : node) + "/" + c;
      queue.push_back(child);
      tree.push_back(child);
    }
  }
  bool success = true;
  proto::MultiRequest multi;
  for (size_t i = tree.size(); i-- > 0;) {
    multi.ops.push_back({OpCode::kDelete, proto::DeleteRequest{zk.ServerPath(tree[i]), -1}});
    if (static_cast<int32_t>(multi.ops.size()) == batch || i == 0) {
      Result r = zk.Call(OpCode::kMulti, std::move(multi));
      multi = {};
      bool ok = r.err == ErrorCode::kOk;
      if (auto* m = std::get_if<proto::MultiResponse>(&r.body)) {
        for (const auto& op : m->results) ok = ok && op.err == ErrorCode::kOk;
      }
      if (!ok) {
        success = false;
        break;  // fail fast, as deleteInBatch does
      }
    }
  }
  if (!success) con.ErrLine("Failed to delete some node(s) in the subtree!");
  return std::nullopt;
}

CommandResult RunSetAcl(client::ZkClient& zk, std::vector<std::string> args, Console& con) {
  static const std::vector<OptionSpec> kSpecs = {{'s', false}, {'v', true}, {'R', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 3) return Fail(UsageOf("setAcl"));
  const std::string& path = p.args[1];
  std::vector<proto::Acl> acl = ParseAclArg(p.args[2], con);
  int32_t version;
  if (!ParseVersion(p, &version, &res)) return res;
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  if (acl.empty()) return Wrap(ErrorCode::kInvalidAcl, std::nullopt);
  if (p.Has('R')) {
    ErrorCode err = VisitSubTreeDfs(zk, path, false, [&](const std::string& node) {
      Result r = zk.Call(OpCode::kSetAcl, proto::SetAclRequest{zk.ServerPath(node), acl, version});
      if (r.err != ErrorCode::kOk) con.Out(KeeperMessage(r.err, node));  // no newline: zkCli
    });
    if (err != ErrorCode::kOk) return Wrap(err, path);
    return std::nullopt;
  }
  Result r = zk.Call(OpCode::kSetAcl, proto::SetAclRequest{zk.ServerPath(path), acl, version});
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  if (p.Has('s')) con.Out(FormatStat(std::get<proto::StatResponse>(r.body).stat));
  return std::nullopt;
}

CommandResult RunAddAuth(client::ZkClient& zk, std::vector<std::string> args, Console&) {
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, {}, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("addauth"));
  zk.AddAuth(p.args[1], p.args.size() >= 3 ? p.args[2] : std::string());
  return std::nullopt;
}

CommandResult RunAddWatch(client::ZkClient& zk, std::vector<std::string> args, Console&) {
  static const std::vector<OptionSpec> kSpecs = {{'m', true}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() != 2) return Fail(UsageOf("addWatch"));
  int32_t mode = proto::kAddWatchPersistentRecursive;  // AddWatchCommand's default
  if (p.Has('m')) {
    std::string m = p.Value('m');
    std::transform(m.begin(), m.end(), m.begin(), ::toupper);
    if (m == "PERSISTENT") {
      mode = proto::kAddWatchPersistent;
    } else if (m != "PERSISTENT_RECURSIVE") {
      return Fail(UsageOf("addWatch"));
    }
  }
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.Call(
      OpCode::kAddWatch, proto::AddWatchRequest{zk.ServerPath(path), mode},
      mode == proto::kAddWatchPersistent ? WatchKind::kPersistent : WatchKind::kPersistentRecursive,
      path);
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  return std::nullopt;
}

CommandResult RunRemoveWatches(client::ZkClient& zk, std::vector<std::string> args, Console&) {
  static const std::vector<OptionSpec> kSpecs = {
      {'c', false}, {'d', false}, {'a', false}, {'l', false}};
  ParsedArgs p;
  CommandResult res;
  if (!Parse(args, kSpecs, &p, &res)) return res;
  if (p.args.size() < 2) return Fail(UsageOf("removewatches"));
  int32_t type = proto::kWatcherTypeAny;
  if (p.Has('c')) {
    type = proto::kWatcherTypeChildren;
  } else if (p.Has('d')) {
    type = proto::kWatcherTypeData;
  }
  const std::string& path = p.args[1];
  if (auto bad = ValidatePath(path)) return Fail(*bad);
  Result r = zk.RemoveWatches(path, type, p.Has('l'));
  if (r.err != ErrorCode::kOk) return Wrap(r.err, path);
  return std::nullopt;
}

CommandResult RunClose(client::ZkClient& zk, std::vector<std::string>, Console&) {
  zk.Close();
  return std::nullopt;
}

}  // namespace zkops::cli::internal

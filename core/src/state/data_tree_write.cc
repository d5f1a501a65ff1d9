// DataTree::ApplyWrite: PrepRequestProcessor's checks (in its order) followed by DataTree's
// changes, for one request or a multi.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "common/check.h"
#include "state/data_tree.h"
#include "state/data_tree_impl.h"
#include "state/path.h"

namespace zk::state {
namespace {

using proto::ErrorCode;
using proto::OpCode;

bool IsValidMode(int32_t f) { return f >= 0 && f <= 6; }
bool IsTtlMode(int32_t f) { return f == 5 || f == 6; }
bool IsSequential(int32_t f) { return f == 2 || f == 3 || f == 6; }
bool IsEphemeralMode(int32_t f) { return f == 1 || f == 3; }

// DataTree.isSpecialPath: nodes no one may delete.
bool IsSpecialPath(std::string_view p) {
  return p == "/" || p == "/zookeeper" || p == "/zookeeper/quota" || p == "/zookeeper/config";
}

// PrepRequestProcessor.checkAndIncVersion.
bool VersionMatches(int32_t current, int32_t expected) {
  return expected == -1 || expected == current;
}

class TxnApplier {
 public:
  TxnApplier(DataTree::Impl* t, const TxnContext& ctx, std::vector<NodeImage>* undo,
             std::vector<Trigger>* triggers)
      : t_(*t), ctx_(ctx), undo_(undo), triggers_(triggers) {}

  // `op` is the effective type: 1 answers CreateResponse, 15/19/21 Create2Response; 19 makes a
  // container, 21 a TTL node. `ttl` is -1 unless op is 21.
  ErrorCode Create(OpCode op, const proto::CreateRequest& req, int64_t ttl,
                   proto::ResponseBody* resp) {
    const int32_t mode = req.flags;
    // validateCreateRequest: CreateMode.fromFlag, extended types, EphemeralType.validateTTL.
    if (!IsValidMode(mode)) return ErrorCode::kBadArguments;
    if (IsTtlMode(mode) && !ctx_.extended_types_enabled) return ErrorCode::kUnimplemented;
    if (IsTtlMode(mode) ? (ttl <= 0 || ttl > kMaxTtlMs) : ttl >= 0) {
      return ErrorCode::kBadArguments;
    }
    if (op == OpCode::kCreateTtl && !IsTtlMode(mode)) return ErrorCode::kBadArguments;
    // validatePathForCreate.
    const std::string& path = req.path;
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos || path.find('\0') != std::string::npos) {
      return ErrorCode::kBadArguments;
    }
    std::vector<proto::Acl> acl;
    if (ErrorCode rc = FixupAcl(req.acl, Auth(), &acl); rc != ErrorCode::kOk) return rc;
    Node* parent = t_.Find(std::string_view(path).substr(0, slash));
    if (parent == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*parent, proto::kPermCreate)) return ErrorCode::kNoAuth;
    std::string full = path;
    if (IsSequential(mode)) {
      char suffix[16];
      std::snprintf(suffix, sizeof(suffix), "%010" PRId32, parent->cversion);
      full += suffix;
    }
    if (!ValidatePath(full)) return ErrorCode::kBadArguments;
    if (t_.Find(full) != nullptr) return ErrorCode::kNodeExists;
    if (parent->kind == NodeKind::kEphemeral) return ErrorCode::kNoChildrenForEphemerals;

    Node n;
    n.path = full;
    n.data = req.data;
    n.data_null = req.data_null;
    n.czxid = n.mzxid = n.pzxid = ctx_.zxid;
    n.ctime = n.mtime = ctx_.time_ms;
    if (op == OpCode::kCreateContainer) {
      n.kind = NodeKind::kContainer;
      n.owner = kContainerOwner;
    } else if (op == OpCode::kCreateTtl) {
      n.kind = NodeKind::kTtl;
      n.owner = static_cast<int64_t>(kTtlOwnerMask | static_cast<uint64_t>(ttl));
    } else if (IsEphemeralMode(mode) && ctx_.session_id != 0) {
      // create/create2 with the container flag make a plain node: ZooKeeper's CreateTxn only
      // carries "ephemeral". A zero owner is no owner (EphemeralType.VOID).
      n.kind = NodeKind::kEphemeral;
      n.owner = ctx_.session_id;
    }
    SaveChildStat(*parent);
    Save(full);
    n.acl = t_.acls.Intern(acl);
    // DataTree.createNode: the parent's cversion counts creations; pzxid follows it.
    const int32_t cversion = WrapAdd(parent->cversion, 1);
    if (cversion > parent->cversion) {
      parent->cversion = cversion;
      parent->pzxid = ctx_.zxid;
    }
    const auto bytes = static_cast<int64_t>(n.data.size());
    Node* added = t_.Insert(std::move(n), parent);
    t_.QuotaOnCreate(full, bytes, undo_);
    triggers_->push_back({full, proto::EventType::kNodeCreated});
    triggers_->push_back({parent->path, proto::EventType::kNodeChildrenChanged});
    if (op == OpCode::kCreate) {
      *resp = proto::CreateResponse{std::move(full)};
    } else {
      proto::Create2Response r{std::move(full), {}};
      t_.FillStat(*added, &r.stat);
      *resp = std::move(r);
    }
    return ErrorCode::kOk;
  }

  ErrorCode Delete(const proto::DeleteRequest& req) {
    std::string_view parent_path;
    if (!ParentForDelete(req.path, &parent_path)) return ErrorCode::kBadArguments;
    Node* parent = t_.Find(parent_path);
    if (parent == nullptr) return ErrorCode::kNoNode;
    // ZooKeeper checks DELETE on the parent before it looks at the node itself.
    if (!Allowed(*parent, proto::kPermDelete)) return ErrorCode::kNoAuth;
    Node* n = t_.Find(req.path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!VersionMatches(n->version, req.version)) return ErrorCode::kBadVersion;
    if (n->num_children > 0) return ErrorCode::kNotEmpty;
    Remove(n, parent);
    return ErrorCode::kOk;
  }

  // The ContainerManager's delete: no ACL check, never a session's ephemeral.
  ErrorCode DeleteContainer(const proto::DeleteRequest& req) {
    std::string_view parent_path;
    if (!ParentForDelete(req.path, &parent_path)) return ErrorCode::kBadArguments;
    Node* n = t_.Find(req.path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (n->num_children > 0) return ErrorCode::kNotEmpty;
    if (n->kind == NodeKind::kEphemeral) return ErrorCode::kBadVersion;
    Node* parent = t_.Find(parent_path);
    if (parent == nullptr) return ErrorCode::kNoNode;
    Remove(n, parent);
    return ErrorCode::kOk;
  }

  ErrorCode SetData(const proto::SetDataRequest& req, proto::ResponseBody* resp) {
    if (!ValidatePath(req.path)) return ErrorCode::kBadArguments;
    Node* n = t_.Find(req.path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermWrite)) return ErrorCode::kNoAuth;
    if (!VersionMatches(n->version, req.version)) return ErrorCode::kBadVersion;
    Save(n->path);
    const int64_t diff =
        static_cast<int64_t>(req.data.size()) - static_cast<int64_t>(n->data.size());
    t_.SetData(n, req.data);
    n->data_null = req.data_null;
    n->version = WrapAdd(n->version, 1);
    n->mtime = ctx_.time_ms;
    n->mzxid = ctx_.zxid;
    t_.QuotaOnSetData(n->path, diff, undo_);
    triggers_->push_back({n->path, proto::EventType::kNodeDataChanged});
    proto::StatResponse r;
    t_.FillStat(*n, &r.stat);
    *resp = r;
    return ErrorCode::kOk;
  }

  ErrorCode SetAcl(const proto::SetAclRequest& req, proto::ResponseBody* resp) {
    if (!ValidatePath(req.path)) return ErrorCode::kBadArguments;
    std::vector<proto::Acl> acl;
    if (ErrorCode rc = FixupAcl(req.acl, Auth(), &acl); rc != ErrorCode::kOk) return rc;
    Node* n = t_.Find(req.path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermAdmin)) return ErrorCode::kNoAuth;
    if (!VersionMatches(n->aversion, req.version)) return ErrorCode::kBadVersion;
    Save(n->path);
    const uint32_t id = t_.acls.Intern(acl);
    t_.acls.Release(n->acl);
    n->acl = id;
    n->aversion = WrapAdd(n->aversion, 1);
    t_.Changed();
    proto::StatResponse r;
    t_.FillStat(*n, &r.stat);
    *resp = r;
    return ErrorCode::kOk;
  }

  // `resp` may be null (inside a multi the result has no body).
  ErrorCode Check(const proto::CheckVersionRequest& req, proto::ResponseBody* resp) {
    if (!ValidatePath(req.path)) return ErrorCode::kBadArguments;
    const Node* n = t_.Find(req.path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermRead)) return ErrorCode::kNoAuth;
    if (!VersionMatches(n->version, req.version)) return ErrorCode::kBadVersion;
    if (resp != nullptr) {
      proto::StatResponse r;
      t_.FillStat(*n, &r.stat);
      *resp = r;
    }
    return ErrorCode::kOk;
  }

 private:
  const AuthContext& Auth() const {
    static const AuthContext kNoIds;
    return ctx_.auth != nullptr ? *ctx_.auth : kNoIds;
  }
  bool Allowed(const Node& n, int32_t perm) const {
    return t_.Allowed(n, perm, ctx_.auth, ctx_.super_digest);
  }
  void Save(std::string_view path) {
    if (undo_ != nullptr) undo_->push_back(t_.Capture(path));
  }
  void SaveChildStat(const Node& parent) {
    if (undo_ != nullptr) undo_->push_back(t_.CaptureChildStat(parent));
  }
  // PrepRequestProcessor.getParentPathAndValidate.
  static bool ParentForDelete(std::string_view path, std::string_view* parent) {
    const size_t slash = path.rfind('/');
    if (slash == std::string_view::npos || path.find('\0') != std::string_view::npos ||
        IsSpecialPath(path)) {
      return false;
    }
    *parent = path.substr(0, slash);
    return true;
  }
  // DataTree.deleteNode.
  void Remove(Node* n, Node* parent) {
    std::string path = n->path;
    SaveChildStat(*parent);
    Save(path);
    parent->pzxid = std::max(parent->pzxid, ctx_.zxid);
    const auto bytes = static_cast<int64_t>(n->data.size());
    t_.Erase(n, parent);
    t_.QuotaOnDelete(path, bytes, undo_);
    triggers_->push_back({std::move(path), proto::EventType::kNodeDeleted});
    triggers_->push_back({parent->path, proto::EventType::kNodeChildrenChanged});
  }

  DataTree::Impl& t_;
  const TxnContext& ctx_;
  std::vector<NodeImage>* undo_;
  std::vector<Trigger>* triggers_;
};

// One op of a multi after MultiOperationRecord's normalisation.
struct PlannedOp {
  OpCode type = OpCode::kError;
  bool broken = false;  // TTL flags on a create record: ZooKeeper fails the whole request
};

bool Plan(const proto::MultiRequest& multi, std::vector<PlannedOp>* plan) {
  for (const proto::MultiOp& op : multi.ops) {
    PlannedOp p;
    switch (op.type) {
      case OpCode::kCreate:
      case OpCode::kCreate2:
      case OpCode::kCreateContainer:
      case OpCode::kCreateTtl: {
        const auto* cr = std::get_if<proto::CreateRequest>(&op.op);
        if (cr == nullptr) return false;
        // Op.create(): the op code follows the flags, not what the client sent.
        if (IsTtlMode(cr->flags)) {
          p.type = OpCode::kCreateTtl;
          p.broken = op.type != OpCode::kCreateTtl;
        } else {
          p.type = cr->flags == 4 ? OpCode::kCreateContainer : OpCode::kCreate;
        }
        break;
      }
      case OpCode::kDelete:
        if (!std::holds_alternative<proto::DeleteRequest>(op.op)) return false;
        p.type = op.type;
        break;
      case OpCode::kSetData:
        if (!std::holds_alternative<proto::SetDataRequest>(op.op)) return false;
        p.type = op.type;
        break;
      case OpCode::kCheck:
        if (!std::holds_alternative<proto::CheckVersionRequest>(op.op)) return false;
        p.type = op.type;
        break;
      default:
        return false;  // "Invalid type of op" / "Mixing different kind of ops"
    }
    plan->push_back(p);
  }
  return true;
}

proto::MultiResult ToMultiResult(OpCode type, proto::ResponseBody&& body) {
  proto::MultiResult r;
  r.type = type;
  if (auto* c = std::get_if<proto::CreateResponse>(&body)) {
    r.body = std::move(*c);
  } else if (auto* c2 = std::get_if<proto::Create2Response>(&body)) {
    r.body = std::move(*c2);
  } else if (auto* s = std::get_if<proto::StatResponse>(&body)) {
    r.body = *s;
  } else {
    r.body = proto::EmptyResponse{};
  }
  return r;
}

proto::MultiResult ErrorResult(ErrorCode code) {
  proto::MultiResult r;
  r.type = OpCode::kError;
  r.err = code;
  r.body = proto::ErrorResponse{static_cast<int32_t>(code)};
  return r;
}

}  // namespace

proto::ErrorCode DataTree::ApplyWrite(const proto::Request& req, const TxnContext& ctx,
                                      proto::ResponseBody* resp, std::vector<Trigger>* triggers) {
  Impl& t = *impl_;
  t.last_zxid = std::max(t.last_zxid, ctx.zxid);
  *resp = proto::EmptyResponse{};
  TxnApplier apply(&t, ctx, nullptr, triggers);
  const OpCode op = req.op();
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl: {
      const auto* r = std::get_if<proto::CreateRequest>(&req.body);
      if (r == nullptr) return ErrorCode::kMarshallingError;
      return apply.Create(op, *r, op == OpCode::kCreateTtl ? r->ttl : -1, resp);
    }
    case OpCode::kDelete:
    case OpCode::kDeleteContainer: {
      const auto* r = std::get_if<proto::DeleteRequest>(&req.body);
      if (r == nullptr) return ErrorCode::kMarshallingError;
      return op == OpCode::kDelete ? apply.Delete(*r) : apply.DeleteContainer(*r);
    }
    case OpCode::kSetData: {
      const auto* r = std::get_if<proto::SetDataRequest>(&req.body);
      if (r == nullptr) return ErrorCode::kMarshallingError;
      return apply.SetData(*r, resp);
    }
    case OpCode::kSetAcl: {
      const auto* r = std::get_if<proto::SetAclRequest>(&req.body);
      if (r == nullptr) return ErrorCode::kMarshallingError;
      return apply.SetAcl(*r, resp);
    }
    case OpCode::kCheck: {
      const auto* r = std::get_if<proto::CheckVersionRequest>(&req.body);
      if (r == nullptr) return ErrorCode::kMarshallingError;
      return apply.Check(*r, resp);
    }
    case OpCode::kMulti:
      break;
    default:
      return ErrorCode::kUnimplemented;
  }

  // ---- multi ----
  const auto* multi = std::get_if<proto::MultiRequest>(&req.body);
  std::vector<PlannedOp> plan;
  if (multi == nullptr || !Plan(*multi, &plan)) return ErrorCode::kMarshallingError;
  std::vector<NodeImage> undo;
  std::vector<Trigger> raised;
  TxnApplier in_multi(&t, ctx, &undo, &raised);
  proto::MultiResponse out;
  size_t failed_at = plan.size();
  ErrorCode failure = ErrorCode::kOk;
  bool marshalling_error = false;
  for (size_t i = 0; i < plan.size(); ++i) {
    if (plan[i].broken) {
      marshalling_error = true;
      break;
    }
    const proto::MultiOp& op = multi->ops[i];
    proto::ResponseBody body;
    ErrorCode rc;
    switch (plan[i].type) {
      case OpCode::kCreate:
      case OpCode::kCreateContainer:
      case OpCode::kCreateTtl: {
        const auto& cr = std::get<proto::CreateRequest>(op.op);
        const int64_t ttl = plan[i].type == OpCode::kCreateTtl ? cr.ttl : -1;
        rc = in_multi.Create(plan[i].type, cr, ttl, &body);
        break;
      }
      case OpCode::kDelete:
        rc = in_multi.Delete(std::get<proto::DeleteRequest>(op.op));
        break;
      case OpCode::kSetData:
        rc = in_multi.SetData(std::get<proto::SetDataRequest>(op.op), &body);
        break;
      default:  // kCheck
        rc = in_multi.Check(std::get<proto::CheckVersionRequest>(op.op), nullptr);
        break;
    }
    if (rc != ErrorCode::kOk) {
      failed_at = i;
      failure = rc;
      break;
    }
    out.results.push_back(ToMultiResult(plan[i].type, std::move(body)));
  }

  if (failed_at == plan.size() && !marshalling_error) {
    for (NodeImage& image : undo) t.Drop(&image);
    triggers->insert(triggers->end(), std::make_move_iterator(raised.begin()),
                     std::make_move_iterator(raised.end()));
    *resp = std::move(out);
    return ErrorCode::kOk;
  }
  // Roll back: newest change first.
  bool quota_touched = false;
  for (auto it = undo.rbegin(); it != undo.rend(); ++it) {
    quota_touched |= it->path.starts_with("/zookeeper/quota");
    t.Restore(&*it);
  }
  if (quota_touched) t.RebuildQuotas();
  if (marshalling_error) return ErrorCode::kMarshallingError;
  out.results.clear();
  for (size_t i = 0; i < plan.size(); ++i) {
    out.results.push_back(ErrorResult(i < failed_at    ? ErrorCode::kOk
                                      : i == failed_at ? failure
                                                       : ErrorCode::kRuntimeInconsistency));
  }
  *resp = std::move(out);
  return ErrorCode::kOk;
}

}  // namespace zk::state

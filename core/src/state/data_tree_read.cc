// DataTree::Read: FinalRequestProcessor's read handlers.
#include <algorithm>

#include "state/data_tree.h"
#include "state/data_tree_impl.h"

namespace zk::state {
namespace {

using proto::ErrorCode;
using proto::OpCode;

// Java String.trim(): strips chars <= ' ' from both ends.
std::string_view JavaTrim(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

class Reader {
 public:
  Reader(const DataTree::Impl& t, const AuthContext& auth, const std::string& super_digest)
      : t_(t), auth_(auth), super_(super_digest) {}

  ErrorCode GetData(const std::string& path, proto::GetDataResponse* out) const {
    const Node* n = t_.Find(path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermRead)) return ErrorCode::kNoAuth;
    out->data = n->data;
    out->data_null = n->data_null;
    t_.FillStat(*n, &out->stat);
    return ErrorCode::kOk;
  }

  ErrorCode GetChildren(const std::string& path, std::vector<std::string>* children,
                        proto::Stat* stat) const {
    const Node* n = t_.Find(path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermRead)) return ErrorCode::kNoAuth;
    *children = t_.Children(*n);
    if (stat != nullptr) t_.FillStat(*n, stat);
    return ErrorCode::kOk;
  }

  ErrorCode Exists(const std::string& path, proto::StatResponse* out) const {
    // No ACL check (FinalRequestProcessor: "we need to figure out the security requirement").
    if (path.find('\0') != std::string::npos) return ErrorCode::kBadArguments;
    const Node* n = t_.Find(path);
    if (n == nullptr) return ErrorCode::kNoNode;
    t_.FillStat(*n, &out->stat);
    return ErrorCode::kOk;
  }

  ErrorCode GetAcl(const std::string& path, proto::GetAclResponse* out) const {
    const Node* n = t_.Find(path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermRead | proto::kPermAdmin)) return ErrorCode::kNoAuth;
    const std::vector<proto::Acl>& acl = t_.acls.Get(n->acl);
    out->acl = Allowed(*n, proto::kPermAdmin) ? acl : MaskDigests(acl);
    t_.FillStat(*n, &out->stat);
    return ErrorCode::kOk;
  }

  ErrorCode AllChildrenNumber(const std::string& path, proto::CountResponse* out) const {
    const Node* n = t_.Find(path);
    if (n == nullptr) return ErrorCode::kNoNode;
    if (!Allowed(*n, proto::kPermRead)) return ErrorCode::kNoAuth;
    // DataTree.getAllChildrenNumber counts map keys under path + "/"; for "" that is every
    // key but "", i.e. every znode.
    if (path.empty()) {
      out->total = static_cast<int32_t>(t_.nodes.size());
      return ErrorCode::kOk;
    }
    int64_t total = 0;
    std::vector<const Node*> stack{n};
    while (!stack.empty()) {
      const Node* cur = stack.back();
      stack.pop_back();
      for (const Node* c = cur->first_child; c != nullptr; c = c->next_sibling) {
        ++total;
        if (c->first_child != nullptr) stack.push_back(c);
      }
    }
    out->total = static_cast<int32_t>(total);
    return ErrorCode::kOk;
  }

  ErrorCode Ephemerals(const std::string& prefix, int64_t session_id,
                       proto::StringListResponse* out) const {
    out->items.clear();
    auto it = t_.ephemerals.find(session_id);
    if (it == t_.ephemerals.end()) return ErrorCode::kOk;
    const std::string_view trimmed = JavaTrim(prefix);
    const bool all = trimmed.empty() || trimmed == "/";
    for (std::string_view p : it->second) {
      if (all || p.starts_with(prefix)) out->items.emplace_back(p);
    }
    return ErrorCode::kOk;
  }

 private:
  bool Allowed(const Node& n, int32_t perm) const { return t_.Allowed(n, perm, &auth_, &super_); }

  const DataTree::Impl& t_;
  const AuthContext& auth_;
  const std::string& super_;
};

template <typename Body>
const Body* BodyAs(const proto::Request& req) {
  return std::get_if<Body>(&req.body);
}

}  // namespace

proto::ErrorCode DataTree::Read(const proto::Request& req, const AuthContext& auth,
                                const std::string& super_digest, int64_t session_id,
                                proto::ResponseBody* resp) const {
  const Reader r(*impl_, auth, super_digest);
  *resp = proto::EmptyResponse{};
  const OpCode op = req.op();
  ErrorCode rc = ErrorCode::kOk;
  switch (op) {
    case OpCode::kExists: {
      const auto* b = BodyAs<proto::PathWatchRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::StatResponse out;
      if ((rc = r.Exists(b->path, &out)) == ErrorCode::kOk) *resp = out;
      return rc;
    }
    case OpCode::kGetData: {
      const auto* b = BodyAs<proto::PathWatchRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::GetDataResponse out;
      if ((rc = r.GetData(b->path, &out)) == ErrorCode::kOk) *resp = std::move(out);
      return rc;
    }
    case OpCode::kGetAcl: {
      const auto* b = BodyAs<proto::PathRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::GetAclResponse out;
      if ((rc = r.GetAcl(b->path, &out)) == ErrorCode::kOk) *resp = std::move(out);
      return rc;
    }
    case OpCode::kGetChildren: {
      const auto* b = BodyAs<proto::PathWatchRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::GetChildrenResponse out;
      if ((rc = r.GetChildren(b->path, &out.children, nullptr)) == ErrorCode::kOk) {
        *resp = std::move(out);
      }
      return rc;
    }
    case OpCode::kGetChildren2: {
      const auto* b = BodyAs<proto::PathWatchRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::GetChildren2Response out;
      if ((rc = r.GetChildren(b->path, &out.children, &out.stat)) == ErrorCode::kOk) {
        *resp = std::move(out);
      }
      return rc;
    }
    case OpCode::kGetAllChildrenNumber: {
      const auto* b = BodyAs<proto::PathRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::CountResponse out;
      if ((rc = r.AllChildrenNumber(b->path, &out)) == ErrorCode::kOk) *resp = out;
      return rc;
    }
    case OpCode::kGetEphemerals: {
      const auto* b = BodyAs<proto::PathRequest>(req);
      if (b == nullptr) return ErrorCode::kMarshallingError;
      proto::StringListResponse out;
      if ((rc = r.Ephemerals(b->path, session_id, &out)) == ErrorCode::kOk) {
        *resp = std::move(out);
      }
      return rc;
    }
    case OpCode::kMultiRead:
      break;
    default:
      return ErrorCode::kUnimplemented;
  }

  const auto* multi = BodyAs<proto::MultiRequest>(req);
  if (multi == nullptr) return ErrorCode::kMarshallingError;
  for (const proto::MultiOp& op : multi->ops) {
    if ((op.type != OpCode::kGetData && op.type != OpCode::kGetChildren) ||
        !std::holds_alternative<proto::PathWatchRequest>(op.op)) {
      return ErrorCode::kMarshallingError;
    }
  }
  proto::MultiResponse out;
  for (const proto::MultiOp& op : multi->ops) {
    const std::string& path = std::get<proto::PathWatchRequest>(op.op).path;
    proto::MultiResult result;
    if (op.type == OpCode::kGetData) {
      proto::GetDataResponse body;
      rc = r.GetData(path, &body);
      if (rc == ErrorCode::kOk) result.body = std::move(body);
    } else {
      proto::GetChildrenResponse body;
      rc = r.GetChildren(path, &body.children, nullptr);
      if (rc == ErrorCode::kOk) result.body = std::move(body);
    }
    if (rc == ErrorCode::kOk) {
      result.type = op.type;
    } else {
      result.type = OpCode::kError;
      result.err = rc;
      result.body = proto::ErrorResponse{static_cast<int32_t>(rc)};
    }
    out.results.push_back(std::move(result));
  }
  *resp = std::move(out);
  return ErrorCode::kOk;
}

}  // namespace zk::state

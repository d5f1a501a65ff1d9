// Client requests: RequestHeader + body (protocol.md §2.4). One body struct per op, chosen by
// the op code as ZooKeeper's PrepRequestProcessor/FinalRequestProcessor do.
#include <string>
#include <type_traits>
#include <variant>

#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

using internal::kMultiEndErr;
using internal::kMultiEndType;
using internal::OpLabel;

namespace {

bool ReadCreate(Reader& r, bool with_ttl, CreateRequest* c) {
  r.ReadString(&c->path);
  r.ReadBuffer(&c->data, &c->data_null);
  r.ReadAclVector(&c->acl);
  r.ReadInt(&c->flags);
  c->ttl = -1;
  if (with_ttl) r.ReadLong(&c->ttl);  // CreateTTLRequest
  return r.ok();
}

bool ReadDelete(Reader& r, DeleteRequest* d) {
  return r.ReadString(&d->path) && r.ReadInt(&d->version);
}

bool ReadPathWatch(Reader& r, PathWatchRequest* p) {
  return r.ReadString(&p->path) && r.ReadBool(&p->watch);
}

bool ReadSetData(Reader& r, SetDataRequest* s) {
  return r.ReadString(&s->path) && r.ReadBuffer(&s->data, &s->data_null) &&
         r.ReadInt(&s->version);
}

bool ReadCheck(Reader& r, CheckVersionRequest* c) {
  return r.ReadString(&c->path) && r.ReadInt(&c->version);
}

bool AllowedInMulti(OpCode t) {
  switch (t) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateTtl:
    case OpCode::kCreateContainer:
    case OpCode::kDelete:
    case OpCode::kSetData:
    case OpCode::kCheck:
      return true;
    default:
      return false;
  }
}

bool AllowedInMultiRead(OpCode t) { return t == OpCode::kGetChildren || t == OpCode::kGetData; }

// MultiOperationRecord.deserialize: MultiHeader + op record until a header with done=true.
// The op kinds may not be mixed: multi takes only writes and check, multiRead only reads.
Status ReadMulti(Reader& r, bool read_only, MultiRequest* m) {
  m->ops.clear();
  for (;;) {
    int32_t type = 0;
    bool done = false;
    int32_t err = 0;
    if (!(r.ReadInt(&type) && r.ReadBool(&done) && r.ReadInt(&err))) {
      return Status::InvalidArgument("truncated multi header");
    }
    if (done) return Status::OK();
    OpCode t = static_cast<OpCode>(type);
    if (read_only ? !AllowedInMultiRead(t) : !AllowedInMulti(t)) {
      return Status::InvalidArgument("op " + OpLabel(type) + " not allowed in " +
                                     (read_only ? "multiRead" : "multi"));
    }
    MultiOp& op = m->ops.emplace_back();
    op.type = t;
    bool ok = false;
    switch (t) {
      case OpCode::kCreate:
      case OpCode::kCreate2:
      case OpCode::kCreateContainer:
      case OpCode::kCreateTtl:
        ok = ReadCreate(r, t == OpCode::kCreateTtl, &op.op.emplace<CreateRequest>());
        break;
      case OpCode::kDelete:
        ok = ReadDelete(r, &op.op.emplace<DeleteRequest>());
        break;
      case OpCode::kSetData:
        ok = ReadSetData(r, &op.op.emplace<SetDataRequest>());
        break;
      case OpCode::kCheck:
        ok = ReadCheck(r, &op.op.emplace<CheckVersionRequest>());
        break;
      default:  // getData, getChildren (multiRead)
        ok = ReadPathWatch(r, &op.op.emplace<PathWatchRequest>());
        break;
    }
    if (!ok) return Status::InvalidArgument("malformed " + OpLabel(type) + " inside multi");
  }
}

// Decodes the body for `op`; false on a malformed body. NotSupported is decided by the caller.
bool ReadBody(Reader& r, OpCode op, RequestBody* body, Status* multi_status) {
  switch (op) {
    case OpCode::kPing:
    case OpCode::kCloseSession:
    case OpCode::kWhoAmI:
      body->emplace<EmptyRequest>();
      return true;
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
      return ReadCreate(r, op == OpCode::kCreateTtl, &body->emplace<CreateRequest>());
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
      return ReadDelete(r, &body->emplace<DeleteRequest>());
    case OpCode::kExists:
    case OpCode::kGetData:
    case OpCode::kGetChildren:
    case OpCode::kGetChildren2:
      return ReadPathWatch(r, &body->emplace<PathWatchRequest>());
    case OpCode::kSetData:
      return ReadSetData(r, &body->emplace<SetDataRequest>());
    case OpCode::kGetAcl:
    case OpCode::kSync:
    case OpCode::kGetEphemerals:
    case OpCode::kGetAllChildrenNumber:
      return r.ReadString(&body->emplace<PathRequest>().path);
    case OpCode::kSetAcl: {
      auto& s = body->emplace<SetAclRequest>();
      return r.ReadString(&s.path) && r.ReadAclVector(&s.acl) && r.ReadInt(&s.version);
    }
    case OpCode::kCheck:
      return ReadCheck(r, &body->emplace<CheckVersionRequest>());
    case OpCode::kAuth: {
      auto& a = body->emplace<AuthPacket>();
      return r.ReadInt(&a.type) && r.ReadString(&a.scheme) && r.ReadBuffer(&a.auth);
    }
    case OpCode::kSetWatches:
    case OpCode::kSetWatches2: {
      auto& s = body->emplace<SetWatchesRequest>();
      r.ReadLong(&s.relative_zxid);
      r.ReadStringVector(&s.data_watches);
      r.ReadStringVector(&s.exist_watches);
      r.ReadStringVector(&s.child_watches);
      if (op == OpCode::kSetWatches2) {
        r.ReadStringVector(&s.persistent_watches);
        r.ReadStringVector(&s.persistent_recursive_watches);
      }
      return r.ok();
    }
    case OpCode::kAddWatch: {
      auto& a = body->emplace<AddWatchRequest>();
      return r.ReadString(&a.path) && r.ReadInt(&a.mode);
    }
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches: {
      auto& w = body->emplace<WatchesRequest>();
      return r.ReadString(&w.path) && r.ReadInt(&w.type);
    }
    case OpCode::kReconfig: {
      auto& c = body->emplace<ReconfigRequest>();
      return r.ReadString(&c.joining_servers) && r.ReadString(&c.leaving_servers) &&
             r.ReadString(&c.new_members) && r.ReadLong(&c.cur_config_id);
    }
    case OpCode::kMulti:
    case OpCode::kMultiRead:
      *multi_status = ReadMulti(r, op == OpCode::kMultiRead, &body->emplace<MultiRequest>());
      return multi_status->ok();
    default:
      return false;  // not reached: DecodeRequest filters unsupported ops first
  }
}

bool Supported(OpCode op) {
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kDelete:
    case OpCode::kExists:
    case OpCode::kGetData:
    case OpCode::kSetData:
    case OpCode::kGetAcl:
    case OpCode::kSetAcl:
    case OpCode::kGetChildren:
    case OpCode::kSync:
    case OpCode::kPing:
    case OpCode::kGetChildren2:
    case OpCode::kCheck:
    case OpCode::kMulti:
    case OpCode::kCreate2:
    case OpCode::kReconfig:
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches:
    case OpCode::kCreateContainer:
    case OpCode::kDeleteContainer:
    case OpCode::kCreateTtl:
    case OpCode::kMultiRead:
    case OpCode::kAuth:
    case OpCode::kSetWatches:
    case OpCode::kGetEphemerals:
    case OpCode::kGetAllChildrenNumber:
    case OpCode::kSetWatches2:
    case OpCode::kAddWatch:
    case OpCode::kWhoAmI:
    case OpCode::kCloseSession:
      return true;
    default:  // notification, sasl (102), createSession (server-internal), error, unknown
      return false;
  }
}

// One writer per request body; multi ops reuse them. `op` picks the variant a record has
// on the wire (createTTL's ttl, setWatches2's persistent lists).
template <typename W>
void WriteBody(W&, OpCode, const EmptyRequest&) {}
template <typename W>
void WriteBody(W& w, OpCode op, const CreateRequest& c) {
  w.WriteString(c.path);
  w.WriteBuffer(c.data, c.data_null);
  w.WriteAclVector(c.acl);
  w.WriteInt(c.flags);
  if (op == OpCode::kCreateTtl) w.WriteLong(c.ttl);
}
template <typename W>
void WriteBody(W& w, OpCode, const DeleteRequest& d) {
  w.WriteString(d.path);
  w.WriteInt(d.version);
}
template <typename W>
void WriteBody(W& w, OpCode, const PathWatchRequest& p) {
  w.WriteString(p.path);
  w.WriteBool(p.watch);
}
template <typename W>
void WriteBody(W& w, OpCode, const SetDataRequest& s) {
  w.WriteString(s.path);
  w.WriteBuffer(s.data, s.data_null);
  w.WriteInt(s.version);
}
template <typename W>
void WriteBody(W& w, OpCode, const PathRequest& p) {
  w.WriteString(p.path);
}
template <typename W>
void WriteBody(W& w, OpCode, const SetAclRequest& s) {
  w.WriteString(s.path);
  w.WriteAclVector(s.acl);
  w.WriteInt(s.version);
}
template <typename W>
void WriteBody(W& w, OpCode, const CheckVersionRequest& c) {
  w.WriteString(c.path);
  w.WriteInt(c.version);
}
template <typename W>
void WriteBody(W& w, OpCode, const AuthPacket& a) {
  w.WriteInt(a.type);
  w.WriteString(a.scheme);
  w.WriteBuffer(a.auth);
}
template <typename W>
void WriteBody(W& w, OpCode op, const SetWatchesRequest& s) {
  w.WriteLong(s.relative_zxid);
  w.WriteStringVector(s.data_watches);
  w.WriteStringVector(s.exist_watches);
  w.WriteStringVector(s.child_watches);
  if (op == OpCode::kSetWatches2) {
    w.WriteStringVector(s.persistent_watches);
    w.WriteStringVector(s.persistent_recursive_watches);
  }
}
template <typename W>
void WriteBody(W& w, OpCode, const AddWatchRequest& a) {
  w.WriteString(a.path);
  w.WriteInt(a.mode);
}
template <typename W>
void WriteBody(W& w, OpCode, const WatchesRequest& x) {
  w.WriteString(x.path);
  w.WriteInt(x.type);
}
template <typename W>
void WriteBody(W& w, OpCode, const ReconfigRequest& c) {
  w.WriteString(c.joining_servers);
  w.WriteString(c.leaving_servers);
  w.WriteString(c.new_members);
  w.WriteLong(c.cur_config_id);
}
template <typename W>
void WriteBody(W& w, OpCode, const MultiRequest& m) {
  for (const MultiOp& o : m.ops) {
    // MultiOperationRecord.serialize writes err = -1 in every request header.
    w.WriteInt(static_cast<int32_t>(o.type));
    w.WriteBool(false);
    w.WriteInt(-1);
    std::visit([&](const auto& body) { WriteBody(w, o.type, body); }, o.op);
  }
  w.WriteInt(kMultiEndType);
  w.WriteBool(true);
  w.WriteInt(kMultiEndErr);
}

template <typename W>
void WriteRequest(W& w, const Request& req) {
  w.WriteInt(req.header.xid);
  w.WriteInt(req.header.type);
  std::visit([&](const auto& body) { WriteBody(w, req.op(), body); }, req.body);
}

}  // namespace

Status DecodeRequest(std::string_view payload, Request* out, int32_t max_len) {
  Reader r(payload, max_len);
  if (!(r.ReadInt(&out->header.xid) && r.ReadInt(&out->header.type))) {
    return Status::InvalidArgument("truncated request header (" + std::to_string(payload.size()) +
                                   " bytes)");
  }
  const OpCode op = out->op();
  if (!Supported(op)) {
    return Status::NotSupported("unsupported op " + OpLabel(out->header.type));
  }
  Status multi_status;
  if (!ReadBody(r, op, &out->body, &multi_status)) {
    if (!multi_status.ok()) return multi_status;
    return Status::InvalidArgument("malformed " + OpLabel(out->header.type) + " body");
  }
  // Trailing bytes are ignored: ZooKeeper deserialises the record from the packet's buffer
  // and never checks that the buffer was used up.
  return Status::OK();
}

std::string EncodeRequest(const Request& req) {
  return internal::EncodeSizedFrame([&](auto& w) { WriteRequest(w, req); });
}

}  // namespace zk::proto

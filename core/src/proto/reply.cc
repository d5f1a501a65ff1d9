// Server replies: ReplyHeader + body (protocol.md §2.1, §2.6), and watch notifications.
// FinalRequestProcessor picks the body record per op; ServerCnxn.sendResponse writes it only
// when err == 0, while a multi always carries its per-op results.
#include <string>
#include <variant>

#include "proto/codec.h"
#include "proto/wire_util.h"

namespace zk::proto {

using internal::kMultiEndErr;
using internal::kMultiEndType;
using internal::OpLabel;
using internal::Overloaded;

namespace {

// One body record each; multi results reuse them (a multi entry's body is the same record
// its op would answer alone).
template <typename W>
void WriteBody(W&, const EmptyResponse&) {}  // delete, check, setWatches, ...
template <typename W>
void WriteBody(W& w, const CreateResponse& c) {
  w.WriteString(c.path);
}
template <typename W>
void WriteBody(W& w, const Create2Response& c) {
  w.WriteString(c.path);
  w.WriteStat(c.stat);
}
template <typename W>
void WriteBody(W& w, const StatResponse& s) {
  w.WriteStat(s.stat);
}
template <typename W>
void WriteBody(W& w, const GetDataResponse& g) {
  w.WriteBuffer(g.data, g.data_null);
  w.WriteStat(g.stat);
}
template <typename W>
void WriteBody(W& w, const GetAclResponse& g) {
  w.WriteAclVector(g.acl);
  w.WriteStat(g.stat);
}
template <typename W>
void WriteBody(W& w, const GetChildrenResponse& g) {
  w.WriteStringVector(g.children);
}
template <typename W>
void WriteBody(W& w, const GetChildren2Response& g) {
  w.WriteStringVector(g.children);
  w.WriteStat(g.stat);
}
template <typename W>
void WriteBody(W& w, const PathResponse& p) {
  w.WriteString(p.path);
}
template <typename W>
void WriteBody(W& w, const CountResponse& c) {
  w.WriteInt(c.total);
}
template <typename W>
void WriteBody(W& w, const StringListResponse& s) {
  w.WriteStringVector(s.items);
}
template <typename W>
void WriteBody(W& w, const WhoAmIResponse& who) {
  w.WriteInt(static_cast<int32_t>(who.client_info.size()));
  for (const ClientInfo& ci : who.client_info) {
    w.WriteString(ci.auth_scheme);
    w.WriteString(ci.user);
  }
}
template <typename W>
void WriteBody(W& w, const ErrorResponse& e) {
  w.WriteInt(e.err);
}

template <typename W>
void WriteMultiResult(W& w, const MultiResult& res) {
  const bool is_error = res.type == OpCode::kError;
  // MultiResponse.serialize: header err is the op's error for error entries, else 0.
  w.WriteInt(static_cast<int32_t>(res.type));
  w.WriteBool(false);
  w.WriteInt(is_error ? static_cast<int32_t>(res.err) : 0);
  if (is_error) {
    w.WriteInt(static_cast<int32_t>(res.err));  // ErrorResponse{err}
    return;
  }
  std::visit([&](const auto& b) { WriteBody(w, b); }, res.body);
}

template <typename W>
void WriteResponseBody(W& w, const ResponseBody& body) {
  std::visit(Overloaded{
                 [&](const MultiResponse& m) {
                   for (const MultiResult& res : m.results) WriteMultiResult(w, res);
                   w.WriteInt(kMultiEndType);
                   w.WriteBool(true);
                   w.WriteInt(kMultiEndErr);
                 },
                 [&](const auto& b) { WriteBody(w, b); },
             },
             body);
}

template <typename W>
void WriteReply(W& w, const ReplyHeader& h, const ResponseBody& body) {
  w.WriteInt(h.xid);
  w.WriteLong(h.zxid);
  w.WriteInt(h.err);
  if (h.err == 0 || std::holds_alternative<MultiResponse>(body)) WriteResponseBody(w, body);
}

template <typename W>
void WriteNotification(W& w, const WatcherEvent& e) {
  w.WriteInt(kNotificationXid);
  w.WriteLong(-1);  // zxid
  w.WriteInt(0);    // err
  w.WriteInt(static_cast<int32_t>(e.type));
  w.WriteInt(static_cast<int32_t>(e.state));
  w.WriteString(e.path);
}

bool ReadGetData(Reader& r, GetDataResponse* g) {
  return r.ReadBuffer(&g->data, &g->data_null) && r.ReadStat(&g->stat);
}

bool ReadCreate2(Reader& r, Create2Response* c) {
  return r.ReadString(&c->path) && r.ReadStat(&c->stat);
}

// MultiResponse.deserialize: results until the done header. Error entries carry their code
// in the ErrorResponse body; kazoo and the Java client read it from there.
Status ReadMultiResponse(Reader& r, MultiResponse* m) {
  m->results.clear();
  for (;;) {
    int32_t type = 0;
    bool done = false;
    int32_t err = 0;
    if (!(r.ReadInt(&type) && r.ReadBool(&done) && r.ReadInt(&err))) {
      return Status::InvalidArgument("truncated multi response header");
    }
    if (done) return Status::OK();
    MultiResult& res = m->results.emplace_back();
    res.type = static_cast<OpCode>(type);
    res.err = static_cast<ErrorCode>(err);
    bool ok = true;
    switch (res.type) {
      case OpCode::kCreate:
        ok = r.ReadString(&res.body.emplace<CreateResponse>().path);
        break;
      case OpCode::kCreate2:
      case OpCode::kCreateTtl:
      case OpCode::kCreateContainer:
        ok = ReadCreate2(r, &res.body.emplace<Create2Response>());
        break;
      case OpCode::kDelete:
      case OpCode::kCheck:
        res.body.emplace<EmptyResponse>();
        break;
      case OpCode::kSetData:
        ok = r.ReadStat(&res.body.emplace<StatResponse>().stat);
        break;
      case OpCode::kGetData:
        ok = ReadGetData(r, &res.body.emplace<GetDataResponse>());
        break;
      case OpCode::kGetChildren:
        ok = r.ReadStringVector(&res.body.emplace<GetChildrenResponse>().children);
        break;
      case OpCode::kError: {
        auto& e = res.body.emplace<ErrorResponse>();
        ok = r.ReadInt(&e.err);
        res.err = static_cast<ErrorCode>(e.err);
        break;
      }
      default:
        return Status::InvalidArgument("unexpected result type " + OpLabel(type) +
                                       " in multi response");
    }
    if (!ok) return Status::InvalidArgument("malformed " + OpLabel(type) + " multi result");
  }
}

}  // namespace

std::string EncodeReply(const ReplyHeader& h, const ResponseBody& body) {
  return internal::EncodeSizedFrame([&](auto& w) { WriteReply(w, h, body); });
}

Status DecodeReply(std::string_view payload, OpCode op, ReplyHeader* h, ResponseBody* body) {
  Reader r(payload);
  if (!(r.ReadInt(&h->xid) && r.ReadLong(&h->zxid) && r.ReadInt(&h->err))) {
    return Status::InvalidArgument("truncated reply header (" + std::to_string(payload.size()) +
                                   " bytes)");
  }
  const bool multi = op == OpCode::kMulti || op == OpCode::kMultiRead;
  if (h->err != 0 && (!multi || r.remaining() == 0)) {
    // A failed multi whose response record was never built (e.g. marshalling error) has no
    // body at all; ClientCnxn skips the body whenever err != 0.
    if (multi) {
      body->emplace<MultiResponse>();
    } else {
      body->emplace<EmptyResponse>();
    }
    return Status::OK();
  }
  bool ok = true;
  switch (op) {
    case OpCode::kCreate:
      ok = r.ReadString(&body->emplace<CreateResponse>().path);
      break;
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
      ok = ReadCreate2(r, &body->emplace<Create2Response>());
      break;
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
    case OpCode::kPing:
    case OpCode::kCloseSession:
    case OpCode::kAuth:
    case OpCode::kSetWatches:
    case OpCode::kSetWatches2:
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches:
      body->emplace<EmptyResponse>();
      break;
    case OpCode::kExists:
    case OpCode::kSetData:
    case OpCode::kSetAcl:
    case OpCode::kCheck:  // FinalRequestProcessor answers a lone check with SetDataResponse
      ok = r.ReadStat(&body->emplace<StatResponse>().stat);
      break;
    case OpCode::kGetData:
    case OpCode::kReconfig:
      ok = ReadGetData(r, &body->emplace<GetDataResponse>());
      break;
    case OpCode::kGetAcl: {
      auto& g = body->emplace<GetAclResponse>();
      ok = r.ReadAclVector(&g.acl) && r.ReadStat(&g.stat);
      break;
    }
    case OpCode::kGetChildren:
      ok = r.ReadStringVector(&body->emplace<GetChildrenResponse>().children);
      break;
    case OpCode::kGetChildren2: {
      auto& g = body->emplace<GetChildren2Response>();
      ok = r.ReadStringVector(&g.children) && r.ReadStat(&g.stat);
      break;
    }
    case OpCode::kSync:
      ok = r.ReadString(&body->emplace<PathResponse>().path);
      break;
    case OpCode::kGetAllChildrenNumber:
      ok = r.ReadInt(&body->emplace<CountResponse>().total);
      break;
    case OpCode::kGetEphemerals:
      ok = r.ReadStringVector(&body->emplace<StringListResponse>().items);
      break;
    case OpCode::kWhoAmI: {
      auto& who = body->emplace<WhoAmIResponse>();
      int32_t count = 0;
      ok = r.ReadInt(&count);
      // Each ClientInfo takes at least 8 bytes: bound the count before reserving.
      if (ok && count != -1 && (count < 0 || static_cast<size_t>(count) > r.remaining() / 8)) {
        ok = r.Fail();
      }
      if (ok && count > 0) {
        who.client_info.reserve(static_cast<size_t>(count));
        for (int32_t i = 0; ok && i < count; ++i) {
          ClientInfo& ci = who.client_info.emplace_back();
          ok = r.ReadString(&ci.auth_scheme) && r.ReadString(&ci.user);
        }
      }
      break;
    }
    case OpCode::kAddWatch:
      ok = r.ReadInt(&body->emplace<ErrorResponse>().err);
      break;
    case OpCode::kMulti:
    case OpCode::kMultiRead:
      return ReadMultiResponse(r, &body->emplace<MultiResponse>());
    default:
      return Status::NotSupported("no reply body known for op " +
                                  OpLabel(static_cast<int32_t>(op)));
  }
  if (!ok) {
    return Status::InvalidArgument("malformed " + OpLabel(static_cast<int32_t>(op)) + " reply");
  }
  return Status::OK();
}

std::string EncodeWatcherEvent(const WatcherEvent& e) {
  return internal::EncodeSizedFrame([&](auto& w) { WriteNotification(w, e); });
}

Status DecodeWatcherEvent(std::string_view payload, WatcherEvent* out) {
  Reader r(payload);
  ReplyHeader h;
  int32_t type = 0;
  int32_t state = 0;
  if (!(r.ReadInt(&h.xid) && r.ReadLong(&h.zxid) && r.ReadInt(&h.err) && r.ReadInt(&type) &&
        r.ReadInt(&state) && r.ReadString(&out->path))) {
    return Status::InvalidArgument("truncated notification");
  }
  if (h.xid != kNotificationXid) {
    return Status::InvalidArgument("notification with xid " + std::to_string(h.xid));
  }
  out->type = static_cast<EventType>(type);
  out->state = static_cast<KeeperState>(state);
  return Status::OK();
}

}  // namespace zk::proto

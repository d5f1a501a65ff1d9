// ZkServer: the request pipeline. Reads run on the local replica once every earlier request
// of the same session has been answered (FIFO per session, DESIGN §3); writes and sync go
// through the election plugin's log and are answered when applied (server_apply.cc).
#include "common/log.h"
#include "server/server.h"
#include "server/server_internal.h"
#include "server/txn.h"
#include "state/set_watches.h"

namespace zk::server {

using proto::ErrorCode;
using proto::OpCode;

void ZkServer::HandleRequest(Connection& c, Inbound& in) {
  if (!c.handshaken && !c.awaiting_session) {
    CloseConnection(c, "request before handshake");
    return;
  }
  const proto::Request& req = in.request;
  if (c.session_id) TouchSession(c.session_id);

  if (in.unsupported) {
    Pending p;
    p.xid = req.header.xid;
    p.op = req.op();
    p.received_ms = in.received_ms;
    // ZooKeeper 3.8 answers an op it does not know with Unimplemented and zxid -1, and a body
    // it cannot read with MarshallingError; either way the connection stays open.
    ErrorCode err = in.malformed ? ErrorCode::kMarshallingError : ErrorCode::kUnimplemented;
    p.reply = proto::EncodeReply({req.header.xid, in.malformed ? last_zxid_ : -1, int32_t(err)},
                                 proto::EmptyResponse{});
    p.state = Pending::State::kReady;
    c.pending.push_back(std::move(p));
    DrainPending(c);
    return;
  }
  switch (req.op()) {
    case OpCode::kPing:
      // Pings skip the queue: the Java client does not match xid -2 against its pending list.
      SendReply(c, {proto::kPingXid, last_zxid_, 0}, proto::EmptyResponse{}, "PING",
                in.received_ms);
      return;
    case OpCode::kAuth:
      HandleAuth(c, req);
      return;
    case OpCode::kSasl:
    case OpCode::kReconfig: {
      // reconfig is disabled, as in ZooKeeper 3.8 without reconfigEnabled=true.
      Pending p;
      p.xid = req.header.xid;
      p.op = req.op();
      p.received_ms = in.received_ms;
      ErrorCode err = req.op() == OpCode::kReconfig ? ErrorCode::kReconfigDisabled
                                                    : ErrorCode::kUnimplemented;
      p.reply = proto::EncodeReply({req.header.xid, last_zxid_, int32_t(err)},
                                   proto::EmptyResponse{});
      c.pending.push_back(std::move(p));
      DrainPending(c);
      return;
    }
    default:
      break;
  }
  if (IsWriteOp(req.op())) {
    if (req.op() == OpCode::kCloseSession) {
      Pending p;
      p.state = Pending::State::kWaitingWrite;
      p.xid = req.header.xid;
      p.op = req.op();
      p.received_ms = in.received_ms;
      c.pending.push_back(std::move(p));
      if (closing_.count(c.session_id)) return;
      closing_[c.session_id] = true;
      Propose(EncodeTxn(NewTxn(TxnKind::kCloseSession, c.session_id)), c.session_id);
      return;
    }
    ProposeRequest(c, req, std::move(in.payload));
    Pending p;
    p.state = Pending::State::kWaitingWrite;
    p.xid = req.header.xid;
    p.op = req.op();
    p.received_ms = in.received_ms;
    c.pending.push_back(std::move(p));
    return;
  }
  if (c.pending.empty()) {
    ExecuteRead(c, req, in.received_ms);
    return;
  }
  Pending p;
  p.state = Pending::State::kDeferredRead;
  p.xid = req.header.xid;
  p.op = req.op();
  p.received_ms = in.received_ms;
  p.request = req;
  c.pending.push_back(std::move(p));
}

void ZkServer::HandleAuth(Connection& c, const proto::Request& req) {
  const auto& auth = std::get<proto::AuthPacket>(req.body);
  if (auth.scheme == "digest") {
    proto::Id id{"digest", state::DigestId(auth.auth)};
    if (std::find(c.auth.begin(), c.auth.end(), id) == c.auth.end()) c.auth.push_back(id);
    SendReply(c, {proto::kAuthXid, 0, 0}, proto::EmptyResponse{}, "AUTH", 0);
    return;
  }
  // An unknown scheme fails the authentication and ends the connection, as ZooKeeper does.
  spdlog::warn("No authentication provider for scheme: {} has {}", auth.scheme, c.peer);
  SendReply(c, {proto::kAuthXid, 0, int32_t(ErrorCode::kAuthFailed)}, proto::EmptyResponse{},
            "AUTH", 0);
  CloseConnection(c, nullptr);
}

void ZkServer::ProposeRequest(Connection& c, const proto::Request& req, std::string payload) {
  Txn t = NewTxn(TxnKind::kRequest, c.session_id);
  t.cxid = req.header.xid;
  t.auth = c.auth;
  t.auth.insert(t.auth.begin(), proto::Id{"ip", c.ip});
  t.payload = std::move(payload);
  Propose(EncodeTxn(t), c.session_id);
}

void ZkServer::Propose(const std::string& txn, int64_t session_id) {
  stats_.last_proposal_size = static_cast<int64_t>(txn.size());
  if (stats_.min_proposal_size < 0 || stats_.last_proposal_size < stats_.min_proposal_size) {
    stats_.min_proposal_size = stats_.last_proposal_size;
  }
  stats_.max_proposal_size = std::max(stats_.max_proposal_size, stats_.last_proposal_size);
  election_->Propose(txn, [this, session_id](Status s) {
    if (s.ok() || session_id == 0) return;
    // Not in the log (no leader, leadership lost): the request will never be answered, so
    // the client must learn it now, as a lost connection, and retry (it may go elsewhere).
    // A close or expiry that failed is proposed again later.
    spdlog::warn("Proposal for session 0x{:x} failed: {}", session_id, s.ToString());
    closing_.erase(session_id);
    if (Connection* c = FindSessionConnection(session_id)) {
      CloseConnection(*c, "its write was not accepted (no leader)");
    }
  });
}

void ZkServer::DrainPending(Connection& c) {
  while (!c.pending.empty()) {
    Pending& p = c.pending.front();
    if (p.state == Pending::State::kWaitingWrite) return;
    if (p.state == Pending::State::kDeferredRead) {
      Pending taken = std::move(p);
      c.pending.pop_front();
      ExecuteRead(c, taken.request, taken.received_ms);
      continue;
    }
    ++stats_.packets_sent;
    ++c.sent;
    transport_->Send(c.id, std::move(p.reply));
    c.pending.pop_front();
  }
}

void ZkServer::RegisterWatch(Connection& c, const proto::Request& req, ErrorCode err) {
  const auto* w = std::get_if<proto::PathWatchRequest>(&req.body);
  if (!w || !w->watch) return;
  switch (req.op()) {
    case OpCode::kExists:
      // An exists watch is set whether or not the node exists (DataTree.statNode).
      if (err == ErrorCode::kOk || err == ErrorCode::kNoNode) watches_.AddDataWatch(w->path, c.id);
      break;
    case OpCode::kGetData:
      if (err == ErrorCode::kOk) watches_.AddDataWatch(w->path, c.id);
      break;
    case OpCode::kGetChildren:
    case OpCode::kGetChildren2:
      if (err == ErrorCode::kOk) watches_.AddChildWatch(w->path, c.id);
      break;
    default:
      break;
  }
}

void ZkServer::ExecuteRead(Connection& c, const proto::Request& req, int64_t received_ms) {
  proto::ResponseBody body = proto::EmptyResponse{};
  ErrorCode err = ErrorCode::kOk;
  const char* name = proto::OpName(req.op());
  switch (req.op()) {
    case OpCode::kSetWatches:
    case OpCode::kSetWatches2:
      // Answered with the request's own xid: -8 from the C client, an ordinary xid from
      // the Java client (both expect it in order).
      HandleSetWatches(c, req);
      SendReply(c, {req.header.xid, last_zxid_, 0}, body, "setWatches", received_ms);
      return;
    case OpCode::kAddWatch: {
      const auto& r = std::get<proto::AddWatchRequest>(req.body);
      if (r.mode != proto::kAddWatchPersistent && r.mode != proto::kAddWatchPersistentRecursive) {
        err = ErrorCode::kBadArguments;
      } else {
        watches_.AddPersistentWatch(r.path, c.id, r.mode == proto::kAddWatchPersistentRecursive);
        body = proto::ErrorResponse{0};
      }
      break;
    }
    case OpCode::kCheckWatches:
    case OpCode::kRemoveWatches: {
      const auto& r = std::get<proto::WatchesRequest>(req.body);
      bool remove = req.op() == OpCode::kRemoveWatches;
      if (!watches_.RemoveWatches(r.path, r.type, c.id, remove)) err = ErrorCode::kNoWatcher;
      break;
    }
    case OpCode::kWhoAmI: {
      proto::WhoAmIResponse who;
      for (const auto& id : AuthOf(c).ids) {
        std::string user = id.id;
        if (id.scheme == "digest") user = user.substr(0, user.find(':'));
        who.client_info.push_back({id.scheme, user});
      }
      body = std::move(who);
      break;
    }
    default:
      err = tree_.Read(req, AuthOf(c), options_.super_digest, c.session_id, &body);
      RegisterWatch(c, req, err);
      break;
  }
  SendReply(c, {req.header.xid, last_zxid_, int32_t(err)}, body, name, received_ms);
}

void ZkServer::HandleSetWatches(Connection& c, const proto::Request& req) {
  // On reconnect the client re-registers its watches relative to the last zxid it saw; a
  // change it missed fires at once (protocol.md §2.4 "SetWatches semantics").
  std::vector<std::pair<state::WatcherId, proto::WatcherEvent>> events;
  state::ApplySetWatches(tree_, std::get<proto::SetWatchesRequest>(req.body), c.id, &watches_,
                         &events);
  for (auto& [w, e] : events) SendRaw(c, proto::EncodeWatcherEvent(e));
}

}  // namespace zk::server

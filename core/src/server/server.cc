// ZkServer: connections, framing and the handshake. Requests: server_requests.cc.
// Replicated state machine: server_apply.cc. Four-letter words: four_letter.cc.
#include "server/server.h"

#include <algorithm>

#include "common/log.h"
#include "proto/jute.h"
#include "server/server_internal.h"
#include "server/txn.h"

namespace zk::server {

using proto::ErrorCode;
using proto::OpCode;

bool IsWriteOp(OpCode op) {
  switch (op) {
    case OpCode::kCreate:
    case OpCode::kCreate2:
    case OpCode::kCreateContainer:
    case OpCode::kCreateTtl:
    case OpCode::kDelete:
    case OpCode::kDeleteContainer:
    case OpCode::kSetData:
    case OpCode::kSetAcl:
    case OpCode::kMulti:
    case OpCode::kCheck:
    case OpCode::kSync:
    case OpCode::kCloseSession:
      return true;
    default:
      return false;
  }
}

ZkServer::ZkServer(ServerOptions options, Host* loop, Transport* transport,
                   Election* election)
    : options_(std::move(options)),
      loop_(loop),
      transport_(transport),
      election_(election),
      expiry_(options_.cfg.tick_time) {
  stats_.start_ms = loop_->NowMs();
}

ZkServer::~ZkServer() {
  if (snapshot_reader_.joinable()) snapshot_reader_.join();
}

Status ZkServer::Listen() {
  Endpoint ep{options_.cfg.client_port_address, options_.cfg.client_port};
  return transport_->Listen(ep, this, &client_port_);
}

void ZkServer::StartTimers() {
  // Each timer re-arms itself through StartTimers: session expiry every half tick (as the
  // leader checks quorum), container/TTL cleanup every container_check_interval_ms.
  int64_t period = std::max<int64_t>(options_.cfg.tick_time / 2, 10);
  if (!expiry_timer_) {
    expiry_timer_ = loop_->StartTimer(period, [this] {
      expiry_timer_ = 0;
      ReportTouches();
      CheckSessionExpiry();
      if (!shut_down_) StartTimers();
    });
  }
  if (!container_timer_) {
    container_timer_ = loop_->StartTimer(options_.container_check_interval_ms, [this] {
      container_timer_ = 0;
      CheckContainers();
      if (!shut_down_) StartTimers();
    });
  }
}

void ZkServer::Shutdown() {
  shut_down_ = true;
  if (expiry_timer_) loop_->CancelTimer(expiry_timer_);
  if (container_timer_) loop_->CancelTimer(container_timer_);
  if (looking_timer_) loop_->CancelTimer(looking_timer_);
  expiry_timer_ = container_timer_ = looking_timer_ = 0;
  std::vector<ConnId> ids;
  for (auto& [id, c] : conns_) ids.push_back(id);
  for (ConnId id : ids) transport_->Close(id);
}

// ---- Transport thread -------------------------------------------------------------------

void ZkServer::OnOpen(ConnId id, const std::string& peer) {
  {
    std::lock_guard<std::mutex> lock(wire_mu_);
    wire_[id] = std::make_shared<WireState>(options_.cfg.jute_max_buffer);
  }
  Inbound in;
  in.kind = Inbound::Kind::kOpen;
  in.text = peer;
  std::vector<Inbound> items;
  items.push_back(std::move(in));
  loop_->Post([this, id, items = std::move(items)]() mutable {
    HandleInbound(id, std::move(items));
  });
}

void ZkServer::OnData(ConnId id, const uint8_t* data, size_t len) {
  std::shared_ptr<WireState> ws;
  {
    std::lock_guard<std::mutex> lock(wire_mu_);
    auto it = wire_.find(id);
    if (it == wire_.end()) return;
    ws = it->second;
  }
  if (ws->done) return;
  std::vector<Inbound> items;
  int64_t now = loop_->NowMs();
  if (!ws->decoder.Feed(data, len)) {
    Inbound bad;
    bad.kind = Inbound::Kind::kBad;
    bad.text = ws->decoder.error();
    // A four-letter word arrives where the first length would be (protocol.md §2.1).
    std::string word;
    if (!ws->handshaken && ws->decoder.PeekFirstWord(&word)) {
      bad.kind = Inbound::Kind::kFourLetter;
      bad.text = word;
    }
    ws->done = true;
    items.push_back(std::move(bad));
  } else {
    std::string word;
    if (!ws->handshaken && ws->decoder.PeekFirstWord(&word) &&
        word.find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos) {
      ws->done = true;
      Inbound in;
      in.kind = Inbound::Kind::kFourLetter;
      in.text = word;
      items.push_back(std::move(in));
    }
    std::string frame;
    while (!ws->done && ws->decoder.Next(&frame)) {
      Inbound in;
      in.received_ms = now;
      if (!ws->handshaken) {
        Status s = proto::DecodeConnectRequest(frame, &in.connect);
        if (!s.ok()) {
          in.kind = Inbound::Kind::kBad;
          in.text = "bad connect request: " + s.ToString();
          ws->done = true;
        } else {
          in.kind = Inbound::Kind::kConnect;
          ws->handshaken = true;
        }
      } else {
        Status s = proto::DecodeRequest(frame, &in.request, options_.cfg.jute_max_buffer);
        if (s.code() == Status::Code::kNotSupported) {
          in.unsupported = true;
        } else if (!s.ok() && frame.size() >= 8) {
          in.unsupported = true;  // the header was read: answer in order, keep the connection
          in.malformed = true;
        } else if (!s.ok()) {
          in.kind = Inbound::Kind::kBad;
          in.text = "malformed request: " + s.ToString();
          ws->done = true;
        }
        if (in.kind == Inbound::Kind::kRequest && !in.unsupported &&
            IsWriteOp(in.request.op()) && in.request.op() != OpCode::kCloseSession) {
          in.payload = std::move(frame);
          frame = std::string();
        }
      }
      items.push_back(std::move(in));
    }
  }
  if (items.empty()) return;
  if (ws->done) {
    // Read no further: for a four-letter word the client (nc, zkServer.sh) half-closes right
    // after the word, and seeing that EOF must not close the connection before the answer.
    transport_->SetReading(id, false);
  }
  loop_->Post([this, id, items = std::move(items)]() mutable {
    HandleInbound(id, std::move(items));
  });
}

void ZkServer::OnClosed(ConnId id, const std::string& error) {
  {
    std::lock_guard<std::mutex> lock(wire_mu_);
    wire_.erase(id);
  }
  loop_->Post([this, id] {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    Connection& c = *it->second;
    if (c.session_id) {
      auto sc = session_conn_.find(c.session_id);
      if (sc != session_conn_.end() && sc->second == id) session_conn_.erase(sc);
    }
    watches_.RemoveWatcher(id);
    if (--conns_per_ip_[c.ip] <= 0) conns_per_ip_.erase(c.ip);
    conns_.erase(it);
  });
}

// ---- Core loop ----------------------------------------------------------------------------

ZkServer::Connection* ZkServer::FindConnection(ConnId id) {
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second.get();
}

ZkServer::Connection* ZkServer::FindSessionConnection(int64_t session_id) {
  auto it = session_conn_.find(session_id);
  return it == session_conn_.end() ? nullptr : FindConnection(it->second);
}

void ZkServer::HandleInbound(ConnId id, std::vector<Inbound> items) {
  for (Inbound& in : items) {
    if (in.kind == Inbound::Kind::kOpen) {
      auto c = std::make_unique<Connection>();
      c->id = id;
      c->peer = in.text;
      c->ip = in.text.substr(0, in.text.rfind(':'));
      if (!c->ip.empty() && c->ip.front() == '[') c->ip = c->ip.substr(1, c->ip.size() - 2);
      c->established_wall_ms = loop_->WallMs();
      int count = ++conns_per_ip_[c->ip];
      Connection& ref = *c;
      conns_[id] = std::move(c);
      int max = options_.cfg.max_client_cnxns;
      if (max > 0 && count > max) {
        spdlog::warn("Too many connections from /{} - max is {}", ref.ip, max);
        CloseConnection(ref, "too many connections");
      }
      continue;
    }
    Connection* c = FindConnection(id);
    if (!c || c->closing) return;
    switch (in.kind) {
      case Inbound::Kind::kFourLetter: {
        ++stats_.packets_received;
        SendRaw(*c, FourLetterWord(in.text));
        CloseConnection(*c, nullptr);
        return;
      }
      case Inbound::Kind::kBad:
        spdlog::warn("Closing connection from {}: {}", c->peer, in.text);
        CloseConnection(*c, nullptr);
        return;
      case Inbound::Kind::kConnect:
        ++stats_.packets_received;
        ++c->recved;
        HandleConnect(*c, in.connect);
        break;
      case Inbound::Kind::kRequest:
        ++stats_.packets_received;
        ++c->recved;
        HandleRequest(*c, in);
        break;
      default:
        break;
    }
  }
}

void ZkServer::HandleConnect(Connection& c, const proto::ConnectRequest& req) {
  c.read_only_flag = req.read_only.has_value();
  if (!serving()) {
    spdlog::info("Refusing session request from {}: not serving (no quorum)", c.peer);
    CloseConnection(c, nullptr);
    return;
  }
  if (req.last_zxid_seen > last_zxid_) {
    // ZooKeeperServer.processConnectRequest: a client that saw a newer zxid must go elsewhere.
    spdlog::info(
        "Refusing session request for client {} as it has seen zxid 0x{:x} our last zxid is "
        "0x{:x} client must try another server",
        c.peer, req.last_zxid_seen, last_zxid_);
    CloseConnection(c, nullptr);
    return;
  }
  const auto& cfg = options_.cfg;
  int32_t timeout = std::clamp(req.timeout_ms, cfg.min_session_timeout, cfg.max_session_timeout);
  c.timeout_ms = timeout;
  if (req.session_id == 0) {
    Txn t = NewTxn(TxnKind::kCreateSession, NextSessionId());
    t.timeout_ms = timeout;
    t.passwd.resize(16);
    for (size_t i = 0; i < 16; i += 8) {
      uint64_t r = loop_->Random();
      for (size_t j = 0; j < 8; ++j) t.passwd[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
    }
    c.session_id = t.session_id;
    c.awaiting_session = true;
    session_conn_[t.session_id] = c.id;
    Propose(EncodeTxn(t), t.session_id);
    return;
  }
  const Session* s = sessions_.Find(req.session_id);
  if (s && s->passwd != req.passwd) {
    // ZooKeeper closes the session's current connection before it refuses the newcomer; the
    // owner reconnects and keeps its session (ZooKeeperServer.reopenSession).
    if (Connection* owner = FindSessionConnection(req.session_id); owner && owner != &c) {
      CloseConnection(*owner, "re-attach attempted with a wrong password");
    }
  }
  if (!s || s->passwd != req.passwd || closing_.count(req.session_id)) {
    // Unknown, expired or wrong password: timeOut 0, session 0, 16 zero bytes, then close.
    proto::ConnectResponse resp;
    resp.passwd.assign(16, '\0');
    if (c.read_only_flag) resp.read_only = false;
    spdlog::info("Invalid session 0x{:x} for client {}, probably expired", req.session_id,
                 c.peer);
    SendRaw(c, proto::EncodeConnectResponse(resp));
    CloseConnection(c, nullptr);
    return;
  }
  // Re-attach: the session moves to this connection; an older connection is closed.
  if (Connection* old = FindSessionConnection(req.session_id); old && old != &c) {
    CloseConnection(*old, "session moved to another connection");
  }
  c.session_id = req.session_id;
  c.timeout_ms = s->timeout_ms;
  c.handshaken = true;
  session_conn_[c.session_id] = c.id;
  TouchSession(c.session_id);
  if (s->owner != static_cast<int64_t>(options_.cfg.my_id) && options_.cfg.distributed()) {
    // The session moves here: from this entry on, writes another server proposes for it
    // fail (SessionMoved), so its old connection there cannot write after this one.
    Propose(EncodeTxn(NewTxn(TxnKind::kSetOwner, c.session_id)), 0);
  }
  proto::ConnectResponse resp;
  resp.timeout_ms = s->timeout_ms;
  resp.session_id = s->id;
  resp.passwd = s->passwd;
  if (c.read_only_flag) resp.read_only = false;
  SendRaw(c, proto::EncodeConnectResponse(resp));
}

Txn ZkServer::NewTxn(TxnKind kind, int64_t session_id) const {
  Txn t;
  t.kind = kind;
  t.time_ms = loop_->WallMs();
  t.session_id = session_id;
  t.origin = static_cast<int64_t>(options_.cfg.my_id);
  return t;
}

int64_t ZkServer::NextSessionId() {
  if (next_session_id_ == 0) {
    next_session_id_ = InitialSessionId(options_.cfg.my_id, loop_->WallMs());
  }
  int64_t id = next_session_id_++;
  while (sessions_.Find(id)) id = next_session_id_++;
  return id;
}

void ZkServer::SendRaw(Connection& c, std::string frame) {
  ++stats_.packets_sent;
  ++c.sent;
  transport_->Send(c.id, std::move(frame));
}

void ZkServer::SendReply(Connection& c, const proto::ReplyHeader& h,
                         const proto::ResponseBody& body, const std::string& op_name,
                         int64_t received_ms) {
  int64_t now = loop_->NowMs();
  int64_t latency = received_ms ? now - received_ms : 0;
  stats_.latency.Add(latency);
  c.latency.Add(latency);
  c.last_latency = latency;
  c.last_op = op_name;
  c.last_cxid = h.xid;
  c.last_zxid = h.zxid;
  c.last_response_wall_ms = loop_->WallMs();
  SendRaw(c, proto::EncodeReply(h, body));
}

void ZkServer::CloseConnection(Connection& c, const char* why) {
  if (c.closing) return;
  if (why) spdlog::info("Closing connection {} (session 0x{:x}): {}", c.peer, c.session_id, why);
  c.closing = true;
  transport_->Close(c.id);
}

state::AuthContext ZkServer::AuthOf(const Connection& c) const {
  state::AuthContext a;
  a.ids.push_back(proto::Id{"ip", c.ip});
  a.ids.insert(a.ids.end(), c.auth.begin(), c.auth.end());
  return a;
}

void ZkServer::OnRoleChange(Role role, uint64_t leader_id) {
  Role old = role_;
  role_ = role;
  leader_id_ = leader_id;
  spdlog::info("Role {} (leader {})", RoleName(role), leader_id);
  if (role == Role::kLooking && old != Role::kLooking && !looking_timer_) {
    // No leader: stop serving (DESIGN §3), as ZooKeeper does while LOOKING. New sessions
    // are refused at once; existing connections get a grace of one tick first, so a
    // momentary candidate (a leader slow under load, a leadership handoff) costs clients
    // nothing. Their writes that fail meanwhile close their connection (Propose).
    looking_timer_ = loop_->StartTimer(options_.cfg.tick_time, [this] {
      looking_timer_ = 0;
      if (serving()) return;
      std::vector<Connection*> all;
      for (auto& [id, c] : conns_) all.push_back(c.get());
      for (Connection* c : all) CloseConnection(*c, "server is not serving (no quorum)");
    });
  }
  if (leads()) RearmSessions();
  else expiry_.Clear();
}

void ZkServer::TouchSession(int64_t session_id) {
  if (leads()) {
    const Session* s = sessions_.Find(session_id);
    if (s) expiry_.Touch(session_id, s->timeout_ms, loop_->NowMs());
  } else if (touched_.empty() || touched_.back() != session_id) {
    touched_.push_back(session_id);
  }
}

void ZkServer::ReportTouches() {
  if (touched_.empty() || leads()) {
    touched_.clear();
    return;
  }
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  proto::Writer w;
  w.WriteInt(static_cast<int32_t>(touched_.size()));
  for (int64_t id : touched_) w.WriteLong(id);
  touched_.clear();
  election_->SendToLeader(w.Take());
}

void ZkServer::OnFollowerMessage(uint64_t from_id, const std::string& payload) {
  // A follower's batch of touched sessions (ReportTouches).
  proto::Reader r(payload, 0x7fffffff);
  int32_t n = 0;
  if (!r.ReadInt(&n) || n < 0 || static_cast<size_t>(n) * 8 > r.remaining()) return;
  for (int32_t i = 0; i < n; ++i) {
    int64_t id = 0;
    if (!r.ReadLong(&id)) return;
    TouchSession(id);
  }
}

void ZkServer::RearmSessions() {
  int64_t now = loop_->NowMs();
  for (const auto& [id, s] : sessions_.all()) expiry_.Touch(id, s.timeout_ms, now);
}

}  // namespace zk::server

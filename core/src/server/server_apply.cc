// ZkServer as the replicated state machine (DESIGN §3): every server applies the same log
// entries in the same order to its DataTree and session table; the server holding the
// client's connection answers.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <memory>

#include "common/log.h"
#include "proto/jute.h"
#include "server/server.h"
#include "server/server_internal.h"
#include "server/txn.h"

namespace zk::server {

using proto::ErrorCode;
using proto::OpCode;

namespace {
// Snapshot format of ZkServer. Version 1: magic, version, last zxid, zxid term and counter,
// session table, DataTree bytes.
constexpr char kSnapshotMagic[] = "ZKNS";
constexpr int32_t kSnapshotVersion = 1;
}  // namespace

void ZkServer::Apply(uint64_t index, uint64_t term, const std::string& data) {
  // zxid = epoch << 32 | counter, epoch = raft term, counter = position within the term.
  if (term != zxid_term_) {
    zxid_term_ = term;
    zxid_counter_ = 0;
  }
  ++zxid_counter_;
  int64_t zxid = static_cast<int64_t>((term << 32) | zxid_counter_);
  Txn t;
  Status s = DecodeTxn(data, &t);
  if (!s.ok()) {
    // Every replica refuses the same entry, so the trees stay identical.
    spdlog::error("Skipping log entry {}: {}", index, s.ToString());
    last_zxid_ = zxid;
    return;
  }
  switch (t.kind) {
    case TxnKind::kCreateSession: ApplyCreateSession(t, zxid); break;
    case TxnKind::kCloseSession: ApplyCloseSession(t, zxid); break;
    case TxnKind::kRequest: ApplyRequest(t, zxid); break;
    case TxnKind::kDeleteExpired: ApplyDeleteExpired(t, zxid); break;
    case TxnKind::kSetOwner: ApplySetOwner(t); break;
  }
  last_zxid_ = zxid;
}

void ZkServer::ApplyCreateSession(const Txn& t, int64_t zxid) {
  sessions_.Add(Session{t.session_id, t.timeout_ms, t.passwd, t.origin});
  last_zxid_ = zxid;
  if (leads()) expiry_.Touch(t.session_id, t.timeout_ms, loop_->NowMs());
  Connection* c = FindSessionConnection(t.session_id);
  if (!c || !c->awaiting_session) return;
  c->awaiting_session = false;
  c->handshaken = true;
  proto::ConnectResponse resp;
  resp.timeout_ms = t.timeout_ms;
  resp.session_id = t.session_id;
  resp.passwd = t.passwd;
  if (c->read_only_flag) resp.read_only = false;
  SendRaw(*c, proto::EncodeConnectResponse(resp));
  spdlog::info("Established session 0x{:x} with negotiated timeout {} for client {}",
               t.session_id, t.timeout_ms, c->peer);
  DrainPending(*c);
}

void ZkServer::ApplySetOwner(const Txn& t) { sessions_.SetOwner(t.session_id, t.origin); }

void ZkServer::ApplyCloseSession(const Txn& t, int64_t zxid) {
  std::vector<state::Trigger> triggers;
  tree_.KillSession(t.session_id, zxid, t.time_ms, &triggers);
  sessions_.Remove(t.session_id);
  expiry_.Remove(t.session_id);
  closing_.erase(t.session_id);
  last_zxid_ = zxid;
  DeliverTriggers(triggers);
  Connection* c = FindSessionConnection(t.session_id);
  if (!c) return;
  if (t.expired) {
    CloseConnection(*c, "session expired");
    return;
  }
  for (Pending& p : c->pending) {
    if (p.state == Pending::State::kWaitingWrite && p.op == OpCode::kCloseSession) {
      p.state = Pending::State::kReady;
      p.reply = proto::EncodeReply({p.xid, zxid, 0}, proto::EmptyResponse{});
      c->latency.Add(loop_->NowMs() - p.received_ms);
      stats_.latency.Add(loop_->NowMs() - p.received_ms);
      break;
    }
  }
  DrainPending(*c);
  session_conn_.erase(t.session_id);
  CloseConnection(*c, nullptr);
}

void ZkServer::ApplyRequest(const Txn& t, int64_t zxid) {
  if (const Session* session = sessions_.Find(t.session_id);
      session && session->owner >= 0 && t.origin >= 0 && t.origin != session->owner) {
    // Proposed through a connection the session has left (ZooKeeper: SessionMovedException,
    // and FinalRequestProcessor closes that connection). No replica applies it.
    last_zxid_ = zxid;
    if (t.origin == static_cast<int64_t>(options_.cfg.my_id)) {
      if (Connection* c = FindSessionConnection(t.session_id)) {
        const std::string why = "its session moved to server." + std::to_string(session->owner);
        CloseConnection(*c, why.c_str());
      }
    }
    return;
  }
  proto::Request req;
  proto::ResponseBody body = proto::EmptyResponse{};
  ErrorCode err = ErrorCode::kOk;
  std::vector<state::Trigger> triggers;
  Status s = proto::DecodeRequest(t.payload, &req, 0x7fffffff);
  if (!s.ok()) {
    err = ErrorCode::kMarshallingError;
  } else if (!sessions_.Find(t.session_id)) {
    err = ErrorCode::kSessionExpired;
  } else if (req.op() == OpCode::kSync) {
    body = proto::PathResponse{std::get<proto::PathRequest>(req.body).path};
  } else {
    state::AuthContext auth;
    auth.ids = t.auth;
    state::TxnContext ctx;
    ctx.zxid = zxid;
    ctx.time_ms = t.time_ms;
    ctx.session_id = t.session_id;
    ctx.auth = &auth;
    ctx.super_digest = &options_.super_digest;
    ctx.extended_types_enabled = options_.cfg.extended_types_enabled;
    err = tree_.ApplyWrite(req, ctx, &body, &triggers);
  }
  last_zxid_ = zxid;
  DeliverTriggers(triggers);

  Connection* c = FindSessionConnection(t.session_id);
  if (!c) return;
  auto match = std::find_if(c->pending.begin(), c->pending.end(), [&](const Pending& p) {
    return p.state == Pending::State::kWaitingWrite && p.xid == t.cxid;
  });
  if (match != c->pending.end() &&
      std::any_of(c->pending.begin(), match, [](const Pending& p) {
        return p.state == Pending::State::kWaitingWrite && p.op != OpCode::kCloseSession;
      })) {
    // An earlier write of this connection never reached the log (lost with a leader) while
    // this one did: the client must not see this answer without that one, so it sees the
    // connection lost, as ZooKeeper's clients do when their server fails mid-request.
    CloseConnection(*c, "an earlier write was lost in a leader change");
    return;
  }
  for (Pending& p : c->pending) {
    if (p.state != Pending::State::kWaitingWrite || p.xid != t.cxid) continue;
    int64_t latency = loop_->NowMs() - p.received_ms;
    stats_.latency.Add(latency);
    c->latency.Add(latency);
    c->last_latency = latency;
    c->last_op = proto::OpName(p.op);
    c->last_cxid = p.xid;
    c->last_zxid = zxid;
    c->last_response_wall_ms = loop_->WallMs();
    p.reply = proto::EncodeReply({t.cxid, zxid, int32_t(err)}, body);
    p.state = Pending::State::kReady;
    break;
  }
  DrainPending(*c);
}

void ZkServer::ApplyDeleteExpired(const Txn& t, int64_t zxid) {
  std::vector<state::Trigger> triggers;
  state::AuthContext auth;
  state::TxnContext ctx;
  ctx.zxid = zxid;
  ctx.time_ms = t.time_ms;
  ctx.session_id = 0;
  ctx.auth = &auth;
  ctx.super_digest = &options_.super_digest;
  ctx.extended_types_enabled = true;
  for (const auto& path : t.paths) {
    proto::Request req;
    req.header.type = int32_t(OpCode::kDeleteContainer);
    req.body = proto::DeleteRequest{path, -1};
    proto::ResponseBody body;
    tree_.ApplyWrite(req, ctx, &body, &triggers);
  }
  last_zxid_ = zxid;
  DeliverTriggers(triggers);
}

void ZkServer::DeliverTriggers(const std::vector<state::Trigger>& triggers) {
  if (triggers.empty()) return;
  std::vector<std::pair<state::WatcherId, proto::WatcherEvent>> events;
  for (const auto& t : triggers) watches_.Trigger(t, &events);
  for (auto& [watcher, event] : events) {
    Connection* c = FindConnection(watcher);
    if (!c || c->closing) continue;
    SendRaw(*c, proto::EncodeWatcherEvent(event));
  }
}

void ZkServer::CheckSessionExpiry() {
  if (!leads()) return;
  for (int64_t id : expiry_.TakeExpired(loop_->NowMs())) {
    const Session* s = sessions_.Find(id);
    if (!s || closing_.count(id)) continue;
    spdlog::info("Expiring session 0x{:x}, timeout of {}ms exceeded", id, s->timeout_ms);
    closing_[id] = true;
    Txn t = NewTxn(TxnKind::kCloseSession, id);
    t.expired = true;
    Propose(EncodeTxn(t), id);
  }
}

void ZkServer::CheckContainers() {
  if (!leads()) return;
  std::vector<std::string> paths = tree_.CollectExpired(loop_->WallMs());
  if (paths.empty()) return;
  Txn t = NewTxn(TxnKind::kDeleteExpired, 0);
  t.paths = std::move(paths);
  Propose(EncodeTxn(t), 0);
}

std::string ZkServer::TakeSnapshot() {
  proto::Writer w;
  std::string out(kSnapshotMagic, 4);
  w.WriteInt(kSnapshotVersion);
  w.WriteLong(last_zxid_);
  w.WriteLong(static_cast<int64_t>(zxid_term_));
  w.WriteInt(static_cast<int32_t>(zxid_counter_));
  out += w.data();
  sessions_.Serialize(&out);
  out += tree_.Serialize();
  return out;
}

void ZkServer::TakeSnapshotAsync(std::function<void(std::string)> done) {
  auto bytes = std::make_shared<std::string>();
  StreamSnapshotAsync(
      [bytes](const char* data, size_t size) {
        bytes->append(data, size);
        return Status::OK();
      },
      [bytes, done = std::move(done)](Status s) { done(s.ok() ? std::move(*bytes) : ""); });
}

void ZkServer::StreamSnapshotAsync(SnapshotWrite write, std::function<void(Status)> done) {
  if (snapshot_reader_.joinable()) snapshot_reader_.join();
  int fds[2];
  pid_t pid = -1;
  if (pipe2(fds, O_CLOEXEC) == 0) {
    pid = fork();
    if (pid < 0) {
      close(fds[0]);
      close(fds[1]);
    }
  }
  if (pid < 0) {
    spdlog::warn("Cannot fork to take a snapshot ({}); serializing on the core loop",
                 std::strerror(errno));
    std::string bytes = TakeSnapshot();
    done(write(bytes.data(), bytes.size()));
    return;
  }
  if (pid == 0) {
    // The child: only serialize and write; no logging, no locks of the parent's threads.
    close(fds[0]);
    std::string bytes = TakeSnapshot();
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fds[1], bytes.data() + off, bytes.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) _exit(1);
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  // The parent holds one chunk at a time: the bytes go on to `write` (the storage's file) as
  // they arrive, never a whole copy of the tree.
  snapshot_reader_ = std::thread([fd = fds[0], pid, loop = loop_, write = std::move(write),
                                  done = std::move(done)] {
    constexpr size_t kChunk = 1 << 20;
    std::unique_ptr<char[]> buf(new char[kChunk]);
    Status s;
    for (;;) {
      ssize_t n = read(fd, buf.get(), kChunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        s = Status::IoError(std::string("reading the snapshot from its child: ") +
                            std::strerror(errno));
        break;
      }
      if (n == 0) break;
      s = write(buf.get(), static_cast<size_t>(n));
      if (!s.ok()) break;
    }
    if (!s.ok()) kill(pid, SIGKILL);
    close(fd);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (s.ok() && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
      s = Status::IoError("the snapshot child failed (wait status " + std::to_string(status) + ")");
    }
    loop->Post([done, s]() { done(s); });
  });
}

Status ZkServer::Restore(uint64_t index, uint64_t term, const std::string& data) {
  if (data.size() < 4 || data.compare(0, 4, kSnapshotMagic, 4) != 0) {
    return Status::Corruption("snapshot at index " + std::to_string(index) + ": bad magic");
  }
  proto::Reader r(std::string_view(data).substr(4), 0x7fffffff);
  int32_t version = 0, counter = 0;
  int64_t zxid = 0, zterm = 0;
  if (!r.ReadInt(&version) || version != kSnapshotVersion || !r.ReadLong(&zxid) ||
      !r.ReadLong(&zterm) || !r.ReadInt(&counter)) {
    return Status::Corruption("snapshot at index " + std::to_string(index) + ": bad header");
  }
  size_t offset = 4 + r.position();
  size_t consumed = 0;
  Status s = sessions_.Deserialize(std::string_view(data).substr(offset), &consumed);
  if (!s.ok()) return s;
  offset += consumed;
  s = tree_.Deserialize(std::string_view(data).substr(offset));
  if (!s.ok()) return s;
  last_zxid_ = zxid;
  zxid_term_ = static_cast<uint64_t>(zterm);
  zxid_counter_ = static_cast<uint32_t>(counter);
  closing_.clear();
  if (leads()) RearmSessions();
  return Status::OK();
}

}  // namespace zk::server

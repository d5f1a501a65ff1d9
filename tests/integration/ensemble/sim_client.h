// A ZooKeeper client for simulated ensembles: it speaks the wire protocol (proto/codec.h) over
// its own inproc transport and SimHost, so its traffic runs on the simulation's fake clock
// like the servers'. It is deliberately dumb: no automatic reconnect, no pings unless the
// test starts them (a test makes a client silent by not pinging it), no watch bookkeeping
// beyond what the test asks to send with SetWatches. Replies and watch events are recorded
// for assertions.
//
// Threads: everything (the calls below and the transport callbacks) runs on the test thread,
// which also steps the simulation.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../raft/ensemble.h"
#include "proto/codec.h"
#include "proto/jute.h"
#include "proto/records.h"
#include "zk/transport.h"

namespace zk::ensemble_test {

using raft_test::Plugins;
using raft_test::Sim;
using raft_test::SimHost;

class SimClient final : public ConnectionHandler {
 public:
  struct Reply {
    proto::OpCode op = proto::OpCode::kError;
    bool done = false;
    proto::ReplyHeader header;
    proto::ResponseBody body;
    proto::ErrorCode err() const { return static_cast<proto::ErrorCode>(header.err); }
  };

  // The simulation keeps a pointer to the client's host: REQUIRES the simulation is not
  // stepped after the client is destroyed (ZkEnsemble owns its clients for that reason).
  SimClient(Sim* sim, const std::string& name, uint64_t seed)
      : host_(std::make_unique<SimHost>(sim, "client." + name, seed)) {
    sim->AddHost(host_.get());
    Status s;
    transport_ = Plugins::Get().transport()->Create(
        PluginConfig({{"name", "client-" + name + "-" + std::to_string(seed)}}), host_.get(),
        &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (transport_) {
      EXPECT_TRUE(transport_->Start().ok());
    }
  }
  ~SimClient() override {
    if (transport_) transport_->Stop();
    host_->dead = true;
  }
  SimClient(const SimClient&) = delete;
  SimClient& operator=(const SimClient&) = delete;

  // Opens a new connection to the server listening on `port` and sends a ConnectRequest:
  // a new session (session 0), or a re-attach with the id and password this client holds
  // (Reattach). A connection still open is closed first, as a client moving servers does.
  void Connect(uint16_t port, int32_t timeout_ms) {
    session_id_ = 0;
    passwd_.assign(16, '\0');
    OpenAndHandshake(port, timeout_ms);
  }
  void Reattach(uint16_t port) { OpenAndHandshake(port, timeout_ms_); }
  // Takes over another handle's session (the next Reattach presents it), as a ZooKeeper
  // handle built with an existing sessionId/sessionPasswd does.
  void AdoptSession(int64_t session_id, const std::string& passwd, int32_t timeout_ms) {
    session_id_ = session_id;
    passwd_ = passwd;
    timeout_ms_ = timeout_ms;
  }
  // Forgets the last zxid seen, as a new client handle starts (ZooKeeper refuses a client
  // that has seen a newer zxid than the server has; a new handle is how it gets past that).
  void ForgetZxid() { last_zxid_ = 0; }
  // Drops the connection without closing the session (a client that loses its server).
  void Disconnect() {
    if (conn_ != 0 && connection_open_) transport_->Close(conn_);
  }

  // Requests; each returns its xid (look the answer up with reply(xid)).
  int32_t Create(const std::string& path, const std::string& data, bool ephemeral) {
    return Send(proto::OpCode::kCreate,
                OpenCreate(path, data,
                           ephemeral ? proto::CreateMode::kEphemeral
                                     : proto::CreateMode::kPersistent));
  }
  int32_t GetData(const std::string& path, bool watch) {
    return Send(proto::OpCode::kGetData, proto::PathWatchRequest{path, watch});
  }
  int32_t Exists(const std::string& path, bool watch) {
    return Send(proto::OpCode::kExists, proto::PathWatchRequest{path, watch});
  }
  int32_t SetData(const std::string& path, const std::string& data, int32_t version = -1) {
    proto::SetDataRequest r;
    r.path = path;
    r.data = data;
    r.version = version;
    return Send(proto::OpCode::kSetData, std::move(r));
  }
  // create2 (the reply carries the Stat) with any CreateMode, open ACL.
  int32_t Create2(const std::string& path, const std::string& data, proto::CreateMode mode) {
    return Send(proto::OpCode::kCreate2, OpenCreate(path, data, mode));
  }
  int32_t Delete(const std::string& path, int32_t version) {
    return Send(proto::OpCode::kDelete, proto::DeleteRequest{path, version});
  }
  int32_t Sync(const std::string& path) {
    return Send(proto::OpCode::kSync, proto::PathRequest{path});
  }
  int32_t Multi(std::vector<proto::MultiOp> ops) {
    return Send(proto::OpCode::kMulti, proto::MultiRequest{std::move(ops)});
  }
  static proto::CreateRequest OpenCreate(const std::string& path, const std::string& data,
                                         proto::CreateMode mode) {
    proto::CreateRequest r;
    r.path = path;
    r.data = data;
    r.acl = {proto::Acl{proto::kPermAll, proto::Id{"world", "anyone"}}};
    r.flags = static_cast<int32_t>(mode);
    return r;
  }
  // Re-registers watches after a move, relative to the last zxid this client saw, as the
  // Java client does after every reconnect (ClientCnxn.primeConnection).
  int32_t SetWatches(std::vector<std::string> data, std::vector<std::string> exist,
                     std::vector<std::string> child) {
    proto::SetWatchesRequest r;
    r.relative_zxid = last_zxid_;
    r.data_watches = std::move(data);
    r.exist_watches = std::move(exist);
    r.child_watches = std::move(child);
    return Send(proto::OpCode::kSetWatches, std::move(r));
  }
  int32_t CloseSession() { return Send(proto::OpCode::kCloseSession, proto::EmptyRequest{}); }
  void Ping() {
    if (!connected()) return;
    proto::Request req;
    req.header = {proto::kPingXid, static_cast<int32_t>(proto::OpCode::kPing)};
    req.body = proto::EmptyRequest{};
    ++pings_sent_;
    last_sent_ms_ = host()->NowMs();
    transport_->Send(conn_, proto::EncodeRequest(req));
  }
  // Pings every `interval_ms` of simulated time while connected, until StopPinging.
  void StartPinging(int64_t interval_ms) {
    StopPinging();
    ping_interval_ms_ = interval_ms;
    ArmPing();
  }
  void StopPinging() {
    if (ping_timer_ != 0) host()->CancelTimer(ping_timer_);
    ping_timer_ = 0;
    ping_interval_ms_ = 0;
  }

  // State of the current connection.
  bool connected() const { return connection_open_ && handshake_.has_value() && !expired_; }
  bool connection_open() const { return connection_open_; }
  // The ConnectResponse of the current connection, if one arrived.
  const std::optional<proto::ConnectResponse>& handshake() const { return handshake_; }
  // The server answered a re-attach with timeout 0 (Session expired).
  bool expired() const { return expired_; }
  int64_t session_id() const { return session_id_; }
  const std::string& passwd() const { return passwd_; }
  int32_t timeout_ms() const { return timeout_ms_; }
  int64_t last_zxid() const { return last_zxid_; }
  int64_t last_sent_ms() const { return last_sent_ms_; }
  int pings_sent() const { return pings_sent_; }
  int pings_answered() const { return pings_answered_; }
  int64_t last_ping_answer_ms() const { return last_ping_answer_ms_; }
  // How many connections ended (server close, transport stop, refusal, or Disconnect).
  int connections_closed() const { return connections_closed_; }
  const std::string& last_close_error() const { return last_close_error_; }
  int64_t last_closed_ms() const { return last_closed_ms_; }

  // Simulated time the current connection last received anything (a read timeout measure).
  int64_t last_received_ms() const { return last_received_ms_; }

  // Optional hooks, run on the client's host as things arrive, so a workload can drive itself
  // instead of polling: a reply, a watch event, a ConnectResponse (see expired()), the end of
  // the current connection.
  std::function<void(int32_t xid, const Reply& reply)> on_reply;
  std::function<void(const proto::WatcherEvent& event)> on_event;
  std::function<void()> on_handshake;
  std::function<void()> on_closed;

  const Reply* reply(int32_t xid) const {
    auto it = replies_.find(xid);
    return it == replies_.end() || !it->second.done ? nullptr : &it->second;
  }
  // Watch events in arrival order, for every connection of this client.
  const std::vector<proto::WatcherEvent>& events() const { return events_; }
  SimHost* host() { return host_.get(); }

  // ConnectionHandler (on the client's SimHost).
  void OnOpen(ConnId id, const std::string& peer) override {
    if (id != conn_) return;
    Log("connected to " + peer);
  }
  void OnData(ConnId id, const uint8_t* data, size_t len) override {
    if (id != conn_) return;
    last_received_ms_ = host_->NowMs();
    if (!decoder_.Feed(data, len)) {
      ADD_FAILURE() << "client " << host_->name() << ": bad frame: " << decoder_.error();
      return;
    }
    std::string frame;
    while (decoder_.Next(&frame)) HandleFrame(frame);
  }
  void OnClosed(ConnId id, const std::string& error) override {
    if (id != conn_) return;
    connection_open_ = false;
    ++connections_closed_;
    last_close_error_ = error;
    last_closed_ms_ = host_->NowMs();
    Log("connection closed" + (error.empty() ? std::string() : ": " + error));
    if (on_closed) on_closed();
  }

 private:
  void Log(const std::string& line) { host_->Log(LogLevel::kInfo, line); }

  void OpenAndHandshake(uint16_t port, int32_t timeout_ms) {
    Disconnect();
    decoder_ = proto::FrameDecoder(1 << 22);
    last_received_ms_ = host()->NowMs();
    handshake_.reset();
    expired_ = false;
    timeout_ms_ = timeout_ms;
    connection_open_ = true;
    conn_ = transport_->Connect(Endpoint{"127.0.0.1", port}, this);
    proto::ConnectRequest req;
    req.protocol_version = 0;
    req.last_zxid_seen = last_zxid_;
    req.timeout_ms = timeout_ms;
    req.session_id = session_id_;
    req.passwd = passwd_;
    req.read_only = false;
    last_sent_ms_ = host()->NowMs();
    transport_->Send(conn_, proto::EncodeConnectRequest(req));
  }

  int32_t Send(proto::OpCode op, proto::RequestBody body) {
    const int32_t xid = next_xid_++;
    proto::Request req;
    req.header = {xid, static_cast<int32_t>(op)};
    req.body = std::move(body);
    replies_[xid].op = op;
    last_sent_ms_ = host()->NowMs();
    if (connection_open_) transport_->Send(conn_, proto::EncodeRequest(req));
    return xid;
  }

  void HandleFrame(const std::string& frame) {
    if (!handshake_) {
      proto::ConnectResponse resp;
      Status s = proto::DecodeConnectResponse(frame, &resp);
      if (!s.ok()) {
        ADD_FAILURE() << "client " << host_->name() << ": bad ConnectResponse: " << s.ToString();
        return;
      }
      handshake_ = resp;
      if (resp.timeout_ms <= 0) {
        // ClientCnxnSocket.onConnected: a non-positive timeout means the session expired.
        expired_ = true;
        Log("session expired (ConnectResponse timeout 0)");
      } else {
        session_id_ = resp.session_id;
        passwd_ = resp.passwd;
        timeout_ms_ = resp.timeout_ms;
        Log("session 0x" + Hex(session_id_) + " timeout " + std::to_string(timeout_ms_));
      }
      if (on_handshake) on_handshake();
      return;
    }
    proto::Reader peek(frame);
    int32_t xid = 0;
    if (!peek.ReadInt(&xid)) {
      ADD_FAILURE() << "client " << host_->name() << ": short reply";
      return;
    }
    if (xid == proto::kNotificationXid) {
      proto::WatcherEvent e;
      Status s = proto::DecodeWatcherEvent(frame, &e);
      EXPECT_TRUE(s.ok()) << s.ToString();
      Log("event type " + std::to_string(static_cast<int>(e.type)) + " " + e.path);
      events_.push_back(std::move(e));
      if (on_event) on_event(events_.back());
      return;
    }
    if (xid == proto::kPingXid) {
      ++pings_answered_;
      last_ping_answer_ms_ = host_->NowMs();
      return;
    }
    auto it = replies_.find(xid);
    if (it == replies_.end()) {
      ADD_FAILURE() << "client " << host_->name() << ": reply for unknown xid " << xid;
      return;
    }
    Reply& r = it->second;
    Status s = proto::DecodeReply(frame, r.op, &r.header, &r.body);
    EXPECT_TRUE(s.ok()) << s.ToString();
    r.done = true;
    if (r.header.zxid > last_zxid_) last_zxid_ = r.header.zxid;
    if (on_reply) on_reply(xid, r);
  }

  void ArmPing() {
    if (ping_interval_ms_ <= 0) return;
    ping_timer_ = host()->StartTimer(ping_interval_ms_, [this] {
      ping_timer_ = 0;
      Ping();
      ArmPing();
    });
  }

  static std::string Hex(int64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  std::unique_ptr<SimHost> host_;
  std::unique_ptr<Transport> transport_;
  ConnId conn_ = 0;
  bool connection_open_ = false;
  proto::FrameDecoder decoder_{1 << 22};
  std::optional<proto::ConnectResponse> handshake_;
  bool expired_ = false;
  int64_t session_id_ = 0;
  std::string passwd_ = std::string(16, '\0');
  int32_t timeout_ms_ = 0;
  int64_t last_zxid_ = 0;
  int32_t next_xid_ = 1;
  std::map<int32_t, Reply> replies_;
  std::vector<proto::WatcherEvent> events_;
  int64_t last_sent_ms_ = 0;
  int64_t last_received_ms_ = 0;
  int pings_sent_ = 0;
  int pings_answered_ = 0;
  int64_t last_ping_answer_ms_ = 0;
  int connections_closed_ = 0;
  std::string last_close_error_;
  int64_t last_closed_ms_ = 0;
  int64_t ping_interval_ms_ = 0;
  TimerId ping_timer_ = 0;
};

}  // namespace zk::ensemble_test

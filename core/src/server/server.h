// ZkServer: the client-facing server (DESIGN §2 server/). Connections, framing, sessions, the
// request pipeline (FIFO per session), watches, four-letter words; and the replicated state
// machine the election plugin drives (Apply/TakeSnapshot/Restore).
//
// Threads: the transport calls OnOpen/OnData/OnClosed on its I/O thread; those only split
// frames, decode and post whole requests to the core loop. Everything else runs on the core
// loop, which alone owns DataTree, sessions and watches (no lock guards them).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "config/zoo_cfg.h"
#include "proto/codec.h"
#include "proto/records.h"
#include "zk/host.h"
#include "server/sessions.h"
#include "server/stats.h"
#include "server/txn.h"
#include "state/acl.h"
#include "state/data_tree.h"
#include "state/watch_manager.h"
#include "zk/election.h"
#include "zk/transport.h"

namespace zk::server {

struct PluginInfo {
  std::string kind;
  std::string name;
  std::string version;
};

struct ServerOptions {
  config::ZooConfig cfg;
  std::string super_digest;  // "super:<base64 sha1>", from DigestAuthenticationProvider.superDigest
  std::vector<PluginInfo> plugins;
  int64_t container_check_interval_ms = 60000;  // ZooKeeper's znode.container.checkIntervalMs
};

class ZkServer : public ConnectionHandler, public StateMachine {
 public:
  // REQUIRES: loop, transport and election outlive the server.
  ZkServer(ServerOptions options, Host* loop, Transport* transport, Election* election);
  ~ZkServer() override;

  // Listens on the client port (core loop or before the loop runs). Port 0 picks one.
  Status Listen();
  uint16_t client_port() const { return client_port_; }
  // Starts the periodic work (session expiry, container cleanup). Core loop.
  void StartTimers();
  // Closes every client connection and stops timers. Core loop.
  void Shutdown();

  // ConnectionHandler: transport I/O thread.
  void OnOpen(ConnId id, const std::string& peer) override;
  void OnData(ConnId id, const uint8_t* data, size_t len) override;
  void OnClosed(ConnId id, const std::string& error) override;

  // StateMachine: core loop.
  void Apply(uint64_t index, uint64_t term, const std::string& data) override;
  std::string TakeSnapshot() override;
  // Serializes in a fork()ed child that holds a copy-on-write image of the state, so a large
  // tree costs the core loop only the fork (ZooKeeper's lesson: snapshots stall writes).
  void TakeSnapshotAsync(std::function<void(std::string)> done) override;
  // The same fork, with the child's bytes handed to `write` in pieces as they arrive.
  void StreamSnapshotAsync(SnapshotWrite write, std::function<void(Status)> done) override;
  Status Restore(uint64_t index, uint64_t term, const std::string& data) override;
  void OnRoleChange(Role role, uint64_t leader_id) override;
  void OnFollowerMessage(uint64_t from_id, const std::string& payload) override;

  // For four-letter words, the admin endpoint and tests. Core loop.
  bool serving() const { return role_ != Role::kLooking; }
  Role role() const { return role_; }
  int64_t last_zxid() const { return last_zxid_; }
  const state::DataTree& tree() const { return tree_; }
  const state::WatchManager& watches() const { return watches_; }
  const SessionTable& sessions() const { return sessions_; }
  const ServerOptions& options() const { return options_; }
  ServerStats& stats() { return stats_; }
  Election* election() { return election_; }
  // Text of a four-letter word (ruok, srvr, ...), as ZooKeeper prints it.
  std::string FourLetterWord(const std::string& word);
  bool IsFourLetterWordEnabled(const std::string& word) const;
  // The same text without the whitelist check (the AdminServer ignores the whitelist).
  std::string FourLetterWordUnchecked(const std::string& word);

 private:
  struct Pending;      // one request awaiting its turn to be answered (FIFO per session)
  struct Connection;   // core-loop state of one client connection
  struct WireState;    // transport-thread state of one connection (frame decoder)
  struct Inbound;      // what the transport thread hands the core loop

  // Core loop handlers (server.cc / server_requests.cc / server_apply.cc).
  void HandleInbound(ConnId id, std::vector<Inbound> items);
  void HandleConnect(Connection& c, const proto::ConnectRequest& req);
  void HandleRequest(Connection& c, Inbound& in);
  void HandleAuth(Connection& c, const proto::Request& req);
  void HandleSetWatches(Connection& c, const proto::Request& req);
  void ExecuteRead(Connection& c, const proto::Request& req, int64_t received_ms);
  void ProposeRequest(Connection& c, const proto::Request& req, std::string payload);
  // Appends `txn` to the log. If it is refused, the session's connection is closed so its
  // client retries (0: a server-made entry with no client waiting).
  void Propose(const std::string& txn, int64_t session_id);
  void DrainPending(Connection& c);
  void SendReply(Connection& c, const proto::ReplyHeader& h, const proto::ResponseBody& body,
                 const std::string& op_name, int64_t received_ms);
  void SendRaw(Connection& c, std::string frame);
  // A log entry of `kind` for `session_id`, stamped with this server's id and wall clock.
  Txn NewTxn(TxnKind kind, int64_t session_id) const;
  void CloseConnection(Connection& c, const char* why);
  void DeliverTriggers(const std::vector<state::Trigger>& triggers);
  void ApplyTxn(uint64_t term, const std::string& data);
  void ApplyCreateSession(const struct Txn& t, int64_t zxid);
  void ApplyCloseSession(const struct Txn& t, int64_t zxid);
  void ApplyRequest(const struct Txn& t, int64_t zxid);
  void ApplyDeleteExpired(const struct Txn& t, int64_t zxid);
  void ApplySetOwner(const Txn& t);
  void CheckSessionExpiry();
  // A session showed life on this server: the leader re-arms it; a follower reports it to
  // the leader with the next batch (DESIGN §3: every half tick).
  void TouchSession(int64_t session_id);
  void ReportTouches();
  void CheckContainers();
  void RearmSessions();
  Connection* FindConnection(ConnId id);
  Connection* FindSessionConnection(int64_t session_id);
  state::AuthContext AuthOf(const Connection& c) const;
  bool leads() const { return role_ == Role::kLeader || role_ == Role::kStandalone; }
  void RegisterWatch(Connection& c, const proto::Request& req, proto::ErrorCode err);
  int64_t NextSessionId();

  // Four-letter words (four_letter.cc).
  std::string Srvr(bool with_clients);
  std::string Mntr();
  std::string Conf();
  std::string Cons();
  std::string Envi();
  std::string Dump();
  std::string Dirs();
  std::string Wchs();
  std::string Wchc();
  std::string Wchp();

  ServerOptions options_;
  Host* loop_;  // the core loop (CoreLoop in zknode, a simulated host in tests)
  Transport* transport_;
  Election* election_;
  uint16_t client_port_ = 0;

  // Transport-thread side.
  std::mutex wire_mu_;
  std::unordered_map<ConnId, std::shared_ptr<WireState>> wire_;

  // Core-loop side.
  std::unordered_map<ConnId, std::unique_ptr<Connection>> conns_;
  std::unordered_map<int64_t, ConnId> session_conn_;  // session → its live connection
  std::unordered_map<std::string, int> conns_per_ip_;
  state::DataTree tree_;
  state::WatchManager watches_;
  SessionTable sessions_;
  ExpiryTracker expiry_;
  std::unordered_map<int64_t, bool> closing_;  // sessions with a close proposed
  std::vector<int64_t> touched_;                // follower: sessions to report to the leader
  Role role_ = Role::kLooking;
  uint64_t leader_id_ = 0;
  int64_t last_zxid_ = 0;
  uint64_t zxid_term_ = 0;     // term of the last applied entry
  uint32_t zxid_counter_ = 0;  // its position within that term
  int64_t next_session_id_ = 0;
  TimerId expiry_timer_ = 0;
  TimerId container_timer_ = 0;
  TimerId looking_timer_ = 0;  // grace before closing connections when no leader
  bool shut_down_ = false;
  std::thread snapshot_reader_;  // reads a forked child's snapshot bytes
  ServerStats stats_;
};

}  // namespace zk::server

// A small synchronous ZooKeeper client for `zkops cli`: the parts of the Java client
// (ClientCnxn, ZooKeeper) that zkCli needs. One background I/O thread owns the socket: it
// connects (host list in order, wrapping around), does the handshake with the session id and
// password so a reconnect keeps the session, re-arms watches (SetWatches) and re-sends auth,
// pings when idle, reads replies and notifications. Callers block in Call() until the reply.
//
// Semantics kept from the Java client (ClientCnxn.java, 3.8):
//  * replies come in request order; a request sent or queued when the connection breaks (or
//    when a connection attempt fails) fails with ConnectionLoss, on a closed client with
//    SessionExpired, after an auth failure with AuthFailed;
//  * watch notifications reach the handler only for watches this client set (WatchTable),
//    connection-state events (type None) always; the handler runs on the I/O thread, in order;
//  * a handshake answered with timeOut 0 means the session expired: Expired event, CLOSED.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "client/watch_table.h"
#include "proto/records.h"
#include "zk/status.h"

namespace zkops::client {

// ZooKeeper.States as zkCli's prompt prints them.
enum class State { kConnecting, kConnected, kClosed, kAuthFailed };
const char* StateName(State s);  // "CONNECTING", "CONNECTED", "CLOSED", "AUTH_FAILED"
// States.isAlive(): anything but CLOSED and AUTH_FAILED.
inline bool IsAlive(State s) { return s == State::kConnecting || s == State::kConnected; }

struct WatchedEvent {
  zk::proto::KeeperState state = zk::proto::KeeperState::kSyncConnected;
  zk::proto::EventType type = zk::proto::EventType::kNone;
  std::optional<std::string> path;  // client path (chroot removed); none for state events
};

struct Result {
  zk::proto::ErrorCode err = zk::proto::ErrorCode::kOk;
  zk::proto::ResponseBody body;  // decoded only when err is Ok (multi: always)
  int64_t zxid = 0;
};

// "host:port[,host:port...][/chroot]" as ZooKeeper's ConnectStringParser reads it: a host
// without a port gets 2181; IPv6 literals in brackets.
struct ConnectString {
  std::vector<std::pair<std::string, int>> hosts;
  std::string chroot;  // "" or "/a/b"
};
zk::Status ParseConnectString(const std::string& text, ConnectString* out);

class ZkClient {
 public:
  using EventHandler = std::function<void(const WatchedEvent&)>;

  // `on_event` is called on the I/O thread (never with the client's lock held); it must not
  // call Close(). Nothing happens until Start().
  ZkClient(ConnectString connect, int session_timeout_ms, bool read_only, EventHandler on_event);
  ~ZkClient();  // Close()
  ZkClient(const ZkClient&) = delete;
  ZkClient& operator=(const ZkClient&) = delete;

  // Starts the I/O thread; returns at once, in CONNECTING.
  void Start();

  // Sends one request and blocks until its reply or failure. Paths in `body` are server paths
  // (use ServerPath). `watch`/`watch_path` (client path) say which watch a reply registers.
  Result Call(zk::proto::OpCode op, zk::proto::RequestBody body, WatchKind watch = WatchKind::kNone,
              const std::string& watch_path = "");

  // removeWatches (op 18) plus the local bookkeeping of ZKWatchManager.removeWatcher: fails
  // with NoWatcher when this client holds no such watch; on success delivers the
  // *WatchRemoved events through the handler (from the caller's thread).
  Result RemoveWatches(const std::string& path, int32_t watcher_type, bool local);

  // ZooKeeper.addAuthInfo: remembered for reconnects, sent now if connected (no reply is
  // awaited; an AuthFailed answer ends the session with an AuthFailed event).
  void AddAuth(const std::string& scheme, const std::string& auth);

  // closeSession (waits for the answer, bounded), stops the I/O thread, delivers the Closed
  // event. Idempotent. Must not be called from the event handler.
  void Close();

  State state() const;
  int64_t session_id() const;
  int negotiated_timeout_ms() const;
  const ConnectString& connect_string() const { return connect_; }
  std::string ServerPath(const std::string& client_path) const;
  std::string ClientPath(const std::string& server_path) const;

 private:
  struct Pending;
  void Run();                                  // I/O thread body
  bool Handshake(int fd, int timeout_ms);      // true: connected (or expired: state set)
  void Pump(int fd);                           // until the connection ends
  bool HandleFrame(const std::string& frame);  // false: protocol error, drop connection
  void FailAll(zk::proto::ErrorCode err);      // fails sent and queued requests
  void Emit(WatchedEvent e);
  bool SendLocked(const std::string& frame);  // REQUIRES mu_ held
  void WakeIoThread();

  const ConnectString connect_;
  const int requested_timeout_ms_;
  const bool read_only_;
  EventHandler on_event_;

  mutable std::mutex mu_;  // guards everything below
  std::condition_variable cv_;
  State state_ = State::kConnecting;
  bool closing_ = false;
  bool close_sent_ = false;  // closeSession sent: the link going down is the end
  bool started_ = false;
  int fd_ = -1;  // the connected socket (owned by the I/O thread), -1 when none
  int wake_fd_[2] = {-1, -1};
  int32_t next_xid_ = 1;
  int64_t session_id_ = 0;
  std::string passwd_ = std::string(16, '\0');
  int negotiated_timeout_ms_ = 0;
  int64_t last_zxid_ = 0;
  std::deque<std::shared_ptr<Pending>> sent_;    // awaiting replies, in order
  std::deque<std::shared_ptr<Pending>> queued_;  // waiting for a connection
  std::vector<std::pair<std::string, std::string>> auth_;
  WatchTable watches_;
  std::chrono::steady_clock::time_point last_send_;
  std::thread io_;
};

}  // namespace zkops::client

#include "client/zk_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "proto/codec.h"
#include "proto/jute.h"

namespace zkops::client {

using zk::Status;
using zk::proto::ErrorCode;
using zk::proto::EventType;
using zk::proto::KeeperState;
using zk::proto::OpCode;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int32_t kMaxFrame = 0xfffff + 1024;  // jute.maxbuffer plus header room
constexpr int kSpinDelayMs = 1000;  // StaticHostProvider: pause after trying every host once
constexpr int kCloseWaitMs = 5000;  // bound on waiting for the closeSession answer

int MsUntil(Clock::time_point t) {
  auto d = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
  return d < 0 ? 0 : static_cast<int>(std::min<int64_t>(d, 1 << 30));
}

// Connects with a deadline; returns a blocking socket or -1.
int ConnectTcp(const std::string& host, int port, int timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, MsUntil(deadline)) == 1) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
      }
    }
    if (rc != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd >= 0) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads one frame before the deadline (the handshake answer).
bool ReadFrame(int fd, zk::proto::FrameDecoder* dec, std::string* frame,
               Clock::time_point deadline) {
  char buf[4096];
  while (!dec->Next(frame)) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, MsUntil(deadline)) != 1) return false;
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !dec->Feed(reinterpret_cast<uint8_t*>(buf), static_cast<size_t>(n))) {
      return false;
    }
  }
  return true;
}

}  // namespace

struct ZkClient::Pending {
  int32_t xid = 0;
  OpCode op = OpCode::kPing;
  std::string frame;
  WatchKind watch = WatchKind::kNone;
  std::string watch_path;
  bool done = false;
  Result result;
};

ZkClient::ZkClient(ConnectString connect, int session_timeout_ms, bool read_only,
                   EventHandler on_event)
    : connect_(std::move(connect)),
      requested_timeout_ms_(session_timeout_ms),
      read_only_(read_only),
      on_event_(std::move(on_event)) {}

ZkClient::~ZkClient() { Close(); }

void ZkClient::Start() {
  std::lock_guard<std::mutex> lk(mu_);
  if (started_) return;
  started_ = true;
  if (pipe2(wake_fd_, O_CLOEXEC | O_NONBLOCK) != 0) {
    state_ = State::kClosed;
    return;
  }
  io_ = std::thread([this] { Run(); });
}

State ZkClient::state() const {
  std::lock_guard<std::mutex> lk(mu_);
  return state_;
}

int64_t ZkClient::session_id() const {
  std::lock_guard<std::mutex> lk(mu_);
  return session_id_;
}

int ZkClient::negotiated_timeout_ms() const {
  std::lock_guard<std::mutex> lk(mu_);
  return negotiated_timeout_ms_;
}

std::string ZkClient::ServerPath(const std::string& client_path) const {
  if (connect_.chroot.empty()) return client_path;
  return client_path == "/" ? connect_.chroot : connect_.chroot + client_path;
}

std::string ZkClient::ClientPath(const std::string& server_path) const {
  const std::string& c = connect_.chroot;
  if (c.empty()) return server_path;
  if (server_path == c) return "/";
  if (server_path.size() > c.size() && server_path.compare(0, c.size(), c) == 0) {
    return server_path.substr(c.size());
  }
  return server_path;
}

void ZkClient::WakeIoThread() {
  if (wake_fd_[1] >= 0) {
    char b = 1;
    (void)!write(wake_fd_[1], &b, 1);
  }
}

bool ZkClient::SendLocked(const std::string& frame) {
  if (fd_ < 0) return false;
  last_send_ = Clock::now();
  if (!SendAll(fd_, frame)) {
    shutdown(fd_, SHUT_RDWR);  // the I/O thread sees the loss and fails what is pending
    return false;
  }
  return true;
}

void ZkClient::Emit(WatchedEvent e) {
  if (on_event_) on_event_(e);
}

void ZkClient::FailAll(ErrorCode err) {
  std::lock_guard<std::mutex> lk(mu_);
  for (auto* q : {&sent_, &queued_}) {
    for (auto& p : *q) {
      p->result.err = err;
      p->done = true;
    }
    q->clear();
  }
  cv_.notify_all();
}

Result ZkClient::Call(OpCode op, zk::proto::RequestBody body, WatchKind watch,
                      const std::string& watch_path) {
  auto p = std::make_shared<Pending>();
  p->op = op;
  p->watch = watch;
  p->watch_path = watch_path;
  std::unique_lock<std::mutex> lk(mu_);
  if (closing_ || !IsAlive(state_) || !started_) {
    // ClientCnxn.conLossPacket: what a request on a dead client gets.
    p->result.err =
        state_ == State::kAuthFailed ? ErrorCode::kAuthFailed : ErrorCode::kSessionExpired;
    return p->result;
  }
  p->xid = next_xid_++;
  zk::proto::Request req;
  req.header = {p->xid, static_cast<int32_t>(op)};
  req.body = std::move(body);
  p->frame = zk::proto::EncodeRequest(req);
  if (state_ == State::kConnected) {
    sent_.push_back(p);
    SendLocked(p->frame);
  } else {
    queued_.push_back(p);  // sent by the I/O thread once connected, or failed
  }
  cv_.wait(lk, [&] { return p->done; });
  return p->result;
}

Result ZkClient::RemoveWatches(const std::string& path, int32_t watcher_type, bool local) {
  Result r =
      Call(OpCode::kRemoveWatches, zk::proto::WatchesRequest{ServerPath(path), watcher_type});
  RemovedWatches removed;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!watches_.Contains(path, watcher_type)) {
      r.err = ErrorCode::kNoWatcher;
      return r;
    }
    if (r.err != ErrorCode::kOk && !local) return r;
    if (!watches_.Remove(path, watcher_type, local, r.err, &removed)) {
      r.err = ErrorCode::kNoWatcher;
      return r;
    }
  }
  // ClientCnxn.queueEvent: Disconnected when the server could not be asked.
  KeeperState st = (r.err == ErrorCode::kConnectionLoss || r.err == ErrorCode::kSessionExpired)
                       ? KeeperState::kDisconnected
                       : KeeperState::kSyncConnected;
  r.err = ErrorCode::kOk;
  if (removed.child) Emit({st, EventType::kChildWatchRemoved, path});
  if (removed.data) Emit({st, EventType::kDataWatchRemoved, path});
  if (removed.persistent) Emit({st, EventType::kPersistentWatchRemoved, path});
  return r;
}

void ZkClient::AddAuth(const std::string& scheme, const std::string& auth) {
  std::lock_guard<std::mutex> lk(mu_);
  auth_.emplace_back(scheme, auth);
  if (state_ == State::kConnected) {
    zk::proto::Request req;
    req.header = {zk::proto::kAuthXid, static_cast<int32_t>(OpCode::kAuth)};
    req.body = zk::proto::AuthPacket{0, scheme, auth};
    SendLocked(zk::proto::EncodeRequest(req));
  }
}

void ZkClient::Close() {
  {
    std::unique_lock<std::mutex> lk(mu_);
    if (!started_ || closing_) {
      if (!started_) state_ = State::kClosed;
      return;
    }
    if (state_ == State::kConnected) {
      // ZooKeeper.close(): closeSession, then wait (bounded) for the server's answer.
      auto p = std::make_shared<Pending>();
      p->op = OpCode::kCloseSession;
      p->xid = next_xid_++;
      zk::proto::Request req;
      req.header = {p->xid, static_cast<int32_t>(OpCode::kCloseSession)};
      req.body = zk::proto::EmptyRequest{};
      sent_.push_back(p);
      close_sent_ = true;
      SendLocked(zk::proto::EncodeRequest(req));
      cv_.wait_for(lk, std::chrono::milliseconds(kCloseWaitMs), [&] { return p->done; });
    }
    closing_ = true;
    WakeIoThread();
  }
  if (io_.joinable()) io_.join();
  bool was_alive;
  {
    std::lock_guard<std::mutex> lk(mu_);
    was_alive = IsAlive(state_);
    state_ = State::kClosed;
  }
  FailAll(ErrorCode::kSessionExpired);
  for (int& fd : wake_fd_) {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  // SendThread's last words: a Closed event (3.6+).
  if (was_alive) Emit({KeeperState::kClosed, EventType::kNone, std::nullopt});
}

void ZkClient::Run() {
  const size_t n = connect_.hosts.size();
  size_t idx = 0;
  size_t failures = 0;
  for (;;) {
    int timeout_ms;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (closing_ || !IsAlive(state_)) return;
      timeout_ms = negotiated_timeout_ms_ > 0 ? negotiated_timeout_ms_ : requested_timeout_ms_;
    }
    const auto& [host, port] = connect_.hosts[idx];
    // ClientCnxn: connectTimeout = sessionTimeout / number of hosts.
    int fd = ConnectTcp(host, port, std::max(1000, timeout_ms / static_cast<int>(n)));
    bool connected = fd >= 0 && Handshake(fd, timeout_ms);
    if (connected) {
      failures = 0;
      Pump(fd);
    }
    bool was_connected;
    {
      std::lock_guard<std::mutex> lk(mu_);
      was_connected = state_ == State::kConnected;
      if (state_ == State::kConnected) state_ = State::kConnecting;
      fd_ = -1;
    }
    if (fd >= 0) close(fd);
    bool close_sent;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!IsAlive(state_) || closing_) return;  // expired / auth failed / closed
      close_sent = close_sent_;
    }
    FailAll(ErrorCode::kConnectionLoss);
    // The server ends the connection after answering closeSession: Close() emits Closed,
    // and Java's client shows no Disconnected in between.
    if (close_sent) return;
    if (was_connected) Emit({KeeperState::kDisconnected, EventType::kNone, std::nullopt});
    idx = (idx + 1) % n;
    if (!connected && ++failures >= n) {
      failures = 0;
      pollfd p{wake_fd_[0], POLLIN, 0};  // interruptible pause before the next round
      poll(&p, 1, kSpinDelayMs);
    }
  }
}

bool ZkClient::Handshake(int fd, int timeout_ms) {
  zk::proto::ConnectRequest req;
  {
    std::lock_guard<std::mutex> lk(mu_);
    req.last_zxid_seen = last_zxid_;
    req.timeout_ms = requested_timeout_ms_;
    req.session_id = session_id_;
    req.passwd = passwd_;
    req.read_only = read_only_;
  }
  if (!SendAll(fd, zk::proto::EncodeConnectRequest(req))) return false;
  zk::proto::FrameDecoder dec(kMaxFrame);
  std::string frame;
  // ClientCnxn: readTimeout = sessionTimeout * 2 / 3 while connecting.
  if (!ReadFrame(fd, &dec, &frame, Clock::now() + std::chrono::milliseconds(timeout_ms * 2 / 3))) {
    return false;
  }
  zk::proto::ConnectResponse resp;
  if (!zk::proto::DecodeConnectResponse(frame, &resp).ok()) return false;
  if (resp.timeout_ms <= 0) {  // ClientCnxn.onConnected: the session expired
    {
      std::lock_guard<std::mutex> lk(mu_);
      state_ = State::kClosed;
    }
    FailAll(ErrorCode::kSessionExpired);
    Emit({KeeperState::kExpired, EventType::kNone, std::nullopt});
    return false;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    session_id_ = resp.session_id;
    passwd_ = resp.passwd;
    negotiated_timeout_ms_ = resp.timeout_ms;
  }
  // The connected event first, so it is printed before any queued command's output.
  Emit({KeeperState::kSyncConnected, EventType::kNone, std::nullopt});
  std::lock_guard<std::mutex> lk(mu_);
  if (closing_) return false;
  fd_ = fd;
  // ClientCnxn.primeConnection: re-arm watches, re-send auth, then the queued requests.
  if (!watches_.empty()) {
    auto p = std::make_shared<Pending>();
    p->xid = zk::proto::kSetWatchesXid;
    p->op = watches_.has_persistent() ? OpCode::kSetWatches2 : OpCode::kSetWatches;
    zk::proto::SetWatchesRequest sw;
    watches_.FillSetWatches(&sw);
    auto to_server = [&](std::vector<std::string>& v) {
      for (auto& s : v) s = ServerPath(s);
    };
    for (auto* v : {&sw.data_watches, &sw.exist_watches, &sw.child_watches, &sw.persistent_watches,
                    &sw.persistent_recursive_watches}) {
      to_server(*v);
    }
    sw.relative_zxid = last_zxid_;
    zk::proto::Request r;
    r.header = {p->xid, static_cast<int32_t>(p->op)};
    r.body = std::move(sw);
    p->done = true;  // nobody waits for it; the entry keeps replies in order
    sent_.push_back(p);
    SendLocked(zk::proto::EncodeRequest(r));
  }
  for (const auto& [scheme, auth] : auth_) {
    zk::proto::Request r;
    r.header = {zk::proto::kAuthXid, static_cast<int32_t>(OpCode::kAuth)};
    r.body = zk::proto::AuthPacket{0, scheme, auth};
    SendLocked(zk::proto::EncodeRequest(r));
  }
  while (!queued_.empty()) {
    auto p = queued_.front();
    queued_.pop_front();
    sent_.push_back(p);
    SendLocked(p->frame);
  }
  state_ = State::kConnected;
  last_send_ = Clock::now();
  return true;
}

void ZkClient::Pump(int fd) {
  zk::proto::FrameDecoder dec(kMaxFrame);
  Clock::time_point last_recv = Clock::now();
  const std::string ping = zk::proto::EncodeRequest(
      {{zk::proto::kPingXid, static_cast<int32_t>(OpCode::kPing)}, zk::proto::EmptyRequest{}});
  char buf[65536];
  for (;;) {
    Clock::time_point ping_due, dead;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (closing_ || state_ != State::kConnected) return;
      // ClientCnxn: readTimeout = 2/3 of the session timeout; ping after half of it idle.
      auto read_timeout = std::chrono::milliseconds(negotiated_timeout_ms_ * 2 / 3);
      ping_due = last_send_ + read_timeout / 2;
      dead = last_recv + read_timeout;
    }
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_fd_[0], POLLIN, 0}};
    int rc = poll(p, 2, std::min(MsUntil(ping_due), MsUntil(dead)));
    if (rc < 0 && errno != EINTR) return;
    if (p[1].revents != 0) {
      char drain[64];
      while (read(wake_fd_[0], drain, sizeof(drain)) > 0) {
      }
      continue;
    }
    if (p[0].revents != 0) {
      ssize_t got = recv(fd, buf, sizeof(buf), 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return;  // the server closed the connection
      if (!dec.Feed(reinterpret_cast<uint8_t*>(buf), static_cast<size_t>(got))) return;
      last_recv = Clock::now();
      std::string frame;
      while (dec.Next(&frame)) {
        if (!HandleFrame(frame)) return;
      }
    }
    if (Clock::now() >= dead) return;  // nothing heard for readTimeout: connection lost
    if (Clock::now() >= ping_due) {
      std::lock_guard<std::mutex> lk(mu_);
      SendLocked(ping);
    }
  }
}

bool ZkClient::HandleFrame(const std::string& frame) {
  zk::proto::Reader r(frame);
  zk::proto::ReplyHeader h;
  if (!(r.ReadInt(&h.xid) && r.ReadLong(&h.zxid) && r.ReadInt(&h.err))) return false;
  if (h.xid == zk::proto::kNotificationXid) {
    zk::proto::WatcherEvent ev;
    if (!zk::proto::DecodeWatcherEvent(frame, &ev).ok()) return false;
    WatchedEvent out{ev.state, ev.type, ClientPath(ev.path)};
    bool deliver;
    {
      std::lock_guard<std::mutex> lk(mu_);
      deliver = watches_.Materialize(ev.type, *out.path);
    }
    if (deliver) Emit(out);
    return true;
  }
  if (h.xid == zk::proto::kPingXid) return true;
  if (h.xid == zk::proto::kAuthXid) {
    if (h.err == static_cast<int32_t>(ErrorCode::kAuthFailed)) {
      {
        std::lock_guard<std::mutex> lk(mu_);
        state_ = State::kAuthFailed;
      }
      FailAll(ErrorCode::kAuthFailed);
      Emit({KeeperState::kAuthFailed, EventType::kNone, std::nullopt});
      return false;
    }
    return true;
  }
  std::lock_guard<std::mutex> lk(mu_);
  if (sent_.empty() || sent_.front()->xid != h.xid) return false;  // "Xid out of order"
  auto p = sent_.front();
  sent_.pop_front();
  if (h.zxid > 0) last_zxid_ = h.zxid;
  p->result.err = static_cast<ErrorCode>(h.err);
  p->result.zxid = h.zxid;
  if (p->op != OpCode::kSetWatches && p->op != OpCode::kSetWatches2) {
    zk::proto::ReplyHeader dh;
    if (!zk::proto::DecodeReply(frame, p->op, &dh, &p->result.body).ok()) {
      p->result.err = ErrorCode::kMarshallingError;
    }
  }
  watches_.Register(p->watch, p->watch_path, p->result.err);
  p->done = true;
  cv_.notify_all();
  return true;
}

}  // namespace zkops::client

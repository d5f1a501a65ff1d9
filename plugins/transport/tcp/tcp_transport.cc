#include "tcp_transport.h"

#include <pthread.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <utility>

#include "tcp_endpoint.h"

namespace zk::tcp {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

// A queued message up to this size is copied into a shared chunk rather than given its own
// iovec: copying 40 bytes is far cheaper than a longer writev, and asio caps a writev at 64
// buffers. Bigger messages go out zero-copy.
constexpr size_t kCoalesceMaxMessage = 8 * 1024;
constexpr size_t kCoalesceMaxChunk = 256 * 1024;
// After Close, bytes the peer sent that nobody will read are discarded before close(2), so
// the kernel sends FIN rather than RST (an RST can make the peer drop our last reply).
constexpr int kMaxDrainReads = 16;
// Backoff after a failed accept (EMFILE and friends) so the I/O thread does not spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

void SetSocketOptions(tcp::socket& socket) {
  error_code ec;
  // Replies are small and latency-bound; Nagle would hold them back (ZooKeeper's
  // NIOServerCnxn sets TCP_NODELAY too). Coalescing is done by our own write batching.
  socket.set_option(tcp::no_delay(true), ec);
  // Reads are done with read_some into the shared buffer after async_wait reports readiness.
  socket.non_blocking(true, ec);
}

}  // namespace

struct TcpTransport::Conn {
  Conn(tcp::socket s, ConnId i, ConnectionHandler* h) : socket(std::move(s)), id(i), handler(h) {}

  tcp::socket socket;
  const ConnId id;
  ConnectionHandler* const handler;
  std::atomic<bool> reading{true};
  std::atomic<bool> closing{false};  // Close was called: read no more

  // I/O thread only.
  bool open = false;        // OnOpen delivered; socket connected
  bool closed = false;      // OnClosed delivered; socket closed
  bool read_armed = false;  // an async_wait(read) is outstanding
  std::vector<std::string> batch;
  std::vector<std::string> out;  // what the outstanding gather write points into
  std::vector<asio::const_buffer> buffers;

  // Filled by any thread, drained by the I/O thread.
  std::mutex mu;
  std::vector<std::string> pending;
  bool write_scheduled = false;  // the I/O thread will look at `pending` again
  bool close_requested = false;
  bool dead = false;  // closed: Send and Close are no-ops
};

struct TcpTransport::Listener {
  Listener(asio::io_context& io, ConnectionHandler* h)
      : acceptor(io), retry_timer(io), handler(h) {}
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  ConnectionHandler* const handler;
  std::string name;
};

TcpTransport::TcpTransport(Host* host, TcpOptions options)
    : host_(host),
      options_(options),
      work_(asio::make_work_guard(io_)),
      resolver_(io_),
      read_buf_(options.read_buffer_bytes) {}

TcpTransport::~TcpTransport() {
  Stop();
  if (thread_.joinable()) {
    // Only reached when Stop ran on the I/O thread itself (a contract violation, logged).
    if (thread_.get_id() == std::this_thread::get_id()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

void TcpTransport::Log(LogLevel level, const std::string& message) {
  if (host_ != nullptr) host_->Log(level, "tcp transport: " + message);
}

Status TcpTransport::Start() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return Status::Unavailable("tcp transport: already stopped");
  if (started_) return Status::OK();
  started_ = true;
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "zk-tcp-io");  // visible in top -H and gdb
    io_.run();
  });
  return Status::OK();
}

void TcpTransport::Stop() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  {
    std::lock_guard<std::mutex> conns_lock(mu_);
    stopping_ = true;
  }
  if (!thread_.joinable()) {
    // Never started: no callback may run, so close everything silently.
    error_code ec;
    for (auto& l : listeners_) l->acceptor.close(ec);
    for (auto& [id, conn] : conns_) conn->socket.close(ec);
    listeners_.clear();
    conns_.clear();
    return;
  }
  if (thread_.get_id() == std::this_thread::get_id()) {
    Log(LogLevel::kError, "Stop called from a transport callback; it cannot join its own thread");
    StopOnIoThread();
    io_.stop();
    return;
  }
  asio::post(io_, [this] { StopOnIoThread(); });
  thread_.join();
}

void TcpTransport::StopOnIoThread() {
  std::vector<std::shared_ptr<Listener>> listeners;
  std::vector<ConnPtr> conns;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listeners.swap(listeners_);
    for (auto& [id, conn] : conns_) conns.push_back(conn);
  }
  error_code ec;
  for (auto& l : listeners) {
    l->acceptor.close(ec);
    l->retry_timer.cancel();
  }
  resolver_.cancel();
  std::sort(conns.begin(), conns.end(),
            [](const ConnPtr& a, const ConnPtr& b) { return a->id < b->id; });
  for (auto& conn : conns) CloseNow(conn, "transport stopped", /*graceful=*/false);
  // With no work guard, run() returns once the cancelled operations have completed.
  work_.reset();
}

Status TcpTransport::Listen(const Endpoint& ep, ConnectionHandler* handler, uint16_t* bound_port) {
  if (handler == nullptr) return Status::InvalidArgument("tcp: Listen needs a handler");
  if (stopping_) return Status::Unavailable("tcp transport: stopped");
  tcp::endpoint endpoint;
  Status s = ResolveListenEndpoint(ep, &endpoint);
  if (!s.ok()) return s;

  auto listener = std::make_shared<Listener>(io_, handler);
  error_code ec;
  auto fail = [&](const char* what) {
    return Status::IoError("tcp: " + std::string(what) + " " + Describe(ep) + ": " + ec.message());
  };
  listener->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("cannot open socket for");
  listener->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return fail("cannot set SO_REUSEADDR on");
  listener->acceptor.bind(endpoint, ec);
  if (ec) return fail("cannot bind");
  listener->acceptor.listen(options_.listen_backlog, ec);
  if (ec) return fail("cannot listen on");
  tcp::endpoint local = listener->acceptor.local_endpoint(ec);
  if (ec) return fail("cannot read the bound address of");
  listener->name = FormatEndpoint(local);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("tcp transport: stopped");
    listeners_.push_back(listener);
  }
  if (bound_port != nullptr) *bound_port = local.port();
  Log(LogLevel::kInfo, "listening on " + listener->name);
  asio::post(io_, [this, listener] { StartAccept(listener); });
  return Status::OK();
}

void TcpTransport::StartAccept(const std::shared_ptr<Listener>& listener) {
  if (!listener->acceptor.is_open()) return;
  listener->acceptor.async_accept([this, listener](const error_code& ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (ec) {
      Log(LogLevel::kWarn, "accept on " + listener->name + " failed: " + ec.message());
      listener->retry_timer.expires_after(kAcceptRetryDelay);
      listener->retry_timer.async_wait([this, listener](const error_code& timer_ec) {
        if (!timer_ec) StartAccept(listener);
      });
      return;
    }
    OnAccepted(listener, std::move(socket));
    StartAccept(listener);
  });
}

void TcpTransport::OnAccepted(const std::shared_ptr<Listener>& listener, tcp::socket socket) {
  SetSocketOptions(socket);
  error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return;  // the peer is already gone; nothing was reported yet
  auto conn = std::make_shared<Conn>(std::move(socket), next_id_++, listener->handler);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    conns_.emplace(conn->id, conn);
  }
  conn->open = true;
  conn->handler->OnOpen(conn->id, FormatEndpoint(remote));
  TryRead(conn);
}

ConnId TcpTransport::Connect(const Endpoint& ep, ConnectionHandler* handler) {
  const ConnId id = next_id_++;
  if (handler == nullptr) return id;
  auto conn = std::make_shared<Conn>(tcp::socket(io_), id, handler);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return id;  // stopped: no callback will ever come
    conns_.emplace(id, conn);
  }
  asio::post(io_, [this, conn, ep] { BeginConnect(conn, ep); });
  return id;
}

void TcpTransport::BeginConnect(const ConnPtr& conn, const Endpoint& ep) {
  if (conn->closed) return;
  const std::string host = ConnectHost(ep);
  const std::string target = Describe(ep);
  error_code ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (!ec) {
    conn->socket.async_connect(tcp::endpoint(addr, ep.port),
                               [this, conn, target](const error_code& connect_ec) {
                                 OnConnected(conn, connect_ec, target);
                               });
    return;
  }
  resolver_.async_resolve(
      host, std::to_string(ep.port),
      [this, conn, target](const error_code& resolve_ec, tcp::resolver::results_type results) {
        if (conn->closed) return;
        if (resolve_ec) {
          CloseNow(conn, "connect " + target + ": " + resolve_ec.message(), false);
          return;
        }
        asio::async_connect(
            conn->socket, results,
            [this, conn, target](const error_code& connect_ec, const tcp::endpoint&) {
              OnConnected(conn, connect_ec, target);
            });
      });
}

void TcpTransport::OnConnected(const ConnPtr& conn, const error_code& ec,
                               const std::string& target) {
  if (conn->closed) return;
  if (ec) {
    CloseNow(conn, "connect " + target + ": " + ec.message(), false);
    return;
  }
  SetSocketOptions(conn->socket);
  error_code remote_ec;
  tcp::endpoint remote = conn->socket.remote_endpoint(remote_ec);
  conn->open = true;
  conn->handler->OnOpen(conn->id, remote_ec ? target : FormatEndpoint(remote));
  if (conn->closed) return;
  bool start_write = false;
  {
    std::lock_guard<std::mutex> lock(conn->mu);
    if ((!conn->pending.empty() || conn->close_requested) && !conn->write_scheduled) {
      conn->write_scheduled = true;
      start_write = true;
    }
  }
  if (start_write) StartWrite(conn);
  TryRead(conn);
}

TcpTransport::ConnPtr TcpTransport::Find(ConnId id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : it->second;
}

void TcpTransport::Send(ConnId id, std::string bytes) {
  if (bytes.empty()) return;
  ConnPtr conn = Find(id);
  if (!conn) return;
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(conn->mu);
    if (conn->dead || conn->close_requested) return;
    conn->pending.push_back(std::move(bytes));
    // One post per batch, not per Send: the I/O thread takes everything queued at once.
    if (!conn->write_scheduled) {
      conn->write_scheduled = true;
      post = true;
    }
  }
  if (post) asio::post(io_, [this, conn] { StartWrite(conn); });
}

void TcpTransport::Close(ConnId id) {
  ConnPtr conn = Find(id);
  if (!conn) return;
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(conn->mu);
    if (conn->dead || conn->close_requested) return;
    conn->close_requested = true;
    conn->closing = true;
    if (!conn->write_scheduled) {
      conn->write_scheduled = true;
      post = true;
    }
  }
  if (post) asio::post(io_, [this, conn] { StartWrite(conn); });
}

void TcpTransport::SetReading(ConnId id, bool reading) {
  ConnPtr conn = Find(id);
  if (!conn) return;
  conn->reading = reading;
  if (reading) asio::post(io_, [this, conn] { TryRead(conn); });
}

// Reads what the kernel holds into the shared buffer and hands it to the handler. Called when
// the socket is readable (or might be); re-arms async_wait when the socket runs dry.
void TcpTransport::TryRead(const ConnPtr& conn) {
  if (conn->closed || !conn->open || conn->read_armed) return;
  if (!conn->reading || conn->closing) return;
  error_code ec;
  size_t n = conn->socket.read_some(asio::buffer(read_buf_), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ArmRead(conn);
    return;
  }
  if (ec == asio::error::eof) {
    CloseNow(conn, "", /*graceful=*/false);
    return;
  }
  if (ec) {
    CloseNow(conn, ec.message(), /*graceful=*/false);
    return;
  }
  conn->handler->OnData(conn->id, read_buf_.data(), n);
  if (n == read_buf_.size()) {
    // Probably more waiting; let other connections take a turn first.
    asio::post(io_, [this, conn] { TryRead(conn); });
  } else {
    ArmRead(conn);
  }
}

void TcpTransport::ArmRead(const ConnPtr& conn) {
  if (conn->closed || conn->read_armed) return;
  conn->read_armed = true;
  conn->socket.async_wait(tcp::socket::wait_read, [this, conn](const error_code& ec) {
    conn->read_armed = false;
    if (conn->closed || ec == asio::error::operation_aborted) return;
    if (ec) {
      CloseNow(conn, ec.message(), /*graceful=*/false);
      return;
    }
    TryRead(conn);
  });
}

void TcpTransport::StartWrite(const ConnPtr& conn) {
  if (conn->closed) return;
  bool close = false;
  {
    std::lock_guard<std::mutex> lock(conn->mu);
    if (!conn->open) {
      conn->write_scheduled = false;  // OnConnected picks the queue up
      return;
    }
    if (conn->pending.empty()) {
      conn->write_scheduled = false;
      close = conn->close_requested;
    } else {
      conn->batch.swap(conn->pending);
    }
  }
  if (close) {
    CloseNow(conn, "", /*graceful=*/true);
    return;
  }
  if (conn->batch.empty()) return;

  conn->out.clear();
  bool last_is_chunk = false;
  for (std::string& s : conn->batch) {
    if (s.size() <= kCoalesceMaxMessage && last_is_chunk &&
        conn->out.back().size() + s.size() <= kCoalesceMaxChunk) {
      conn->out.back().append(s);
    } else {
      conn->out.push_back(std::move(s));
      last_is_chunk = conn->out.back().size() <= kCoalesceMaxMessage;
    }
  }
  conn->batch.clear();
  conn->buffers.clear();
  for (const std::string& s : conn->out) conn->buffers.emplace_back(s.data(), s.size());

  asio::async_write(conn->socket, conn->buffers, [this, conn](const error_code& ec, size_t) {
    if (conn->closed) return;
    if (ec) {
      CloseNow(conn, ec.message(), /*graceful=*/false);
      return;
    }
    StartWrite(conn);
  });
}

void TcpTransport::DrainReceived(const ConnPtr& conn) {
  for (int i = 0; i < kMaxDrainReads; ++i) {
    error_code ec;
    conn->socket.read_some(asio::buffer(read_buf_), ec);
    if (ec) return;
  }
}

void TcpTransport::CloseNow(const ConnPtr& conn, const std::string& error, bool graceful) {
  if (conn->closed) return;
  conn->closed = true;
  {
    std::lock_guard<std::mutex> lock(conn->mu);
    conn->dead = true;
    conn->pending.clear();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    conns_.erase(conn->id);
  }
  error_code ec;
  if (graceful && conn->open) {
    conn->socket.shutdown(tcp::socket::shutdown_send, ec);
    DrainReceived(conn);
  }
  conn->socket.close(ec);
  conn->out.clear();
  conn->handler->OnClosed(conn->id, error);
}

}  // namespace zk::tcp

// The tcp transport: Boost.Asio on one I/O thread (DESIGN §4: 2-core target, the core loop is
// the other thread). Reads go through one shared buffer; writes are queued per connection and
// leave as one gather write per batch, so many small replies cost one syscall.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "zk/host.h"
#include "zk/transport.h"

namespace zk::tcp {

struct TcpOptions {
  int listen_backlog = 1024;
  size_t read_buffer_bytes = 64 * 1024;
};

// Thread-safety: Send, Close, SetReading, Connect and Listen may be called from any thread,
// including from inside a callback. Start and Stop from the owner's thread.
// REQUIRES: Stop (and the destructor) are not called from inside a callback.
class TcpTransport final : public Transport {
 public:
  // `host` is borrowed for logging and must outlive this object.
  TcpTransport(Host* host, TcpOptions options);
  ~TcpTransport() override;

  Status Start() override;
  // Closes listeners and connections abruptly (queued output is dropped); every connection
  // still open gets OnClosed(id, "transport stopped") on the I/O thread before Stop returns.
  void Stop() override;
  Status Listen(const Endpoint& ep, ConnectionHandler* handler, uint16_t* bound_port) override;
  ConnId Connect(const Endpoint& ep, ConnectionHandler* handler) override;
  void Send(ConnId id, std::string bytes) override;
  void Close(ConnId id) override;
  // SetReading(false) called inside a callback of that connection takes effect before the next
  // OnData; called from another thread, a read already being delivered may still arrive. While
  // paused nothing is read, so the kernel's window pushes back on the peer.
  void SetReading(ConnId id, bool reading) override;

 private:
  struct Conn;
  struct Listener;
  using ConnPtr = std::shared_ptr<Conn>;

  ConnPtr Find(ConnId id);
  void StartAccept(const std::shared_ptr<Listener>& listener);
  void OnAccepted(const std::shared_ptr<Listener>& listener, boost::asio::ip::tcp::socket socket);
  void BeginConnect(const ConnPtr& conn, const Endpoint& ep);
  void OnConnected(const ConnPtr& conn, const boost::system::error_code& ec,
                   const std::string& target);
  void TryRead(const ConnPtr& conn);
  void ArmRead(const ConnPtr& conn);
  void StartWrite(const ConnPtr& conn);
  void CloseNow(const ConnPtr& conn, const std::string& error, bool graceful);
  void DrainReceived(const ConnPtr& conn);
  void StopOnIoThread();
  void Log(LogLevel level, const std::string& message);

  Host* const host_;
  const TcpOptions options_;

  // Declared first so that it is destroyed last: sockets and acceptors below need it.
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  boost::asio::ip::tcp::resolver resolver_;
  std::thread thread_;
  std::vector<uint8_t> read_buf_;  // I/O thread only

  std::mutex stop_mu_;  // serializes Start and Stop
  bool started_ = false;
  bool stopped_ = false;

  std::mutex mu_;  // guards conns_, listeners_, stopping_ transitions
  std::unordered_map<ConnId, ConnPtr> conns_;
  std::vector<std::shared_ptr<Listener>> listeners_;
  std::atomic<bool> stopping_{false};
  std::atomic<ConnId> next_id_{1};
};

}  // namespace zk::tcp

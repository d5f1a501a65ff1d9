// ControlSocket: a Unix socket in the dataDir (zknode.sock) through which `zkops server`
// asks a running zknode for what the client protocol has no words for (hand leadership to
// another server). Local only, guarded by the dataDir's permissions; nothing listens on the
// network. One request line per connection, one reply line, then the server closes.
//
//   request:  "transfer <id>" | "transfer any"
//   reply:    "OK <text>" | "ERROR <text>"
//
// Threading: accepts and reads on the core loop's io_context; the handler runs on the loop.
#pragma once

#include <boost/asio/local/stream_protocol.hpp>

#include <functional>
#include <memory>
#include <string>

#include "server/core_loop.h"
#include "zk/status.h"

namespace zk::server {

inline constexpr const char* kControlSocketName = "zknode.sock";

class ControlSocket {
 public:
  using Reply = std::function<void(const std::string& line)>;
  // Called on the loop with the request line (no newline); must call `reply` once, now or
  // later.
  using Handler = std::function<void(const std::string& request, Reply reply)>;

  // `loop` is borrowed and must outlive this object.
  ControlSocket(CoreLoop* loop, Handler handler);
  ~ControlSocket();

  // Binds `path` (a stale socket file left by a killed server is replaced). Synchronous.
  Status Start(const std::string& path);
  // Stops accepting and removes the socket file. Idempotent.
  void Stop();

 private:
  struct Session;
  void Accept();

  CoreLoop* const loop_;
  Handler handler_;
  std::string path_;
  std::unique_ptr<boost::asio::local::stream_protocol::acceptor> acceptor_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // replaced by Stop
};

}  // namespace zk::server

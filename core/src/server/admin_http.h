// The AdminServer (operations.md §1.6): ZooKeeper's `/commands/<name>` JSON and a Prometheus
// `/metrics`, on Poco's HTTPServer, configured by the admin.* keys. Requests are answered on
// Poco's threads; each command runs on the core loop, which owns the state it reads.
#pragma once

#include <memory>
#include <string>

#include "config/zoo_cfg.h"
#include "zk/status.h"

namespace Poco::Net {
class HTTPServer;
}

namespace zk::server {

class ZkServer;
class CoreLoop;

class AdminServer {
 public:
  AdminServer(ZkServer* server, CoreLoop* loop);
  ~AdminServer();
  // Binds admin.serverAddress:admin.serverPort and starts serving.
  Status Start(const config::ZooConfig& cfg);
  void Stop();
  uint16_t port() const { return port_; }

  // The JSON document for one command name or alias; "" for an unknown command.
  // REQUIRES: core loop.
  static std::string CommandJson(ZkServer* server, const std::string& name);
  // Prometheus text exposition of mntr's numeric values. REQUIRES: core loop.
  static std::string Metrics(ZkServer* server);

 private:
  ZkServer* server_;
  CoreLoop* loop_;
  std::unique_ptr<Poco::Net::HTTPServer> http_;
  uint16_t port_ = 0;
};

}  // namespace zk::server

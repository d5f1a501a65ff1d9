// Node: one zknode process's worth of parts, wired together in the order DESIGN §5 asks
// (plugin libraries first, so they are destroyed last). zknode's main() and in-process tests
// both use it.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/zoo_cfg.h"
#include "plugin_loader/plugin_loader.h"
#include "server/control_socket.h"
#include "server/core_loop.h"
#include "server/server.h"
#include "zk/election.h"
#include "zk/status.h"
#include "zk/storage.h"
#include "zk/transport.h"

namespace zk::server {

// Process exit codes, as ZooKeeper's ExitCode where one exists (operations.md §1.7).
enum ExitCode {
  kExitOk = 0,
  kExitUnexpected = 1,
  kExitInvalidConfig = 2,
  kExitDataDir = 3,
  kExitAdminServer = 4,
  kExitBindClientPort = 5,
};

// What ZkServer and the election plugin are given for `cfg`, the same in zknode and in the
// tests that wire servers by hand (tests/integration/ensemble).
ServerOptions MakeServerOptions(const config::ZooConfig& cfg,
                                const std::vector<const plugin_loader::LoadedPlugin*>& plugins);
ElectionContext MakeElectionContext(const config::ZooConfig& cfg, Host* host, Storage* storage,
                                    Transport* transport, StateMachine* state_machine);

class Node {
 public:
  ~Node();

  // Loads the plugins named by `cfg`, checks their keys, opens storage, recovers the state
  // and listens on the client port. On failure *exit_code says which kind (ExitCode).
  static Status Create(const config::ZooConfig& cfg, std::unique_ptr<Node>* out,
                       int* exit_code);

  // Runs the core loop on the calling thread until RequestStop().
  void Run();
  // Runs the core loop on its own thread (tests); Stop() joins it.
  void RunInThread();
  // Orderly stop: stop serving, stop the election, flush storage. Any thread.
  void RequestStop();
  void Stop();

  CoreLoop& loop() { return *loop_; }
  ZkServer& server() { return *server_; }
  uint16_t client_port() const { return server_->client_port(); }
  // The AdminServer's port, 0 when it is disabled or failed to start.
  uint16_t admin_port() const;

 private:
  Node() = default;
  void Shutdown();
  // ControlSocket requests (control_socket.h): "transfer <id>|any".
  void HandleControl(const std::string& request, ControlSocket::Reply reply);

  // Declaration order is destruction order reversed: libraries outlive their objects.
  std::unique_ptr<plugin_loader::LoadedPlugin> transport_lib_;
  std::unique_ptr<plugin_loader::LoadedPlugin> storage_lib_;
  std::unique_ptr<plugin_loader::LoadedPlugin> election_lib_;
  std::unique_ptr<CoreLoop> loop_;
  std::unique_ptr<Transport> transport_;
  std::unique_ptr<Storage> storage_;
  std::unique_ptr<Election> election_;
  std::unique_ptr<ZkServer> server_;
  std::unique_ptr<class AdminServer> admin_;
  std::unique_ptr<ControlSocket> control_;
  bool stopped_ = false;
  bool stop_requested_ = false;
  static constexpr int64_t kTransferTimeoutMs = 3000;
  // After the handoff the old leader lingers this long as a follower, so writes other
  // servers forwarded to it before they heard of the new leader are refused (and sent
  // there) rather than lost with its links.
  static constexpr int64_t kHandoffLingerMs = 100;
};

}  // namespace zk::server

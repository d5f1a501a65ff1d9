// The inproc transport: connections between Transport instances of one process, for
// deterministic in-process ensembles (DESIGN §2). See inproc_state.h for the delivery model
// and inproc_control.h for the partition/delay controls tests use.
#pragma once

#include <memory>
#include <string>

#include "inproc_state.h"
#include "zk/host.h"
#include "zk/transport.h"

namespace zk::inproc {

// Every callback runs on the receiving transport's Host::Post loop (or, for Stop's own
// OnClosed, on the thread calling Stop), one at a time per transport.
// Send, Close, SetReading and Connect never call a handler directly. Any thread.
// REQUIRES: `host` outlives this object and keeps running posted functions until Stop.
class InprocTransport final : public Transport {
 public:
  // `name` identifies this transport in partition/delay groups ("" = only its endpoints).
  InprocTransport(Host* host, std::string name);
  ~InprocTransport() override;

  // Nothing to start: there is no thread. Present for the contract.
  Status Start() override;
  // Unregisters the listeners; peers see an orderly close (EOF); every connection of ours
  // that was opened gets OnClosed(id, "transport stopped") on the calling thread before it
  // returns. Waits for a callback in progress on the host loop.
  void Stop() override;
  // "" and "0.0.0.0" listen on the wildcard; port 0 picks a process-unique fake port.
  Status Listen(const Endpoint& ep, ConnectionHandler* handler, uint16_t* bound_port) override;
  // Fails with OnClosed(id, "... connection refused") when nobody listens, and with
  // "... partitioned" across a partition.
  ConnId Connect(const Endpoint& ep, ConnectionHandler* handler) override;
  void Send(ConnId id, std::string bytes) override;
  // Bytes already sent are already queued at the peer, so "flush, then close" means: the peer
  // gets them, then EOF; we get OnClosed(id, "").
  void Close(ConnId id) override;
  // Paused ends buffer in memory without limit (no flow control in-process).
  void SetReading(ConnId id, bool reading) override;

 private:
  std::shared_ptr<End> FindLocked(ConnId id);
  void Log(LogLevel level, const std::string& message);

  Host* const host_;
  const std::shared_ptr<Node> node_;
};

}  // namespace zk::inproc

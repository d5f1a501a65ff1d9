// Transport plugin interface: moves bytes. Client connections on clientPort, peer links on
// the quorum and election ports. Framing, 4lw detection and decoding stay in core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "zk/host.h"
#include "zk/plugin.h"
#include "zk/status.h"

namespace zk {

struct Endpoint {
  std::string host;  // "0.0.0.0", "127.0.0.1", a name, or "" for every address
  uint16_t port = 0;
};

using ConnId = uint64_t;  // never 0; unique for the life of the Transport

// Implemented by core. Called on a transport I/O thread; calls for one connection are
// serialized and arrive in order: OnOpen, OnData*, OnClosed (exactly once).
class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  // `peer` is "ip:port" of the other side (for an outgoing link, of the remote end).
  virtual void OnOpen(ConnId id, const std::string& peer) = 0;
  virtual void OnData(ConnId id, const uint8_t* data, size_t len) = 0;
  // `error` is empty for an orderly close.
  virtual void OnClosed(ConnId id, const std::string& error) = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Starts the I/O thread(s). Callbacks may fire from now until Stop returns.
  virtual Status Start() = 0;
  // Closes every connection and listener and joins the I/O thread(s). Each connection still
  // open gets OnClosed(id, non-empty error) before it returns; after it returns no callback
  // runs. Idempotent.
  virtual void Stop() = 0;

  // Listens on `ep`; accepted connections report to `handler`, which must outlive Stop().
  // Port 0 picks a free port; the port bound is stored in *bound_port.
  virtual Status Listen(const Endpoint& ep, ConnectionHandler* handler, uint16_t* bound_port) = 0;

  // Opens an outgoing link; OnOpen or OnClosed(id, error) follows on `handler`.
  virtual ConnId Connect(const Endpoint& ep, ConnectionHandler* handler) = 0;

  // Queues bytes for the connection; no-op if it is already closed. Any thread.
  virtual void Send(ConnId id, std::string bytes) = 0;
  // Flushes what was queued, then closes; OnClosed follows. Any thread.
  virtual void Close(ConnId id) = 0;
  // Stops (or resumes) reading from a connection: backpressure. Any thread.
  virtual void SetReading(ConnId id, bool reading) = 0;
};

class TransportFactory : public PluginFactory {
 public:
  virtual std::unique_ptr<Transport> Create(const PluginConfig& config, Host* host,
                                            Status* status) = 0;
};

}  // namespace zk

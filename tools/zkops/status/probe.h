// Asks servers what they are doing: srvr, then (when it serves) mntr and conf over the client
// port; the AdminServer (GET /commands/srvr, /commands/mntr) when its port is given and the
// client port did not say enough. Servers are probed in parallel, one thread each, so a hung
// server costs one timeout, not one per server.
#pragma once

#include <chrono>
#include <vector>

#include "status/interpret.h"
#include "status/report.h"
#include "status/target.h"

namespace zkops::status {

struct ProbeOptions {
  // Bounds each exchange (connect + reply). A server that times out is asked nothing more
  // over that port, so one server costs at most two timeouts (client port, AdminServer).
  std::chrono::milliseconds timeout{5000};
  bool ask_mntr = true;
  bool ask_conf = true;
};

// GET http://host:port<path>. Thread-safe; blocks up to `timeout`.
HttpReply HttpGet(const std::string& host, uint16_t port, const std::string& path,
                  std::chrono::milliseconds timeout);

// Every question for one server. Thread-safe; blocks.
RawProbe ProbeServer(const Target& target, const ProbeOptions& options);

// ProbeServer for every target at once, then Interpret; reports in target order.
std::vector<ServerReport> ProbeAll(const std::vector<Target>& targets,
                                   const ProbeOptions& options);

}  // namespace zkops::status

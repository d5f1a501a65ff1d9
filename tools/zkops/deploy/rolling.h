// A rolling restart that never loses quorum (operations.md §7 "start/stop", lesson 3;
// Exhibitor's rolling ensemble change): refuse unless the ensemble is healthy, restart one
// server at a time, followers first and the leader last (after handing leadership away), and
// before the next one wait until the restarted server serves and has caught up with the
// leader's zxid. Stop at the first failure, with the rest of the ensemble still serving.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "status/report.h"
#include "zk/status.h"

namespace zkops::deploy {

// What the restart does to one server. Each returns 0 on success, else a failure whose text
// is in *output. Implemented with `zkops server ...` on the server's host (deploy.cc); fakes
// in tests.
class ServerOps {
 public:
  virtual ~ServerOps() = default;
  virtual int Stop(const inventory::RenderedServer& server, std::string* output) = 0;
  virtual int Start(const inventory::RenderedServer& server, std::string* output) = 0;
  // Hands leadership away from `server` (which leads) to any other voter.
  virtual int Transfer(const inventory::RenderedServer& server, std::string* output) = 0;
};

// Probes the whole ensemble; reports must carry target.expected_id = the inventory id.
using Prober = std::function<status::EnsembleStatus()>;

struct RollingOptions {
  // How long a restarted server may take to serve and catch up, and how long a leadership
  // hand-over may take.
  std::chrono::milliseconds await{std::chrono::seconds(60)};
  std::chrono::milliseconds poll{std::chrono::milliseconds(200)};
  // Progress lines ("restart 1/3: server.2 (follower) ..."), printed as they happen.
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct RollingResult {
  zk::Status status;                // OK; Unavailable when refused, Aborted when stopped
  bool refused = false;            // the ensemble was not healthy: nothing was restarted
  std::vector<uint64_t> restarted;  // in the order they were restarted and caught up
};

// Restarts `to_restart` (inventory ids of running servers of `cluster`). REQUIRES: every id is
// in cluster.
RollingResult RollingRestart(const inventory::RenderedCluster& cluster,
                             const std::vector<uint64_t>& to_restart, ServerOps& ops,
                             const Prober& probe, const RollingOptions& options);

// Waits until every voter serves with one leader (verdict healthy); the last status in *last.
bool AwaitHealthy(const Prober& probe, std::chrono::milliseconds await,
                  std::chrono::milliseconds poll, status::EnsembleStatus* last);

}  // namespace zkops::deploy

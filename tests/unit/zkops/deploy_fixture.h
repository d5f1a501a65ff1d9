// A three-server inventory rendered in memory for the deploy tests, and ServerReport helpers.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "inventory/inventory.h"
#include "status/assess.h"
#include "status/report.h"

namespace zkops::deploy::testing {

class DeployCluster {
 public:
  // REQUIRES: call Load() once before cluster().
  void Load(const std::string& env = "prod") {
    const std::string text =
        "cluster: dt\n"
        "defaults:\n"
        "  host: 127.0.0.1\n"
        "  paths: {installDir: \"/tmp/dt/i{id}\", dataDir: \"/tmp/dt/d{id}\"}\n"
        "servers:\n"
        "  - {id: 1, ports: {client: 2181, quorum: 8001, election: 8101}}\n"
        "  - {id: 2, ports: {client: 2182, quorum: 8002, election: 8102}}\n"
        "  - {id: 3, ports: {client: 2183, quorum: 8003, election: 8103}}\n"
        "environments:\n"
        "  dev: {plugins: {storage: {name: memory, keys: {allowEnsemble: true}}}}\n"
        "  prod: {plugins: {transport: tcp, storage: sqlite, election: raft}}\n";
    ASSERT_TRUE(inventory::ParseInventory(text, "inv.yaml", &inv_).ok());
    const inventory::Environment* e = nullptr;
    ASSERT_TRUE(inventory::SelectEnvironment(inv_, env, &e).ok());
    ASSERT_TRUE(inventory::RenderCluster(inv_, *e, &cluster_).ok());
  }
  const inventory::RenderedCluster& cluster() const { return cluster_; }

 private:
  inventory::Inventory inv_;
  inventory::RenderedCluster cluster_;
};

inline status::ServerReport Report(uint64_t id, status::State state, uint64_t zxid) {
  status::ServerReport r;
  r.target.name = "server." + std::to_string(id);
  r.target.host = "127.0.0.1";
  r.target.client_port = static_cast<uint16_t>(2180 + id);
  r.target.expected_id = static_cast<int64_t>(id);
  r.name = r.target.name;
  r.state = state;
  if (status::IsServing(state)) r.zxid = zxid;
  return r;
}

}  // namespace zkops::deploy::testing

// What the commands that start from an inventory (check, provision, firewall, status, deploy)
// do once their options are parsed (commands/options.h): load the inventory, choose the
// environment, render every server, pick the servers to act on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "zk/status.h"

namespace zkops::inventory {

// An inventory loaded, its environment chosen and every server rendered. Holds the
// Inventory by value so the pointers inside `cluster` stay valid: do not copy or move it
// after Load (it is not copyable).
struct LoadedCluster {
  Inventory inventory;
  const Environment* env = nullptr;
  RenderedCluster cluster;

  LoadedCluster() = default;
  LoadedCluster(const LoadedCluster&) = delete;
  LoadedCluster& operator=(const LoadedCluster&) = delete;
};

// LoadInventory + SelectEnvironment + RenderCluster; the first error, which names its place.
zk::Status LoadCluster(const std::string& inventory_path, const std::string& env,
                       LoadedCluster* out);

// The servers a command acts on: server N when `server` is set (NotFound listing the ids
// otherwise), else all of them.
zk::Status SelectServers(const RenderedCluster& cluster, const std::optional<uint64_t>& server,
                         std::vector<const RenderedServer*>* out);

}  // namespace zkops::inventory

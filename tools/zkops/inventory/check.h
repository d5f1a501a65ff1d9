// `zkops check`: everything that can be known about an ensemble before anything runs
// (operations.md §7 "validate unique ids, myid = server.N, odd voter count, per-node port
// uniqueness"; §8 items 4 and 6). Every finding names the inventory place to fix.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "zk/status.h"

namespace zkops::inventory {

struct Finding {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kError;
  Place place;
  std::string message;
  // "error: inv.yaml:12:7: servers[1].id: duplicate id 0 (...)"
  std::string ToString() const;
};

// Resolves a host name or address literal to numeric addresses (IPv4 first, then IPv6, no
// duplicates). NotFound with the resolver's reason when it does not resolve.
using Resolver = std::function<zk::Status(const std::string& host, std::vector<std::string>*)>;
zk::Status ResolveHost(const std::string& host, std::vector<std::string>* addresses);

// The directory zknode loads plugins from when zoo.cfg has no plugin.dir: its own
// <binary dir>/../lib/zkops/plugins (plugin_loader::DefaultPluginDir), taken here relative to
// zkops, which is installed next to zknode (bin/zkops, bin/zknode).
std::string DefaultPluginDirForZkops();

// What each kind resolves to for this environment: the chosen plugin, or zknode's default
// (tcp, sqlite, and raft for an ensemble / standalone for one voter).
std::string PluginFor(const RenderedCluster& cluster, const std::string& kind);

struct CheckOptions {
  std::string plugin_dir;  // "" = the environment's pluginDir, else DefaultPluginDirForZkops()
  Resolver resolve = ResolveHost;
  // Compare an existing <dataDir>/myid of servers on this machine (no ssh target) with
  // their id.
  bool check_disk = true;
};

struct CheckReport {
  std::vector<Finding> findings;   // in the order found: inventory order within each check
  std::vector<std::string> notes;  // facts worth printing ("3 voters: tolerates 1 failure")
  int errors() const;
  int warnings() const;
};

// Runs every check; never stops at the first problem.
CheckReport CheckCluster(const RenderedCluster& cluster, const CheckOptions& options);

}  // namespace zkops::inventory

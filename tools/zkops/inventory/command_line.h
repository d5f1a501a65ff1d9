// Option parsing shared by the commands that start from an inventory (check, provision,
// firewall; later status and deploy): `-i FILE`, `--env E`, `--server N`, plus the flags
// and valued options each command declares. `--opt value` and `--opt=value` both work.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "zk/status.h"

namespace zkops::inventory {

struct CommandLine {
  std::string inventory;           // -i/--inventory, else $ZKOPS_INVENTORY, else ./zkops.yaml
  std::string env;                 // --env; "" = the inventory's default
  std::optional<uint64_t> server;  // --server N
  std::set<std::string> flags;     // e.g. "--dry-run"
  std::map<std::string, std::string> values;  // e.g. "--format" -> "nftables"
  std::vector<std::string> positional;
  bool help = false;  // -h/--help seen

  bool Has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string Value(const std::string& option, const std::string& fallback = "") const {
    auto it = values.find(option);
    return it == values.end() ? fallback : it->second;
  }
};

// Parses `args`. `flags` and `valued` list the command's own options (with their dashes).
// InvalidArgument with a sentence for an unknown option or a missing value.
zk::Status ParseCommandLine(const std::vector<std::string>& args,
                            const std::vector<std::string>& flags,
                            const std::vector<std::string>& valued, CommandLine* out);

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

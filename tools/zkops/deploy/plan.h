// What `zkops deploy` installs and what it then does to each server: pure decisions, no I/O
// except checking that the build's files exist.
//
// The install tree mirrors the build tree: <root>/bin/{zknode,zkops} and
// <root>/lib/zkops/plugins/libzk_<kind>_<name>.so, where root = <directory of zkops>/.. .
// zknode finds its plugins at <directory of zknode>/../lib/zkops/plugins
// (plugin_loader::DefaultPluginDir), so an installed zknode loads the installed plugins.
#pragma once

#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "status/report.h"
#include "zk/status.h"

namespace zkops::deploy {

// The files one server gets, relative to the build root and to its installDir alike:
// bin/zknode, bin/zkops, and exactly the plugins the environment runs (PluginFor: the chosen
// one per kind, else zknode's default), nothing else from the plugin directory.
std::vector<std::string> InstallFiles(const inventory::RenderedCluster& cluster);

// <exe_dir>/.. normalised. REQUIRES: exe_dir non-empty.
std::string BuildRootFor(const std::string& exe_dir);

// NotFound naming every file of `files` missing under `root` ("a build without plugin X?").
zk::Status CheckBuildFiles(const std::string& root, const std::vector<std::string>& files);

// Parses --servers "a,b" (server ids) into `ids`, without duplicates; InvalidArgument for
// anything else. Whether the ids exist is inventory::SelectServers's job.
zk::Status ParseServerIds(const std::string& text, std::vector<uint64_t>* ids);

// What deploy found for one server after installing and provisioning it.
struct ServerChange {
  uint64_t id = 0;
  std::vector<std::string> changed_files;  // relative paths whose content changed
  bool config_changed = false;             // zoo.cfg rendered differently than on disk
  bool running = false;                    // zknode was running before the deploy touched it
};

enum class Action {
  kNothing,         // running and nothing changed, or --no-restart
  kStart,           // not running: start it
  kRestart,         // running and its binary, plugins or zoo.cfg changed
  kRestartSkipped,  // would restart, but --no-restart
};
Action Decide(const ServerChange& change, bool no_restart);
const char* ActionName(Action action);

// The order a rolling restart takes (operations.md §7, lesson 3; Exhibitor's
// RollingHostNamesBuilder): the servers to restart that are not the leader, in the given order,
// then the leader. `status` is a probe of the whole ensemble whose reports carry
// target.expected_id (the inventory id).
std::vector<uint64_t> RestartOrder(const std::vector<uint64_t>& to_restart,
                                   const status::EnsembleStatus& status);

// The inventory id of the leader in `status`, or false when there is none.
bool LeaderId(const status::EnsembleStatus& status, uint64_t* id);

}  // namespace zkops::deploy

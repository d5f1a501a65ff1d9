// `zkops provision`: the seed's `mkdir dataDir; echo N > myid; edit zoo.cfg`, done from the
// inventory (operations.md §1.3 zkServer-initialize.sh, §1.9, §7 "provision").
//
// Per server, on this machine:
//   <dataDir>/           created (0750), with <dataDir>/myid ("N\n") and the cluster marker
//   <dataLogDir>/        created (0750) when it differs from dataDir, with the marker
//   <confDir>/zoo.cfg    the rendered config (confDir defaults to <installDir>/conf, where
//                        `zkops server` and zkServer.sh look)
//   <logDir>/            created (0755)
//   <unitDir>/<unit>     with --systemd: the systemd unit (default /etc/systemd/system)
// The marker file <dir>/zkops-cluster holds the cluster name, so a dataDir of another cluster
// is never taken over by accident.
//
// Idempotent: each step compares what is there with what should be, and a second run
// reports "unchanged" everywhere. Refusals (checked before anything is written, so a
// refused server is left untouched), overridden by --force:
//   - <dataDir>/myid holds another id
//   - a marker names another cluster
//   - dataDir or dataLogDir holds data without a marker and without a matching myid
//   - zoo.cfg exists and was not rendered by zkops (a hand-written config)
// --force rewrites myid, marker and zoo.cfg; it never deletes data.
#pragma once

#include <string>
#include <vector>

#include "inventory/inventory.h"
#include "zk/status.h"

namespace zkops::provision {

// The file name of the cluster marker in dataDir and dataLogDir.
inline constexpr char kMarkerFile[] = "zkops-cluster";
// The first line a rendered zoo.cfg starts with "# zoo.cfg of server." and its second line
// contains this: how provision tells its own file from a hand-written one.
inline constexpr char kRenderedTag[] = "Rendered by zkops";

struct Options {
  bool dry_run = false;
  bool force = false;
  bool systemd = false;
  std::string unit_dir = "/etc/systemd/system";
};

struct Step {
  enum class Action { kCreate, kUpdate, kUnchanged, kRefuse, kNote };
  Action action = Action::kUnchanged;
  std::string path;
  std::string detail;  // "myid 0", "content differs", why a refusal
};

struct ServerOutcome {
  const inventory::RenderedServer* server = nullptr;
  std::vector<Step> steps;
  bool refused = false;
  zk::Status error;  // an I/O failure while applying
  int changes() const;
};

// Plans the steps for one server and, unless dry_run or refused, applies them in order:
// directories, markers, myid, zoo.cfg, unit. Files are written atomically (temp, fsync,
// rename), so a crash leaves the old or the new file, never half of one.
ServerOutcome ProvisionServer(const inventory::RenderedCluster& cluster,
                              const inventory::RenderedServer& server, const Options& options);

// "  create     /tmp/zookeeper0 (directory)", with "would create" under dry_run.
std::string FormatStep(const Step& step, bool dry_run);

// Writes `text` to `path` atomically with `mode`. Exposed for tests.
zk::Status WriteFileAtomically(const std::string& path, const std::string& text, int mode);

}  // namespace zkops::provision

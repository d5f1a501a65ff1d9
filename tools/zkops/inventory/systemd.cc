// A systemd unit per server: zknode in the foreground under systemd (Type=simple, the shape
// the AnsibleShipyard and idealista roles use with start-foreground; operations.md §0), with
// the limits a coordination service needs.
#include <string>

#include "inventory/inventory.h"

namespace zkops::inventory {

RenderedUnit RenderSystemdUnit(const RenderedCluster& cluster, const RenderedServer& server) {
  const SystemdOptions& o = cluster.inventory->systemd;
  std::map<std::string, std::string> vars = {{"id", std::to_string(server.id)},
                                             {"cluster", cluster.cluster},
                                             {"installDir", server.install_dir},
                                             {"dataDir", server.data_dir}};
  RenderedUnit unit;
  // Templates here were written by the operator; an unknown {x} is left as written rather
  // than failing a render that `zkops check` reports anyway.
  if (!ExpandTemplate(o.unit_name, vars, Place(), &unit.name).ok()) unit.name = o.unit_name;
  std::string zknode;
  if (!ExpandTemplate(o.zknode, vars, Place(), &zknode).ok()) zknode = o.zknode;
  const std::string id = std::to_string(server.id);

  std::string t;
  t += "# systemd unit of server." + id + " (" + server.name + "), cluster '" + cluster.cluster +
       "', environment '" + cluster.environment + "'.\n";
  t += "# Rendered by zkops: edit the inventory and run `zkops provision --systemd`.\n";
  t += "[Unit]\n";
  t += "Description=zknode " + cluster.cluster + " server." + id +
       " (ZooKeeper-compatible coordination server)\n";
  t += "Wants=network-online.target\n";
  // Peers are dialled by address at start: wait for the network, not just the interfaces.
  t += "After=network-online.target\n";
  t += "\n[Service]\n";
  t += "Type=simple\n";
  if (!o.user.empty()) {
    t += "User=" + o.user + "\n";
    t += "Group=" + (o.group.empty() ? o.user : o.group) + "\n";
  }
  t += "WorkingDirectory=" + server.data_dir + "\n";
  t += "ExecStart=" + zknode + " " + server.zoo_cfg_path + "\n";
  // ZooKeeper is fail-fast and expects a supervisor to restart it (zookeeperAdmin.md
  // "Supervision"); exit code 2 is a bad config, which a restart cannot fix.
  t += "Restart=on-failure\n";
  t += "RestartSec=5\n";
  t += "RestartPreventExitStatus=2\n";
  // SIGTERM lets zknode close sessions and storage cleanly; after the timeout systemd kills.
  t += "KillSignal=SIGTERM\n";
  t += "TimeoutStopSec=30\n";
  t += "SuccessExitStatus=143\n";
  // One descriptor per client connection plus peers, snapshots and the log: the default soft
  // limit of 1024 caps a busy server far below maxClientCnxns x clients.
  t += "LimitNOFILE=" + std::to_string(o.limit_nofile) + "\n";
  t += "LimitNPROC=4096\n";
  t += "LimitCORE=infinity\n";
  // Latency matters more than throughput for heartbeats: keep the scheduler and the OOM killer
  // away from the leader ("Things to Avoid": do not swap).
  t += "OOMScoreAdjust=-500\n";
  t += "Nice=-5\n";
  // Logs go to stderr, so to the journal.
  t += "StandardOutput=journal\n";
  t += "StandardError=journal\n";
  t += "SyslogIdentifier=zknode-" + cluster.cluster + "-" + id + "\n";
  t += "NoNewPrivileges=true\n";
  t += "ProtectSystem=full\n";
  t += "ProtectHome=read-only\n";
  // "-": a directory not created yet does not stop the unit (provision creates them).
  t += "ReadWritePaths=-" + server.data_dir;
  if (server.data_log_dir != server.data_dir) t += " -" + server.data_log_dir;
  if (server.log_dir != server.data_dir && server.log_dir != server.data_log_dir) {
    t += " -" + server.log_dir;
  }
  t += "\n";
  t += "\n[Install]\n";
  t += "WantedBy=multi-user.target\n";
  unit.text = std::move(t);
  return unit;
}

}  // namespace zkops::inventory

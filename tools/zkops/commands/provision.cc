// `zkops provision`: option parsing, server selection and the report. The work is in
// provision/provision.h.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "inventory/command_line.h"
#include "provision/provision.h"

namespace zkops {
namespace {

constexpr const char* kHelp = R"HELP(Usage: zkops provision [-i INVENTORY] [--env ENV] [--server N] [--dry-run] [--force]
                       [--systemd [--unit-dir DIR]]

Prepares servers on this machine from the inventory, like the seed's `mkdir dataDir;
echo N > myid` and hand-edited zoo.cfg:
  <dataDir>, <dataLogDir>   created (0750), each marked with a zkops-cluster file naming
                            the cluster
  <dataDir>/myid            the server id ("N\n")
  <confDir>/zoo.cfg         rendered for the environment (confDir defaults to
                            <installDir>/conf: where `zkops server` looks)
  <logDir>                  created
  with --systemd            <unit-dir>/zknode-<cluster>-<id>.service (Type=simple)

Without --server it provisions every server that has no ssh target (this machine); servers
on other hosts are listed and skipped: run `zkops provision --server N` there.

It is idempotent: a second run reports every step "unchanged" and changes nothing. It
refuses, before writing anything for that server, when
  - <dataDir>/myid holds a different id,
  - a zkops-cluster marker names another cluster,
  - dataDir or dataLogDir holds data with neither marker nor matching myid,
  - zoo.cfg exists and was not rendered by zkops.
--force overrides these refusals (it rewrites myid, marker and zoo.cfg; it never deletes data).

Options:
  -i, --inventory FILE  the inventory (default $ZKOPS_INVENTORY, else ./zkops.yaml)
  --env ENV             the environment (default: the inventory's defaultEnvironment)
  --server N            only server N (on this machine, whatever its ssh target)
  --dry-run             print what would change; change nothing (prints the units too)
  --force               override the refusals above
  --systemd             also write the systemd unit (then: systemctl daemon-reload;
                        systemctl enable --now <unit>)
  --unit-dir DIR        where units go (default /etc/systemd/system)
  -h, --help            this text

Exit codes:
  0  provisioned (or nothing to change; with --dry-run: the plan was printed)
  1  refused, an I/O error, or the inventory cannot be read or rendered
  2  bad command line
)HELP";

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops provision: %s\nTry `zkops provision --help`.\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int RunProvisionCommand(const std::vector<std::string>& args) {
  CommandLine cl;
  zk::Status s =
      ParseCommandLine(args, {"--dry-run", "--force", "--systemd"}, {"--unit-dir"}, &cl);
  if (!s.ok()) return Usage(s.message());
  if (cl.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!cl.positional.empty()) return Usage("unexpected argument '" + cl.positional[0] + "'");
  inventory::LoadedCluster loaded;
  s = inventory::LoadCluster(cl.inventory, cl.env, &loaded);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops provision: %s\n", s.message().c_str());
    return 1;
  }
  const inventory::RenderedCluster& cluster = loaded.cluster;
  std::vector<const inventory::RenderedServer*> servers;
  s = inventory::SelectServers(cluster, cl.server, &servers);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops provision: %s\n", s.message().c_str());
    return 1;
  }

  provision::Options options;
  options.dry_run = cl.Has("--dry-run");
  options.force = cl.Has("--force");
  options.systemd = cl.Has("--systemd");
  options.unit_dir = cl.Value("--unit-dir", options.unit_dir);

  int done = 0, changes = 0, refused = 0, failed = 0;
  for (const inventory::RenderedServer* server : servers) {
    if (!cl.server && !server->local()) {
      std::printf("server.%llu (%s): on %s, skipped: run `zkops provision --server %llu` "
                  "there\n",
                  static_cast<unsigned long long>(server->id), server->name.c_str(),
                  server->ssh.c_str(), static_cast<unsigned long long>(server->id));
      continue;
    }
    provision::ServerOutcome out = provision::ProvisionServer(cluster, *server, options);
    std::printf("server.%llu (%s, cluster '%s', environment '%s'):\n",
                static_cast<unsigned long long>(server->id), server->name.c_str(),
                cluster.cluster.c_str(), cluster.environment.c_str());
    for (const provision::Step& step : out.steps) {
      std::printf("%s\n", provision::FormatStep(step, options.dry_run).c_str());
    }
    ++done;
    if (out.refused) {
      ++refused;
      std::printf("  nothing was changed for server.%llu\n",
                  static_cast<unsigned long long>(server->id));
      continue;
    }
    if (!out.error.ok()) {
      ++failed;
      std::fprintf(stderr, "zkops provision: server.%llu: %s\n",
                   static_cast<unsigned long long>(server->id), out.error.message().c_str());
      continue;
    }
    changes += out.changes();
    if (options.dry_run && options.systemd) {
      inventory::RenderedUnit unit = inventory::RenderSystemdUnit(cluster, *server);
      std::printf("  --- %s/%s ---\n%s", options.unit_dir.c_str(), unit.name.c_str(),
                  unit.text.c_str());
    }
  }
  if (done == 0) {
    std::fprintf(stderr,
                 "zkops provision: no server of cluster '%s' is on this machine (all have an "
                 "ssh target): choose one with --server N\n",
                 cluster.cluster.c_str());
    return 1;
  }
  const std::string on = std::to_string(done) + (done == 1 ? " server" : " servers");
  if (options.dry_run) {
    std::printf("provision --dry-run: would make %d change%s on %s; nothing was changed\n",
                changes, changes == 1 ? "" : "s", on.c_str());
  } else if (changes == 0 && refused == 0 && failed == 0) {
    std::printf("provision: nothing to change on %s (already provisioned)\n", on.c_str());
  } else {
    std::printf("provision: %d change%s on %s\n", changes, changes == 1 ? "" : "s", on.c_str());
  }
  if (refused > 0) {
    std::fprintf(stderr, "zkops provision: refused for %d server%s (see REFUSED above)\n",
                 refused, refused == 1 ? "" : "s");
  }
  if (options.systemd && !options.dry_run && changes > 0 && refused == 0 && failed == 0) {
    std::printf("next: systemctl daemon-reload && systemctl enable --now zknode-%s-<id>\n",
                cluster.cluster.c_str());
  }
  return refused == 0 && failed == 0 ? 0 : 1;
}

}  // namespace zkops

// `zkops deploy`: option parsing and help. The work is in deploy/deploy.h.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "deploy/deploy.h"
#include "deploy/plan.h"

namespace zkops {
namespace {

constexpr const char* kHelp = R"HELP(Usage: zkops deploy [-i INVENTORY] [--env ENV] [--server N | --servers A,B]
                    [--dry-run] [--no-restart] [--firewall iptables|nftables] [--timeout SECS]

Installs this build on the servers of an inventory and brings them up, one command for the
seed's "copy zookeeper three times, edit zoo.cfg, write myid, start each":

 1. Preflight, before anything changes: the inventory passes `zkops check`, the build has
    bin/zknode, bin/zkops and the environment's plugins, and every ssh target answers
    (ssh -o BatchMode=yes; no password prompts) and has rsync (not asked with --dry-run).
    Any failure stops here.
 2. Per server:
    install    <installDir>/bin/{zknode,zkops} and <installDir>/lib/zkops/plugins/ with only
               the plugins the environment runs (where the installed zknode looks for them).
               This machine (no ssh target): files whose content differs are copied (temp
               file + rename). ssh target: rsync -a --checksum over ssh.
    provision  dataDir, myid, zoo.cfg (`zkops provision`; on an ssh host the installed zkops
               runs it, with the inventory copied into <installDir>/)
    firewall   with --firewall: `zkops firewall --apply --server N` on the server's host
 3. Servers that do not run are started (`zkops server start <confDir>/zoo.cfg`); running
    servers whose binary, plugins or zoo.cfg changed get a rolling restart: refused unless the
    ensemble is healthy (`zkops status`), one server at a time, followers first, the leader
    last after handing leadership away; each must serve and reach the leader's zxid before
    the next. It stops at the first failure, with the others still serving.
Run twice with nothing changed, it transfers no file and restarts nothing.

The build is found from this zkops: <directory of zkops>/.. (bin/, lib/zkops/plugins/).
ssh options: $ZKOPS_SSH_OPTS is added to every ssh and rsync call, e.g.
  ZKOPS_SSH_OPTS="-i /root/.ssh/zk_deploy -o UserKnownHostsFile=/root/.ssh/zk_known_hosts"
  or ZKOPS_SSH_OPTS="-F /etc/zkops/ssh_config" (words split on blanks; no quoting).

Options:
  -i, --inventory FILE  the inventory (default $ZKOPS_INVENTORY, else ./zkops.yaml)
  --env ENV             the environment (default: the inventory's defaultEnvironment)
  --server N            only server N; --servers A,B: only these
  --dry-run             print the plan and change nothing, contacting no other host: servers
                        on this machine are compared file by file, their zoo.cfg too, and
                        asked (srvr) whether they run; for a server with an ssh target it
                        says "would sync N files to TARGET" and leaves what differs there, and
                        start or restart, to the real run (no ssh preflight either)
  --no-restart          install and provision, start stopped servers, restart none
  --firewall F          also load the firewall rules (iptables or nftables; needs root)
  --timeout SECS        how long each server may take to serve and catch up (default 60)
  -h, --help            this text

Exit codes:
  0  deployed (or nothing to change)
  1  a step failed after changes began (install, provision, firewall, start)
  2  bad command line
  3  stopped before any change: bad inventory, missing build file, ssh target unreachable
  4  rolling restart refused (the ensemble was not healthy) or stopped at a failed server
)HELP";

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops deploy: %s\nTry `zkops deploy --help`.\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int RunDeployCommand(const std::vector<std::string>& args) {
  CommandLine cl;
  zk::Status s = ParseCommandLine(args, {"--dry-run", "--no-restart"},
                                  {"--servers", "--firewall", "--timeout"}, &cl);
  if (!s.ok()) return Usage(s.message());
  if (cl.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!cl.positional.empty()) return Usage("unexpected argument '" + cl.positional[0] + "'");
  deploy::DeployOptions options;
  options.inventory = cl.inventory;
  options.env = cl.env;
  options.dry_run = cl.Has("--dry-run");
  options.no_restart = cl.Has("--no-restart");
  options.firewall = cl.Value("--firewall");
  if (!options.firewall.empty() && options.firewall != "iptables" &&
      options.firewall != "nftables") {
    return Usage("--firewall needs iptables or nftables, not '" + options.firewall + "'");
  }
  if (cl.server && !cl.Value("--servers").empty()) return Usage("give --server or --servers");
  if (cl.server) options.servers.push_back(*cl.server);
  if (std::string list = cl.Value("--servers"); !list.empty()) {
    if (zk::Status ps = deploy::ParseServerIds(list, &options.servers); !ps.ok()) {
      return Usage(ps.message());
    }
  }
  if (std::string t = cl.Value("--timeout"); !t.empty()) {
    char* end = nullptr;
    double v = std::strtod(t.c_str(), &end);
    if (*end != '\0' || !(v > 0) || v > 3600) return Usage("--timeout needs seconds (0..3600]");
    options.await_s = v;
  }
  std::cout.setf(std::ios::unitbuf);
  return deploy::RunDeploy(options, std::cout, std::cerr);
}

}  // namespace zkops

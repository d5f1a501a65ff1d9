// `zkops deploy`: install the build on every server of an inventory, provision it, optionally
// load its firewall, start what is not running and roll what changed. Steps and their order:
//   1. preflight, before any change: the inventory loads and `zkops check` finds no error,
//      the build has every file to install, and every ssh target answers (BatchMode) and has
//      rsync. Any failure stops here (exit 3) with a message naming the place.
//   2. per server: install (sync.h), note whether zknode runs and whether zoo.cfg will change,
//      provision (this machine: provision.h; ssh: the installed `zkops provision --server N`
//      with the inventory copied next to it), firewall (--firewall: `zkops firewall --apply`).
//   3. start the servers that do not run; rolling restart (rolling.h) of the running servers
//      whose binary, plugins or zoo.cfg changed.
// A second deploy with nothing changed transfers no file and restarts nothing.
// A dry run changes nothing and contacts no other host: no ssh probe, no rsync -n; servers on
// this machine are compared and asked whether they run, ssh servers get a plan that says what
// would be sent there.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace zkops::deploy {

// Exit codes of `zkops deploy` (2 is the shared kExitUsage).
enum DeployExit : int {
  kDeployOk = 0,
  kDeployFailed = 1,      // a step failed after changes began (install, provision, start)
  kDeployPreflight = 3,   // stopped before any change: inventory, build or ssh target
  kDeployRollFailed = 4,  // rolling restart refused (ensemble degraded) or stopped midway
};

struct DeployOptions {
  std::string inventory;          // path
  std::string env;                // "" = the inventory's default
  std::vector<uint64_t> servers;  // empty = every server
  bool dry_run = false;
  bool no_restart = false;
  std::string firewall;    // "", "iptables" or "nftables"
  std::string build_root;  // "" = <directory of zkops>/..
  double await_s = 60;     // per server: serve and catch up
};

// Runs the deploy, printing progress on `out` and errors on `err`; returns a DeployExit.
int RunDeploy(const DeployOptions& options, std::ostream& out, std::ostream& err);

}  // namespace zkops::deploy

// `zkops check [-i INVENTORY] [--env E] [--plugin-dir DIR]`: validates an inventory and the
// configs it renders before anything runs. The checks are in inventory/check.h.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "inventory/check.h"
#include "inventory/command_line.h"

namespace zkops {
namespace {

constexpr const char* kHelp = R"HELP(Usage: zkops check [-i INVENTORY] [--env ENV] [--plugin-dir DIR] [--no-disk]

Validates an inventory and the zoo.cfg it renders for every server, before anything runs:
  - the YAML: known keys, types, templates ({id}, {cluster}, {installDir}, {dataDir})
  - unique server ids (0..255)
  - an odd number of voters (an even number is a warning that says how many failures the
    ensemble tolerates)
  - every host resolves
  - no port used twice on one host (client, quorum, election, admin; servers sharing a host
    count together), no dataDir or zoo.cfg shared by two servers on one host
  - each rendered zoo.cfg is one zknode accepts, and its server lines name the server with
    the id written to its myid; an existing myid of a server on this machine agrees
  - the environment's plugins exist: libzk_<kind>_<name>.so in the plugin directory
Every message names its place: FILE:LINE:COLUMN: key.

Options:
  -i, --inventory FILE  the inventory (default $ZKOPS_INVENTORY, else ./zkops.yaml)
  --env ENV             the environment (default: the inventory's defaultEnvironment)
  --plugin-dir DIR      where plugins are looked for (default: the environment's pluginDir,
                        else <directory of zkops>/../lib/zkops/plugins, where zknode looks)
  --no-disk             do not compare existing myid files of servers on this machine
  -h, --help            this text

Exit codes:
  0  no errors (warnings may have been printed)
  1  errors found, or the inventory cannot be read or parsed
  2  bad command line
)HELP";

}  // namespace

int RunCheckCommand(const std::vector<std::string>& args) {
  CommandLine cl;
  zk::Status s = ParseCommandLine(args, {"--no-disk"}, {"--plugin-dir"}, &cl);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops check: %s\nTry `zkops check --help`.\n", s.message().c_str());
    return kExitUsage;
  }
  if (cl.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!cl.positional.empty() || cl.server) {
    std::fprintf(stderr, "zkops check: unexpected argument (it checks the whole inventory)\n");
    return kExitUsage;
  }
  inventory::LoadedCluster loaded;
  s = inventory::LoadCluster(cl.inventory, cl.env, &loaded);
  if (!s.ok()) {
    std::fprintf(stderr, "error: %s\ncheck: 1 error\n", s.message().c_str());
    return 1;
  }
  inventory::CheckOptions options;
  options.plugin_dir = cl.Value("--plugin-dir");
  options.check_disk = !cl.Has("--no-disk");
  inventory::CheckReport report = inventory::CheckCluster(loaded.cluster, options);

  const auto& c = loaded.cluster;
  std::printf("%s: cluster '%s', environment '%s', %zu server%s\n", cl.inventory.c_str(),
              c.cluster.c_str(), c.environment.c_str(), c.servers.size(),
              c.servers.size() == 1 ? "" : "s");
  for (const std::string& note : report.notes) std::printf("  %s\n", note.c_str());
  std::printf("  plugins: transport %s, storage %s, election %s\n",
              inventory::PluginFor(c, "transport").c_str(),
              inventory::PluginFor(c, "storage").c_str(),
              inventory::PluginFor(c, "election").c_str());
  for (const inventory::Finding& f : report.findings) {
    std::printf("%s\n", f.ToString().c_str());
  }
  const int errors = report.errors();
  const int warnings = report.warnings();
  std::printf("check: %d error%s, %d warning%s\n", errors, errors == 1 ? "" : "s", warnings,
              warnings == 1 ? "" : "s");
  return errors == 0 ? 0 : 1;
}

}  // namespace zkops

// `zkops firewall`: option parsing and output. Rules are in firewall/rules.h.
#include <cstdio>
#include <string>
#include <vector>

#include "commands/command.h"
#include "commands/options.h"
#include "firewall/rules.h"
#include "inventory/command_line.h"

namespace zkops {
namespace {

constexpr const char* kHelp = R"HELP(Usage: zkops firewall --format iptables|nftables [-i INVENTORY] [--env ENV] [--server N]
                      [--apply] [--remove] [--deny reject|drop]

Prints (or with --apply loads) the firewall rules for one host of the ensemble, derived from
the rendered zoo.cfg of the servers on it:
  - each client port: open to the environment's clientCidrs
  - each quorum and election port: open only to the other servers' addresses
  - each admin port, where the AdminServer is enabled: open to adminCidrs (else clientCidrs)
  - any other source is refused (TCP reset; --deny drop drops instead) on those ports only;
    other traffic is not touched.
The rules live in their own chain ZKOPS-<cluster> (iptables; INPUT jumps to it once) or
table `inet zkops_<cluster>` (nftables), so applying twice leaves the same rules, and
--remove takes them all away.

The host: the one running server N with --server N (with every other server sharing its
address); else the servers of the inventory without an ssh target (this machine); else the
only host there is.

Options:
  --format F            iptables (iptables-restore --noflush input) or nftables (nft -f input)
  -i, --inventory FILE  the inventory (default $ZKOPS_INVENTORY, else ./zkops.yaml)
  --env ENV             the environment (default: the inventory's defaultEnvironment)
  --server N            the host running server N
  --apply               load the rules into this machine's kernel (needs root): runs
                        iptables-restore --noflush (+ one INPUT jump) or nft -f
  --remove              print the removal commands; with --apply, remove the chain or table
  --deny reject|drop    how other sources are turned away (default reject)
  -h, --help            this text

Exit codes:
  0  printed, applied or removed (also when there was nothing to remove)
  1  the inventory cannot be read or a host does not resolve, or applying failed
  2  bad command line
)HELP";

int Usage(const std::string& why) {
  std::fprintf(stderr, "zkops firewall: %s\nTry `zkops firewall --help`.\n", why.c_str());
  return kExitUsage;
}

}  // namespace

int RunFirewallCommand(const std::vector<std::string>& args) {
  CommandLine cl;
  zk::Status s = ParseCommandLine(args, {"--apply", "--remove"}, {"--format", "--deny"}, &cl);
  if (!s.ok()) return Usage(s.message());
  if (cl.help) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!cl.positional.empty()) return Usage("unexpected argument '" + cl.positional[0] + "'");
  const std::string format_name = cl.Value("--format");
  firewall::Format format;
  if (format_name == "iptables") {
    format = firewall::Format::kIptables;
  } else if (format_name == "nftables" || format_name == "nft") {
    format = firewall::Format::kNftables;
  } else {
    return Usage(format_name.empty() ? "--format iptables|nftables is required"
                                     : "unknown --format '" + format_name + "'");
  }
  const std::string deny_name = cl.Value("--deny", "reject");
  if (deny_name != "reject" && deny_name != "drop") return Usage("--deny is reject or drop");
  const firewall::Deny deny = deny_name == "drop" ? firewall::Deny::kDrop : firewall::Deny::kReject;

  inventory::LoadedCluster loaded;
  s = inventory::LoadCluster(cl.inventory, cl.env, &loaded);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops firewall: %s\n", s.message().c_str());
    return 1;
  }
  std::vector<const inventory::RenderedServer*> servers;
  s = firewall::ServersOnHost(loaded.cluster, cl.server, inventory::ResolveHost, &servers);
  firewall::RuleSet rules;
  if (s.ok()) s = firewall::BuildRuleSet(loaded.cluster, servers, deny, inventory::ResolveHost,
                                         &rules);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops firewall: %s\n", s.message().c_str());
    return s.code() == zk::Status::Code::kInvalidArgument ? kExitUsage : 1;
  }

  const bool nft = format == firewall::Format::kNftables;
  const std::string name = nft ? "table inet " + rules.table : "chain " + rules.chain;
  if (cl.Has("--remove")) {
    if (!cl.Has("--apply")) {
      std::fputs(firewall::RenderRemoval(rules, format).c_str(), stdout);
      return 0;
    }
    bool removed = false;
    s = firewall::Remove(rules, format, &removed);
    if (!s.ok()) {
      std::fprintf(stderr, "zkops firewall: %s\n", s.message().c_str());
      return 1;
    }
    std::printf("firewall: %s %s\n", removed ? "removed" : "nothing to remove: no",
                name.c_str());
    return 0;
  }
  if (!cl.Has("--apply")) {
    std::fputs((nft ? firewall::RenderNftables(rules) : firewall::RenderIptables(rules)).c_str(),
               stdout);
    return 0;
  }
  s = firewall::Apply(rules, format);
  if (!s.ok()) {
    std::fprintf(stderr, "zkops firewall: %s\n", s.message().c_str());
    return 1;
  }
  std::printf("firewall: applied %s: %zu rules for %zu port%s on host %s\n", name.c_str(),
              rules.rules.size(), rules.ports.size(), rules.ports.size() == 1 ? "" : "s",
              rules.host.c_str());
  return 0;
}

}  // namespace zkops

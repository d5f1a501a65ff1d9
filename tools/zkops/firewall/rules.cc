// Rule derivation and the two text formats. Loading them into the kernel is in apply.cc.
#include "firewall/rules.h"

#include <algorithm>
#include <map>
#include <set>

namespace zkops::firewall {
namespace {

using inventory::RenderedCluster;
using inventory::RenderedServer;

bool IsV6(const std::string& address) { return address.find(':') != std::string::npos; }

std::string MachineKey(const std::vector<std::string>& addresses, const std::string& host) {
  if (addresses.empty()) return "name:" + host;
  const std::string& a = addresses.front();
  if (a.rfind("127.", 0) == 0 || a == "::1") return "loopback";
  return a;
}

std::string Basename(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string Ids(const std::vector<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "server." : ", server.") + std::to_string(id);
  return out;
}

std::string Header(const RuleSet& r, const std::string& format) {
  std::string t;
  t += "# zkops firewall rules (" + format + ") for cluster '" + r.cluster + "', environment '" +
       r.environment + "'\n";
  t += "# host " + r.host + ": " + Ids(r.server_ids) + "\n";
  t += "# Rendered by zkops from " + r.inventory_name + ".\n";
  t += "# Client ports are open to the client CIDRs, quorum and election ports only to the\n";
  t += "# other servers, admin ports (where enabled) to the admin CIDRs;\n";
  t += "# every other source is " +
       std::string(r.deny == Deny::kReject ? "refused (TCP reset)" : "dropped") +
       " on these ports. Other traffic is not touched.\n";
  return t;
}

}  // namespace

zk::Status ServersOnHost(const RenderedCluster& cluster, const std::optional<uint64_t>& server,
                         const inventory::Resolver& resolve,
                         std::vector<const RenderedServer*>* out) {
  out->clear();
  std::map<const RenderedServer*, std::string> key;
  for (const RenderedServer& s : cluster.servers) {
    std::vector<std::string> addresses;
    resolve(s.host, &addresses);  // unresolved: grouped by name
    key[&s] = MachineKey(addresses, s.host);
  }
  std::string wanted;
  if (server) {
    const RenderedServer* chosen = cluster.Find(*server);
    if (chosen == nullptr) {
      return zk::Status::NotFound("no server " + std::to_string(*server) + " in cluster '" +
                                  cluster.cluster + "'");
    }
    wanted = key[chosen];
  } else {
    std::set<std::string> local, all;
    for (const RenderedServer& s : cluster.servers) {
      all.insert(key[&s]);
      if (s.local()) local.insert(key[&s]);
    }
    if (local.size() == 1) {
      wanted = *local.begin();
    } else if (all.size() == 1) {
      wanted = *all.begin();
    } else {
      return zk::Status::InvalidArgument(
          "the servers of cluster '" + cluster.cluster +
          "' are on several hosts and the rules differ per host: choose one with --server N");
    }
  }
  for (const RenderedServer& s : cluster.servers) {
    if (key[&s] == wanted) out->push_back(&s);
  }
  return zk::Status::OK();
}

zk::Status BuildRuleSet(const RenderedCluster& cluster,
                        const std::vector<const RenderedServer*>& servers, Deny deny,
                        const inventory::Resolver& resolve, RuleSet* out) {
  *out = RuleSet();
  out->cluster = cluster.cluster;
  out->environment = cluster.environment;
  out->inventory_name = Basename(cluster.inventory->file);
  out->deny = deny;
  out->chain = "ZKOPS-" + cluster.cluster;
  out->table = "zkops_" + cluster.cluster;
  std::replace(out->table.begin(), out->table.end(), '-', '_');
  if (servers.empty()) return zk::Status::InvalidArgument("no server selected");
  out->host = servers.front()->host;

  std::map<const RenderedServer*, std::vector<std::string>> addresses;
  for (const RenderedServer& s : cluster.servers) {
    zk::Status st = resolve(s.host, &addresses[&s]);
    if (!st.ok()) {
      return zk::Status::NotFound(s.spec->host_place.ToString() + ": host '" + s.host +
                                  "' does not resolve: " + st.message());
    }
  }
  std::vector<std::string> clients, admins;
  for (const inventory::Cidr& c : cluster.env->client_cidrs) clients.push_back(c.text);
  for (const inventory::Cidr& c : cluster.env->admin_cidrs) admins.push_back(c.text);
  const bool admin_default = admins.empty();
  if (admin_default) admins = clients;
  const std::string env_key = "environments." + cluster.environment;

  std::set<uint16_t> ports;
  for (const RenderedServer* s : servers) {
    out->server_ids.push_back(s->id);
    const std::string who = "server." + std::to_string(s->id);
    // Peers: every other server's addresses (on one machine, that is this machine's).
    std::vector<std::string> peers;
    for (const RenderedServer& p : cluster.servers) {
      if (&p == s) continue;
      for (const std::string& a : addresses[&p]) {
        if (std::find(peers.begin(), peers.end(), a) == peers.end()) peers.push_back(a);
      }
    }
    out->rules.push_back({s->client_port, who + " client",
                          who + " client port " + std::to_string(s->client_port) +
                              ": clients from " + env_key + ".clientCidrs",
                          clients});
    out->rules.push_back(
        {s->quorum_port, who + " quorum",
         who + " quorum port " + std::to_string(s->quorum_port) + ": the other servers only",
         peers});
    out->rules.push_back(
        {s->election_port, who + " election",
         who + " election port " + std::to_string(s->election_port) + ": the other servers only",
         peers});
    ports.insert({s->client_port, s->quorum_port, s->election_port});
    if (s->admin_port != 0) {
      out->rules.push_back({s->admin_port, who + " admin",
                            who + " AdminServer port " + std::to_string(s->admin_port) + ": " +
                                env_key +
                                (admin_default ? ".clientCidrs (no adminCidrs)" : ".adminCidrs"),
                            admins});
      ports.insert(s->admin_port);
    }
  }
  out->ports.assign(ports.begin(), ports.end());
  return zk::Status::OK();
}

// This machine's own tools reach the servers over loopback (`zkops server start|status`,
// zkCli.sh -server localhost), and a pseudo-cluster's peers talk over it.
constexpr const char* kLoopbackWhy =
    "Loopback: this machine's own tools and servers (zkops server status, zkCli.sh localhost)";

std::string RenderIptables(const RuleSet& r) {
  std::string t = Header(r, "iptables-restore --noflush");
  t += "# Apply: zkops firewall --format iptables --apply, which runs iptables-restore --noflush\n";
  t +=
      "# on this text, then adds `-I INPUT -j " + r.chain + "` unless INPUT already jumps there.\n";
  t += "# Remove: zkops firewall --format iptables --remove --apply\n";
  t += "*filter\n";
  t += ":" + r.chain + " - [0:0]\n";
  t += "-F " + r.chain + "\n";
  t += "# " + std::string(kLoopbackWhy) + "\n";
  t += "-A " + r.chain + " -i lo -m comment --comment \"zkops " + r.cluster +
       " loopback\" -j ACCEPT\n";
  for (const Rule& rule : r.rules) {
    t += "# " + rule.why + "\n";
    if (rule.sources.empty()) t += "#   (no sources: refused to everyone)\n";
    for (const std::string& src : rule.sources) {
      if (IsV6(src)) {
        t += "#   " + src + " is IPv6: not in iptables (use --format nftables or ip6tables)\n";
        continue;
      }
      t += "-A " + r.chain + " -p tcp -s " + src + " --dport " + std::to_string(rule.port) +
           " -m comment --comment \"" + rule.comment + "\" -j ACCEPT\n";
    }
  }
  t += "# Everyone else, on the ports above:\n";
  for (uint16_t port : r.ports) {
    t += "-A " + r.chain + " -p tcp --dport " + std::to_string(port) +
         " -m comment --comment \"zkops " + r.cluster + " deny\" -j " +
         (r.deny == Deny::kReject ? "REJECT --reject-with tcp-reset" : "DROP") + "\n";
  }
  t += "COMMIT\n";
  return t;
}

std::string RenderNftables(const RuleSet& r) {
  std::string t = Header(r, "nft -f");
  t += "# Apply: zkops firewall --format nftables --apply (nft -f this file). The first two\n";
  t += "# lines create the table if missing and delete it, so the table is replaced as a whole.\n";
  t += "# Remove: zkops firewall --format nftables --remove --apply\n";
  t += "table inet " + r.table + "\n";
  t += "delete table inet " + r.table + "\n";
  t += "table inet " + r.table + " {\n";
  t += "\tchain input {\n";
  t += "\t\ttype filter hook input priority filter; policy accept;\n";
  t += "\t\t# " + std::string(kLoopbackWhy) + "\n";
  t += "\t\tiif \"lo\" accept comment \"zkops " + r.cluster + " loopback\"\n";
  for (const Rule& rule : r.rules) {
    t += "\t\t# " + rule.why + "\n";
    std::vector<std::string> v4, v6;
    for (const std::string& s : rule.sources) (IsV6(s) ? v6 : v4).push_back(s);
    if (rule.sources.empty()) t += "\t\t#   (no sources: refused to everyone)\n";
    for (const auto& [family, list] : {std::pair{"ip", &v4}, std::pair{"ip6", &v6}}) {
      if (list->empty()) continue;
      std::string set;
      for (const std::string& s : *list) set += (set.empty() ? "" : ", ") + s;
      t += "\t\ttcp dport " + std::to_string(rule.port) + " " + family + " saddr { " + set +
           " } accept comment \"" + rule.comment + "\"\n";
    }
  }
  std::string ports;
  for (uint16_t p : r.ports) ports += (ports.empty() ? "" : ", ") + std::to_string(p);
  t += "\t\t# Everyone else, on the ports above:\n";
  t += "\t\ttcp dport { " + ports + " } " +
       (r.deny == Deny::kReject ? "reject with tcp reset" : "drop") + " comment \"zkops " +
       r.cluster + " deny\"\n";
  t += "\t}\n}\n";
  return t;
}

std::string RenderRemoval(const RuleSet& r, Format format) {
  if (format == Format::kNftables) {
    return "# Remove the zkops rules of cluster '" + r.cluster +
           "':\n"
           "nft list table inet " +
           r.table + " >/dev/null 2>&1 && nft delete table inet " + r.table + "\n";
  }
  return "# Remove the zkops rules of cluster '" + r.cluster +
         "':\n"
         "while iptables -D INPUT -j " +
         r.chain +
         " 2>/dev/null; do :; done\n"
         "iptables -F " +
         r.chain + " 2>/dev/null && iptables -X " + r.chain + "\n";
}

}  // namespace zkops::firewall

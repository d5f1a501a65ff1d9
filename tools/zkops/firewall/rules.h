// `zkops firewall`: host firewall rules derived from the rendered configs (operations.md §7
// "firewall", §8 item 5): each client port open to the environment's client CIDRs, quorum and
// election ports open only to the other servers, the admin port (where enabled) to the admin
// CIDRs; every other source is refused on those ports. Nothing else is touched: the rules
// live in their own iptables chain (ZKOPS-<cluster>, jumped to once from INPUT) or nftables
// table (inet zkops_<cluster>), so applying twice gives the same rules and removal is one
// step.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "inventory/check.h"
#include "inventory/inventory.h"
#include "zk/status.h"

namespace zkops::firewall {

enum class Format { kIptables, kNftables };

// Whether traffic the rules do not allow is answered with a TCP reset (a peer or client sees
// "connection refused" at once, so a misconfiguration shows) or silently dropped.
enum class Deny { kReject, kDrop };

// One accept rule: TCP to `port` from any of `sources`.
struct Rule {
  uint16_t port = 0;
  std::string comment;               // "server.0 quorum" (shown by iptables -L / nft list)
  std::string why;                   // the line above the rule: who may connect and why
  std::vector<std::string> sources;  // addresses or CIDRs; empty = nobody (refused)
};

struct RuleSet {
  std::string cluster, environment, inventory_name;
  std::string host;                  // the machine these rules are for
  std::vector<uint64_t> server_ids;  // the servers on it
  std::vector<Rule> rules;
  std::vector<uint16_t> ports;  // every port governed, sorted
  Deny deny = Deny::kReject;
  std::string chain;  // ZKOPS-<cluster>
  std::string table;  // zkops_<cluster> ('-' becomes '_')
};

// The rules for the machine that runs `servers` (all on one machine; see ServersOnHost).
// Peer host names are resolved with `resolve` to literal addresses (rules must not depend on
// DNS at load time). NotFound when a peer does not resolve.
zk::Status BuildRuleSet(const inventory::RenderedCluster& cluster,
                        const std::vector<const inventory::RenderedServer*>& servers, Deny deny,
                        const inventory::Resolver& resolve, RuleSet* out);

// The servers of the machine chosen by `server` (that server and every other one sharing its
// address; all loopback addresses are one machine), or without it the servers without an ssh
// target (this machine), or the only machine there is. InvalidArgument asking for --server
// when that is ambiguous.
zk::Status ServersOnHost(const inventory::RenderedCluster& cluster,
                         const std::optional<uint64_t>& server, const inventory::Resolver& resolve,
                         std::vector<const inventory::RenderedServer*>* out);

// Input for `iptables-restore --noflush` (IPv4; IPv6 sources are left out with a comment).
std::string RenderIptables(const RuleSet& rules);
// Input for `nft -f`: declares, deletes and re-creates the table, so it replaces it atomically.
std::string RenderNftables(const RuleSet& rules);
// The shell commands that remove the chain/table (what --remove --apply runs).
std::string RenderRemoval(const RuleSet& rules, Format format);

// Loads the rules into the kernel of this network namespace: iptables-restore --noflush and
// one `-I INPUT -j <chain>` if INPUT does not jump there yet; or nft -f. Needs root.
zk::Status Apply(const RuleSet& rules, Format format);
// Removes the chain (every INPUT jump to it, then the chain) or the table. OK, with
// *removed false, when there was nothing to remove.
zk::Status Remove(const RuleSet& rules, Format format, bool* removed);

}  // namespace zkops::firewall

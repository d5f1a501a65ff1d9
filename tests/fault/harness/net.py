"""Network namespaces for the ensemble: one per server, one for the clients, all on a bridge
that lives in a namespace of its own (the host's interfaces and rules are never touched).

Partitions are iptables rules in a ZKFAULT chain inside each server namespace (filter INPUT
and OUTPUT jump to it), so they cut only server-to-server traffic: "drop" silently drops
packets (peers see timeouts), "reset" answers TCP with a reset (peers see refused/reset
connections at once). heal() flushes the chains.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "harness"))
import netns  # noqa: E402  (tests/harness: namespaces on a bridge, teardown)

run = netns.run


def remove_stale(prefix="zf"):
    """Deletes the namespaces (and kills what runs in them) of earlier harness runs that died
    without tearing down, e.g. killed by ctest's timeout: names <prefix><pid % 100000><role>
    whose harness process is gone."""
    netns.remove_stale(r"%s(\d+)(?:br|cl|s\d+)" % prefix, b"fault_harness.py")


class Network:
    """tag: a short unique prefix for namespace and interface names (<= 8 characters)."""

    def __init__(self, tag, n_servers, subnet="10.78.0"):
        self.tag = tag
        self.subnet = subnet
        self.client_ns = tag + "cl"
        self.client_ip = subnet + ".2"
        self.server_ns = {sid: "%ss%d" % (tag, sid) for sid in range(1, n_servers + 1)}
        self.server_ip = {sid: "%s.%d" % (subnet, 10 + sid) for sid in self.server_ns}
        self.lan = netns.Lan(tag, [(self.client_ns, self.client_ip)] + [
            (self.server_ns[sid], self.server_ip[sid]) for sid in sorted(self.server_ns)])
        self.bridge_ns = self.lan.bridge_ns
        self.cut = {}  # sid -> set of sids it cannot talk to

    def namespaces(self):
        return self.lan.namespaces

    def create(self):
        """Raises RuntimeError when namespaces cannot be made (the caller skips)."""
        self.lan.create()
        for sid, ns in self.server_ns.items():
            self._iptables(ns, "*filter\n:ZKFAULT - [0:0]\n-A INPUT -j ZKFAULT\n"
                               "-A OUTPUT -j ZKFAULT\nCOMMIT\n")
            self.cut[sid] = set()

    @staticmethod
    def _iptables(ns, rules):
        run(*(netns.exec_prefix(ns) + ["iptables-restore", "--noflush"]), input=rules)

    def enter_client_namespace(self):
        """Moves this (still single-threaded) process into the client namespace: threads and
        children created afterwards live there and reach the servers over the bridge."""
        netns.enter(self.client_ns)

    def exec_prefix(self, sid):
        return netns.exec_prefix(self.server_ns[sid])

    def apply(self, cut, mode="drop"):
        """cut: {sid: set of sids whose traffic it drops}; must be symmetric. Replaces the
        previous partition."""
        for sid, ns in self.server_ns.items():
            lines = ["*filter", "-F ZKFAULT"]
            for other in sorted(cut.get(sid, ())):
                ip = self.server_ip[other]
                if mode == "reset":
                    # REJECT's reset (src: the peer, dst: this server, flag RST) crosses this
                    # chain too: without the RETURN the REJECT/DROP below ate it and "reset"
                    # silently behaved as "drop" (partitions_test.py checks it). Letting RSTs
                    # through opens nothing: no other packet crosses the cut to be answered.
                    for d in ("-s", "-d"):
                        lines.append("-A ZKFAULT %s %s -p tcp --tcp-flags RST RST -j RETURN"
                                     % (d, ip))
                    for d in ("-s", "-d"):
                        lines.append("-A ZKFAULT %s %s -p tcp -j REJECT --reject-with tcp-reset"
                                     % (d, ip))
                lines.append("-A ZKFAULT -s %s -j DROP" % ip)
                lines.append("-A ZKFAULT -d %s -j DROP" % ip)
            lines.append("COMMIT")
            self._iptables(ns, "\n".join(lines) + "\n")
            self.cut[sid] = set(cut.get(sid, ()))

    def heal(self):
        self.apply({}, "drop")

    def destroy(self):
        # Every process left in one of these namespaces is ours (servers, clients); the
        # harness itself runs in the client namespace and is spared.
        self.lan.destroy()


def components(groups, sids):
    """groups: a list of disjoint sets (a clean split) -> the cut map."""
    cut = {sid: set() for sid in sids}
    for g in groups:
        for sid in g:
            cut[sid] = set(sids) - set(g)
    return cut


def from_links(links, sids):
    """links: sid -> set of sids it can still reach (symmetric) -> the cut map."""
    return {sid: set(sids) - set(links[sid]) - {sid} for sid in sids}

"""Network namespaces for the ensemble: one per server, one for the clients, all on a bridge
that lives in a namespace of its own (the host's interfaces and rules are never touched).

Partitions are iptables rules in a ZKFAULT chain inside each server namespace (filter INPUT
and OUTPUT jump to it), so they cut only server-to-server traffic: "drop" silently drops
packets (peers see timeouts), "reset" answers TCP with a reset (peers see refused/reset
connections at once). heal() flushes the chains.
"""
import ctypes
import os
import re
import subprocess

CLONE_NEWNET = 0x40000000


def run(*args, check=True, input=None):
    r = subprocess.run(list(args), capture_output=True, text=True, input=input)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode,
                                                   r.stderr.strip()))
    return r


def remove_stale(prefix="zf"):
    """Deletes the namespaces (and kills what runs in them) of earlier harness runs that died
    without tearing down, e.g. killed by ctest's timeout: names <prefix><pid % 100000><role>
    whose harness process is gone."""
    live = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if b"fault_harness.py" in f.read():
                    live.add(int(d) % 100000)
        except OSError:
            continue
    for line in run("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"^%s(\d+)(br|cl|s\d+)$" % prefix, name)
        if not m or int(m.group(1)) in live:
            continue
        for pid in run("ip", "netns", "pids", name, check=False).stdout.split():
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        run("ip", "netns", "del", name, check=False)


class Network:
    """tag: a short unique prefix for namespace and interface names (<= 8 characters)."""

    def __init__(self, tag, n_servers, subnet="10.78.0"):
        self.tag = tag
        self.subnet = subnet
        self.bridge_ns = tag + "br"
        self.client_ns = tag + "cl"
        self.client_ip = subnet + ".2"
        self.server_ns = {sid: "%ss%d" % (tag, sid) for sid in range(1, n_servers + 1)}
        self.server_ip = {sid: "%s.%d" % (subnet, 10 + sid) for sid in self.server_ns}
        self.created = []
        self.cut = {}  # sid -> set of sids it cannot talk to

    def namespaces(self):
        return [self.bridge_ns, self.client_ns] + list(self.server_ns.values())

    def create(self):
        """Raises RuntimeError when namespaces cannot be made (the caller skips)."""
        run("ip", "netns", "add", self.bridge_ns)
        self.created.append(self.bridge_ns)
        run("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        members = [(self.client_ns, self.client_ip)] + [
            (self.server_ns[sid], self.server_ip[sid]) for sid in sorted(self.server_ns)]
        for n, (ns, ip) in enumerate(members):
            run("ip", "netns", "add", ns)
            self.created.append(ns)
            a, b = "%sv%da" % (self.tag, n), "%sv%db" % (self.tag, n)
            run("ip", "link", "add", a, "netns", ns, "type", "veth", "peer", "name", b,
                "netns", self.bridge_ns)
            run("ip", "-n", self.bridge_ns, "link", "set", b, "master", "br0")
            run("ip", "-n", self.bridge_ns, "link", "set", b, "up")
            run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", a)
            run("ip", "-n", ns, "link", "set", a, "up")
            run("ip", "-n", ns, "link", "set", "lo", "up")
        for sid, ns in self.server_ns.items():
            self._iptables(ns, "*filter\n:ZKFAULT - [0:0]\n-A INPUT -j ZKFAULT\n"
                               "-A OUTPUT -j ZKFAULT\nCOMMIT\n")
            self.cut[sid] = set()

    @staticmethod
    def _iptables(ns, rules):
        run("ip", "netns", "exec", ns, "iptables-restore", "--noflush", input=rules)

    def enter_client_namespace(self):
        """Moves this (still single-threaded) process into the client namespace: threads and
        children created afterwards live there and reach the servers over the bridge."""
        libc = ctypes.CDLL(None, use_errno=True)
        fd = os.open("/run/netns/" + self.client_ns, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns(%s)" % self.client_ns)
        finally:
            os.close(fd)

    def exec_prefix(self, sid):
        return ["ip", "netns", "exec", self.server_ns[sid]]

    def apply(self, cut, mode="drop"):
        """cut: {sid: set of sids whose traffic it drops}; must be symmetric. Replaces the
        previous partition."""
        for sid, ns in self.server_ns.items():
            lines = ["*filter", "-F ZKFAULT"]
            for other in sorted(cut.get(sid, ())):
                ip = self.server_ip[other]
                if mode == "reset":
                    lines.append("-A ZKFAULT -s %s -p tcp -j REJECT --reject-with tcp-reset" % ip)
                    lines.append("-A ZKFAULT -d %s -p tcp -j REJECT --reject-with tcp-reset" % ip)
                lines.append("-A ZKFAULT -s %s -j DROP" % ip)
                lines.append("-A ZKFAULT -d %s -j DROP" % ip)
            lines.append("COMMIT")
            self._iptables(ns, "\n".join(lines) + "\n")
            self.cut[sid] = set(cut.get(sid, ()))

    def heal(self):
        self.apply({}, "drop")

    def destroy(self):
        for ns in self.created:
            # Every process left in one of these namespaces is ours (servers, clients).
            for pid in run("ip", "netns", "pids", ns, check=False).stdout.split():
                if pid == str(os.getpid()):
                    continue  # the harness itself runs in the client namespace
                try:
                    os.kill(int(pid), 9)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in reversed(self.created):
            run("ip", "netns", "del", ns, check=False)
        self.created = []


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

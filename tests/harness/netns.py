"""Network namespaces for tests that need real hosts on one machine (the fault harness, zkops
deploy over ssh, zkops firewall): build them, run things inside, tear everything down.

Only namespaces created here are touched: the host's interfaces, addresses and rules never
are. A Lan is either several namespaces on a bridge that lives in a namespace of its own
(<tag>br, so no interface appears on the host) or, with bridge=False, exactly two namespaces
joined by one veth pair. Needs root and iproute2 (`ip netns`).

    lan = netns.Lan("zkd123", [("zkd123ad", "10.77.0.10"), ("zkd123h1", "10.77.0.11")])
    try:
        lan.create()              # NetnsUnavailable: no namespaces here at all (skip)
        lan.run_in("zkd123ad", "ping", "-c1", "10.77.0.11")
    finally:
        lan.destroy()             # kills every process left inside, deletes the namespaces
"""
import ctypes
import os
import re
import signal
import subprocess

CLONE_NEWNET = 0x40000000


class NetnsUnavailable(RuntimeError):
    """The first `ip netns add` failed: this machine (or user) cannot make namespaces."""


def run(*args, check=True, input=None, timeout=None, env=None):
    """Runs a command, captures its output as text; check: RuntimeError on a non-zero exit."""
    r = subprocess.run(list(args), capture_output=True, text=True, input=input,
                       timeout=timeout, env=env)
    if check and r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args), r.returncode,
                                                   r.stderr.strip()))
    return r


def exec_prefix(ns):
    """The argv prefix that runs a command in namespace ns (`ip netns exec` execs it, so a
    Popen's pid is the command's own)."""
    return ["ip", "netns", "exec", ns]


def pids(ns):
    """The pids of every process in namespace ns."""
    return [int(p) for p in run("ip", "netns", "pids", ns, check=False).stdout.split()
            if p.isdigit()]


def kill_all(ns, spare=()):
    """SIGKILLs every process in namespace ns except the pids in spare."""
    for pid in pids(ns):
        if pid in spare:
            continue
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def delete(ns, spare=()):
    """Kills what runs in ns (but spare) and deletes it; a missing ns is not an error."""
    kill_all(ns, spare)
    run("ip", "netns", "del", ns, check=False)


def enter(ns):
    """Moves the calling thread into namespace ns. Call it while the process is still single-
    threaded: threads and children created afterwards inherit the namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns(%s)" % ns)
    finally:
        os.close(fd)


def remove_stale(name_re, owner_marker):
    """Deletes namespaces left by earlier runs that died without tearing down (e.g. killed by
    a ctest timeout). name_re: a regex whose group 1 is the owner's pid modulo 100000 (as in
    "zf(\\d+)(br|cl|s\\d+)"); a namespace is stale when no live process whose command line
    holds owner_marker (bytes) has that pid. Everything still running inside is killed."""
    live = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if owner_marker in f.read():
                    live.add(int(d) % 100000)
        except OSError:
            continue
    for line in run("ip", "netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"^(?:%s)$" % name_re, name)
        if m and int(m.group(1)) not in live:
            delete(name)


class Lan:
    """Namespaces on one IPv4 subnet. members: [(namespace name, address)] in order; tag: a
    short unique prefix (<= 8 characters) for the bridge namespace and interface names
    (<tag>v<n>a inside member n, <tag>v<n>b on the bridge; with bridge=False <tag>a in the
    first member and <tag>b in the second)."""

    def __init__(self, tag, members, bridge=True, prefix_len=24):
        if not bridge and len(members) != 2:
            raise ValueError("a Lan without a bridge joins exactly two namespaces")
        self.tag = tag
        self.members = list(members)
        self.bridge_ns = tag + "br" if bridge else None
        self.prefix_len = prefix_len
        self.created = []

    @property
    def namespaces(self):
        return ([self.bridge_ns] if self.bridge_ns else []) + [ns for ns, _ in self.members]

    def _add(self, ns):
        r = run("ip", "netns", "add", ns, check=False)
        if r.returncode != 0:
            message = "ip netns add %s failed (%d): %s" % (ns, r.returncode, r.stderr.strip())
            raise (NetnsUnavailable if not self.created else RuntimeError)(message)
        self.created.append(ns)

    def _address(self, ns, dev, ip):
        run("ip", "-n", ns, "addr", "add", "%s/%d" % (ip, self.prefix_len), "dev", dev)
        run("ip", "-n", ns, "link", "set", dev, "up")
        run("ip", "-n", ns, "link", "set", "lo", "up")

    def create(self):
        """Raises NetnsUnavailable when not even one namespace can be made, RuntimeError when
        a later step fails (what was made so far is still torn down by destroy())."""
        if self.bridge_ns is None:
            (a_ns, a_ip), (b_ns, b_ip) = self.members
            self._add(a_ns)
            self._add(b_ns)
            run("ip", "link", "add", self.tag + "a", "netns", a_ns, "type", "veth", "peer",
                "name", self.tag + "b", "netns", b_ns)
            self._address(a_ns, self.tag + "a", a_ip)
            self._address(b_ns, self.tag + "b", b_ip)
            return
        self._add(self.bridge_ns)
        run("ip", "-n", self.bridge_ns, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", self.bridge_ns, "link", "set", "br0", "up")
        for n, (ns, ip) in enumerate(self.members):
            self._add(ns)
            a, b = "%sv%da" % (self.tag, n), "%sv%db" % (self.tag, n)
            run("ip", "link", "add", a, "netns", ns, "type", "veth", "peer", "name", b,
                "netns", self.bridge_ns)
            run("ip", "-n", self.bridge_ns, "link", "set", b, "master", "br0")
            run("ip", "-n", self.bridge_ns, "link", "set", b, "up")
            self._address(ns, a, ip)

    def run_in(self, ns, *args, check=False, timeout=None, input=None, env=None):
        return run(*(exec_prefix(ns) + list(args)), check=check, timeout=timeout, input=input,
                   env=env)

    def destroy(self):
        """Kills every process left in these namespaces (all of them are the test's: servers,
        sshd, clients; never the calling process, which may have entered one) and deletes
        them. Idempotent."""
        me = (os.getpid(),)
        for ns in self.created:
            kill_all(ns, spare=me)
        for ns in reversed(self.created):
            run("ip", "netns", "del", ns, check=False)
        self.created = []

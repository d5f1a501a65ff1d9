#!/usr/bin/python3
"""zkops firewall --apply against a real kernel, inside network namespaces this test creates.

Usage: firewall_test.py iptables|nftables   (ZKOPS=path to zkops)

A server namespace (10.211.N.1) listens on a client port and a quorum port; a client
namespace (10.211.N.2) probes them over a veth pair. The inventory makes 10.211.N.1 server.1
with peers 10.211.N.3 and .4, so the client namespace is inside clientCidrs but no peer:
after --apply its connection to the client port is accepted and to the quorum port refused.
Applying twice must leave the same ruleset; --remove --apply must restore access. The host's
own rules are never touched. Needs root (ip netns); exits 77 (skipped) with a reason without.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "harness"))
import netns  # noqa: E402  (tests/harness: namespaces, teardown)

SKIP = 77
LISTENER = r"""
import socket, sys, select
socks = []
for port in map(int, sys.argv[1:]):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); socks.append(s)
print("ready", flush=True)
while True:
    r, _, _ = select.select(socks, [], [])
    for s in r:
        c, _ = s.accept(); c.close()
"""
PROBE = r"""
import socket, sys
s = socket.socket(); s.settimeout(3)
try:
    s.connect((sys.argv[1], int(sys.argv[2]))); print("accepted")
except ConnectionRefusedError:
    print("refused")
except OSError as e:
    print("error " + str(e))
"""


def run(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def main():
    fmt = sys.argv[1] if len(sys.argv) > 1 else "nftables"
    zkops = os.environ.get("ZKOPS")
    if os.geteuid() != 0:
        print("SKIP: needs root to create network namespaces (ip netns add)")
        return SKIP
    tools = {"iptables": ["iptables", "iptables-restore"], "nftables": ["nft"]}[fmt] + ["ip"]
    for tool in tools:
        if shutil.which(tool) is None and not os.path.exists("/usr/sbin/" + tool):
            print(f"SKIP: {tool} is not installed (Debian packages iptables, nftables, iproute2)")
            return SKIP
    if not zkops or not os.path.exists(zkops):
        print("FAIL: set ZKOPS to the zkops binary")
        return 1

    tag = f"zkfw{os.getpid() % 100000}"
    subnet = 200 + os.getpid() % 50
    srv, cli = tag + "s", tag + "c"
    srv_ip, cli_ip = f"10.{subnet}.0.1", f"10.{subnet}.0.2"
    # Two namespaces on one veth pair (no bridge): the server's rules see the client directly.
    lan = netns.Lan(tag, [(srv, srv_ip), (cli, cli_ip)], bridge=False)
    tmp = tempfile.mkdtemp(prefix="zkops-firewall-test-")
    listener = None
    failures = []

    def expect(what, got, want):
        status = "ok" if got == want else "FAIL"
        print(f"{status}: {what}: {got}" + ("" if got == want else f" (expected {want})"))
        if got != want:
            failures.append(what)

    try:
        try:
            lan.create()
        except netns.NetnsUnavailable as e:
            print(f"SKIP: cannot create a network namespace here ({e})")
            return SKIP

        inv = os.path.join(tmp, "inv.yaml")
        with open(inv, "w") as f:
            f.write(f"""cluster: fwtest
defaults:
  ports: {{client: 2181, quorum: 2888, election: 3888}}
  paths: {{dataDir: "{tmp}/data{{id}}"}}
servers:
  - {{id: 1, host: {srv_ip}}}
  - {{id: 2, host: 10.{subnet}.0.3, ssh: peer2}}
  - {{id: 3, host: 10.{subnet}.0.4, ssh: peer3}}
environments:
  test: {{clientCidrs: [10.{subnet}.0.0/24]}}
""")
        listener = subprocess.Popen(netns.exec_prefix(srv) + [sys.executable, "-c", LISTENER,
                                                              "2181", "2888"],
                                    stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        line = listener.stdout.readline()  # blocks until the listener is bound
        if line.strip() != "ready" or time.monotonic() > deadline:
            print("FAIL: listener did not start")
            return 1

        def probe(port):
            return run("ip", "netns", "exec", cli, sys.executable, "-c", PROBE, srv_ip,
                       str(port)).stdout.strip()

        def ruleset():
            if fmt == "nftables":
                return run("ip", "netns", "exec", srv, "nft", "list", "ruleset").stdout
            out = run("ip", "netns", "exec", srv, "iptables-save").stdout
            return "\n".join(l for l in out.splitlines() if not l.startswith("#"))

        def zk(*args):
            return run("ip", "netns", "exec", srv, zkops, "firewall", "--format", fmt, "-i", inv,
                       "--server", "1", *args, check=False)

        expect("before: client port", probe(2181), "accepted")
        expect("before: quorum port", probe(2888), "accepted")
        empty = ruleset()

        printed = zk()
        expect("print exit code", printed.returncode, 0)
        first = zk("--apply")
        expect("first apply", first.returncode, 0)
        print(first.stdout + first.stderr, end="")
        after_first = ruleset()
        second = zk("--apply")
        expect("second apply", second.returncode, 0)
        expect("ruleset unchanged by the second apply", ruleset() == after_first, True)
        if fmt == "iptables":
            jumps = run("ip", "netns", "exec", srv, "iptables", "-S", "INPUT").stdout.count(
                "-j ZKOPS-fwtest")
            expect("INPUT jumps to ZKOPS-fwtest", jumps, 1)
        else:
            expect("table inet zkops_fwtest exists", "table inet zkops_fwtest" in after_first, True)

        expect("applied: client port from a client CIDR", probe(2181), "accepted")
        expect("applied: quorum port from a non-peer", probe(2888), "refused")

        removed = zk("--remove", "--apply")
        expect("remove", removed.returncode, 0)
        expect("remove output", removed.stdout.startswith("firewall: removed"), True)
        again = zk("--remove", "--apply")
        expect("second remove finds nothing", "nothing to remove" in again.stdout, True)
        left = ruleset()
        expect("no zkops rules left", "zkops" in left.lower(), False)
        if fmt == "nftables":
            expect("ruleset as before", left == empty, True)
        expect("removed: quorum port", probe(2888), "accepted")
    finally:
        if listener is not None:
            listener.kill()
            listener.wait()
        lan.destroy()
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

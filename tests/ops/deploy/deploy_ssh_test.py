#!/usr/bin/python3
"""zkops deploy over ssh to three "hosts" made of network namespaces (the issue's acceptance).

Usage: deploy_ssh_test.py iptables|nftables   (ZKOPS=path to the built zkops)

Namespaces, all created here and deleted at the end (the host's interfaces and rules are
never touched): <tag>br holds a bridge; hosts <tag>h1..h3 (10.77.0.11-13) each run their own
sshd (own config and host key, root login by a key generated here); <tag>ad (10.77.0.10) is
the admin machine deploy and the clients run from. The filesystem is shared, so each host
has its own installDir and dataDir under the temp dir. ssh options reach zkops through
$ZKOPS_SSH_OPTS (-i key, a throwaway known_hosts).

Checks: an inventory with a 4th server at an address without sshd stops before any change
(exit 3, nothing installed); `zkops deploy --env prod --firewall F` installs, provisions,
firewalls and starts; `zkops status` shows one leader and two followers; a znode created
through one host is read through the others; from the admin namespace (not a server) the
election and quorum ports are refused and the client ports answer; a second deploy changes
nothing. Needs root, ip, sshd, rsync; exit 77 (skipped) without.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "harness"))
import netns  # noqa: E402  (tests/harness: namespaces on a bridge, teardown)

SKIP = 77
SUBNET = "10.77.0"
ADMIN_IP = SUBNET + ".10"
HOSTS = [(101, SUBNET + ".11"), (102, SUBNET + ".12"), (202, SUBNET + ".13")]
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
KAZOO = r"""
import sys
from kazoo.client import KazooClient
a = KazooClient(hosts=sys.argv[1]); a.start(timeout=15)
a.create("/over-ssh", b"written on " + sys.argv[1].encode())
a.stop()
for h in sys.argv[2:]:
    c = KazooClient(hosts=h); c.start(timeout=15); c.sync("/over-ssh")
    print(h, c.get("/over-ssh")[0].decode()); c.stop()
"""


def run(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for " + what)
        time.sleep(0.05)


def inventory(tmp, extra=""):
    servers = "\n".join(
        f"  - {{id: {i}, name: h{i}, host: {ip}, ssh: root@{ip}}}" for i, ip in HOSTS)
    return f"""cluster: sshdeploy
defaultEnvironment: prod
defaults:
  ports: {{client: 2180, quorum: 8000, election: 8100}}
  paths:
    installDir: "{tmp}/host{{id}}/install"
    dataDir: "{tmp}/host{{id}}/data"
    logDir: "{tmp}/host{{id}}/logs"
zooCfg: {{tickTime: 500, initLimit: 10, syncLimit: 5}}
servers:
{servers}
{extra}environments:
  prod:
    plugins: {{transport: tcp, storage: sqlite, election: raft}}
    # Only the subnet: the firewall lets loopback through, which `zkops server start|status`
    # on each host use to probe its client port.
    clientCidrs: [{SUBNET}.0/24]
    zooCfg: {{4lw.commands.whitelist: "srvr,ruok,stat,conf,mntr"}}
"""


def main():
    fw = sys.argv[1] if len(sys.argv) > 1 else "iptables"
    zkops = os.environ.get("ZKOPS", "")
    if os.geteuid() != 0:
        print("SKIP: needs root (ip netns, sshd)")
        return SKIP
    for tool in ["ip", "rsync", "ssh", "ssh-keygen", "/usr/sbin/sshd"] + (
            ["iptables-restore"] if fw == "iptables" else ["nft"]):
        if shutil.which(tool) is None and not os.path.exists(tool):
            print(f"SKIP: {tool} is not installed (Debian: iproute2 rsync openssh-server "
                  "iptables nftables)")
            return SKIP
    if not zkops or not os.path.exists(zkops):
        print("FAIL: set ZKOPS to the zkops binary")
        return 1

    tag = "zkd%d" % (os.getpid() % 10000)
    admin = tag + "ad"
    hosts = {i: (tag + "h%d" % n, ip) for n, (i, ip) in enumerate(HOSTS, 1)}
    lan = netns.Lan(tag, [(admin, ADMIN_IP)] + list(hosts.values()))
    tmp = tempfile.mkdtemp(prefix="zkops-deploy-ssh-")
    sshds = []
    failures = []

    def expect(what, got, want):
        ok = got == want
        print(("ok" if ok else "FAIL") + f": {what}: {got}" + ("" if ok else f" (expected {want})"))
        if not ok:
            failures.append(what)

    def in_ns(ns, *args, check=False, timeout=300, env=None):
        return lan.run_in(ns, *args, check=check, timeout=timeout, env=env)

    try:
        try:
            lan.create()
        except netns.NetnsUnavailable as e:
            print("SKIP: cannot create a network namespace here (%s)" % e)
            return SKIP

        key = os.path.join(tmp, "id_ed25519")
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
        auth = os.path.join(tmp, "authorized_keys")
        shutil.copy(key + ".pub", auth)
        os.chmod(auth, 0o600)
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege-separation dir
        for i, (ns, ip) in hosts.items():
            hk = os.path.join(tmp, f"hostkey{i}")
            run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hk)
            cfg = os.path.join(tmp, f"sshd{i}.conf")
            with open(cfg, "w") as f:
                f.write(f"ListenAddress {ip}\nPort 22\nHostKey {hk}\nPidFile {tmp}/sshd{i}.pid\n"
                        f"PermitRootLogin prohibit-password\nAuthorizedKeysFile {auth}\n"
                        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                        "UsePAM no\nStrictModes no\n")
            sshds.append(subprocess.Popen(
                netns.exec_prefix(ns) + ["/usr/sbin/sshd", "-D", "-e", "-f", cfg],
                stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, f"sshd{i}.log"), "w")))
        env = dict(os.environ)
        env["ZKOPS_SSH_OPTS"] = (f"-i {key} -o UserKnownHostsFile={tmp}/known_hosts "
                                 "-o StrictHostKeyChecking=no -o LogLevel=ERROR")

        def ssh_ok():
            return all(in_ns(admin, "ssh", *env["ZKOPS_SSH_OPTS"].split(), "-o", "BatchMode=yes",
                             "root@" + ip, "true", timeout=20).returncode == 0
                       for _, ip in hosts.values())
        wait_for(ssh_ok, 20, "every sshd to accept the key")

        inv = os.path.join(tmp, "inv.yaml")

        def deploy(*extra):
            r = in_ns(admin, zkops, "deploy", "-i", inv, "--env", "prod", *extra, env=env)
            print(f"$ zkops deploy {' '.join(extra)} -> {r.returncode}\n{r.stdout}{r.stderr}")
            return r

        # ssh refused: a 4th server at an address nobody answers on stops before any change.
        with open(inv, "w") as f:
            f.write(inventory(tmp, f"  - {{id: 203, name: nosshd, host: {SUBNET}.99, "
                                   f"ssh: root@{SUBNET}.99}}\n"))
        r = deploy("--firewall", fw)
        expect("unreachable ssh target: exit code", r.returncode, 3)
        expect("unreachable ssh target is named", "server.203 (nosshd" in r.stderr, True)
        expect("... with its inventory place", "inv.yaml:" in r.stderr, True)
        expect("nothing installed", any(os.path.exists(f"{tmp}/host{i}") for i in hosts), False)

        with open(inv, "w") as f:
            f.write(inventory(tmp))
        r = deploy("--firewall", fw)
        expect("deploy exit code", r.returncode, 0)
        st = in_ns(admin, zkops, "status", "-i", inv, "--env", "prod", "--json")
        report = json.loads(st.stdout) if st.stdout.startswith("{") else {"servers": []}
        expect("status verdict", report.get("verdict"), "healthy")
        expect("roles", sorted(s["state"] for s in report["servers"]),
               ["follower", "follower", "leader"])
        ips = [ip for _, ip in hosts.values()]
        k = in_ns(admin, "/usr/bin/python3", "-c", KAZOO, f"{ips[0]}:2180", f"{ips[1]}:2180",
                  f"{ips[2]}:2180", timeout=60)
        expect("znode read through the other hosts",
               k.stdout.count(f"written on {ips[0]}:2180"), 2)
        if k.returncode != 0:
            print(k.stderr)

        def probe(ip, port):
            return in_ns(admin, "/usr/bin/python3", "-c", PROBE, ip, str(port)).stdout.strip()
        leader = [s["address"].split(":")[0] for s in report["servers"]
                  if s["state"] == "leader"]
        for ip in ips:
            expect(f"{ip} client port from admin", probe(ip, 2180), "accepted")
            expect(f"{ip} election port from admin", probe(ip, 8100), "refused")
        if leader:
            expect("leader's quorum port from admin", probe(leader[0], 8000), "refused")
            # ...while the peers can reach it (they are following it).
            other = [ns for ns, ip in hosts.values() if ip != leader[0]][0]
            expect("leader's quorum port from a peer",
                   in_ns(other, "/usr/bin/python3", "-c", PROBE, leader[0], "8000")
                   .stdout.strip(), "accepted")

        r = deploy("--firewall", fw)
        expect("second deploy exit code", r.returncode, 0)
        expect("second deploy changes nothing",
               "nothing changed: no file transferred, nothing restarted" in r.stdout, True)
    finally:
        for p in sshds:
            p.send_signal(signal.SIGTERM)
        # Every process left in a namespace of this test is ours (sshd, zknode).
        lan.destroy()
        for p in sshds:
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())

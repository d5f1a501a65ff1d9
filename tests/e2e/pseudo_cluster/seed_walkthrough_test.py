#!/usr/bin/python3
"""The seed's pseudo-cluster walkthrough, verbatim, with real processes and real clients.

Three zoo.cfg with clientPort 2180/2181/2182 and the seed's server lines
(server.0=127.0.0.1:8000:8100 ...), dataDirs holding myid 0/1/2. `zkops server start` each;
status shows one leader and two followers; a znode created on 2180 (kazoo) shows the same data
and stat on 2181 and 2182 (Apache zkCli.sh); stopping the leader elects a new one among the two
left; stopping that one leaves the last server not serving; starting one brings back a leader
and a follower, data intact. Only the dataDirs differ from the seed: they live in a temp dir.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness"))
import zkserver  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402

BIN = zkserver.default_bin_dir()
ZKOPS = os.path.join(BIN, "zkops")
ZKCLI = "/usr/share/zookeeper/bin/zkCli.sh"
CLIENT_PORTS = [2180, 2181, 2182]
SERVER_LINES = ["server.0=127.0.0.1:8000:8100", "server.1=127.0.0.1:8001:8101",
                "server.2=127.0.0.1:8002:8102"]
NOT_SERVING_EXIT = 7  # zkops server --help: running but not serving
TRANSFER_FAILED = 10  # zkops server --help: transfer refused (not the leader, ...)


def zkops(*args, check=0):
    r = subprocess.run([ZKOPS, "server"] + list(args), capture_output=True, text=True,
                       timeout=120)
    if check is not None and r.returncode != check:
        raise AssertionError("zkops server %s -> %d\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(args), r.returncode, r.stdout, r.stderr))
    return r


def zkcli_get(port, path):
    """`get -s path` through Apache's zkCli.sh: the data line and the eleven stat lines."""
    r = subprocess.run([ZKCLI, "-server", "127.0.0.1:%d" % port, "get", "-s", path],
                       capture_output=True, text=True, timeout=60)
    lines = [l for l in r.stdout.splitlines()
             if l and not l.startswith(("Connecting", "WATCHER", "WatchedEvent"))]
    return lines


class SeedPseudoClusterTest(unittest.TestCase):
    def setUp(self):
        plugin = os.path.join(BIN, "..", "lib", "zkops", "plugins", "libzk_election_raft.so")
        if not os.path.exists(plugin):
            self.skipTest("no election plugin 'raft' built (%s)" % os.path.normpath(plugin))
        for p in CLIENT_PORTS + [8000, 8001, 8002, 8100, 8101, 8102]:
            with socket.socket() as s:
                # TIME_WAIT leftovers do not count: the servers bind with SO_REUSEADDR too.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    self.fail("port %d is in use; the seed's ports are needed verbatim" % p)
        self.dir = tempfile.mkdtemp(prefix="zk-seed-")
        self.cfgs = []
        for i, port in enumerate(CLIENT_PORTS):
            data = os.path.join(self.dir, "zookeeper%d" % i)
            os.makedirs(data)
            with open(os.path.join(data, "myid"), "w") as f:
                f.write("%d\n" % i)
            cfg = os.path.join(self.dir, "zoo%d.cfg" % i)
            with open(cfg, "w") as f:
                f.write("tickTime=2000\ninitLimit=10\nsyncLimit=5\n"
                        "dataDir=%s\ndataLogDir=%s\nclientPort=%d\n" % (data, data, port))
                f.write("\n".join(SERVER_LINES) + "\n")
                # Not in the seed: three servers on one host would all want the AdminServer's
                # 8080 (operations.md lesson 9). zknode only warns, but keep the log clean.
                f.write("admin.enableServer=false\n")
            self.cfgs.append(cfg)
        self.running = set()

    def tearDown(self):
        if not hasattr(self, "cfgs"):
            return
        for i in sorted(self.running):
            zkops("stop", self.cfgs[i], check=None)
        if os.environ.get("ZK_KEEP_TMP"):
            sys.stderr.write("kept %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, i):
        r = zkops("start", self.cfgs[i], "--timeout", "60", "--wait-serving", "1")
        self.assertIn("Starting zookeeper ... STARTED", r.stdout)
        self.running.add(i)

    def stop(self, i):
        r = zkops("stop", self.cfgs[i])
        self.assertIn("Stopping zookeeper ... STOPPED", r.stdout)
        self.running.discard(i)

    def modes(self, servers):
        """Waits until every server in `servers` reports a Mode; returns {i: mode}."""
        def poll():
            out = {}
            for i in servers:
                r = zkops("status", self.cfgs[i], check=None)
                m = re.search(r"^Mode: (\w+)$", r.stdout, re.M)
                if r.returncode != 0 or not m:
                    return None
                out[i] = m.group(1)
            return out if sorted(out.values()).count("leader") == 1 else None
        return zkserver.wait_until(poll, 60, interval=0.2, what="one leader among %s" % servers)

    def test_seed_walkthrough(self):
        for i in range(3):
            self.start(i)
        modes = self.modes([0, 1, 2])
        self.assertEqual(sorted(modes.values()), ["follower", "follower", "leader"])

        client = KazooClient(hosts="127.0.0.1:2180", timeout=15)
        client.start(timeout=30)
        try:
            client.create("/defg", b"defg")
            data, stat = client.get("/defg")
        finally:
            client.stop()
            client.close()
        self.assertEqual(data, b"defg")
        views = [zkcli_get(port, "/defg") for port in CLIENT_PORTS]
        self.assertEqual(views[0][0], "defg", views[0])
        self.assertEqual(len(views[0]), 12, views[0])  # the data + the eleven stat lines
        self.assertEqual(views[1], views[0])
        self.assertEqual(views[2], views[0])
        self.assertIn("cZxid = 0x%x" % stat.czxid, views[0])

        leader = [i for i, m in modes.items() if m == "leader"][0]
        self.stop(leader)
        rest = [i for i in range(3) if i != leader]
        modes = self.modes(rest)
        self.assertEqual(sorted(modes.values()), ["follower", "leader"])

        second = [i for i, m in modes.items() if m == "leader"][0]
        self.stop(second)
        last = [i for i in rest if i != second][0]
        r = zkserver.wait_until(
            lambda: (lambda res: res if res.returncode == NOT_SERVING_EXIT else None)(
                zkops("status", self.cfgs[last], check=None)), 60, what="not serving")
        self.assertNotIn("Mode:", r.stdout)
        srvr = zkserver.four_letter("127.0.0.1", CLIENT_PORTS[last], "srvr")
        self.assertIn("This ZooKeeper instance is not currently serving requests", srvr)

        self.start(leader)
        modes = self.modes([last, leader])
        self.assertEqual(sorted(modes.values()), ["follower", "leader"])
        for i in (last, leader):
            self.assertEqual(zkcli_get(CLIENT_PORTS[i], "/defg"), views[0])

    def test_transfer_hands_leadership_to_the_chosen_server(self):
        for i in range(3):
            self.start(i)
        modes = self.modes([0, 1, 2])
        leader = [i for i, m in modes.items() if m == "leader"][0]
        follower = [i for i in range(3) if i != leader][0]
        r = zkops("transfer", self.cfgs[follower], "--to", str(leader), check=TRANSFER_FAILED)
        self.assertIn("server.%d is not the leader; server.%d leads" % (follower, leader),
                      r.stderr)

        # A writer on a server that stays a follower sees no failed write across handoffs.
        errors, done, writes = [], threading.Event(), [0]
        def write_loop(port):
            client = KazooClient(hosts="127.0.0.1:%d" % port, timeout=15)
            client.start(timeout=30)
            try:
                client.ensure_path("/transfer")
                while not done.is_set():
                    try:
                        client.set("/transfer", b"%d" % writes[0])
                        writes[0] += 1
                    except Exception as e:  # noqa: BLE001 - every failure counts
                        errors.append(repr(e))
            finally:
                client.stop()
                client.close()

        # Every server leads once, server.0 included (the id raft cannot take as "any").
        for target in [i for i in range(3) if i != leader] + [leader]:
            bystander = [i for i in range(3) if i not in (leader, target)][0]
            done.clear()
            writer = threading.Thread(target=write_loop, args=(CLIENT_PORTS[bystander],))
            writer.start()
            zkserver.wait_until(lambda: writes[0] > 20, 30, what="writes flowing")
            r = zkops("transfer", self.cfgs[leader], "--to", str(target))
            self.assertIn("Leadership: server.%d leads" % target, r.stdout)
            before = writes[0]
            zkserver.wait_until(lambda: writes[0] > before + 20, 30, what="writes after")
            done.set()
            writer.join()
            self.assertEqual(errors, [])
            modes = self.modes([0, 1, 2])
            self.assertEqual(modes[target], "leader", modes)
            leader = target
        r = zkops("transfer", self.cfgs[leader], "--to", str(leader))
        self.assertIn("already leads", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

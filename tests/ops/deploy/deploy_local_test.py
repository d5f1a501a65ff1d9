#!/usr/bin/python3
"""zkops deploy to a pseudo-cluster on this machine (servers without an ssh target).

Three servers on free loopback ports, one install dir each (the seed's three copies):
  1. deploy --env prod installs, provisions and starts them; status shows one leader and two
     followers; a znode created through one server is read through another;
  2. a second deploy transfers nothing and restarts nothing;
  3. maxClientCnxns changes in the inventory; deploy again under a steady kazoo write load:
     a rolling restart, the leader last, zero failed writes;
  4. deploy --env dev switches storage sqlite -> memory: `zkops status --json` and `conf`
     show the plugin each server runs.
Usage: deploy_local_test.py   (ZKOPS=path to the built zkops; its ../lib/zkops/plugins
must hold tcp, raft, sqlite and memory). Exit 77 = skipped.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "harness"))
import zkserver  # noqa: E402
from kazoo.client import KazooClient  # noqa: E402
from kazoo.retry import KazooRetry  # noqa: E402

ZKOPS = os.environ.get("ZKOPS", "")
IDS = [1, 2, 3]


def inventory_text(tmp, ports, max_cnxns):
    servers = "\n".join(
        "  - {id: %d, ports: {client: %d, quorum: %d, election: %d}}" % (i, *ports[i])
        for i in IDS)
    return f"""cluster: deploytest
defaultEnvironment: prod
defaults:
  host: 127.0.0.1
  paths:
    installDir: "{tmp}/server{{id}}"
    dataDir: "{tmp}/data{{id}}"
zooCfg:
  tickTime: 500
  initLimit: 10
  syncLimit: 5
  maxClientCnxns: {max_cnxns}
  4lw.commands.whitelist: srvr,ruok,stat,conf,mntr,cons,isro,dirs
servers:
{servers}
environments:
  dev:
    plugins:
      transport: tcp
      storage: {{name: memory, keys: {{allowEnsemble: true}}}}
      election: raft
    clientCidrs: [127.0.0.0/8]
  prod:
    plugins: {{transport: tcp, storage: sqlite, election: raft}}
    clientCidrs: [127.0.0.0/8]
"""


class DeployLocalTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not ZKOPS or not os.path.exists(ZKOPS):
            raise unittest.SkipTest("set ZKOPS to the zkops binary")
        plugins = os.path.join(os.path.dirname(ZKOPS), "..", "lib", "zkops", "plugins")
        for p in ("transport_tcp", "election_raft", "storage_sqlite", "storage_memory"):
            if not os.path.exists(os.path.join(plugins, "libzk_%s.so" % p)):
                raise unittest.SkipTest("plugin %s not built in %s" % (p, plugins))
        cls.tmp = tempfile.mkdtemp(prefix="zkops-deploy-local-")
        cls.ports = {i: (zkserver.free_port(), zkserver.free_port(), zkserver.free_port())
                     for i in IDS}
        cls.inv = os.path.join(cls.tmp, "inv.yaml")
        cls.write_inventory(60)

    @classmethod
    def write_inventory(cls, max_cnxns):
        with open(cls.inv, "w") as f:
            f.write(inventory_text(cls.tmp, cls.ports, max_cnxns))

    @classmethod
    def tearDownClass(cls):
        for i in IDS:
            cfg = os.path.join(cls.tmp, "server%d" % i, "conf", "zoo.cfg")
            installed = os.path.join(cls.tmp, "server%d" % i, "bin", "zkops")
            if os.path.exists(cfg) and os.path.exists(installed):
                subprocess.run([installed, "server", "stop", cfg], capture_output=True,
                               timeout=60)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def zkops(self, *args, check=0, timeout=240, quiet=False):
        r = subprocess.run([ZKOPS] + list(args), capture_output=True, text=True, timeout=timeout)
        if not quiet:
                sys.stdout.write("$ zkops %s -> %d\n%s%s" % (" ".join(args), r.returncode, r.stdout,
                                                         r.stderr))
        if check is not None:
            self.assertEqual(r.returncode, check, r.stdout + r.stderr)
        return r

    def status(self, env="prod"):
        r = self.zkops("status", "-i", self.inv, "--env", env, "--json", check=None,
                       quiet=True)
        return json.loads(r.stdout)

    def hosts(self, i):
        return "127.0.0.1:%d" % self.ports[i][0]

    def test_deploy(self):
        # 1. First deploy: install, provision, start.
        r = self.zkops("deploy", "-i", self.inv, "--env", "prod")
        for i in IDS:
            base = os.path.join(self.tmp, "server%d" % i)
            self.assertTrue(os.path.exists(os.path.join(base, "bin", "zknode")))
            self.assertEqual(sorted(os.listdir(os.path.join(base, "lib", "zkops", "plugins"))),
                             ["libzk_election_raft.so", "libzk_storage_sqlite.so",
                              "libzk_transport_tcp.so"])  # only what prod runs
        st = self.status()
        self.assertEqual(st["verdict"], "healthy", st["summary"])
        states = sorted(s["state"] for s in st["servers"])
        self.assertEqual(states, ["follower", "follower", "leader"])
        text = self.zkops("status", "-i", self.inv, "--env", "prod").stdout
        self.assertEqual(text.count("leader"), 1 + text.count("leader server"), text)

        a = KazooClient(hosts=self.hosts(1))
        b = KazooClient(hosts=self.hosts(3))
        a.start(timeout=15)
        b.start(timeout=15)
        a.create("/deployed", b"through server 1")
        b.sync("/deployed")
        self.assertEqual(b.get("/deployed")[0], b"through server 1")
        a.stop()
        b.stop()

        # 2. Nothing changed: nothing transferred, nothing restarted.
        r = self.zkops("deploy", "-i", self.inv, "--env", "prod")
        self.assertIn("nothing changed: no file transferred, nothing restarted", r.stdout)
        self.assertNotIn("restart 1/", r.stdout)
        self.assertNotIn("updated", r.stdout)

        # 3. A zoo.cfg change under a steady write load: rolling restart, leader last.
        leader_before = [s["name"] for s in st["servers"] if s["state"] == "leader"][0]
        self.write_inventory(61)
        writer = KazooClient(hosts=",".join(self.hosts(i) for i in IDS), timeout=10,
                             connection_retry=KazooRetry(max_tries=-1, max_delay=0.5),
                             command_retry=KazooRetry(max_tries=-1, max_delay=0.5, deadline=30))
        writer.start(timeout=15)
        writer.ensure_path("/load")
        stop = threading.Event()
        counts = {"ok": 0, "failed": 0, "errors": []}

        def write_loop():
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    writer.retry(writer.set, "/load", str(n).encode())
                    counts["ok"] += 1
                except Exception as e:  # noqa: BLE001 - every failure counts
                    counts["failed"] += 1
                    counts["errors"].append(repr(e))
                time.sleep(0.01)

        t = threading.Thread(target=write_loop)
        t.start()
        try:
            r = self.zkops("deploy", "-i", self.inv, "--env", "prod")
        finally:
            stop.set()
            t.join(60)
            writer.stop()
        self.assertEqual(counts["failed"], 0, counts["errors"][:5])
        self.assertGreater(counts["ok"], 20)
        order = re.findall(r"^restart (\d)/3: (server\.\d+)( \(leader\))?", r.stdout, re.M)
        self.assertEqual([o[0] for o in order], ["1", "2", "3"], r.stdout)
        self.assertEqual(order[-1][1], leader_before, r.stdout)
        self.assertEqual(order[-1][2], " (leader)")
        self.assertNotIn(leader_before, [o[1] for o in order[:-1]])
        self.assertIn("3 restarted", r.stdout)
        for i in IDS:
            conf = zkserver.four_letter("127.0.0.1", self.ports[i][0], "conf")
            self.assertIn("maxClientCnxns=61", conf)
        self.assertEqual(self.status()["verdict"], "healthy")

        # 4. dev vs prod: a different storage plugin, seen by status and conf.
        def storage_plugins(env):
            return sorted(s["plugins"].get("storage", "").split(" ")[0]
                          for s in self.status(env)["servers"])
        self.assertEqual(storage_plugins("prod"), ["sqlite"] * 3)
        r = self.zkops("deploy", "-i", self.inv, "--env", "dev")
        self.assertIn("libzk_storage_memory.so", r.stdout)
        self.assertEqual(storage_plugins("dev"), ["memory"] * 3)
        conf = zkserver.four_letter("127.0.0.1", self.ports[2][0], "conf")
        self.assertRegex(conf, r"plugin\.storage=memory")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    if result.skipped and not result.failures and not result.errors and result.testsRun == len(
            result.skipped):
        sys.exit(77)
    sys.exit(0 if result.wasSuccessful() else 1)
